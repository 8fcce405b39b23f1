"""The ``WebConnectorHandler`` the SOAP layer calls: one database transaction per callback.

Each callback commits *before* its answer goes back to the Web Connector, so what was handed out is
on record even if the server stops a moment later (docs/web-connector.md §1.2 #9): the transaction is opened
and closed here rather than by a request dependency.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from espqb.config import Settings
from espqb.db import Database
from espqb.db.models import QbwcSession
from espqb.db.types import utcnow
from espqb.observability import metrics
from espqb.security.passwords import hash_token

from ..install.identity import SERVER_VERSION
from ..soap import WithoutInteractiveMode, client_address
from . import closing, login, repository
from .exchange import Conversation
from .login_throttle import LoginThrottle
from .options import SessionOptions
from .poll_connections import PollConnections
from .state import SessionState

Clock = Callable[[], datetime]

UNKNOWN_TICKET = "This update session is unknown or has expired; the next update starts a new one."
NO_ERROR = "No error."


def _count_poll(result: login.LoginResult) -> None:
    """One Web Connector poll, by answer (docs/web-connector.md §1.4); a session start is "session". No
    company label: per-company figures are in ``espqb status`` and the API, and series stay bounded."""
    answer = result.answer[1] if len(result.answer) > 1 else ""
    label = answer if answer in (login.NVU, login.NONE, login.BUSY) else "session"
    metrics.QBWC_POLLS.labels(label).inc()


def _version_key(version: str) -> tuple[int, ...]:
    parts: list[int] = []
    for part in version.strip().split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


class DesktopWebConnector(WithoutInteractiveMode):
    """``qbwc_gateway.soap.WebConnectorHandler`` for ESP's QuickBooks Desktop integration."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        options: SessionOptions | None = None,
        clock: Clock = utcnow,
        throttle: LoginThrottle | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.options = options or SessionOptions.from_settings(settings)
        self.clock = clock
        self.polls = PollConnections(db)
        self.throttle = throttle or LoginThrottle()

    async def aclose(self) -> None:
        await self.polls.aclose()

    async def server_version(self) -> str:
        return SERVER_VERSION

    async def client_version(self, str_version: str) -> str:
        minimum = self.settings.qbwc_min_client_version
        if str_version.strip() and _version_key(str_version) < _version_key(minimum):
            # "O:<version>": the Web Connector tells the user which version to install
            # (docs/web-connector.md §1.3).
            return f"O:{minimum}"
        return ""

    async def authenticate(self, str_user_name: str, str_password: str) -> list[str]:
        username, now, source = str_user_name.strip(), self.clock(), client_address()
        if self.throttle.refused(source, username, now):
            # Too many wrong passwords from this address: refused before any query or hash.
            metrics.QBWC_POLLS.labels("throttled").inc()
            return login.refused().answer
        result = await self._login(username, str_password, now, source)
        if result.wrong_credentials:
            self.throttle.failed(source, username, now)
        else:
            self.throttle.succeeded(source, username)
        _count_poll(result)
        return result.answer

    async def _login(
        self, username: str, password: str, now: datetime, source: str | None
    ) -> login.LoginResult:
        pepper = self.settings.qbwc_password_pepper.get_secret_value()
        # Most polls find nothing to do: answer those on a bare connection, without an ORM session.
        async with self.polls.connect() as conn:
            quick = await login.quick_answer(
                conn, username, password, pepper=pepper, now=now, options=self.options, source=source
            )
        if quick is not None:
            return quick
        async with self.db.transaction() as session:
            return await login.start_session(
                session, username, password, pepper=pepper, now=now, options=self.options, source=source
            )

    async def _open(self, session: AsyncSession, ticket: str) -> tuple[QbwcSession, SessionState] | None:
        if not ticket or login.is_unstored(ticket):
            return None
        row = await repository.session_by_ticket(session, hash_token(ticket))
        now = self.clock()
        if row is None or row.closed_at is not None or row.expires_at <= now:
            return None
        state = SessionState.from_json(row.state, now=now)
        state.touched_at = now
        # The ticket lives as long as the session keeps talking.
        row.expires_at = now + self.options.ticket_ttl
        return row, state

    @staticmethod
    def _save(row: QbwcSession, state: SessionState) -> None:
        row.state = state.to_json()

    async def send_request_xml(
        self,
        ticket: str,
        str_hcp_response: str,
        str_company_file_name: str,
        qbxml_country: str,
        qbxml_major_vers: int,
        qbxml_minor_vers: int,
    ) -> str:
        async with self.db.transaction() as session:
            opened = await self._open(session, ticket)
            if opened is None:
                return ""
            row, state = opened
            conversation = Conversation(
                session, row, state, now=self.clock(), options=self.options, settings=self.settings
            )
            document = await conversation.next_message_set(
                str_hcp_response, str_company_file_name, qbxml_major_vers, qbxml_minor_vers, qbxml_country
            )
            self._save(row, state)
            return document

    async def receive_response_xml(self, ticket: str, response: str, hresult: str, message: str) -> int:
        async with self.db.transaction() as session:
            opened = await self._open(session, ticket)
            if opened is None:
                return -1
            row, state = opened
            conversation = Conversation(
                session, row, state, now=self.clock(), options=self.options, settings=self.settings
            )
            value = await conversation.take_response(response, hresult, message)
            self._save(row, state)
            return value

    async def connection_error(self, ticket: str, hresult: str, message: str) -> str:
        async with self.db.transaction() as session:
            opened = await self._open(session, ticket)
            if opened is not None:
                row, state = opened
                await closing.connection_failed(session, row, state, hresult, message, now=self.clock())
                self._save(row, state)
        # "done": stop; retrying the same operation more than a couple of times does not help
        # (docs/web-connector.md §1.8), and the Web Connector tries again at its next scheduled update.
        return "done"

    async def get_last_error(self, ticket: str) -> str:
        if not ticket or login.is_unstored(ticket):
            return NO_ERROR
        async with self.db.transaction() as session:
            row = await repository.session_by_ticket(session, hash_token(ticket))
            if row is None:
                return UNKNOWN_TICKET
            state = SessionState.from_json(row.state, now=self.clock())
            return state.last_error or NO_ERROR

    async def close_connection(self, ticket: str) -> str:
        if login.is_unstored(ticket):
            # No session was started for this poll: nothing to look up.
            return login.closing_words(ticket)
        async with self.db.transaction() as session:
            opened = await self._open(session, ticket)
            if opened is None:
                return "Session ended."
            row, state = opened
            text = await closing.close(session, row, state, now=self.clock(), settings=self.settings)
            self._save(row, state)
            return text
