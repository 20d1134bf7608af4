"""Workbook stage 4: records grouped by product.

reader → sheets → rows (records) → flags → **products** (each record placed in its
product: by its product id, the level-0 line above it, or the only product; a row that
cannot be placed stops every product it could belong to) → cases
(:mod:`origin.workbook.cases`, through :mod:`origin.build`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from origin.workbook import cases, fields
from origin.workbook.problems import Severity
from origin.workbook.records import ImportResult, Record

if TYPE_CHECKING:
    from origin.workbook.reader import _Reader

REQUIRED_ROLES = frozenset(("product", "bom"))  # see check_sheets
NOTED_ROLES = frozenset(("costs",))


def check_sheets(r: _Reader) -> None:
    """A sheet the layout expects but the workbook lacks (deleted or renamed). Without the
    Product or BOM sheet a product would be decided on part of its inputs (no materials
    at all), so nothing is decided. Without Costs, cost-based methods see no cost lines:
    a warning, since many workbooks have none. Consignment, Transit, Facts and Rates
    only leave facts unknown, which the engine and the currency check already report."""
    present = ", ".join(repr(n) for n in r.sheet_names) or "none"
    for layout in r.layout.sheets:
        if layout.role in r.roles_found or layout.role not in REQUIRED_ROLES | NOTED_ROLES:
            continue
        required = layout.role in REQUIRED_ROLES
        title = fields.SHEET_TITLES[layout.role]
        names = " or ".join(repr(n) for n in layout.names)
        effect = (
            "no product is decided without it"
            if required
            else "no cost lines are read, so cost-based RVC methods count none"
        )
        r.issue(
            f"no {title} sheet: expected a sheet named {names} (sheets here: {present}); {effect}",
            severity=Severity.ERROR if required else Severity.WARNING,
        )
        r.missing_sheets = r.missing_sheets or required


def finish(r: _Reader) -> ImportResult:
    check_sheets(r)
    law_facts = r.law.vocabularies.get("facts", {}) if r.law is not None else {}
    rates = dict(r.layout.rates)
    for record in r.records.get("rates", []):
        if "__error__" in record.values:
            continue
        pair = (record.values["from"], record.values["to"])
        rates[pair] = record.values["rate"]
        r.result.ledger.accept(record.sheet)
    products = group(r)
    for product, rows in products.items():
        cases.build_product(r, product, rows, rates, law_facts)
    return r.result


def group(r: _Reader) -> dict[str, dict[str, list[Record]]]:
    """Rows grouped by product id, in order of first appearance on the Product sheet.

    A row that cannot be placed in exactly one product (no product id in a workbook of
    several, or an id that is not on the Product sheet) may be a line of any product it
    could belong to: it stops each of them (see ``_orphan``), never only itself."""
    product_ids = [
        r.values["product"] for r in r.records.get("product", []) if "product" in r.values
    ]
    known = list(dict.fromkeys(product_ids))
    single = known[0] if len(known) == 1 else None
    by_case: dict[str, list[str]] = defaultdict(list)
    for name in known:
        by_case[name.casefold()].append(name)
    grouped: dict[str, dict[str, list[Record]]] = {p: defaultdict(list) for p in product_ids}
    for role in ("product", "bom", "costs", "consignment", "transit", "facts", "rules"):
        current: str | None = None
        records = r.records.get(role, [])
        if single is not None and _one_product(r, role, single):
            # One product and every row names it (or none): no per-row decisions.
            grouped[single][role].extend(records)
            continue
        for record in records:
            product = record.values.get("product")
            if role == "bom" and record.values.get("level") == 0:
                # ERP style: a level-0 line is the product itself and opens its BOM.
                current = record.values.get("part")
                _reject(r, record, f"level 0: the product {current}'s own line", False)
                continue
            if product is None:
                product = current or single
            if product is None:
                why = f"has no product id and the workbook has {len(known)} products"
                _reject(
                    r,
                    record,
                    f"no product id: the workbook has {len(known)} products and the row "
                    "could be a row of any of them, so none is decided"
                    if known
                    else "no product id, and the Product sheet names no product",
                )
                _orphan(r, record, known, why)
                continue
            if product not in grouped and known:
                alike = by_case.get(product.casefold())
                named = "names" if "product" in record.values else "follows the level-0 line of"
                if alike:
                    why = (
                        f"{named} product {product!r}, which differs from "
                        f"{' and '.join(alike)} only in case"
                    )
                else:
                    why = f"{named} product {product!r}, which is not on the Product sheet"
                _orphan(r, record, alike or known, why)
            group = grouped.get(product)
            if group is None:
                group = grouped[product] = defaultdict(list)
            group[role].append(record)
    return grouped


def _orphan(r: _Reader, record: Record, products: Iterable[str], why: str) -> None:
    """``record`` may be a row of each of ``products``: none of them is decided without
    it (a missing BOM line, cost or fact can turn a verdict)."""
    for product in products:
        r.orphans[product].append((record, why))


def _one_product(r: _Reader, role: str, product: str) -> bool:
    """Every row of ``role`` is of ``product`` (named or not) and none is an ERP level-0
    BOM line (from the values held, see ``held``; rows added by the XML check hold none)."""
    held = r.held[role]
    return held["product"] <= {product} and 0 not in held["level"]


def _reject(r: _Reader, record: Record, reason: str, error: bool = True) -> None:
    if error:
        r.issue(reason, record.sheet, record.row)
    r.result.ledger.report(record.sheet, record.row, reason)
