"""The reference ESP console: ESP's QuickBooks screens (Admin → Integrations, the order's "QB"
dialog, CRM → customer → "QB") as plain static pages that call the gateways' public JSON API from
the browser. Development only: it mints ESP tokens for whoever signs in."""
