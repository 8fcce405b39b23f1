"""The send request body: what it accepts, and how it explains what it refuses."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from espqb.orders import OrderSnapshot, SendChoices, SendRequest, a7102_example, a7102_request


def _a7102_json() -> dict[str, Any]:
    data: dict[str, Any] = a7102_example().model_dump(mode="json")
    return data


def _errors(data: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        OrderSnapshot.model_validate(data)
    return [(tuple(e["loc"]), e["msg"]) for e in caught.value.errors()]


def test_the_a7102_example_round_trips_through_json() -> None:
    original = a7102_example()
    again = OrderSnapshot.model_validate_json(original.model_dump_json())
    assert again == original
    assert again.total == Decimal("218.50")
    assert again.lines[0].unit_price == Decimal("2.30")


def test_json_numbers_are_read_exactly() -> None:
    data = _a7102_json()
    data["lines"][0]["unit_price"] = 2.3
    data["total"] = 218.5
    order = OrderSnapshot.model_validate_json(json.dumps(data))
    assert order.lines[0].unit_price == Decimal("2.3")
    assert str(order.total) == "218.50"


def test_every_problem_is_reported_on_its_own_field() -> None:
    data = _a7102_json()
    data["lines"][0]["quantity"] = "-3"
    data["lines"][0]["unit_price"] = "2.301234"
    data["total"] = "218.505"
    errors = dict(_errors(data))
    assert errors[("lines", 0, "quantity")] == "must not be negative (it is -3)"
    assert "more than 5 decimal places" in errors[("lines", 0, "unit_price")]
    assert "more than two decimal places" in errors[("total",)]


def test_a_line_naming_an_unknown_supplier_is_refused_with_its_line_number() -> None:
    data = _a7102_json()
    second = dict(data["lines"][0], supplier_id="S9")
    data["lines"].append(second)
    data["charges"] = [{"kind": "setup", "unit_price": "40", "supplier_id": "S7"}]
    errors = _errors(data)
    assert (
        ("lines", 1, "supplier_id"),
        "line 2 names supplier S9, which is not among the order's suppliers",
    ) in errors
    assert (
        ("charges", 0, "supplier_id"),
        "charge 1 names supplier S7, which is not among the order's suppliers",
    ) in errors


@pytest.mark.parametrize(
    ("discount", "message"),
    [
        ({"amount": "5", "percent": "5"}, "give the discount either as an amount or as a percent, not both"),
        ({}, "give the discount either as an amount or as a percent, not both"),
        ({"percent": "120"}, "must be a percentage between 0 and 100 (it is 120)"),
    ],
)
def test_a_discount_is_an_amount_or_a_percent(discount: dict[str, str], message: str) -> None:
    data = _a7102_json()
    data["discount"] = discount
    assert message in [msg for _, msg in _errors(data)]


def test_payments_must_be_positive_and_ids_unique() -> None:
    data = _a7102_json()
    data["payments"].append(dict(data["payments"][0], amount="0"))
    assert _errors(data) == [(("payments", 1, "amount"), "must be more than zero (it is 0.00)")]
    data["payments"][1]["amount"] = "5"
    assert _errors(data) == [(("payments", 1, "id"), "payment id P1 appears more than once in the order")]


def test_unknown_fields_and_empty_orders_are_refused() -> None:
    data = _a7102_json()
    data["lines"] = []
    data["colour"] = "blue"
    errors = _errors(data)
    assert ("colour",) in [loc for loc, _ in errors]

    data.pop("colour")
    assert (("lines",), "the order has no lines and no charges; there is nothing to send") in _errors(data)


def test_the_customer_needs_a_name() -> None:
    data = _a7102_json()
    data["customer"] = {"esp_id": "C9", "email": "x@example.com"}
    assert any("QuickBooks needs a name" in msg for _, msg in _errors(data))


def test_currency_is_an_iso_code_defaulting_to_usd() -> None:
    data = _a7102_json()
    data.pop("currency")
    assert OrderSnapshot.model_validate(data).currency == "USD"
    data["currency"] = "cad"
    assert OrderSnapshot.model_validate(data).currency == "CAD"
    data["currency"] = "dollars"
    assert [loc for loc, _ in _errors(data)] == [("currency",)]


def test_choices_are_all_optional() -> None:
    assert SendChoices() == SendChoices.model_validate({})
    request = SendRequest.model_validate({"order": _a7102_json()})
    assert request.choices == SendChoices()


@pytest.mark.parametrize(
    "choices",
    [
        {"customer": {"quickbooks_id": "58"}, "tax": {"code": "CA"}},
        {"customer": {"create": True}, "tax": "quickbooks_default"},
        {"suppliers": {"S1": {"vendor": {"quickbooks_id": "12"}, "cogs_account": {"name": "COGS"}}}},
    ],
)
def test_dialog_choices_are_accepted(choices: dict[str, Any]) -> None:
    SendChoices.model_validate(choices)


@pytest.mark.parametrize(
    "choices",
    [
        {"customer": {"create": False}},
        {"tax": "automatic"},
        {"ar_account": {}},
        {"suppliers": {"S1": {"send_invoice": True}}},
    ],
)
def test_malformed_dialog_choices_are_refused(choices: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        SendChoices.model_validate(choices)


def test_openapi_schema_carries_the_a7102_example_and_the_example_is_valid() -> None:
    schema = SendRequest.model_json_schema()
    (example,) = schema["examples"]
    assert example["order"]["lines"][0]["product_number"] == "A7102"
    assert SendRequest.model_validate(example) == a7102_request()
    assert OrderSnapshot.model_json_schema()["examples"][0]["total"] == "218.50"
