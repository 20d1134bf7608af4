"""Workbook stage 5: each product's records become its case, through the one case builder.

reader → sheets → rows (records) → flags → products → **cases**: the Product row, BOM
lines, cost lines, consignment, transit stops and facts of one product are handed to
:mod:`origin.build` as located records (sheet, row, column), which builds the good, the
Materials and their tree (by parent ids or levels, any depth), the costs and the
consignment. What is particular to a workbook stays here: amounts in another currency
converted by a given exact rate or a share of a product amount (:class:`Money`), the
Consignment sheet's route against the Transit sheet, yes/no facts, and the import's
account of each product (:class:`~origin.workbook.records.ProductImport`, the ledger).
The builder's problems become issues located to the cell, naming the product.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Mapping
from decimal import Decimal
from itertools import chain
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any, cast

from origin import build, registry
from origin.model import Case, Consignment, Cost, Good, Material
from origin.workbook import fields
from origin.workbook.fields import CellError
from origin.workbook.mapping import Layout
from origin.workbook.records import ProductImport, Record

if TYPE_CHECKING:
    from origin.workbook.reader import _Reader

_SHEET = attrgetter("sheet")
_VALUES = attrgetter("values")
_PART = itemgetter("part")


def build_product(
    r: _Reader,
    product: str,
    rows: Mapping[str, list[Record]],
    rates: Mapping[tuple[str, str], Decimal],
    law_facts: Mapping[str, Any],
) -> None:
    """The product's case when none of its rows failed, else its rows reported; either
    way one :class:`ProductImport` and every row accounted for in the ledger."""
    ledger = r.result.ledger
    all_rows = list(chain.from_iterable(rows.values()))
    errors_before = len(r.result.errors)
    heads = rows.get("product", [])
    if not heads:
        first = all_rows[0]
        r.issue(
            f"product {product!r} has rows here but no row on the Product sheet",
            sheet=first.sheet,
            row=first.row,
            column=first.cells.get("product", ""),
            product=product,
        )
    elif len(heads) > 1:
        r.issue(
            f"product {product!r} appears on {len(heads)} Product rows (first at row "
            f"{heads[0].row})",
            heads[1].sheet,
            heads[1].row,
            product=product,
        )
    failed = r.missing_sheets or (
        bool(r.bad_rows) and any("__error__" in record.values for record in all_rows)
    )
    orphans = r.orphans.get(product)
    if orphans:
        first, why = orphans[0]
        more = f" (and {len(orphans) - 1} more such rows)" if len(orphans) > 1 else ""
        r.issue(
            f"product {product} is not decided: this {first.sheet} row{more} {why}, so it "
            f"may be one of {product}'s rows; give it the product id",
            first.sheet,
            first.row,
            first.cells.get("product", ""),
            product=product,
        )
        failed = True
    case = None
    if heads and len(heads) == 1 and not failed:
        b = build.Build()
        case = _case(r, b, product, heads[0], rows, rates, law_facts)
        for (sheet, row, column), message in b.problems:
            r.issue(message, sheet, row, column, product=product)
    if case is None or len(r.result.errors) > errors_before:
        for record in all_rows:
            if (record.sheet, record.row) not in r.bad_rows:
                ledger.report(
                    record.sheet, record.row, f"product {product} not imported (see its errors)"
                )
        head_hs = heads[0].values.get("hs") if heads else None
        hs = str(heads[0].values.get("tariff_item") or head_hs or "") if heads else ""
        r.result.products.append(ProductImport(r.workbook, product, None, 0, hs))
        return
    counts = Counter(map(_SHEET, all_rows))  # by sheet, in order of first row
    for sheet, count in counts.items():
        ledger.accept(sheet, count)
    r.result.products.append(ProductImport(r.workbook, product, case, len(all_rows)))


def _case(  # noqa: PLR0917 - the product and its parts
    r: _Reader,
    b: build.Build,
    product: str,
    head: Record,
    rows: Mapping[str, list[Record]],
    rates: Mapping[tuple[str, str], Decimal],
    law_facts: Mapping[str, Any],
) -> Case | None:
    v = head.values
    currency = v.get("currency")
    if currency is None or "hs" not in v:
        return None  # reported as required
    tariff = build.tariff_item(
        b, v.get("tariff_item"), v["hs"], head.at("tariff_item"), "tariff item "
    )
    good = build.good(product, v["hs"], v, tariff)
    money = Money(b, r.layout, product, currency, rates, good)
    bom = rows.get("bom", [])
    split = _costs(b, product, rows.get("costs", []), money, bom)
    costs, own_costs = split if split is not None else (None, {})
    materials = _materials(r, b, product, bom, money, own_costs)
    consignment = _consignment(b, product, rows.get("consignment", []), rows.get("transit", []))
    facts = _facts(b, product, rows.get("facts", []), law_facts)
    per_agreement = _rules(b, product, rows.get("rules", []))
    if (
        materials is None
        or costs is None
        or isinstance(consignment, bool)
        or facts is None
        or per_agreement is None
    ):
        return None
    return build.case(
        good,
        currency,
        materials,
        costs,
        consignment or None,
        facts,
        v.get("psr"),
        v.get("reference", ""),
        per_agreement,
    )


def _materials(  # noqa: PLR0917 - the product and its parts
    r: _Reader,
    b: build.Build,
    product: str,
    records: list[Record],
    money: Money,
    own_costs: Mapping[str, tuple[Cost, ...]],
) -> tuple[Material, ...] | None:
    """The product's BOM: lines built as they were read where they could be (see
    :func:`origin.workbook.rows.prebuild`), the others now; then the tree."""
    values = list(map(_VALUES, records))
    parts = list(map(_PART, values))
    if len(set(parts)) == len(parts):  # the common case, without a look-up per line
        built: list[Material | None] = list(map(r.prebuilt.get, map(id, values)))
        ok = True
        # (a Material is always true: all() finds a missing one without a call per line)
        waiting = [] if all(built) else [at for at, line in enumerate(built) if line is None]
        for at in waiting:
            built[at] = material(records[at], money)  # each reports its problems
            ok = ok and built[at] is not None
        if not ok:
            return None
        made = cast(dict[str, Material], dict(zip(parts, built, strict=True)))
    else:
        prebuilt = r.prebuilt

        def make(record: build.Located) -> Material | None:
            return prebuilt.get(id(record.values)) or material(cast(Record, record), money)

        found = build.unique_parts(b, product, records, make)
        if not found:
            return None
        made = found
    held = r.held["bom"]["__keys__"]
    parent = "parent" in held and any("parent" in v for v in values)
    level = "level" in held and any("level" in v for v in values)
    if not parent and not level:
        return build.assemble(made, {"": parts}, own_costs)
    children = build.flat_tree(b, product, records, parent, level)
    if children is None:
        return None
    return build.assemble(made, children, own_costs)


def material(record: Record, money: Money | None) -> Material | None:
    """The BOM line as a Material without components (they are attached by the tree), its
    value and adjustments in the product's currency; None while ``money`` is not known
    (the line waits for the rates) or when a conversion failed (reported)."""
    v = record.values
    value = v.get("value")
    if value is not None and (type(value) is not Decimal or "currency" in v):
        if money is None:  # prebuilding: conversions wait for the rates
            return None
        converted = money.amount(record, "value")
        if not isinstance(converted, Decimal):
            return None
        value = converted
    adjustments = v.get("adjustments", ())
    if adjustments:
        if money is None:
            return None
        kept = []
        for kind, amount in adjustments:
            got = money.convert(record, "adjustments", amount)
            if got is None:
                return None
            kept.append((kind, got))
        adjustments = kept
    return build.material(v["part"], v, value, adjustments)


def _costs(
    b: build.Build, product: str, records: list[Record], money: Money, bom: list[Record]
) -> tuple[tuple[Cost, ...], dict[str, tuple[Cost, ...]]] | None:
    """The product's cost lines, and each material's own (by part id)."""
    parts = (
        {r.values.get("part") for r in bom} if any("part" in r.values for r in records) else set()
    )
    found: list[Cost] = []
    own: dict[str, list[Cost]] = defaultdict(list)
    ok = True
    seen: dict[tuple[str | None, str], int] = {}
    for record in records:
        v = record.values
        part = v.get("part")
        if part is not None and part not in parts:
            b.fail(record.at("part"), f"part id {part!r} is not a BOM line of product {product}")
            ok = False
            continue
        if (part, v["cost"]) in seen:
            b.fail(
                record.at("cost"),
                f"cost id {v['cost']!r} is used twice in product {product} (first at row "
                f"{seen[(part, v['cost'])]})",
            )
            ok = False
            continue
        seen[(part, v["cost"])] = record.row
        amount = money.amount(record, "amount")
        if not isinstance(amount, Decimal):
            ok = False
            continue
        (found if part is None else own[part]).append(
            build.cost(
                v["cost"],
                v["category"],
                amount,
                v.get("description", ""),
                v.get("incurred_in"),
                v.get("originating"),
            )
        )
    if not ok:
        return None
    return tuple(found), {part: tuple(lines) for part, lines in own.items()}


def _consignment(
    b: build.Build, product: str, records: list[Record], stops: list[Record]
) -> Consignment | bool | None:
    """The Consignment row with the Transit sheet's stops; False after a problem. A route
    of "direct" states no stops; without a route, stops state the transit."""
    if len(records) > 1:
        b.fail(
            (records[1].sheet, records[1].row, ""),
            f"product {product} has {len(records)} Consignment rows (one expected)",
        )
        return False
    transit = [
        build.stop(
            s.values["country"], s.values.get("operations"), s.values.get("entered_commerce")
        )
        for s in stops
    ]
    if not records:
        return build.consignment(None, None, transit) if stops else None
    head = records[0]
    v = head.values
    route = v.get("route")
    if route == "direct" and stops:
        b.fail(
            head.at("route"),
            f"route is 'direct' but the Transit sheet lists {len(stops)} stop(s) for "
            f"product {product}",
        )
        return False
    if route == "via transit" and not stops:
        b.fail(
            head.at("route"),
            f"route is 'via transit' but the Transit sheet lists no stops for product {product}",
        )
        return False
    stated = () if route == "direct" else (transit if stops else None)
    return build.consignment(v.get("exported_from"), v.get("imported_on"), stated)


def _facts(
    b: build.Build, product: str, records: list[Record], law_facts: Mapping[str, Any]
) -> dict[str, object] | None:
    """The product's facts by name; a fact the law reads as true/false takes yes/no words."""
    facts: dict[str, object] = {}
    ok = True
    for record in records:
        name, raw = record.values["fact"], record.values["value"]
        term = law_facts.get(name)
        if name in facts:
            b.fail(record.at("fact"), f"fact {name!r} is given twice for product {product}")
            ok = False
            continue
        if term is not None and term.group == "bool":
            try:
                flag = fields.flag(raw, name)
            except CellError as error:
                b.fail(record.at("value"), str(error))
                ok = False
                continue
            if flag is None:
                continue
            facts[name] = flag
        else:
            facts[name] = raw
    return facts if ok else None


