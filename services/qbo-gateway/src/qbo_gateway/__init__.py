"""qbo-gateway: connects companies to QuickBooks Online and writes their orders through the QBO v3 API."""
