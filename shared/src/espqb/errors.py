"""The one root of every error the products raise on purpose.

Each error class names what went wrong for a reader of an HTTP answer: its ``status`` (an HTTP
status), its ``slug`` (the last part of the problem ``type`` URI) and its ``title``; an instance may
carry a ``detail`` in words. One handler in the shared app factory (``espqb.api.errors``) renders any
of them as RFC 9457 ``application/problem+json``::

    EspqbError                  500 internal-error   (never answered as such: see below)
    ├── ApiError                4xx/503              an answer the JSON API gives on purpose
    ├── QueueError              404/409/503          a person's action on a send job is refused
    ├── QboFault                500                  QuickBooks Online refused or failed a call
    ├── SoapFault               500/4xx              rendered as a SOAP Fault by the SOAP layer
    └── …                       500                  internal errors, each named by its slug

A status of 500 means "ours, not the caller's": such an error is logged with its trace and answered
with the generic internal-error problem, so no internal wording ever reaches a response. Internal
errors still carry a slug naming them, for logs and for the test that walks every error class.
"""

from __future__ import annotations

__all__ = ["INTERNAL", "EspqbError"]

INTERNAL = 500


class EspqbError(Exception):
    """Root of every product error: ``status``, ``slug`` and ``title`` per class, ``detail`` per
    instance (``None`` when the class says it all, or when the error is internal)."""

    status: int = INTERNAL
    slug: str = "internal-error"
    title: str = "Internal error"
    detail: str | None = None

    @property
    def internal(self) -> bool:
        """True when the error is ours (500): answered generically, never with its own words."""
        return self.status == INTERNAL
