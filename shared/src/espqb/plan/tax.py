"""How the order's tax reaches the company's books, per edition, with ESP's figure kept.

ESP's tax is the truth. Per regime (``espqb.plan.company``):

* **US** (with or without automated sales tax). "Add Total Tax as an Item": every line non-taxable and
  the tax on a line of its own. Otherwise, on QuickBooks Online, ESP's tax is sent as an override,
  ``TxnTaxDetail.TxnTaxCodeRef`` plus ``TotalTax`` — automated sales tax ignores a ``TotalTax`` that
  comes without the code (docs/quickbooks-online.md §6.3) — so the plan needs one of the company's
  tax codes. QuickBooks Desktop computes the tax with the sales tax item (the chosen one, else the
  company's default): the plan computes what the item's rate gives and refuses a difference.
* **Per-line codes** (Canada, UK, Australia…). Every line names one of the company's codes and
  QuickBooks computes the tax from their rates (docs/quickbooks-online.md §6.5, docs/web-connector.md
  §3.12): the plan computes the same figure from the rates it knows and refuses a difference, with
  the figures in the message. Lines without tax take the company's zero-rated/exempt code; with
  "Add Total Tax as an Item" every line does and the tax is a line of its own.
* An order without tax is sent without tax: every line non-taxable (or on the no-tax code), whatever
  the option, so that QuickBooks adds none.

Rounding follows QuickBooks: once per rate over the lines it applies to, half up
(docs/quickbooks-online.md §6.5 "Rounding"). On QuickBooks Online a discount applied before tax lowers
each taxed line's share pro rata; on Desktop the discount item line, coded taxable, lowers the taxable
base by the whole discount (docs/web-connector.md §3.5).

Without a ``QuickBooksCompany`` (the company's edition not read yet) the plan keeps the US behaviour
it had before editions were known.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from espqb.money import ZERO, format_money, money_sum, percent_of, quantize_money
from espqb.orders.snapshot import OrderSnapshot
from espqb.plan.company import QuickBooksCompany, TaxCode
from espqb.plan.decisions import Decisions
from espqb.plan.errors import Problems
from espqb.plan.inputs import PlanSettings
from espqb.plan.limits import PRODUCT_NAMES, Target
from espqb.plan.model import GlobalTaxCalculation, TaxCodeRef, TaxInstruction
from espqb.plan.totals import OrderFigures

__all__ = ["PurchaseTax", "SalesTax", "plan_purchase_tax", "plan_sales_tax", "tax_of"]

Instruction = Callable[..., TaxInstruction]  # builds the TaxInstruction with this order's figures

EXCLUDED: GlobalTaxCalculation = "TaxExcluded"  # ESP's prices and costs never include tax


@dataclass(frozen=True, slots=True)
class SalesTax:
    """The invoice's tax treatment: the instruction, and what each kind of line carries."""

    instruction: TaxInstruction
    lines_keep_taxable: bool  # US: lines send their own taxable flag; False: every line non-taxable
    taxable_code: TaxCodeRef | None = None  # per-line codes: the code on taxable lines
    no_tax_code: TaxCodeRef | None = None  # per-line codes: the code on every other line
    notes: tuple[str, ...] = ()

    def line_code(self, taxable: bool) -> TaxCodeRef | None:
        if self.taxable_code is not None and taxable and self.lines_keep_taxable:
            return self.taxable_code
        return self.no_tax_code


@dataclass(frozen=True, slots=True)
class PurchaseTax:
    """The code on bill and purchase-order lines outside the US, and the tax it adds."""

    code: TaxCodeRef | None
    rates: tuple[Decimal, ...] = ()
    global_calculation: GlobalTaxCalculation | None = None

    def on(self, net: Decimal) -> Decimal:
        return tax_of(net, self.rates)


def tax_of(base: Decimal, rates: Sequence[Decimal]) -> Decimal:
    """Tax QuickBooks computes on ``base``: each rate rounded once (half up), then summed."""
    return money_sum(percent_of(base, rate) for rate in rates if rate)


def _ref(code: TaxCode) -> TaxCodeRef:
    return TaxCodeRef(id=code.id, name=code.name)


def _rates_text(code: TaxCode) -> str:
    parts = [f"{r.percent.normalize():f} % {r.name}" for r in code.sales_rates if r.percent]
    return " + ".join(parts) or f"{code.name} (0 %)"


