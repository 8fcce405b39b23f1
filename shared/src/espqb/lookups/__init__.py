"""Drop-down lookups for the "Send to QuickBooks" dialog and the settings tabs.

The route is shared; where the answers come from is the product's business: QuickBooks Online
asks Intuit's query API (cached briefly), QuickBooks Desktop answers from the list cache the Web
Connector keeps fresh."""
