"""QuickBooks names: cleaned, within each product's length, unique, and the same every time."""

from __future__ import annotations

import pytest

from espqb.plan import (
    ItemOp,
    KnownMappings,
    MappedRecord,
    NamesInUse,
    PlanError,
    PlanSettings,
    TakenName,
    VendorOp,
)
from espqb.plan.naming import NameRegistry, clean_name, numbered_suffix, role_suffix, truncate_text
from tests.plan.factories import SETTINGS, line, order, plan

BY_NAME = SETTINGS.model_copy(update={"item_name_source": "product_name"})


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("A7102", "A7102"),
        ("PEN:BLUE:01", "PEN BLUE 01"),  # ':' is QuickBooks' hierarchy separator
        ("Tote\tBag\r\nNavy", "Tote Bag Navy"),
        ("  spaced   out  ", "spaced out"),
        ("Cafe\u0301 Mug", "Café Mug"),  # composed, so it counts as one character
        ("Mug\x00\x07", "Mug"),
        (":::", ""),
    ],
)
def test_clean_name(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean


def test_truncation_never_strips_an_accent_from_its_letter() -> None:
    # "q" + combining acute has no composed form; cutting between them would leave a bare "q".
    assert truncate_text("x" * 30 + "q\u0301" + "rest", 31) == "x" * 30
    assert truncate_text("ありがとうございます" * 5, 31) == ("ありがとうございます" * 4)[:31]


def _products(*names: str) -> list[dict[str, str]]:
    return [line(f"N{i}", 1, "1.00", product_name=name) for i, name in enumerate(names)]


def _item_names(p: object) -> list[str]:
    return [op.name for op in p.operations if isinstance(op, ItemOp) and op.role == "product"]  # type: ignore[attr-defined]


def test_long_names_are_cut_to_31_on_desktop_and_stay_unique() -> None:
    snapshot = order(
        _products(
            "Super Deluxe Insulated Tumbler With Lid 20oz",
            "Super Deluxe Insulated Tumbler With Lid 30oz",
            "SUPER DELUXE INSULATED TUMBLER (2) twin",
        ),
        total="3.00",
    )
    names = _item_names(plan(snapshot, settings=BY_NAME, target="qbd"))
    assert names == [
        "Super Deluxe Insulated Tumbler",
        "Super Deluxe Insulated Tumb (2)",
        # its own cut name is taken (case does not matter to QuickBooks), and so is " (2)"
        "SUPER DELUXE INSULATED TUMB (3)",
    ]
    # QBO allows 100 characters: no clash at all.
    assert _item_names(plan(snapshot, settings=BY_NAME, target="qbo")) == [
        "Super Deluxe Insulated Tumbler With Lid 20oz",
        "Super Deluxe Insulated Tumbler With Lid 30oz",
        "SUPER DELUXE INSULATED TUMBLER (2) twin",
    ]


def test_unicode_and_colon_names_on_desktop() -> None:
    snapshot = order(
        _products(
            "Crème brûlée: ramekin set – ceramic ☕",
            "Crème brûlée: ramekin set – ceramic 🍮",
            "日本語のノベルティグッズ：ボールペン 黒インク 0.5mm 十本セット",
        ),
        total="3.00",
    )
    names = _item_names(plan(snapshot, settings=BY_NAME, target="qbd"))
    assert names == [
        "Crème brûlée ramekin set – cera",
        "Crème brûlée ramekin set – (2)",
        "日本語のノベルティグッズ：ボールペン 黒インク 0.5mm 十",  # a full-width colon is not a separator
    ]
    assert all(len(n) <= 31 and ":" not in n for n in names)


def test_a_product_number_is_the_default_name() -> None:
    snapshot = order([line("PEN:BLUE:01", 1, "1.00", product_name="Blue pen")], total="1.00")
    (item,) = [op for op in plan(snapshot).operations if isinstance(op, ItemOp)]
    assert (item.name, item.sku, item.description) == ("PEN BLUE 01", "PEN BLUE 01", "Blue pen")


def test_an_empty_name_falls_back_then_is_a_problem() -> None:
    snapshot = order(
        [line(":::", 1, "1.00", product_name="Blue pen"), line("::", 1, "1.00", product_name="")],
        total="2.00",
    )
    with pytest.raises(PlanError) as caught:
        plan(snapshot)
    (problem,) = caught.value.problems
    assert problem.path == "order.lines[1].product_number"
    assert "Line 2" in problem.message


def test_a_name_owned_by_another_esp_product_gets_a_suffix() -> None:
    mappings = KnownMappings(items={"S7/A7102": MappedRecord(quickbooks_id="I-1", name="A7102")})
    snapshot = order([line("A7102", 1, "1.00", supplier_id="S1")], total="1.00")
    (item,) = [op for op in plan(snapshot, mappings=mappings).operations if isinstance(op, ItemOp)]
    assert (item.action, item.name) == ("create", "A7102 (2)")


def test_an_unlinked_quickbooks_item_of_the_same_name_is_adopted() -> None:
    mappings = KnownMappings(
        names_in_use=NamesInUse(
            items=(TakenName(name="a7102", quickbooks_id="I-9"), TakenName(name="Shipping"))
        )
    )
    snapshot = order(
        [line("A7102", 1, "1.00")], total="6.00", charges=[{"kind": "shipping", "unit_price": "5"}]
    )
    p = plan(snapshot, mappings=mappings)
    product, shipping = p.operation("item:S1/A7102"), p.operation("item:charge:shipping")
    assert product.action == shipping.action == "link"
    assert product.existing is not None and product.existing.quickbooks_id == "I-9"
    assert shipping.existing is not None and (shipping.existing.quickbooks_id, shipping.existing.name) == (
        None,
        "Shipping",
    )


def test_charge_item_names_are_configurable() -> None:
    settings = SETTINGS.model_copy(
        update={"charge_items": SETTINGS.charge_items.model_copy(update={"setup": "Set-up Fee"})}
    )
    snapshot = order([line("A", 1, "1.00")], total="41.00", charges=[{"kind": "setup", "unit_price": "40"}])
    assert plan(snapshot, settings=settings).operation("item:charge:setup").name == "Set-up Fee"  # type: ignore[union-attr]


# ---------------------------------------------------------------------- customers and vendors


def _vendor(p: object, supplier_id: str = "S1") -> VendorOp:
    op = p.operation(f"vendor:{supplier_id}")  # type: ignore[attr-defined]
    assert isinstance(op, VendorOp)
    return op


def test_a_supplier_named_like_the_customer_gets_a_distinct_vendor_name_on_desktop() -> None:
    snapshot = order(
        [line("A", 1, "1.00")],
        total="1.00",
        customer={"esp_id": "C1", "company_name": "Acme Promotions"},
        suppliers=[{"esp_id": "S1", "name": "ACME PROMOTIONS"}],
    )
    p = plan(snapshot, target="qbd")
    assert p.operation("customer").name == "Acme Promotions"  # type: ignore[union-attr]
    assert _vendor(p).name == "ACME PROMOTIONS (Vendor)"


def test_a_vendor_name_taken_in_quickbooks_is_avoided_deterministically() -> None:
    long_name = "International Promotional Products Group Incorporated"
    mappings = KnownMappings(
        customers={"C77": MappedRecord(quickbooks_id="77", name="Hit Promotional Products")},
        names_in_use=NamesInUse(
            names=(
                TakenName(name="Hit Promotional Products (Vendor)"),  # an employee or other name
                TakenName(name=long_name[:41].rstrip(), owner="customer:C5"),
            )
        ),
    )
    snapshot = order(
        [line("A", 1, "1.00", supplier_id="S1"), line("B", 1, "1.00", supplier_id="S2")],
        total="2.00",
        suppliers=[{"esp_id": "S1", "name": "Hit Promotional Products"}, {"esp_id": "S2", "name": long_name}],
    )
    runs = [plan(snapshot, target="qbd", mappings=mappings) for _ in range(2)]
    assert runs[0] == runs[1]
    assert _vendor(runs[0], "S1").name == "Hit Promotional Products (Vendor 2)"
    name = _vendor(runs[0], "S2").name
    assert name == "International Promotional Produc (Vendor)"
    assert len(name) == 41


def test_a_vendor_mapped_earlier_keeps_its_name() -> None:
    mappings = KnownMappings(
        vendors={"S1": MappedRecord(quickbooks_id="V1", name="Northwind Dental (Vendor)")}
    )
    snapshot = order(
        [line("A", 1, "1.00")], total="1.00", suppliers=[{"esp_id": "S1", "name": "Northwind Dental"}]
    )
    vendor = _vendor(plan(snapshot, target="qbd", mappings=mappings))
    assert vendor.action == "link"
    assert vendor.existing is not None and vendor.existing.name == "Northwind Dental (Vendor)"


def test_a_customer_chosen_in_the_dialog_is_used_as_is() -> None:
    snapshot = order([line("A", 1, "1.00")], total="1.00")
    customer = plan(snapshot, {"customer": {"quickbooks_id": "58"}}).operation("customer")
    assert customer.action == "link"
    assert customer.existing is not None and customer.existing.quickbooks_id == "58"
    assert customer.name is None  # type: ignore[union-attr]


def test_customer_names_fit_and_fall_back_to_the_contact() -> None:
    snapshot = order(
        [line("A", 1, "1.00")],
        total="1.00",
        customer={
            "esp_id": "C2",
            "first_name": "María-José",
            "last_name": "Fernández de la Fuente y Montenegro",
        },
    )
    customer = plan(snapshot, target="qbd").operation("customer")
    assert customer.name == "María-José Fernández de la Fuente y Monte"  # type: ignore[union-attr]
    assert customer.last_name == "Fernández de la Fuente y"  # type: ignore[union-attr]  # 25 on Desktop


def test_registry_suffix_rules() -> None:
    registry = NameRegistry([TakenName(name="Acme"), TakenName(name="Acme (2)")])
    assert registry.unique_name("Acme", owner="item:x", limit=31, suffix=numbered_suffix) == "Acme (3)"
    assert (
        registry.unique_name("Acme", owner="vendor:S1", limit=31, suffix=role_suffix("Vendor"))
        == "Acme (Vendor)"
    )
    # The owner of a name may keep it.
    assert registry.unique_name("Acme (3)", owner="item:x", limit=31, suffix=numbered_suffix) == "Acme (3)"
    assert PlanSettings().item_name_source == "product_number"