def plan_sales_tax(
    order: OrderSnapshot,
    figures: OrderFigures,
    decisions: Decisions,
    settings: PlanSettings,
    company: QuickBooksCompany | None,
    target: Target,
    problems: Problems,
) -> SalesTax:
    mode, tax = decisions.tax_mode, figures.tax
    rate = order.tax.rate_percent if order.tax is not None else None
    as_item = mode == "item"

    def instruction(**extra: object) -> TaxInstruction:
        fields: dict[str, object] = {
            "mode": mode,
            "code": decisions.tax_code,
            "amount": tax,
            "rate_percent": rate,
            "override_total": False,
        }
        fields.update(extra)
        return TaxInstruction(**fields)  # type: ignore[arg-type]  # the keys are TaxInstruction's

    if company is None:
        # Before the company's edition is known: US lines, ESP's tax as QBO's total override; Desktop
        # computes the tax with a sales tax item whose rate is not known here.
        notes = () if as_item or target == "qbo" else (_desktop_computes(tax),)
        return SalesTax(
            instruction(override_total=target == "qbo" and not as_item),
            lines_keep_taxable=not as_item,
            notes=notes,
        )
    if company.regime == "per_line_codes":
        return _per_line_codes(order, figures, decisions, settings, company, target, problems, instruction)
    regime = company.regime
    if as_item or tax == ZERO:
        return SalesTax(instruction(regime=regime, expected=ZERO), lines_keep_taxable=False)
    if target == "qbo":
        code = _override_code(order, decisions, settings, company, problems)
        return SalesTax(
            instruction(
                regime=regime,
                override_total=True,
                code=code.name if code else decisions.tax_code,
                code_ref=_ref(code) if code else None,
            ),
            lines_keep_taxable=True,
        )
    return _desktop_us(figures, decisions, settings, company, problems, instruction)


def _override_code(
    order: OrderSnapshot,
    decisions: Decisions,
    settings: PlanSettings,
    company: QuickBooksCompany,
    problems: Problems,
) -> TaxCode | None:
    """QBO US: the code that goes with ESP's ``TotalTax`` (automated sales tax needs both)."""
    wanted = decisions.tax_code or (
        settings.tax_default.code if settings.tax_default.option == "code" else None
    )
    if wanted:
        code = company.tax_code(wanted)
        if code is None and company.tax_codes:
            problems.add(
                "choices.tax",
                f"QuickBooks Online has no tax code “{wanted}”: choose one of the company's tax codes "
                "(Settings → Tax, or the dialog), or send with “Add Total Tax as an Item”.",
            )
        # Codes not read yet: the name as chosen; the encoder finds its Id in QuickBooks.
        return code if code is not None else TaxCode(id=None, name=wanted)
    name = order.tax.name if order.tax is not None else None
    rate = order.tax.rate_percent if order.tax is not None else None
    code = company.sales_code_for(name, rate)
    if code is None:
        # Automated sales tax chooses the rates itself; any of the company's sales codes carries the override.
        code = next((c for c in company.tax_codes if c.sales_rates and c.taxable), None)
    if code is None:
        problems.add(
            "choices.tax",
            f"The order's tax of {format_money(order.tax.amount if order.tax else ZERO)} needs one of the "
            "company's tax codes in QuickBooks Online, and the company has none: set up sales tax in "
            "QuickBooks, or send with “Add Total Tax as an Item”.",
        )
    return code


def _desktop_us(
    figures: OrderFigures,
    decisions: Decisions,
    settings: PlanSettings,
    company: QuickBooksCompany,
    problems: Problems,
    make: Instruction,
) -> SalesTax:
    """Desktop US: the sales tax item computes the tax; check its figure against ESP's."""
    wanted = decisions.tax_code or company.default_sales_tax_item
    item = company.tax_code(wanted)
    ref = _ref(item) if item is not None else (TaxCodeRef(id=None, name=wanted) if wanted else None)
    if item is None or not item.sales_rates:
        note = _desktop_computes(figures.tax)
        return SalesTax(make(regime="us_manual", code_ref=ref), lines_keep_taxable=True, notes=(note,))
    base = _desktop_base(figures, settings.discount_before_tax)
    expected = tax_of(base, [r.percent for r in item.sales_rates])
    _check(expected, figures.tax, item, base, "qbd", problems)
    return SalesTax(make(regime="us_manual", code_ref=ref, expected=expected), lines_keep_taxable=True)


def _desktop_computes(tax: Decimal) -> str:
    return (
        "QuickBooks Desktop will compute the sales tax with its own sales tax item; ESP's tax is "
        f"{format_money(tax)}. Choose “Add Total Tax as an Item” to carry ESP's figure exactly."
    )


def _desktop_base(figures: OrderFigures, before_tax: bool) -> Decimal:
    # The discount item line is coded taxable when the discount comes before tax and a line is taxed,
    # and then lowers the taxable base by the whole discount (docs/web-connector.md §3.5).
    taxable = figures.taxable_subtotal
    if before_tax and figures.discount > 0 and taxable > 0:
        return money_sum([taxable, -figures.discount])
    return taxable


