"""Customers, vendors, items, accounts…: names, edit sequences, references, queries, iterators."""

from __future__ import annotations

import re

from qb_sandbox.desktop import CompanyFile
from tests.sandbox.desktop.qbd_messages import (
    TickingClock,
    account_add,
    customer_add,
    each,
    non_inventory_add,
    send,
    status_of,
    subtotal_add,
    text,
    vendor_add,
)


def test_a_vendor_cannot_take_a_customers_name(empty_company: CompanyFile) -> None:
    (customer,) = send(empty_company, customer_add("Acme Promo"))
    (vendor,) = send(empty_company, vendor_add("acme promo"))

    assert status_of(customer) == 0
    assert status_of(vendor) == 3100
    assert vendor.get("statusSeverity") == "Error"
    assert vendor.get("statusMessage") == 'The name "acme promo" of the list element is already in use.'
    assert empty_company.documents("Vendor") == []


def test_items_have_their_own_name_list(company: CompanyFile) -> None:
    first, second, third = send(
        company,
        customer_add("A7102"),
        non_inventory_add("A7102", "2.30"),
        subtotal_add("a7102"),
        on_error="continueOnError",
    )

    assert [status_of(first), status_of(second), status_of(third)] == [0, 0, 3100]


def test_ids_and_timestamps_have_desktop_shape(empty_company: CompanyFile, clock: TickingClock) -> None:
    (rs,) = send(empty_company, customer_add("Acme Promo"))
    ret = rs.find("CustomerRet")
    assert ret is not None

    assert re.fullmatch(r"8[0-9A-F]{7}-\d{10}", text(ret, "ListID"))
    assert text(ret, "EditSequence").isdigit()
    assert text(ret, "TimeCreated") == clock.now.isoformat()
    assert text(ret, "FullName") == "Acme Promo"
    assert text(ret, "Balance") == "0.00"


def test_an_over_long_name_fails_only_that_request_with_3070(empty_company: CompanyFile) -> None:
    long_name = "N" * 42  # CustomerAdd/Name is limited to 41 characters
    ok, too_long = send(
        empty_company, customer_add("Fits"), customer_add(long_name, "2"), on_error="continueOnError"
    )

    assert status_of(ok) == 0
    assert status_of(too_long) == 3070
    assert too_long.get("statusMessage") == f'The string "{long_name}" in the field "Name" is too long.'
    assert [c["Name"] for c in empty_company.documents("Customer")] == ["Fits"]


def test_item_names_are_limited_to_31_characters(company: CompanyFile) -> None:
    (rs,) = send(company, non_inventory_add("I" * 32, "1.00"))

    assert status_of(rs) == 3070


def test_mod_with_a_stale_edit_sequence_is_refused_with_3200(empty_company: CompanyFile) -> None:
    (added,) = send(empty_company, customer_add("Acme Promo"))
    list_id, first_seq = text(added, "CustomerRet/ListID"), text(added, "CustomerRet/EditSequence")

    def rename(to: str, edit_sequence: str) -> str:
        return (
            f"<CustomerModRq><CustomerMod><ListID>{list_id}</ListID><EditSequence>{edit_sequence}</EditSequence>"
            f"<Name>{to}</Name></CustomerMod></CustomerModRq>"
        )

    (renamed,) = send(empty_company, rename("Acme Promotions", first_seq))
    (stale,) = send(empty_company, rename("Acme Again", first_seq))

    assert status_of(renamed) == 0
    assert text(renamed, "CustomerRet/EditSequence") != first_seq
    assert text(renamed, "CustomerRet/FullName") == "Acme Promotions"
    assert status_of(stale) == 3200
    assert stale.get("statusMessage") == f'The provided edit sequence "{first_seq}" is out-of-date.'
    assert empty_company.get("Customer", list_id)["Name"] == "Acme Promotions"  # type: ignore[index]


