"""US, Canadian and UK company files (docs/web-connector.md §3.10–§3.12): what the host and the
preferences report, the sales tax lists, tax carried by the line's code, and each edition's
rules on writes – all through qbXML, every answer checked against the 13.0 schema."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree

from qb_sandbox.desktop import CompanyFile, validate_qbxml
from tests.sandbox.desktop.qbd_messages import (
    TickingClock,
    customer_add,
    discount_add,
    each,
    invoice_line,
    money,
    non_inventory_add,
    send,
    status_of,
    subtotal_add,
    text,
)


def code(name: str) -> str:
    return f"<SalesTaxCodeRef><FullName>{name}</FullName></SalesTaxCodeRef>"


def edition_company(clock: TickingClock, edition: str) -> CompanyFile:
    return CompanyFile(clock=clock, edition=edition, seed_demo=True)


@pytest.fixture
def canada(clock: TickingClock) -> CompanyFile:
    company = edition_company(clock, "ca")
    responses = send(
        company,
        customer_add("Maple Promo"),
        non_inventory_add("A7102", "2.30", extra=code("H")),
        non_inventory_add("Setup", "40.00", request_id="i2"),  # no code: the default taxable code
        subtotal_add(),
        discount_add("Discount 5%", code("H") + "<DiscountRatePercent>5</DiscountRatePercent>"),
    )
    assert [status_of(r) for r in responses] == [0] * 5
    return company


@pytest.fixture
def britain(clock: TickingClock) -> CompanyFile:
    company = edition_company(clock, "uk")
    responses = send(company, customer_add("Thames Promo"), non_inventory_add("Mugs", "3.00"))
    assert [status_of(r) for r in responses] == [0, 0]
    return company


def invoice(customer: str, *lines: str, header: str = "") -> str:
    return (
        f"<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>{customer}</FullName></CustomerRef>"
        f"{header}{''.join(lines)}</InvoiceAdd></InvoiceAddRq>"
    )


def hcp(company: CompanyFile) -> etree._Element:
    xml = company.hcp_response()
    assert validate_qbxml(xml) == []
    return etree.fromstring(xml.encode())


# -- host and preferences -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("edition", "country", "product", "taxable", "non_taxable", "item", "home"),
    [
        ("us", "US", "QuickBooks Pro 2023", "Tax", "Non", "State Sales Tax", "US Dollar"),
        (
            "ca",
            "CA",
            "QuickBooks Premier Edition 2023 (Canada)",
            "H",
            "E",
            "HST ON on Sales",
            "Canadian Dollar",
        ),
        ("uk", "UK", "QuickBooks Pro 2022 (UK)", "S", "O", "VAT Standard on Sales", "British Pound Sterling"),
    ],
)
def test_hcp_response_reports_the_edition(
    clock: TickingClock,
    edition: str,
    country: str,
    product: str,
    taxable: str,
    non_taxable: str,
    item: str,
    home: str,
) -> None:
    company = edition_company(clock, edition)
    root = hcp(company)

    assert text(root, ".//HostRet/Country") == country == company.country
    assert text(root, ".//HostRet/ProductName") == product
    assert "13.0" in [v.text for v in root.iterfind(".//HostRet/SupportedQBXMLVersion")]
    prefs = root.find(".//PreferencesRet/SalesTaxPreferences")
    assert prefs is not None
    assert text(prefs, "DefaultItemSalesTaxRef/FullName") == item
    assert text(prefs, "DefaultTaxableSalesTaxCodeRef/FullName") == taxable
    assert text(prefs, "DefaultNonTaxableSalesTaxCodeRef/FullName") == non_taxable
    extras = ["IsUsingVendorTaxCode", "IsUsingCustomerTaxCode", "IsUsingAmountsIncludeTax"]
    if edition == "us":
        assert all(prefs.find(name) is None for name in extras)
    else:
        assert [text(prefs, name) for name in extras] == ["false", "false", "false"]
    assert text(root, ".//MultiCurrencyPreferences/IsMultiCurrencyOn") == "false"
    assert text(root, ".//MultiCurrencyPreferences/HomeCurrencyRef/FullName") == home


def test_host_and_preferences_queries_answer_the_same(clock: TickingClock) -> None:
    company = edition_company(clock, "uk")
    host, prefs = send(company, "<HostQueryRq/>", "<PreferencesQueryRq/>")
    assert text(host, "HostRet/Country") == "UK"
    assert text(prefs, "PreferencesRet/SalesTaxPreferences/PaySalesTax") == "Quarterly"


def test_unknown_edition_is_refused() -> None:
    with pytest.raises(ValueError, match="edition"):
        CompanyFile(edition="au")


# -- the sales tax lists ----------------------------------------------------------------------
def _codes(company: CompanyFile) -> dict[str, tuple[str, str | None, str | None]]:
    (rs,) = send(company, "<SalesTaxCodeQueryRq/>")
    return {
        text(ret, "Name"): (
            text(ret, "IsTaxable"),
            ret.findtext("ItemSalesTaxRef/FullName"),
            ret.findtext("ItemPurchaseTaxRef/FullName"),
        )
        for ret in each(rs, "SalesTaxCodeRet")
    }


def _tax_items(company: CompanyFile) -> dict[str, Decimal]:
    (rs,) = send(company, "<ItemSalesTaxQueryRq/>")
    return {text(ret, "Name"): money(ret, "TaxRate") for ret in each(rs, "ItemSalesTaxRet")}


def test_us_codes_and_item_are_unchanged(clock: TickingClock) -> None:
    company = edition_company(clock, "us")
    assert _codes(company) == {"Tax": ("true", None, None), "Non": ("false", None, None)}
    assert _tax_items(company) == {"State Sales Tax": Decimal("8.25")}


def test_canadian_codes_link_to_sales_and_purchase_tax_items(clock: TickingClock) -> None:
    company = edition_company(clock, "ca")
    assert _codes(company) == {
        "E": ("false", None, None),
        "G": ("true", "GST on Sales", "GST on Purchases"),
        "H": ("true", "HST ON on Sales", "HST ON on Purchases"),
        "Z": ("true", "Zero-rated on Sales", "Zero-rated on Purchases"),
    }
    assert _tax_items(company) == {
        "GST on Purchases": Decimal(5),
        "GST on Sales": Decimal(5),
        "HST ON on Purchases": Decimal(13),
        "HST ON on Sales": Decimal(13),
        "Zero-rated on Purchases": Decimal(0),
        "Zero-rated on Sales": Decimal(0),
    }
    (rs,) = send(company, "<ItemSalesTaxQueryRq><FullName>HST ON on Sales</FullName></ItemSalesTaxQueryRq>")
    assert text(rs, "ItemSalesTaxRet/TaxVendorRef/FullName") == "Receiver General"


def test_uk_codes_link_to_vat_items(clock: TickingClock) -> None:
    company = edition_company(clock, "uk")
    assert _codes(company) == {
        "E": ("false", None, None),
        "O": ("false", None, None),
        "R": ("true", "VAT Reduced on Sales", "VAT Reduced on Purchases"),
        "S": ("true", "VAT Standard on Sales", "VAT Standard on Purchases"),
        "Z": ("true", "VAT Zero on Sales", "VAT Zero on Purchases"),
    }
    assert _tax_items(company)["VAT Standard on Sales"] == Decimal(20)
    assert _tax_items(company)["VAT Reduced on Purchases"] == Decimal(5)


def test_a_canadian_customer_gets_the_default_code_but_no_sales_tax_item(canada: CompanyFile) -> None:
    (customer,) = canada.find("Customer", Name="Maple Promo")
    assert customer["SalesTaxCodeRef"]["FullName"] == "H"
    assert "ItemSalesTaxRef" not in customer


# -- invoices in Canadian and UK files -----------------------------------------------------------
def test_canadian_invoice_218_50_on_h_is_28_41_tax(canada: CompanyFile) -> None:
    (rs,) = send(
        canada,
        invoice(
            "Maple Promo",
            invoice_line("A7102", "<Quantity>100</Quantity><Rate>2.30</Rate>"),
            invoice_line("Subtotal"),
            invoice_line("Discount 5%"),
        ),
    )
    assert status_of(rs) == 0
    ret = rs.find("InvoiceRet")
    assert ret is not None
    assert [money(line, "Amount") for line in each(ret, "InvoiceLineRet")] == [
        Decimal("230.00"),
        Decimal("230.00"),
        Decimal("-11.50"),
    ]
    assert [line.findtext("SalesTaxCodeRef/FullName") for line in each(ret, "InvoiceLineRet")] == [
        "H",
        None,
        "H",
    ]
    assert money(ret, "Subtotal") == Decimal("218.50")
    assert money(ret, "SalesTaxTotal") == Decimal("28.41")  # 13 % of 218.50 = 28.405, rounded once
    assert money(ret, "BalanceRemaining") == Decimal("246.91")
    assert ret.find("SalesTaxPercentage") is None
    (stored,) = canada.documents("Invoice")
    assert stored["TotalAmount"] == "246.91"


def test_the_invoice_sales_tax_item_does_not_compute_tax_in_canada(canada: CompanyFile) -> None:
    (rs,) = send(
        canada,
        invoice(
            "Maple Promo",
            invoice_line("A7102", "<Amount>100.00</Amount>" + code("G")),
            header="<ItemSalesTaxRef><FullName>HST ON on Sales</FullName></ItemSalesTaxRef>",
        ),
    )
    assert money(rs, "InvoiceRet/SalesTaxTotal") == Decimal("5.00")


def test_two_codes_are_taxed_by_their_own_items(canada: CompanyFile) -> None:
    (rs,) = send(
        canada,
        invoice(
            "Maple Promo",
            invoice_line("A7102", "<Amount>100.00</Amount>"),  # the item's code: H
            invoice_line("A7102", "<Amount>50.00</Amount>" + code("G")),
            invoice_line("Setup", "<Amount>20.00</Amount>" + code("E")),
            invoice_line("Setup", "<Amount>30.00</Amount>"),  # no code on line or item: default H
        ),
    )
    ret = rs.find("InvoiceRet")
    assert ret is not None
    assert [line.findtext("SalesTaxCodeRef/FullName") for line in each(ret, "InvoiceLineRet")] == [
        "H",
        "G",
        "E",
        "H",
    ]
    assert money(ret, "Subtotal") == Decimal("200.00")
    assert money(ret, "SalesTaxTotal") == Decimal("19.40")  # 13 % of 130.00 + 5 % of 50.00
    assert money(ret, "BalanceRemaining") == Decimal("219.40")


def test_amounts_including_tax(canada: CompanyFile) -> None:
    (rs,) = send(
        canada,
        invoice(
            "Maple Promo",
            invoice_line("A7102", "<Amount>113.00</Amount>"),
            invoice_line("A7102", "<Amount>105.00</Amount>" + code("G")),
            header="<IsTaxIncluded>true</IsTaxIncluded>",
        ),
    )
    assert status_of(rs) == 0
    ret = rs.find("InvoiceRet")
    assert ret is not None
    assert text(ret, "IsTaxIncluded") == "true"
    assert money(ret, "SalesTaxTotal") == Decimal("18.00")  # 113 × 13/113 + 105 × 5/105
    assert money(ret, "Subtotal") == Decimal("200.00")
    assert money(ret, "BalanceRemaining") == Decimal("218.00")


def test_uk_invoice_at_20_percent(britain: CompanyFile) -> None:
    (rs,) = send(britain, invoice("Thames Promo", invoice_line("Mugs", "<Quantity>250</Quantity>")))
    ret = rs.find("InvoiceRet")
    assert ret is not None
    assert text(ret, "InvoiceLineRet/SalesTaxCodeRef/FullName") == "S"
    assert money(ret, "Subtotal") == Decimal("750.00")
    assert money(ret, "SalesTaxTotal") == Decimal("150.00")
    assert money(ret, "BalanceRemaining") == Decimal("900.00")


def test_uk_tax_is_rounded_once_per_tax_item_not_per_line(britain: CompanyFile) -> None:
    (rs,) = send(
        britain,
        invoice(
            "Thames Promo",
            invoice_line("Mugs", "<Amount>0.03</Amount>"),
            invoice_line("Mugs", "<Amount>0.03</Amount>"),
            invoice_line("Mugs", "<Amount>10.00</Amount>" + code("R")),
            invoice_line("Mugs", "<Amount>10.00</Amount>" + code("O")),
        ),
    )
    # 20 % of 0.06 = 0.012 → 0.01 (per line it would be 0.01 + 0.01); 5 % of 10.00 = 0.50.
    assert money(rs, "InvoiceRet/SalesTaxTotal") == Decimal("0.51")


def test_a_payment_pays_the_invoice_including_tax(canada: CompanyFile) -> None:
    send(canada, invoice("Maple Promo", invoice_line("A7102", "<Amount>100.00</Amount>")))
    (inv,) = canada.documents("Invoice")
    (rs,) = send(
        canada,
        "<ReceivePaymentAddRq><ReceivePaymentAdd><CustomerRef><FullName>Maple Promo</FullName></CustomerRef>"
        f"<TotalAmount>113.00</TotalAmount><AppliedToTxnAdd><TxnID>{inv['TxnID']}</TxnID>"
        "<PaymentAmount>113.00</PaymentAmount></AppliedToTxnAdd></ReceivePaymentAdd></ReceivePaymentAddRq>",
    )
    assert status_of(rs) == 0
    assert canada.documents("Invoice")[0]["IsPaid"] == "true"


def test_us_invoice_is_unchanged(company: CompanyFile) -> None:
    send(company, customer_add("Acme"), non_inventory_add("Pens", "10.00", extra=code("Tax")))
    (rs,) = send(company, invoice("Acme", invoice_line("Pens", "<Quantity>10</Quantity>")))
    ret = rs.find("InvoiceRet")
    assert ret is not None
    assert text(ret, "ItemSalesTaxRef/FullName") == "State Sales Tax"
    assert money(ret, "SalesTaxPercentage") == Decimal("8.25")
    assert money(ret, "SalesTaxTotal") == Decimal("8.25")
    assert ret.find("CurrencyRef") is None


# -- each edition's rules on writes --------------------------------------------------------------
US_FOREIGN = [
    pytest.param(
        invoice(
            "Acme",
            invoice_line("Pens", "<Amount>10.00</Amount>"),
            header="<IsTaxIncluded>false</IsTaxIncluded>",
        ),
        "IsTaxIncluded",
        "InvoiceRet",
        id="InvoiceAdd-IsTaxIncluded",
    ),
    pytest.param(
        "<BillAddRq><BillAdd><VendorRef><FullName>Gemline</FullName></VendorRef>"
        f"{code('Tax')}<ExpenseLineAdd><AccountRef><FullName>Cost of Goods Sold</FullName></AccountRef>"
        "<Amount>10.00</Amount></ExpenseLineAdd></BillAdd></BillAddRq>",
        "SalesTaxCodeRef",
        "BillRet",
        id="BillAdd-SalesTaxCodeRef",
    ),
    pytest.param(
        "<BillAddRq><BillAdd><VendorRef><FullName>Gemline</FullName></VendorRef>"
        "<ExpenseLineAdd><AccountRef><FullName>Cost of Goods Sold</FullName></AccountRef>"
        f"<Amount>10.00</Amount>{code('Tax')}</ExpenseLineAdd></BillAdd></BillAddRq>",
        "SalesTaxCodeRef",
        "BillRet",
        id="ExpenseLineAdd-SalesTaxCodeRef",
    ),
    pytest.param(
        "<PurchaseOrderAddRq><PurchaseOrderAdd><VendorRef><FullName>Gemline</FullName></VendorRef>"
        "<IsTaxIncluded>true</IsTaxIncluded><PurchaseOrderLineAdd><ItemRef><FullName>Pens</FullName></ItemRef>"
        f"<Quantity>2</Quantity>{code('Tax')}</PurchaseOrderLineAdd></PurchaseOrderAdd></PurchaseOrderAddRq>",
        "IsTaxIncluded",
        "PurchaseOrderRet",
        id="PurchaseOrderAdd-IsTaxIncluded-and-line-code",
    ),
    pytest.param(
        customer_add("Border Promo", extra="<SalesTaxCountry>Canada</SalesTaxCountry>"),
        "SalesTaxCountry",
        "CustomerRet",
        id="CustomerAdd-SalesTaxCountry",
    ),
    pytest.param(
        "<VendorAddRq><VendorAdd><Name>Leed's</Name><TaxRegistrationNumber>123456789RT0001</TaxRegistrationNumber>"
        "</VendorAdd></VendorAddRq>",
        "TaxRegistrationNumber",
        "VendorRet",
        id="VendorAdd-TaxRegistrationNumber",
    ),
]


@pytest.mark.parametrize(("request_xml", "field", "ret_name"), US_FOREIGN)
def test_elements_not_in_us_desktop_are_dropped_with_warning_530(
    company: CompanyFile, request_xml: str, field: str, ret_name: str
) -> None:
    setup = send(
        company,
        customer_add("Acme"),
        non_inventory_add("Pens", "10.00"),
        "<VendorAddRq><VendorAdd><Name>Gemline</Name></VendorAdd></VendorAddRq>",
    )
    assert [status_of(r) for r in setup] == [0, 0, 0]

    (rs,) = send(company, request_xml)

    assert (status_of(rs), rs.get("statusSeverity")) == (530, "Warn")
    assert rs.get("statusMessage") == f'The field "{field}" is not supported by this implementation.'
    ret = rs.find(ret_name)
    assert ret is not None  # saved, without the field
    assert ret.find(f".//{field}") is None
    assert all(line.find("SalesTaxCodeRef") is None for line in ret if line.tag.endswith("LineRet"))


def test_a_us_bill_carries_no_tax(company: CompanyFile) -> None:
    send(company, "<VendorAddRq><VendorAdd><Name>Gemline</Name></VendorAdd></VendorAddRq>")
    (rs,) = send(
        company,
        "<BillAddRq><BillAdd><VendorRef><FullName>Gemline</FullName></VendorRef>"
        "<ExpenseLineAdd><AccountRef><FullName>Cost of Goods Sold</FullName></AccountRef>"
        f"<Amount>100.00</Amount>{code('Tax')}</ExpenseLineAdd></BillAdd></BillAddRq>",
    )
    assert money(rs, "BillRet/AmountDue") == Decimal("100.00")


def test_us_only_elements_are_dropped_in_canadian_and_uk_files(
    canada: CompanyFile, britain: CompanyFile
) -> None:
    (rs,) = send(
        canada,
        customer_add(
            "Lakeshore Promo", extra="<ItemSalesTaxRef><FullName>HST ON on Sales</FullName></ItemSalesTaxRef>"
        ),
    )
    assert status_of(rs) == 530
    assert rs.get("statusMessage") == 'The field "ItemSalesTaxRef" is not supported by this implementation.'
    assert rs.find("CustomerRet/ItemSalesTaxRef") is None

    (rs,) = send(
        britain,
        "<VendorAddRq><VendorAdd><Name>Leeds Mugs</Name><IsVendorEligibleFor1099>true</IsVendorEligibleFor1099>"
        "</VendorAdd></VendorAddRq>",
    )
    assert status_of(rs) == 530
    assert rs.find("VendorRet/IsVendorEligibleFor1099") is None


def test_tax_elements_of_canadian_files_are_accepted_there(canada: CompanyFile) -> None:
    (rs,) = send(
        canada,
        customer_add(
            "Quebec Promo",
            extra="<SalesTaxCountry>Canada</SalesTaxCountry><TaxRegistrationNumber>123456789RT0001</TaxRegistrationNumber>",
        ),
    )
    assert status_of(rs) == 0
    assert text(rs, "CustomerRet/SalesTaxCountry") == "Canada"
    assert text(rs, "CustomerRet/TaxRegistrationNumber") == "123456789RT0001"


def test_a_us_sales_tax_code_cannot_link_to_tax_items(company: CompanyFile) -> None:
    (rs,) = send(
        company,
        "<SalesTaxCodeAddRq><SalesTaxCodeAdd><Name>Out</Name><IsTaxable>true</IsTaxable>"
        "<ItemSalesTaxRef><FullName>State Sales Tax</FullName></ItemSalesTaxRef></SalesTaxCodeAdd></SalesTaxCodeAddRq>",
    )
    assert status_of(rs) == 530
    assert rs.find("SalesTaxCodeRet/ItemSalesTaxRef") is None


# -- purchases in Canadian files ---------------------------------------------------------------
def test_canadian_bill_with_purchase_tax(canada: CompanyFile) -> None:
    send(canada, "<VendorAddRq><VendorAdd><Name>Gemline</Name></VendorAdd></VendorAddRq>")
    (rs,) = send(
        canada,
        "<BillAddRq><BillAdd><VendorRef><FullName>Gemline</FullName></VendorRef>"
        f"{code('G')}"
        "<ExpenseLineAdd><AccountRef><FullName>Cost of Goods Sold</FullName></AccountRef>"
        "<Amount>40.00</Amount></ExpenseLineAdd>"  # the header's code: G
        "<ItemLineAdd><ItemRef><FullName>A7102</FullName></ItemRef><Quantity>100</Quantity>"
        f"<Cost>1.15</Cost>{code('H')}</ItemLineAdd>"
        "<ItemLineAdd><ItemRef><FullName>Setup</FullName></ItemRef>"
        f"<Amount>10.00</Amount>{code('E')}</ItemLineAdd>"
        "</BillAdd></BillAddRq>",
    )
    assert status_of(rs) == 0
    ret = rs.find("BillRet")
    assert ret is not None
    assert text(ret, "ExpenseLineRet/SalesTaxCodeRef/FullName") == "G"
    assert text(ret, "SalesTaxCodeRef/FullName") == "G"
    # 40.00 + 115.00 + 10.00 net; 5 % of 40.00 = 2.00; 13 % of 115.00 = 14.95.
    assert money(ret, "AmountDue") == Decimal("181.95")
    assert money(ret, "OpenAmount") == Decimal("181.95")
    (vendor,) = canada.find("Vendor", Name="Gemline")
    assert vendor["Balance"] == "181.95"


def test_canadian_purchase_order_with_tax_included(canada: CompanyFile) -> None:
    send(canada, "<VendorAddRq><VendorAdd><Name>Gemline</Name></VendorAdd></VendorAddRq>")
    (rs,) = send(
        canada,
        "<PurchaseOrderAddRq><PurchaseOrderAdd><VendorRef><FullName>Gemline</FullName></VendorRef>"
        f"<IsTaxIncluded>true</IsTaxIncluded>{code('H')}"
        "<PurchaseOrderLineAdd><ItemRef><FullName>A7102</FullName></ItemRef>"
        "<Amount>113.00</Amount></PurchaseOrderLineAdd></PurchaseOrderAdd></PurchaseOrderAddRq>",
    )
    assert status_of(rs) == 0
    assert money(rs, "PurchaseOrderRet/TotalAmount") == Decimal("113.00")
    assert text(rs, "PurchaseOrderRet/PurchaseOrderLineRet/SalesTaxCodeRef/FullName") == "H"


def test_a_bill_receiving_a_canadian_purchase_order_keeps_its_codes(canada: CompanyFile) -> None:
    send(canada, "<VendorAddRq><VendorAdd><Name>Gemline</Name></VendorAdd></VendorAddRq>")
    (po_rs,) = send(
        canada,
        "<PurchaseOrderAddRq><PurchaseOrderAdd><VendorRef><FullName>Gemline</FullName></VendorRef>"
        "<PurchaseOrderLineAdd><ItemRef><FullName>A7102</FullName></ItemRef><Quantity>100</Quantity>"
        f"<Rate>1.15</Rate>{code('H')}</PurchaseOrderLineAdd></PurchaseOrderAdd></PurchaseOrderAddRq>",
    )
    assert money(po_rs, "PurchaseOrderRet/TotalAmount") == Decimal("129.95")  # 115.00 + 14.95
    po_id = text(po_rs, "PurchaseOrderRet/TxnID")

    (rs,) = send(
        canada,
        "<BillAddRq><BillAdd><VendorRef><FullName>Gemline</FullName></VendorRef>"
        f"<LinkToTxnID>{po_id}</LinkToTxnID></BillAdd></BillAddRq>",
    )
    assert status_of(rs) == 0
    assert text(rs, "BillRet/ItemLineRet/SalesTaxCodeRef/FullName") == "H"
    assert money(rs, "BillRet/AmountDue") == Decimal("129.95")


def test_an_invoice_mod_recomputes_the_canadian_tax(canada: CompanyFile) -> None:
    (rs,) = send(canada, invoice("Maple Promo", invoice_line("A7102", "<Amount>100.00</Amount>")))
    ret = rs.find("InvoiceRet")
    assert ret is not None
    line_id = text(ret, "InvoiceLineRet/TxnLineID")
    (mod,) = send(
        canada,
        f"<InvoiceModRq><InvoiceMod><TxnID>{text(ret, 'TxnID')}</TxnID>"
        f"<EditSequence>{text(ret, 'EditSequence')}</EditSequence>"
        f"<InvoiceLineMod><TxnLineID>{line_id}</TxnLineID>{code('G')}</InvoiceLineMod>"
        "</InvoiceMod></InvoiceModRq>",
    )
    assert status_of(mod) == 0
    assert money(mod, "InvoiceRet/SalesTaxTotal") == Decimal("5.00")
    assert money(mod, "InvoiceRet/BalanceRemaining") == Decimal("105.00")
    (customer,) = canada.find("Customer", Name="Maple Promo")
    assert customer["Balance"] == "105.00"
