"""Admin → Integrations: install/uninstall QuickBooks Online or Desktop, and the settings tabs."""
