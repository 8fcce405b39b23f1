"""The Web Connector conversation: authenticate, tickets, the send/receive round trips, progress,
errors and recovery. ``DesktopWebConnector`` implements ``qbwc_gateway.soap.WebConnectorHandler``.

Modules by role: ``login`` (authenticate, take-over of interrupted sessions), ``exchange`` (the
round trips), ``results`` (what each answer does to a job), ``outcomes``/``job_lifecycle`` (how a
job's attempt ends), ``closing`` (closeConnection, connectionError), ``state`` (the JSON kept in
``QbwcSession.state``), ``planning`` (a job's plan), ``company_pin`` and ``progress`` (pure rules).
"""

from .handler import DesktopWebConnector
from .options import SessionOptions
from .state import SessionState

__all__ = ["DesktopWebConnector", "SessionOptions", "SessionState"]
