"""Query filters and iterator paging shared by list and transaction queries.

Iterators (docs/web-connector.md §3.2): ``iterator="Start"`` with ``MaxReturned`` returns the first page
plus ``iteratorID`` and ``iteratorRemainingCount``; ``iterator="Continue"`` with the same
``iteratorID`` returns the next page; an unknown or exhausted iteratorID is 3391. The result
set is fixed when the iterator starts (records are re-read when each page is written).

Explicit ``ListID``/``FullName``/``TxnID``/``RefNumber`` queries that miss an object answer
500 (warning, the rest is returned); a filter that matches nothing answers 1 "no match".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from . import status
from .books import Books
from .catalog import TXN_KINDS
from .qb_values import parse_qb_date, parse_qb_datetime
from .references import display_name, name_key, refresh_ref_names
from .request_types import Outcome, QueryIterator, Request, Runtime
from .status import QbStatusError, Status
from .xml_codec import Record

Key = tuple[str, str]  # (ret element name, record id)


def as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


@dataclass
class Candidate:
    key: Key
    record: Record


def page(
    books: Books,
    request: Request,
    runtime: Runtime,
    matches: list[Candidate],
    fetch: Callable[[Key], Record | None],
    shape: Callable[[Record], Record],
    missing: list[str],
) -> Outcome:
    """Turn the matching records into an Outcome, honouring MaxReturned and iterators."""
    mode = request.attributes.get("iterator")
    max_returned = _max_returned(request)
    if mode == "Continue":
        return _continue(books, request, runtime, fetch, shape, max_returned)
    if mode == "Stop":
        runtime.iterators.pop(request.attributes.get("iteratorID", ""), None)
        return Outcome()

    keys = [c.key for c in matches]
    if mode == "Start":
        if max_returned is None:
            # QuickBooks will not open an iterator without a page size.
            raise status.missing_element("MaxReturned")
        size = max_returned
        first, rest = keys[:size], keys[size:]
        iterator_id = books.mint.iterator_id()
        if rest:
            runtime.iterators[iterator_id] = QueryIterator(request.name, rest, size)
        outcome = _render(first, fetch, shape, missing, explicit=False)
        outcome.attributes.update(
            {"iteratorRemainingCount": str(len(rest)), "iteratorID": iterator_id, "retCount": str(len(first))}
        )
        return outcome

    if max_returned is not None:
        keys = keys[:max_returned]
    explicit = bool(missing) or _is_explicit(request)
    return _render(keys, fetch, shape, missing, explicit=explicit)


def _continue(
    books: Books,
    request: Request,
    runtime: Runtime,
    fetch: Callable[[Key], Record | None],
    shape: Callable[[Record], Record],
    max_returned: int | None,
) -> Outcome:
    iterator_id = request.attributes.get("iteratorID", "")
    iterator = runtime.iterators.get(iterator_id)
    if iterator is None or iterator.request_name != request.name:
        raise QbStatusError(status.INVALID_ITERATOR, f'The iteratorID "{iterator_id}" is not valid.')
    size = max_returned or iterator.page_size
    batch, iterator.keys = iterator.keys[:size], iterator.keys[size:]
    if not iterator.keys:
        del runtime.iterators[iterator_id]
    outcome = _render(batch, fetch, shape, [], explicit=False)
    outcome.attributes.update(
        {
            "iteratorRemainingCount": str(len(iterator.keys)),
            "iteratorID": iterator_id,
            "retCount": str(len(outcome.rets)),
        }
    )
    if not outcome.rets:
        outcome.status = Status(status.OK)
    return outcome


def _render(
    keys: list[Key],
    fetch: Callable[[Key], Record | None],
    shape: Callable[[Record], Record],
    missing: list[str],
    explicit: bool,
) -> Outcome:
    outcome = Outcome()
    for key in keys:
        record = fetch(key)
        if record is not None:
            outcome.rets.append((key[0], shape(record)))
    if missing:
        outcome.status = status.query_incomplete(missing[0])
    elif not outcome.rets and not explicit:
        outcome.status = Status(status.NO_MATCH, status.NO_MATCH_MESSAGE)
    return outcome


def _is_explicit(request: Request) -> bool:
    return any(k in request.body for k in ("ListID", "FullName", "TxnID", "RefNumber"))


def _max_returned(request: Request) -> int | None:
    raw = request.body.get("MaxReturned")
    return int(raw) if raw not in (None, "") else None


# -- list queries ----------------------------------------------------------------------------
def list_matches(
    books: Books, request: Request, runtime: Runtime, kinds: Iterable[tuple[str, str]]
) -> Outcome:
    """``kinds`` = (list kind, ret element) pairs the query spans."""
    kinds = list(kinds)
    body = request.body
    pool: list[Candidate] = []
    for kind, ret in kinds:
        pool.extend(Candidate((ret, list_id), record) for list_id, record in books.list_records(kind).items())
    pool.sort(key=lambda c: _full_name_key(c.record))

    missing: list[str] = []
    ids, names = as_list(body.get("ListID")), as_list(body.get("FullName"))
    if request.attributes.get("iterator") == "Continue":
        matches: list[Candidate] = []
    elif ids or names:
        matches = []
        for wanted in ids:
            _pick(pool, _record_id, wanted, wanted, matches, missing)
        for wanted in names:
            _pick(pool, _full_name_of, name_key(wanted), wanted, matches, missing)
    else:
        matches = [c for c in pool if _list_filter_ok(c.record, body, runtime)]

    ret_to_kind = {ret: kind for kind, ret in kinds}

    def fetch(key: Key) -> Record | None:
        return books.list_records(ret_to_kind[key[0]]).get(key[1])

    def shape(record: Record) -> Record:
        return refresh_ref_names(books, record)

    return page(books, request, runtime, matches, fetch, shape, missing)


def _full_name_key(record: Record) -> str:
    return name_key(display_name(record))


def _record_id(candidate: Candidate) -> str:
    return candidate.key[1]


def _full_name_of(candidate: Candidate) -> str:
    return _full_name_key(candidate.record)


def _ref_number(candidate: Candidate) -> str:
    return str(candidate.record.get("RefNumber", ""))


def _ref_number_key(candidate: Candidate) -> str:
    return name_key(_ref_number(candidate))


def _pick(
    pool: list[Candidate],
    key: Callable[[Candidate], str],
    wanted_key: str,
    wanted: str,
    matches: list[Candidate],
    missing: list[str],
) -> None:
    """Explicit ListID/FullName/TxnID/RefNumber lookups: found ones in request order,
    the first one missing makes the query answer 500."""
    found = [c for c in pool if key(c) == wanted_key]
    if found:
        matches.extend(found)
    else:
        missing.append(wanted)


def _list_filter_ok(record: Record, body: Record, runtime: Runtime) -> bool:
    active = str(body.get("ActiveStatus") or "ActiveOnly")
    is_active = str(record.get("IsActive", "true")) == "true"
    if (active == "ActiveOnly" and not is_active) or (active == "InactiveOnly" and is_active):
        return False
    if not _modified_between(record, body.get("FromModifiedDate"), body.get("ToModifiedDate"), runtime):
        return False
    name = display_name(record)
    name_filter = body.get("NameFilter")
    if isinstance(name_filter, dict) and not _text_match(
        name, str(name_filter.get("Name", "")), str(name_filter.get("MatchCriterion", "StartsWith"))
    ):
        return False
    name_range = body.get("NameRangeFilter")
    if isinstance(name_range, dict) and not _in_range(
        name, name_range.get("FromName"), name_range.get("ToName")
    ):
        return False
    account_types = as_list(body.get("AccountType"))
    return not (account_types and record.get("AccountType") not in account_types)


def _text_match(value: str, pattern: str, criterion: str) -> bool:
    value, pattern = name_key(value), name_key(pattern)
    if criterion == "Contains":
        return pattern in value
    if criterion == "EndsWith":
        return value.endswith(pattern)
    return value.startswith(pattern)


def _in_range(value: str, low: object, high: object) -> bool:
    key = name_key(value)
    if low and key < name_key(str(low)):
        return False
    return not (high and key > name_key(str(high)))


def _modified_between(record: Record, low: object, high: object, runtime: Runtime) -> bool:
    if not low and not high:
        return True
    modified = parse_qb_datetime(str(record["TimeModified"]), runtime.now)
    if low and modified < parse_qb_datetime(str(low), runtime.now):
        return False
    return not (high and modified > parse_qb_datetime(str(high), runtime.now))


# -- transaction queries ---------------------------------------------------------------------
LINE_SUFFIXES = ("LineRet", "LineGroupRet")


def txn_matches(books: Books, request: Request, runtime: Runtime, kind: str) -> Outcome:
    body = request.body
    entity_ref = TXN_KINDS[kind].entity_ref
    ret = f"{kind}Ret"
    records = books.txn_records(kind)
    pool = [Candidate((ret, txn_id), record) for txn_id, record in records.items()]
    pool.sort(key=lambda c: (str(c.record.get("TxnDate", "")), int(c.record.get("TxnNumber", 0))))

    missing: list[str] = []
    txn_ids = as_list(body.get("TxnID"))
    ref_numbers = as_list(body.get("RefNumber"))
    ref_exact = as_list(body.get("RefNumberCaseSensitive"))
    if request.attributes.get("iterator") == "Continue":
        matches: list[Candidate] = []
    elif txn_ids or ref_numbers or ref_exact:
        matches = []
        for wanted in txn_ids:
            _pick(pool, _record_id, wanted, wanted, matches, missing)
        for wanted in ref_numbers:
            _pick(pool, _ref_number_key, name_key(wanted), wanted, matches, missing)
        for wanted in ref_exact:
            _pick(pool, _ref_number, wanted, wanted, matches, missing)
    else:
        matches = [c for c in pool if _txn_filter_ok(books, c.record, body, runtime, entity_ref)]

    include_lines = str(body.get("IncludeLineItems", "false")) == "true"
    include_links = str(body.get("IncludeLinkedTxns", "false")) == "true"

    def fetch(key: Key) -> Record | None:
        return records.get(key[1])

    def shape(record: Record) -> Record:
        shaped = refresh_ref_names(books, record)
        if not include_lines:
            shaped = {k: v for k, v in shaped.items() if not k.endswith(LINE_SUFFIXES)}
        if not include_links:
            shaped.pop("LinkedTxn", None)
        return shaped

    return page(books, request, runtime, matches, fetch, shape, missing)


def _txn_filter_ok(books: Books, record: Record, body: Record, runtime: Runtime, entity_ref: str) -> bool:
    modified = body.get("ModifiedDateRangeFilter")
    if isinstance(modified, dict) and not _modified_between(
        record, modified.get("FromModifiedDate"), modified.get("ToModifiedDate"), runtime
    ):
        return False
    dates = body.get("TxnDateRangeFilter")
    if isinstance(dates, dict):
        txn_date = parse_qb_date(str(record["TxnDate"]))
        if dates.get("FromTxnDate") and txn_date < parse_qb_date(str(dates["FromTxnDate"])):
            return False
        if dates.get("ToTxnDate") and txn_date > parse_qb_date(str(dates["ToTxnDate"])):
            return False
    entity = body.get("EntityFilter")
    if isinstance(entity, dict) and not _entity_ok(books, record.get(entity_ref, {}), entity):
        return False
    ref_filter = body.get("RefNumberFilter")
    if isinstance(ref_filter, dict) and not _text_match(
        str(record.get("RefNumber", "")),
        str(ref_filter.get("RefNumber", "")),
        str(ref_filter.get("MatchCriterion", "StartsWith")),
    ):
        return False
    ref_range = body.get("RefNumberRangeFilter")
    if isinstance(ref_range, dict) and not _in_range(
        str(record.get("RefNumber", "")), ref_range.get("FromRefNumber"), ref_range.get("ToRefNumber")
    ):
        return False
    paid = str(body.get("PaidStatus") or "All")
    is_paid = str(record.get("IsPaid", "false")) == "true"
    return not ((paid == "PaidOnly" and not is_paid) or (paid == "NotPaidOnly" and is_paid))


def _entity_ok(books: Books, ref: object, entity: Record) -> bool:
    if not isinstance(ref, dict):
        return False
    list_id = str(ref.get("ListID", ""))
    found = books.find_list_id(list_id)
    full_name = str((found[1].get("FullName") or found[1].get("Name")) if found else ref.get("FullName", ""))
    if list_id in as_list(entity.get("ListID")):
        return True
    if name_key(full_name) in {name_key(n) for n in as_list(entity.get("FullName"))}:
        return True
    parent_id = entity.get("ListIDWithChildren")
    if parent_id and found:
        parent = books.find_list_id(str(parent_id))
        if parent and _is_within(full_name, str(parent[1].get("FullName") or parent[1].get("Name"))):
            return True
    parent_name = entity.get("FullNameWithChildren")
    return bool(parent_name and _is_within(full_name, str(parent_name)))


def _is_within(full_name: str, parent: str) -> bool:
    return name_key(full_name) == name_key(parent) or name_key(full_name).startswith(name_key(parent) + ":")
