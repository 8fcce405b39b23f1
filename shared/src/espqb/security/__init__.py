"""Secrets: encryption at rest, the ESP JWT, and keyed password hashes."""
