"""sendRequestXML and receiveResponseXML: the round trips of one session.

Each ``sendRequestXML`` hands out one message set:

1. an unanswered set left by an interrupted session first: a status check with
   ``oldMessageSetID`` — the set's own, first id — so QuickBooks returns the answer it kept instead
   of writing twice; when it kept none, what the set would have added is looked up before it is
   added again (``session.recovery``). A read-only set is simply sent again (docs/web-connector.md §0.8, §1.2 #9);
2. on the first session, the list cache, page by page: the plans need it (first order takes longer);
3. then the orders: as many jobs as fit under the size cap, each job whole, preceded by the
   incremental cache refresh of the session, so later sessions take one round trip for their orders.

Each ``receiveResponseXML`` routes every ``…Rs`` by ``requestID`` to the cache or to the job
operation it was for, settles the jobs that have nothing left to send, and reports progress.

The sequence, and where each step lives (``handler`` owns authenticate and closeConnection)::

    sendRequestXML ─ next_message_set
      ├─ first call: _check_company ........ company_pin (the file this password is pinned to)
      ├─ a set still unanswered? _send_again  recovery (status check, look-ups before re-adding)
      └─ _compose
           ├─ list cache due? CacheRefresh .. listcache (full read alone, then incremental pages)
           └─ _fill: per waiting job, _take / _offer
                ├─ plan ..................... planning.Planner (shared loader, list-cache names)
                ├─ encode + size cap ........ encoder (encode_job, MessageSetDraft)
                ├─ record pending + unsent .. results.record_pending / record_unsent
                └─ job taken ................ job_lifecycle (shared transitions)
    receiveResponseXML ─ take_response
      ├─ HRESULT from QuickBooks ........... _quickbooks_failed → outcomes / job_lifecycle
      ├─ each …Rs by requestID ............. _absorb_cache (listcache) | results.apply (job steps),
      │                                        recovery.verified (a look-up after a lost answer)
      ├─ a job with nothing left ........... _settle_if_finished → outcomes.finish
      └─ percentage done ................... _progress (progress)
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from espqb.config import Settings
from espqb.db.models import QbwcCredential, QbwcSession, SendJob
from espqb.integration.quickbooks_company import store_quickbooks_company
from espqb.observability.logging import job_log_context
from espqb.plan import Plan
from espqb.plan.company import QuickBooksCompany

from ..encoder import (
    CompanyFilePrefs,
    JobEncoding,
    MessageSetDraft,
    Purpose,
    encode_job,
)
from ..install.identity import OWNER_ID
from ..listcache import CacheRefresh, list_name_of
from ..listcache import repository as cache_repository
from ..responses import (
    QbResponse,
    QbXmlReadError,
    choose_qbxml_version,
    hresult_words,
    parse_hcp,
    parse_response_set,
)
from . import company_pin, edition, job_lifecycle, outcomes, recovery, repository, results
from .mapping_cache import MappingCache, plan_keys
from .options import SessionOptions
from .planning import Planner
from .progress import DONE, QUICKBOOKS_FAILED, UNREADABLE_RESPONSE, progress
from .state import JobProgress, Outstanding, RequestTag, SessionState
from .writes import CallbackWrites

PARSE_ERROR_HRESULT = "0x80040400"
NOTHING_TO_SEND = "Nothing to send: every order is already in QuickBooks."


class Conversation:
    def __init__(
        self,
        session: AsyncSession,
        row: QbwcSession,
        state: SessionState,
        *,
        now: datetime,
        options: SessionOptions,
        settings: Settings,
    ) -> None:
        self.session = session
        self.row = row
        self.state = state
        self.now = now
        self.options = options
        self.settings = settings
        self.company_id = row.company_id
        self.owner = job_lifecycle.lease_owner(row.ticket_hash)
        self._planner = Planner(session, row.company_id, company=state.company)
        self._jobs: dict[str, SendJob] = {}
        # Steps, audit entries and ended attempts of this callback, written together (``writes``).
        self.mappings = MappingCache(session, row.company_id, results.TARGET)
        self.writes = CallbackWrites(session, now=now, actor=job_lifecycle.ACTOR, mappings=self.mappings)

    # ------------------------------------------------------------------------------ helpers
    async def _plan(self, job: SendJob) -> Plan | str:
        """The job's plan (or why it cannot be planned); what its mappings are, as it read them,
        goes to the callback's ``MappingCache``."""
        plan = await self._planner.plan(job)  # the one call of the planner
        if not isinstance(plan, str):
            self.mappings.seed(plan_keys(plan, job.order_number), self._planner.rows.get(str(job.id), ()))
        return plan

    async def _load_jobs(self, job_ids: Iterable[str]) -> None:
        """Read the jobs of ``job_ids`` not read yet in this callback, in one query."""
        missing = [job_id for job_id in dict.fromkeys(job_ids) if job_id not in self._jobs]
        if missing:
            self._jobs.update(await repository.jobs_by_id(self.session, missing))

    async def _job(self, job_id: str) -> SendJob:
        job = self._jobs.get(job_id)
        if job is None:
            self._jobs.update(await repository.jobs_by_id(self.session, [job_id]))
            job = self._jobs[job_id]
        return job

    def _context(self, job: SendJob, plan: Plan, progress: JobProgress) -> results.JobContext:
        return results.JobContext(
            session=self.session,
            company_id=self.company_id,
            job_id=job.id,
            order_number=job.order_number,
            plan=plan,
            progress=progress,
            now=self.now,
            writes=self.writes,
            mappings=self.mappings,
        )

    def _encode(self, plan: Plan, progress: JobProgress, draft: MessageSetDraft | None) -> JobEncoding:
        return encode_job(
            plan,
            tag=progress.tag,
            memory=progress.memory(),
            shared=draft.shared if draft is not None else {},
            prefs=self.state.prefs,
        )

    # ------------------------------------------------------------------------- sendRequestXML
    async def next_message_set(
        self, hcp_response: str, company_file_name: str, major: int, minor: int, country: str = ""
    ) -> str:
        """The qbXML to hand to QuickBooks, or "" (then ``state.last_error`` says why).

        ``country`` is the call's ``qbXMLCountry``, a cross-check of HostRet's (``session.edition``)."""
        document = await self._next_message_set(hcp_response, company_file_name, major, minor, country)
        await self.writes.flush()
        return document

    async def _next_message_set(
        self, hcp_response: str, company_file_name: str, major: int, minor: int, country: str
    ) -> str:
        state = self.state
        if not state.company_checked:
            problem = await self._check_company(hcp_response, company_file_name, major, minor, country)
            if problem is not None:
                state.last_error = problem
                return ""
        if state.outstanding is not None:
            return self._send_again(state.outstanding)
        if state.round_trips >= self.options.max_round_trips:
            state.last_error = (
                "This update reached its round-trip limit; the rest follows at the next update."
            )
            return ""
        document = await self._compose()
        if document is None:
            state.last_error = NOTHING_TO_SEND
            return ""
        state.round_trips += 1
        return document

    async def _check_company(
        self, hcp_response: str, company_file_name: str, major: int, minor: int, country: str = ""
    ) -> str | None:
        if not hcp_response.strip():
            return (
                "The Web Connector did not say which company file is open, so nothing was sent. "
                "Check that this is a QuickBooks Desktop (not Point of Sale) company file."
            )
        try:
            hcp = parse_hcp(hcp_response)
        except QbXmlReadError:
            return (
                "The Web Connector's description of the company file could not be read, so nothing was sent."
            )
        credential = await repository.credential(self.session, self.company_id, for_update=True)
        pinned = dict(credential.pinned_company or {})
        if company_pin.is_pinned(pinned):
            refusal = company_pin.refusal(
                pinned, hcp, company_file_name, owner_id=OWNER_ID, our_file_id=credential.file_id
            )
            if refusal is not None:
                credential.last_session_outcome = refusal
                return refusal
        else:
            pinned.update(company_pin.pin(hcp, company_file_name, owner_id=OWNER_ID, now=self.now))
            credential.pinned_company = pinned
        version = choose_qbxml_version(hcp.host.supported_versions, major, minor)
        if version is None:
            return (
                f"{hcp.host.product_name or 'This QuickBooks'} is too old for ESP: it needs qbXML 7.0 or "
                "newer. Update QuickBooks Desktop, then update again."
            )
        credential.qbxml_version = version
        prefs = hcp.preferences
        facts = edition.file_facts(hcp, country)
        self.state.qbxml_version = version
        self.state.facts = facts
        self.state.prefs = CompanyFilePrefs(
            country=facts.country,
            sales_tax_on=prefs.sales_tax_on,
            taxable_code=prefs.taxable_code,
            non_taxable_code=prefs.non_taxable_code,
            payment_methods=frozenset(
                await cache_repository.names_of(self.session, self.company_id, ["PaymentMethod"])
            ),
            link_bills_to_purchase_orders=self.options.link_bills_to_purchase_orders,
        )
        # The company as this session found it (its file, with the lists as last read): what this
        # session's plans are made for (``session.edition``).
        self.state.company = await self._read_company()
        self._planner.use_company(self.state.company)
        self.state.company_checked = True
        return None

    async def _read_company(self) -> QuickBooksCompany | None:
        facts = self.state.facts
        if facts is None:
            return None
        return await edition.read_company(self.session, self.company_id, facts, read_at=self.now)

    async def _company_read(self, *, first_read: bool) -> None:
        """The session's lists are read: store the company with the integration (once per session,
        an audit entry when it changed). After the first, full read the session plans with it too;
        after an incremental one its plans keep the company they were made for – the orders of this
        round trip were planned and written with it – and the next session starts from the new one."""
        state = self.state
        company = await self._read_company()
        if company is None:
            return
        if first_read or state.company is None:
            state.company = company
            self._planner.use_company(company)
        if not state.company_stored:
            await store_quickbooks_company(self.session, self.company_id, company, actor=job_lifecycle.ACTOR)
            state.company_stored = True

    def _send_again(self, outstanding: Outstanding) -> str:
        if outstanding.message_set_id is None:
            return outstanding.document  # queries only: asking again is harmless
        # Never under a new id: the set keeps the id QuickBooks may have processed it under, through
        # any number of lost answers.
        assert self.state.qbxml_version is not None
        return recovery.status_check(outstanding, version=self.state.qbxml_version)

    async def _credential(self) -> QbwcCredential:
        return await repository.credential(self.session, self.company_id)

    async def _refresh_due(self) -> bool:
        state = self.state
        credential = await self._credential()
        if credential.cache_refreshed_at is None:
            return True
        if any(p.needs_refresh for p in state.active_jobs()):
            return True
        return not state.refreshed_this_session

    async def _compose(self) -> str | None:
        state = self.state
        assert state.qbxml_version is not None
        if state.cache is None and await self._refresh_due():
            credential = await self._credential()
            state.cache = CacheRefresh.begin(
                now=self.now,
                last_refreshed_at=credential.cache_refreshed_at,
                sales_tax_on=state.prefs.sales_tax_on,
                multi_currency_on=state.facts.multi_currency_on if state.facts is not None else False,
            )
            if state.cache.mode == "full":
                await cache_repository.clear(self.session, self.company_id)
        leading = state.cache.next_queries() if state.cache is not None else []
        tags = {str(q.get("requestID")): RequestTag("cache") for q in leading}
        draft = MessageSetDraft(
            max_bytes=self.options.max_message_bytes,
            max_jobs=self.options.max_jobs_per_message_set,
            leading=leading,
        )
        # The first read of the lists comes alone: plans choose names and accounts from it.
        if state.cache is None or state.cache.mode != "full":
            await self._fill(draft, tags)
        if draft.is_empty:
            return None
        writes = any(r.purpose is Purpose.WRITE for r in draft.requests)
        message_set_id = _message_set_id() if writes else None
        document = draft.document(version=state.qbxml_version, new_message_set_id=message_set_id)
        state.outstanding = Outstanding(document, tags, message_set_id, self.now)
        return document

    async def _fill(self, draft: MessageSetDraft, tags: dict[str, RequestTag]) -> None:
        state = self.state
        refreshing = state.cache is not None
        for active in state.active_jobs():
            if draft.is_full:
                return
            if active.needs_refresh and refreshing:
                continue  # waits for the refresh travelling in this set
            with job_log_context(active.job_id, self.company_id):
                await self._offer(await self._job(active.job_id), active, draft, tags)
        while not draft.is_full:
            # Jobs ended above may have released their orders' follow-up sends: write that first.
            await self.writes.flush()
            batch = await repository.waiting_jobs(
                self.session,
                self.company_id,
                exclude=state.jobs.keys(),
                limit=max(1, draft.max_jobs - draft.jobs),
                now=self.now,
            )
            if not batch:
                return
            for job in batch:
                self._jobs[str(job.id)] = job
                with job_log_context(job.id, self.company_id):
                    taken = await self._take(job, draft, tags)
                if not taken:
                    return

    async def _take(self, job: SendJob, draft: MessageSetDraft, tags: dict[str, RequestTag]) -> bool:
        """Start a waiting job in this set; False when the set has no room for it."""
        plan = await self._plan(job)
        progress = JobProgress(job_id=str(job.id), tag=self.state.new_tag())
        if not isinstance(plan, str) and (job.attempts or 0) > 0:
            # An earlier attempt may have ended before all its answers came back.
            progress.verify.update(recovery.documents_to_look_up(plan))
        if isinstance(plan, str):
            self.state.jobs[progress.job_id] = progress
            job_lifecycle.take_collected(
                self.writes, job, owner=self.owner, now=self.now, expires=self.row.expires_at
            )
            await outcomes.finish_unplannable(
                self.session, job, progress, plan, self.state, now=self.now, writes=self.writes
            )
            return True
        encoding = self._encode(plan, progress, draft)
        if not draft.offer(encoding).accepted:
            self.state.next_tag -= 1  # the tag was not used
            return False
        self.state.jobs[progress.job_id] = progress
        job_lifecycle.take_collected(
            self.writes, job, owner=self.owner, now=self.now, expires=self.row.expires_at
        )
        context = self._context(job, plan, progress)
        await results.record_pending(context)
        await self._after_offer(context, encoding, tags)
        return True

    async def _offer(
        self, job: SendJob, progress: JobProgress, draft: MessageSetDraft, tags: dict[str, RequestTag]
    ) -> None:
        plan = await self._plan(job)
        if isinstance(plan, str):
            await outcomes.finish_unplannable(
                self.session, job, progress, plan, self.state, now=self.now, writes=self.writes
            )
            return
        encoding = self._encode(plan, progress, draft)
        if draft.offer(encoding).accepted:
            await self._after_offer(self._context(job, plan, progress), encoding, tags)

    async def _after_offer(
        self, context: results.JobContext, encoding: JobEncoding, tags: dict[str, RequestTag]
    ) -> None:
        """Record what needed no request, tag the requests, and finish a job with nothing left."""
        plan, progress = context.plan, context.progress
        await results.record_unsent(context, encoding)
        for request in encoding.requests:
            tags[request.request_id] = RequestTag(
                "job", request.purpose.value, [(progress.job_id, request.op_key)], request.list_name
            )
        for key, reuse in encoding.reused.items():
            tags[reuse.request_id].targets.append((progress.job_id, key))
        if encoding.finished:
            await outcomes.finish(
                self.session,
                await self._job(progress.job_id),
                progress,
                plan,
                self.state,
                now=self.now,
                settings=self.settings,
                writes=self.writes,
            )

    # --------------------------------------------------------------------- receiveResponseXML
    async def take_response(self, response: str, hresult: str, message: str) -> int:
        value = await self._take_response(response, hresult, message)
        await self.writes.flush()
        return value

    async def _take_response(self, response: str, hresult: str, message: str) -> int:
        state = self.state
        outstanding = state.outstanding
        if outstanding is None:
            return await self._progress()
        if hresult.strip():
            return await self._quickbooks_failed(outstanding, hresult, message)
        try:
            answers = parse_response_set(response)
        except QbXmlReadError:
            # We cannot tell what QuickBooks did: keep the set for error recovery next session.
            state.last_error = "QuickBooks' answer could not be read; the next update checks what was saved."
            return UNREADABLE_RESPONSE
        state.outstanding = None
        if recovery.nothing_kept(outstanding, answers):
            recovery.look_up_before_adding(state, outstanding)
            return await self._progress()
        by_request = answers.by_request_id()
        # The lists first: a job that asks for a refresh below needs one *after* this answer.
        for request_id, tag in outstanding.requests.items():
            answer = by_request.get(request_id)
            if answer is not None and tag.kind == "cache":
                await self._absorb_cache(request_id, answer)
        await self._cache_finished()
        touched: set[str] = set()
        plans: dict[str, Plan] = {}
        await self._load_jobs(
            job_id
            for tag in outstanding.requests.values()
            if tag.kind != "cache"
            for job_id, _ in tag.targets
            if job_id in state.jobs
        )
        for request_id, tag in outstanding.requests.items():
            answer = by_request.get(request_id)
            if answer is None or tag.kind == "cache":
                continue  # not processed (stopOnError after an earlier failure): sent again
            for job_id, op_key in tag.targets:
                progress = state.jobs.get(job_id)
                if progress is None or progress.finished:
                    continue
                job = await self._job(job_id)
                plan = plans.get(job_id)
                if plan is None:
                    planned = await self._plan(job)
                    if isinstance(planned, str):
                        await outcomes.finish_unplannable(
                            self.session, job, progress, planned, state, now=self.now, writes=self.writes
                        )
                        continue
                    plan = plans[job_id] = planned
                touched.add(job_id)
                with job_log_context(job_id, self.company_id):
                    context, op = self._context(job, plan, progress), plan.operation(op_key)
                    if tag.purpose == Purpose.VERIFY:
                        await recovery.verified(context, op, answer, tag.name)
                    else:
                        await results.apply(context, op, Purpose(tag.purpose), answer, tag.name)
        for job_id in touched:
            with job_log_context(job_id, self.company_id):
                await self._settle_if_finished(state.jobs[job_id], plans[job_id])
        return await self._progress()

    async def _absorb_cache(self, request_id: str, answer: QbResponse) -> None:
        list_name = list_name_of(request_id)
        if self.state.cache is None or list_name is None:
            return
        entries = self.state.cache.absorb(list_name, answer)
        if entries:
            await cache_repository.upsert_entries(self.session, self.company_id, entries)

    async def _cache_finished(self) -> None:
        state = self.state
        if state.cache is None or not state.cache.done:
            return
        credential = await repository.credential(self.session, self.company_id, for_update=True)
        credential.cache_refreshed_at = state.cache.started_at
        first_read = state.cache.mode == "full"
        state.full_build_done = state.full_build_done or first_read
        state.cache = None
        state.refreshed_this_session = True
        for job in state.active_jobs():
            job.needs_refresh = False
        methods = await cache_repository.names_of(self.session, self.company_id, ["PaymentMethod"])
        state.prefs = dataclasses.replace(state.prefs, payment_methods=frozenset(methods))
        await self._company_read(first_read=first_read)

    async def _settle_if_finished(self, progress: JobProgress, plan: Plan) -> None:
        if progress.finished:
            return
        job = await self._job(progress.job_id)
        if progress.retry_next_session is None:
            encoding = self._encode(plan, progress, None)
            if not encoding.finished:
                return
            await results.record_unsent(self._context(job, plan, progress), encoding)
        await outcomes.finish(
            self.session,
            job,
            progress,
            plan,
            self.state,
            now=self.now,
            settings=self.settings,
            writes=self.writes,
        )

    async def _quickbooks_failed(self, outstanding: Outstanding, hresult: str, message: str) -> int:
        """QuickBooks' request processor threw instead of answering (docs/web-connector.md §1.6, §4.2)."""
        state = self.state
        words = hresult_words(hresult, message)
        state.last_error = f"{words} Nothing more is sent in this update; it is tried again at the next one."
        if outstanding.message_set_id is not None and hresult.strip().lower() != PARSE_ERROR_HRESULT:
            # QuickBooks may have saved part of the set: keep it, the next session recovers it.
            return QUICKBOOKS_FAILED
        state.outstanding = None
        for job_id in outstanding.job_ids():
            progress = state.jobs.get(job_id)
            if progress is not None and not progress.finished:
                progress.retry_next_session = f"{words} The order will be sent again at the next update."
                await outcomes.finish(
                    self.session,
                    await self._job(job_id),
                    progress,
                    None,
                    state,
                    now=self.now,
                    settings=self.settings,
                    writes=self.writes,
                )
        return QUICKBOOKS_FAILED

    async def _progress(self) -> int:
        # Everything this callback recorded is written before the jobs still waiting are counted.
        await self.writes.flush()
        state = self.state
        # Work is counted in orders; a first, full read of the lists (a round trip of its own,
        # "the first order takes longer") counts as one more, done in the proportion QuickBooks'
        # iterators report. Later refreshes travel with the orders and add nothing to wait for.
        full_build = state.cache if state.cache is not None and state.cache.mode == "full" else None
        cache_done = 1.0 if state.full_build_done else (full_build.fraction_done if full_build else 0.0)
        cache_left = (1.0 - cache_done) if full_build is not None else 0.0
        if state.outstanding is not None:
            remaining = 1.0
        elif state.round_trips >= self.options.max_round_trips:
            remaining = 0.0
        else:
            remaining = len(state.active_jobs()) + cache_left
            remaining += await repository.count_waiting(
                self.session, self.company_id, exclude=state.jobs.keys(), now=self.now
            )
        finished = state.tally.finished + (cache_done if (full_build or state.full_build_done) else 0.0)
        # Whole percent points: progress() works in integer units.
        value = progress(
            finished=round(finished * 100), remaining=round(remaining * 100), floor=state.progress_floor
        )
        state.progress_floor = value if value < DONE else state.progress_floor
        return value


def _message_set_id() -> str:
    # 20 hex characters: unique, and under qbXML's 24-character limit for message-set IDs.
    return secrets.token_hex(10)
