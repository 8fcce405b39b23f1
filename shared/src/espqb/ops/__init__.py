"""Operations: the queries and steps behind ``espqb backfill`` and ``espqb status`` (the CLI files
only parse options and print), shared with the metrics sampler.

- ``backfill_file``: reading a JSON-lines file of past orders into checked send requests (pure);
- ``backfill``: queueing them one by one through the send service, skipping what was already sent,
  and waiting for the jobs;
- ``status`` / ``queries`` / ``status_model``: queue depth, recent sends, Web Connector polls, QBO
  connections and their re-authorisation deadlines.
"""

from espqb.ops.backfill import (
    BACKFILL_USER,
    BackfillRefused,
    BackfillReport,
    JobState,
    OrderOutcome,
    OrderResult,
    backfill_key,
    backfill_target,
    run_backfill,
    wait_for_jobs,
)
from espqb.ops.backfill_file import BackfillLine, parse_backfill_lines, read_backfill_file
from espqb.ops.status import DEADLINE_HORIZON, SENDS_WINDOW, read_status, upcoming_deadlines
from espqb.ops.status_model import DeadlineOf, StatusReport

__all__ = [
    "BACKFILL_USER",
    "DEADLINE_HORIZON",
    "SENDS_WINDOW",
    "BackfillLine",
    "BackfillRefused",
    "BackfillReport",
    "DeadlineOf",
    "JobState",
    "OrderOutcome",
    "OrderResult",
    "StatusReport",
    "backfill_key",
    "backfill_target",
    "parse_backfill_lines",
    "read_backfill_file",
    "read_status",
    "run_backfill",
    "upcoming_deadlines",
    "wait_for_jobs",
]
