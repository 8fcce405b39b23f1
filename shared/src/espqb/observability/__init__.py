"""Logs (structlog, JSON in production, console in development) and Prometheus metrics."""