def test_jobs_are_named_customer_colon_job_and_follow_a_renamed_parent(empty_company: CompanyFile) -> None:
    (parent,) = send(empty_company, customer_add("Acme"))
    (job,) = send(
        empty_company, customer_add("Spring Show", extra="<ParentRef><FullName>Acme</FullName></ParentRef>")
    )
    assert text(job, "CustomerRet/FullName") == "Acme:Spring Show"
    assert text(job, "CustomerRet/Sublevel") == "1"

    mod = (
        f"<CustomerModRq><CustomerMod><ListID>{text(parent, 'CustomerRet/ListID')}</ListID>"
        f"<EditSequence>{text(parent, 'CustomerRet/EditSequence')}</EditSequence><Name>Acme Inc</Name>"
        "</CustomerMod></CustomerModRq>"
    )
    send(empty_company, mod)

    assert [c["FullName"] for c in empty_company.documents("Customer")] == [
        "Acme Inc",
        "Acme Inc:Spring Show",
    ]


def test_unknown_reference_is_3140_with_quickbooks_wording(company: CompanyFile) -> None:
    (rs,) = send(company, non_inventory_add("A7102", "2.30", account="No Such Income"))

    assert status_of(rs) == 3140
    assert rs.get("statusMessage", "").startswith(
        'There is an invalid reference to QuickBooks Account "No Such Income" in the ItemNonInventory.'
    )
    assert company.documents("ItemNonInventory") == []


def test_references_by_list_id_or_full_name_come_back_with_both(company: CompanyFile) -> None:
    (income,) = send(company, account_add("Promo Sales", "Income"))
    income_id = text(income, "AccountRet/ListID")
    item = (
        "<ItemServiceAddRq><ItemServiceAdd><Name>Setup</Name><SalesOrPurchase><Price>45.00</Price>"
        f"<AccountRef><ListID>{income_id}</ListID></AccountRef></SalesOrPurchase></ItemServiceAdd></ItemServiceAddRq>"
    )
    (rs,) = send(company, item)

    assert text(rs, "ItemServiceRet/SalesOrPurchase/AccountRef/FullName") == "Promo Sales"


def test_query_by_full_name_and_missing_names(empty_company: CompanyFile) -> None:
    send(empty_company, customer_add("Acme"), customer_add("Bolt"))

    (found,) = send(empty_company, "<CustomerQueryRq><FullName>bolt</FullName></CustomerQueryRq>")
    (partial,) = send(
        empty_company, "<CustomerQueryRq><FullName>Acme</FullName><FullName>Zed</FullName></CustomerQueryRq>"
    )
    (none,) = send(
        empty_company,
        "<CustomerQueryRq><NameFilter><MatchCriterion>StartsWith</MatchCriterion><Name>Q</Name></NameFilter></CustomerQueryRq>",
    )

    assert [text(r, "Name") for r in each(found, "CustomerRet")] == ["Bolt"]
    assert status_of(partial) == 500 and partial.get("statusSeverity") == "Warn"
    assert '("Zed")' in partial.get("statusMessage", "")
    assert [text(r, "Name") for r in each(partial, "CustomerRet")] == ["Acme"]
    assert status_of(none) == 1 and none.get("statusSeverity") == "Info"


def test_query_filters_active_status_and_modified_date(
    empty_company: CompanyFile, clock: TickingClock
) -> None:
    (old,) = send(empty_company, customer_add("Old"))
    cutoff = clock.now.isoformat()
    send(empty_company, customer_add("New"))
    mod = (
        f"<CustomerModRq><CustomerMod><ListID>{text(old, 'CustomerRet/ListID')}</ListID>"
        f"<EditSequence>{text(old, 'CustomerRet/EditSequence')}</EditSequence><IsActive>false</IsActive>"
        "</CustomerMod></CustomerModRq>"
    )
    send(empty_company, mod)

    (active,) = send(empty_company, "<CustomerQueryRq/>")
    (everyone,) = send(empty_company, "<CustomerQueryRq><ActiveStatus>All</ActiveStatus></CustomerQueryRq>")
    (since,) = send(
        empty_company,
        f"<CustomerQueryRq><ActiveStatus>All</ActiveStatus><FromModifiedDate>{cutoff}</FromModifiedDate></CustomerQueryRq>",
    )

    assert [text(r, "Name") for r in each(active, "CustomerRet")] == ["New"]
    assert [text(r, "Name") for r in each(everyone, "CustomerRet")] == ["New", "Old"]
    assert [text(r, "Name") for r in each(since, "CustomerRet")] == ["New", "Old"]  # Old was modified after


