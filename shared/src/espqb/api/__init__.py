"""The JSON API the ESP front end calls: one router set mounted by both services."""
