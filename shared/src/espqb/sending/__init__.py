"""Sending an order to QuickBooks, on both products.

Before the send (the "Send to QuickBooks" button): ``checks`` and ``permissions`` decide who may send
what, ``service`` and ``endpoints`` enqueue a durable send job.

After the plan (both gateways' one road): ``inputs`` loads what a send's plan needs, ``recording``
records what came of each operation (mapping and step), ``wording`` words each step and the job's
summary, the same on both products.
"""
