"""Logs and metrics.

- ``logging``: structlog (JSON in production, console in development) for structlog and standard
  library loggers alike, with redaction and the request/job ids bound in context variables;
- ``metrics``: the Prometheus metrics, and where a finished send is counted (``observe_job_finished``);
- ``sampling``: the gauges read from the database every 15 s by each service (queue depth, Web
  Connector last poll, re-authorisation deadlines).
"""