def _online_base(figures: OrderFigures, before_tax: bool) -> Decimal:
    # QBO lowers the taxed lines by their share of the discount (discount × taxed / subtotal, to the
    # cent) when the discount comes before tax (ApplyTaxAfterDiscount).
    taxable = figures.taxable_subtotal
    if not before_tax or figures.discount == ZERO or figures.subtotal == ZERO or taxable == ZERO:
        return taxable
    share = quantize_money(figures.discount * taxable / figures.subtotal)
    return money_sum([taxable, -share])


def _check(
    expected: Decimal, tax: Decimal, code: TaxCode, base: Decimal, target: Target, problems: Problems
) -> None:
    if expected == tax:
        return
    problems.add(
        "order.tax.amount",
        f"{PRODUCT_NAMES[target]} computes {_rates_text(code)} on {format_money(base)} = {format_money(expected)}, "
        f"but the order's tax is {format_money(tax)}: nothing was written. Send with “Add Total Tax as an "
        "Item” to carry ESP's figure, or choose the tax code that gives ESP's tax.",
    )


def _per_line_codes(
    order: OrderSnapshot,
    figures: OrderFigures,
    decisions: Decisions,
    settings: PlanSettings,
    company: QuickBooksCompany,
    target: Target,
    problems: Problems,
    make: Instruction,
) -> SalesTax:
    country = company.country_name
    chosen_none = settings.tax_default.no_tax_code
    no_tax = company.tax_code(chosen_none) if chosen_none else company.no_tax_code()
    if no_tax is None:
        problems.add(
            "settings.tax_default.no_tax_code",
            f"Every line of a {country} company's documents needs one of its tax codes, and no zero-rated "
            "or exempt code was found for the lines without tax: choose one in Settings → Tax.",
        )
    no_tax_ref = _ref(no_tax) if no_tax is not None else None
    common: dict[str, object] = {"regime": "per_line_codes", "global_calculation": EXCLUDED}
    if decisions.tax_mode == "item" or figures.tax == ZERO or figures.taxable_subtotal == ZERO:
        if figures.tax > 0 and decisions.tax_mode != "item":
            problems.add(
                "order.tax.amount",
                f"The order has tax of {format_money(figures.tax)} but no taxable line, so no tax code "
                "can carry it: send with “Add Total Tax as an Item”.",
            )
        return SalesTax(
            make(**common, expected=ZERO),
            lines_keep_taxable=False,
            no_tax_code=no_tax_ref,
        )
    wanted = decisions.tax_code or settings.tax_default.sales_code
    if wanted:
        code = company.tax_code(wanted)
        if code is None:
            problems.add(
                "choices.tax",
                f"The company has no tax code “{wanted}”: choose one of its codes "
                f"({', '.join(c.name for c in company.tax_codes) or 'none read yet'}).",
            )
    else:
        name = order.tax.name if order.tax is not None else None
        rate = order.tax.rate_percent if order.tax is not None else None
        code = company.sales_code_for(name, rate)
        if code is None:
            said = " ".join(p for p in (name, f"({rate.normalize():f} %)" if rate is not None else None) if p)
            problems.add(
                "settings.tax_default.sales_code",
                "Choose which of the company's tax codes carries this order's tax of "
                f"{format_money(figures.tax)} (Settings → Tax, or a tax code in the dialog): none of its "
                f"codes matches the order's tax{' ' + said if said else ''}.",
            )
    if code is None:
        return SalesTax(make(**common), lines_keep_taxable=True, no_tax_code=no_tax_ref)
    before_tax = settings.discount_before_tax
    base = _online_base(figures, before_tax) if target == "qbo" else _desktop_base(figures, before_tax)
    expected = tax_of(base, [r.percent for r in code.sales_rates])
    _check(expected, figures.tax, code, base, target, problems)
    return SalesTax(
        make(**common, code=code.name, code_ref=_ref(code), expected=expected),
        lines_keep_taxable=True,
        taxable_code=_ref(code),
        no_tax_code=no_tax_ref,
    )


def plan_purchase_tax(
    settings: PlanSettings, company: QuickBooksCompany | None, problems: Problems
) -> PurchaseTax:
    """Outside the US: the code on every bill and purchase-order line (US documents carry none)."""
    if company is None or company.regime != "per_line_codes":
        return PurchaseTax(code=None)
    wanted = settings.tax_default.purchase_code
    code = company.tax_code(wanted) if wanted else company.no_tax_code(purchases=True)
    if code is None:
        problems.add(
            "settings.tax_default.purchase_code",
            f"Every bill and purchase-order line of a {company.country_name} company needs one of its tax "
            + (
                f"codes, and it has no code “{wanted}”"
                if wanted
                else "codes, and no zero-rated or exempt code was found"
            )
            + ": choose one in Settings → Tax.",
        )
        return PurchaseTax(code=None, global_calculation=EXCLUDED)
    return PurchaseTax(
        code=_ref(code),
        rates=tuple(r.percent for r in code.purchase_rates),
        global_calculation=EXCLUDED,
    )
