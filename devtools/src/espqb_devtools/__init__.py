"""Developer tools for esp-quickbooks: the sandboxes and the demo, kept out of the production CLI."""
