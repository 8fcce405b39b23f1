"""The conversation of one Web Connector session, kept as JSON in ``QbwcSession.state``.

Everything a later call needs is here and committed before the answer leaves the server, so a
restart between two calls loses nothing: the message set handed out and not yet answered
(``outstanding``: its message-set ID, its document, and which request is which job's operation), what
each job learnt so far (``jobs``), and how far the list cache refresh got (``cache``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from espqb.plan.company import QuickBooksCompany

from ..encoder import CompanyFilePrefs, Done, JobMemory
from ..listcache import CacheRefresh
from .edition import FileFacts


@dataclass
class RequestTag:
    """What one request of a handed-out message set was for."""

    kind: str  # "cache" or "job"
    purpose: str = ""  # encoder.Purpose for job requests
    targets: list[tuple[str, str]] = field(default_factory=list)  # (job id, op key); shared adds: several
    name: str | None = None  # the list name written or looked up, as sent

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "purpose": self.purpose,
            "targets": [list(t) for t in self.targets],
            "name": self.name,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RequestTag:
        return cls(
            data["kind"],
            data.get("purpose", ""),
            [(t[0], t[1]) for t in data.get("targets", [])],
            data.get("name"),
        )


@dataclass
class Outstanding:
    """A message set handed out by sendRequestXML and not answered yet."""

    document: str
    requests: dict[str, RequestTag]
    # Set when the message set writes: QuickBooks keeps its answer under this ID, so a lost answer
    # is recovered instead of writing twice (docs/web-connector.md §0.8). A read-only set is simply sent
    # again.
    message_set_id: str | None
    sent_at: datetime

    def job_ids(self) -> set[str]:
        return {job_id for tag in self.requests.values() for job_id, _ in tag.targets}

    def to_json(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "requests": {rid: tag.to_json() for rid, tag in self.requests.items()},
            "message_set_id": self.message_set_id,
            "sent_at": self.sent_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outstanding:
        return cls(
            document=data["document"],
            requests={rid: RequestTag.from_json(tag) for rid, tag in data["requests"].items()},
            message_set_id=data.get("message_set_id"),
            sent_at=datetime.fromisoformat(data["sent_at"]),
        )


@dataclass
class JobProgress:
    """What one send job has achieved in this attempt (the attempt may span sessions)."""

    job_id: str
    tag: str  # short, unique in the session: the prefix of its request IDs
    done: dict[str, Done] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    find_first: dict[str, str] = field(default_factory=dict)  # op key → the name found taken (3100)
    read_first: set[str] = field(default_factory=set)
    # Adds an unanswered message set may have made, to look up before adding (op key → list name).
    verify: dict[str, str] = field(default_factory=dict)
    retries: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # Figures QuickBooks computed otherwise than ESP (a subset of ``warnings``): the job is flagged drift.
    drift: list[str] = field(default_factory=list)
    needs_refresh: bool = False
    retry_next_session: str | None = None  # why: a record was in use (3170-3180)
    wrote: bool = False  # something was written to QuickBooks in this attempt
    finished: bool = False

    def memory(self) -> JobMemory:
        return JobMemory(
            done=dict(self.done),
            failed=dict(self.failed),
            versions=dict(self.versions),
            find_first=dict(self.find_first),
            read_first=frozenset(self.read_first),
            verify_first=dict(self.verify),
        )

    def retry(self, op_key: str) -> int:
        """Count one more retry of ``op_key``; returns how many there have been."""
        self.retries[op_key] = self.retries.get(op_key, 0) + 1
        return self.retries[op_key]

    def to_json(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "tag": self.tag,
            "done": {
                key: {"id": d.qb_id, "version": d.version, "name": d.name, "lines": list(d.line_ids)}
                for key, d in self.done.items()
            },
            "failed": self.failed,
            "versions": self.versions,
            "find_first": self.find_first,
            "read_first": sorted(self.read_first),
            "verify": self.verify,
            "retries": self.retries,
            "warnings": self.warnings,
            "drift": self.drift,
            "needs_refresh": self.needs_refresh,
            "retry_next_session": self.retry_next_session,
            "wrote": self.wrote,
            "finished": self.finished,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobProgress:
        return cls(
            job_id=data["job_id"],
            tag=data["tag"],
            done={
                key: Done(d["id"], d.get("version"), d.get("name"), tuple(d.get("lines", ())))
                for key, d in data.get("done", {}).items()
            },
            failed=dict(data.get("failed", {})),
            versions=dict(data.get("versions", {})),
            find_first=dict(data.get("find_first", {})),
            read_first=set(data.get("read_first", ())),
            verify=dict(data.get("verify", {})),
            retries=dict(data.get("retries", {})),
            warnings=list(data.get("warnings", [])),
            drift=list(data.get("drift", [])),
            needs_refresh=bool(data.get("needs_refresh", False)),
            retry_next_session=data.get("retry_next_session"),
            wrote=bool(data.get("wrote", False)),
            finished=bool(data.get("finished", False)),
        )


@dataclass
class Tally:
    succeeded: int = 0
    partly: int = 0
    failed: int = 0
    retry: int = 0

    @property
    def finished(self) -> int:
        return self.succeeded + self.partly + self.failed + self.retry


@dataclass
class SessionState:
    touched_at: datetime
    qbxml_version: str | None = None
    company_checked: bool = False
    prefs: CompanyFilePrefs = field(default_factory=CompanyFilePrefs)
    # What the first call said about the company file, and the company the plans of this session use
    # (rebuilt when the session's list refresh ends; ``session.edition``).
    facts: FileFacts | None = None
    company: QuickBooksCompany | None = None
    company_stored: bool = False  # stored with the integration by this session (at most once)
    cache: CacheRefresh | None = None
    refreshed_this_session: bool = False
    full_build_done: bool = False  # this session read the lists for the first time
    jobs: dict[str, JobProgress] = field(default_factory=dict)  # insertion order = order taken
    outstanding: Outstanding | None = None
    round_trips: int = 0
    next_tag: int = 1
    tally: Tally = field(default_factory=Tally)
    last_error: str | None = None
    # Work units known when progress was last reported: keeps the progress bar from going backwards.
    progress_floor: int = 0

    def active_jobs(self) -> list[JobProgress]:
        return [j for j in self.jobs.values() if not j.finished]

    def new_tag(self) -> str:
        tag = f"j{self.next_tag}"
        self.next_tag += 1
        return tag

    def to_json(self) -> dict[str, Any]:
        return {
            "touched_at": self.touched_at.isoformat(),
            "qbxml_version": self.qbxml_version,
            "company_checked": self.company_checked,
            "prefs": {
                "country": self.prefs.country,
                "sales_tax_on": self.prefs.sales_tax_on,
                "taxable_code": self.prefs.taxable_code,
                "non_taxable_code": self.prefs.non_taxable_code,
                "payment_methods": sorted(self.prefs.payment_methods),
                "link_bills_to_purchase_orders": self.prefs.link_bills_to_purchase_orders,
            },
            "facts": self.facts.to_json() if self.facts else None,
            "company": self.company.model_dump(mode="json") if self.company else None,
            "company_stored": self.company_stored,
            "cache": self.cache.to_json() if self.cache else None,
            "refreshed_this_session": self.refreshed_this_session,
            "full_build_done": self.full_build_done,
            "jobs": [j.to_json() for j in self.jobs.values()],
            "outstanding": self.outstanding.to_json() if self.outstanding else None,
            "round_trips": self.round_trips,
            "next_tag": self.next_tag,
            "tally": vars(self.tally).copy(),
            "last_error": self.last_error,
            "progress_floor": self.progress_floor,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None, *, now: datetime) -> SessionState:
        if not data:
            return cls(touched_at=now)
        prefs = data.get("prefs") or {}
        return cls(
            touched_at=datetime.fromisoformat(data["touched_at"]),
            qbxml_version=data.get("qbxml_version"),
            company_checked=bool(data.get("company_checked")),
            prefs=CompanyFilePrefs(
                country=prefs.get("country") or "US",
                sales_tax_on=bool(prefs.get("sales_tax_on")),
                taxable_code=prefs.get("taxable_code"),
                non_taxable_code=prefs.get("non_taxable_code"),
                payment_methods=frozenset(prefs.get("payment_methods", ())),
                link_bills_to_purchase_orders=bool(prefs.get("link_bills_to_purchase_orders")),
            ),
            facts=FileFacts.from_json(data["facts"]) if data.get("facts") else None,
            company=QuickBooksCompany.model_validate(data["company"]) if data.get("company") else None,
            company_stored=bool(data.get("company_stored")),
            cache=CacheRefresh.from_json(data["cache"]) if data.get("cache") else None,
            refreshed_this_session=bool(data.get("refreshed_this_session")),
            full_build_done=bool(data.get("full_build_done")),
            jobs={j["job_id"]: JobProgress.from_json(j) for j in data.get("jobs", [])},
            outstanding=Outstanding.from_json(data["outstanding"]) if data.get("outstanding") else None,
            round_trips=int(data.get("round_trips", 0)),
            next_tag=int(data.get("next_tag", 1)),
            tally=Tally(**data.get("tally", {})),
            last_error=data.get("last_error"),
            progress_floor=int(data.get("progress_floor", 0)),
        )
