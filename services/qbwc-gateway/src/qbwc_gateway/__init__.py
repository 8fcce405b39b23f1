"""qbwc-gateway: the QuickBooks Web Connector SOAP service that writes orders into QuickBooks Desktop."""
