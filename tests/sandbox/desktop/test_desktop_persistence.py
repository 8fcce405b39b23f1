"""A company file survives being written to JSON and read back, across processes."""

from __future__ import annotations

from pathlib import Path

from qb_sandbox.desktop import CompanyFile
from tests.sandbox.desktop.qbd_messages import (
    TickingClock,
    customer_add,
    message_set,
    responses_of,
    send,
    status_of,
    text,
)


def test_to_json_and_back_keeps_the_books_and_the_id_counters(
    company: CompanyFile, clock: TickingClock
) -> None:
    (added,) = send(company, customer_add("Acme"))
    company.process(message_set(customer_add("Bolt"), newMessageSetID="set-1"))

    restored = CompanyFile.from_json(company.to_json(), clock=clock)

    assert restored.to_json() == company.to_json()
    assert restored.documents("Customer") == company.documents("Customer")
    assert restored.requests_processed == company.requests_processed
    (again,) = send(restored, customer_add("Acme"))
    assert status_of(again) == 3100  # names still taken
    (new,) = send(restored, customer_add("Cleo"))
    existing_ids = {c["ListID"] for c in company.documents("Customer")} | {
        a["ListID"] for a in company.documents("Account")
    }
    assert text(new, "CustomerRet/ListID") not in existing_ids
    assert text(added, "CustomerRet/ListID") in existing_ids
    # error recovery state survives too
    replay = restored.process(message_set(customer_add("Bolt"), oldMessageSetID="set-1"))
    assert status_of(responses_of(replay)[0]) == 0
    assert [c["Name"] for c in restored.documents("Customer")] == ["Acme", "Bolt", "Cleo"]


def test_load_or_create_shares_books_between_instances(tmp_path: Path, clock: TickingClock) -> None:
    path = tmp_path / "books" / "demo.json"

    first = CompanyFile.load_or_create(path, clock=clock, seed_demo=True)
    send(first, customer_add("Acme"))
    second = CompanyFile.load_or_create(path, clock=clock)  # as another process would

    assert path.exists()
    assert [c["Name"] for c in second.documents("Customer")] == ["Acme"]
    assert second.company_name == "Demo Promo Co"
    assert second.file_path.endswith("demo.qbw")
    send(second, customer_add("Bolt"))
    third = CompanyFile.load_or_create(path, clock=clock)
    assert [c["Name"] for c in third.documents("Customer")] == ["Acme", "Bolt"]


def test_without_autosave_nothing_is_written_until_save(tmp_path: Path, clock: TickingClock) -> None:
    path = tmp_path / "demo.json"
    books = CompanyFile.load_or_create(path, autosave=False, clock=clock)
    send(books, customer_add("Acme"))

    assert CompanyFile.load_or_create(path, clock=clock).documents("Customer") == []
    books.save()
    assert len(CompanyFile.load_or_create(path, clock=clock).documents("Customer")) == 1