def test_iterator_pages_250_customers_100_at_a_time(empty_company: CompanyFile) -> None:
    names = [f"Customer {n:03d}" for n in range(250)]
    send(empty_company, *(customer_add(name, str(i)) for i, name in enumerate(names)))

    (first,) = send(
        empty_company,
        '<CustomerQueryRq requestID="p1" iterator="Start"><MaxReturned>100</MaxReturned></CustomerQueryRq>',
    )
    iterator_id = first.get("iteratorID", "")
    pages = [first]
    while pages[-1].get("iteratorRemainingCount") != "0":
        (nxt,) = send(
            empty_company,
            f'<CustomerQueryRq iterator="Continue" iteratorID="{iterator_id}"><MaxReturned>100</MaxReturned></CustomerQueryRq>',
        )
        assert status_of(nxt) == 0
        pages.append(nxt)

    assert [len(list(each(p, "CustomerRet"))) for p in pages] == [100, 100, 50]
    assert [p.get("iteratorRemainingCount") for p in pages] == ["150", "50", "0"]
    assert {p.get("iteratorID") for p in pages} == {iterator_id}
    assert re.fullmatch(r"\{[0-9a-f-]{36}\}", iterator_id)
    returned = [text(r, "Name") for p in pages for r in each(p, "CustomerRet")]
    assert returned == names

    (after_end,) = send(
        empty_company,
        f'<CustomerQueryRq iterator="Continue" iteratorID="{iterator_id}"><MaxReturned>100</MaxReturned></CustomerQueryRq>',
    )
    assert status_of(after_end) == 3391


def test_item_query_spans_every_item_type(company: CompanyFile) -> None:
    send(
        company,
        non_inventory_add("A7102", "2.30"),
        subtotal_add(),
        "<ItemDiscountAddRq><ItemDiscountAdd><Name>5% off</Name><DiscountRatePercent>5</DiscountRatePercent>"
        "<AccountRef><FullName>Discounts Given</FullName></AccountRef></ItemDiscountAdd></ItemDiscountAddRq>",
    )

    (rs,) = send(company, "<ItemQueryRq/>")

    kinds = [child.tag for child in rs]
    assert kinds == ["ItemDiscountRet", "ItemNonInventoryRet", "ItemSalesTaxRet", "ItemSubtotalRet"]


def test_vendor_and_account_queries(company: CompanyFile) -> None:
    send(company, vendor_add("Gemline"))

    (vendors,) = send(company, "<VendorQueryRq><MaxReturned>5</MaxReturned></VendorQueryRq>")
    (banks,) = send(company, "<AccountQueryRq><AccountType>Bank</AccountType></AccountQueryRq>")

    assert [text(v, "Name") for v in each(vendors, "VendorRet")] == ["Gemline"]
    assert [text(a, "FullName") for a in each(banks, "AccountRet")] == ["Checking"]


def test_class_terms_and_tax_codes_are_lists_too(company: CompanyFile) -> None:
    responses = send(
        company,
        "<ClassAddRq><ClassAdd><Name>West</Name></ClassAdd></ClassAddRq>",
        "<StandardTermsAddRq><StandardTermsAdd><Name>Net 45</Name><StdDueDays>45</StdDueDays></StandardTermsAdd></StandardTermsAddRq>",
        "<SalesTaxCodeAddRq><SalesTaxCodeAdd><Name>Out</Name><IsTaxable>false</IsTaxable></SalesTaxCodeAdd></SalesTaxCodeAddRq>",
        "<TermsQueryRq/>",
        on_error="continueOnError",
    )

    assert [status_of(r) for r in responses] == [0, 0, 0, 0]
    assert "Net 45" in [text(t, "Name") for t in each(responses[3], "StandardTermsRet")]


def test_fields_quickbooks_needs_beyond_the_schema_are_3150(company: CompanyFile) -> None:
    no_account = (
        "<ItemDiscountAddRq><ItemDiscountAdd><Name>Promo</Name></ItemDiscountAdd></ItemDiscountAddRq>"
    )
    no_page_size = '<CustomerQueryRq iterator="Start"/>'

    item, query = send(company, no_account, no_page_size, on_error="continueOnError")

    assert (status_of(item), item.get("statusMessage")) == (3150, 'There is a missing element: "AccountRef".')
    assert (status_of(query), query.get("statusMessage")) == (
        3150,
        'There is a missing element: "MaxReturned".',
    )