def _rules(b: build.Build, product: str, records: list[Record]) -> dict[str, str] | None:
    """The Rules sheet: each agreement's product-specific rule for the product. An agreement
    that is not installed, or given twice, is a located error (a rule must never be applied
    to the wrong agreement, nor one of two picked silently)."""
    known = registry.names()
    rules: dict[str, str] = {}
    ok = True
    for record in records:
        name = record.values["agreement"].strip().lower()
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" — did you mean {close[0]!r}?" if close else f" (known: {', '.join(known)})"
            b.fail(record.at("agreement"), f"unknown agreement {name!r}{hint}")
            ok = False
        elif name in rules:
            b.fail(
                record.at("agreement"), f"the rule of {name} is given twice for product {product}"
            )
            ok = False
        else:
            rules[name] = record.values["rule"]
    return rules if ok else None


class Money:
    """Amounts in the product's currency: converted by a given exact rate, or refused."""

    def __init__(  # noqa: PLR0917 - what a conversion needs
        self,
        b: build.Build,
        layout: Layout,
        product: str,
        currency: str,
        rates: Mapping[tuple[str, str], Decimal],
        good: Good,
    ) -> None:
        self.b, self.layout, self.product, self.currency, self.rates, self.good = (
            b,
            layout,
            product,
            currency,
            rates,
            good,
        )

    def amount(self, record: Record, key: str) -> Decimal | bool | None:
        """The field in product currency; False after reporting a problem."""
        value = record.values.get(key)
        if value is None:
            return None
        if isinstance(value, tuple):  # a share of a product amount (mapping percent_of)
            column = self._percent_base(record, key)
            if column is None:
                return False
            base = getattr(self.good, column)
            if base is None:
                self.b.fail(
                    record.at(key),
                    f"{key} is a percentage of the product's {column.replace('_', ' ')}, "
                    "which is not given",
                )
                return False
            return fields.scaled(value[1], base)
        converted = self.convert(record, key, value)
        return False if converted is None else converted

    def _percent_base(self, record: Record, key: str) -> str | None:
        layout = self.layout.role_of(record.sheet)
        if layout is None or key not in layout.columns:  # pragma: no cover - set when read
            return None
        return layout.columns[key].percent_of or None

    def convert(self, record: Record, key: str, value: Decimal) -> Decimal | None:
        line = record.values.get("currency", self.currency)
        if line == self.currency:
            return value
        rate = self.rates.get((line, self.currency))
        if rate is None:
            self.b.fail(
                (record.sheet, record.row, record.cells.get("currency", record.cells.get(key, ""))),
                f"amount in {line} but product {self.product} is in {self.currency}, and no "
                f"{line}/{self.currency} rate is given (add it to the Rates sheet or the "
                "mapping's [rates])",
            )
            return None
        return fields.scaled(value, rate)
