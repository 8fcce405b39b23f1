"""ESP ↔ QuickBooks mappings: read for planning, written from send results and CRM links."""
