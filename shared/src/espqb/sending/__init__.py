"""The "Send to QuickBooks" button: check who may send what, then enqueue a durable send job."""
