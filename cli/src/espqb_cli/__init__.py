"""espqb: the ops command line of esp-quickbooks."""
