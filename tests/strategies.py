"""Shared hypothesis strategies: ANZCERTA cases as JSON-shaped dicts (origin-case/1).

Cases are drawn as the documents a person would write and are turned into
:class:`~origin.model.Case` values by the real reader (``case_from_json``), so every
property also exercises the reader. Money is exact: integer cents turned into a
:class:`~decimal.Decimal` with two places, written as text (``"12.34"``) like the worked
case files; no float is ever drawn.

HS codes are real HS 2022 subheadings. The goods are furniture (94.01 / 94.03); the
materials include parts of furniture in the good's own heading (9401.99, 9403.91) so the
tariff-shift tests and the r 35 de minimis rule are reached.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from origin.caseio import SCHEMA

DATE = dt.date(2025, 6, 1)

MATERIAL_HS = (
    "4407.11",  # sawn coniferous wood
    "8302.42",  # base-metal mountings for furniture
    "3208.90",  # paints and varnishes
    "9403.91",  # parts of furniture of 94.03, of wood
    "7306.30",  # welded tubes of iron or steel
    "5407.61",  # woven polyester fabric
    "9401.99",  # parts of seats of 94.01
    "7318.15",  # screws and bolts
    "4819.10",  # cartons of corrugated paper
    "6805.20",  # abrasive paper
)
# Parts of furniture (chapter 94) drawn more often: they fail CC, and CTH for their own good.
WEIGHTED_HS = (*MATERIAL_HS, *(("9403.91", "9401.99") * 3))
GOOD_HS = ("9403.30", "9401.71")
# A material in the good's own heading: it fails CTH and needs de minimis.
SAME_HEADING = {"9403.30": "9403.91", "9401.71": "9401.99"}
# Materials that change heading for either good (chapters other than 94).
OTHER_HEADING = tuple(code for code in MATERIAL_HS if not code.startswith("94"))

PSRS = (
    "CTH",
    "CTSH",
    "CC",
    "RVC40 (build-down)",
    "RVC50 (build-up)",
    "CTH or RVC40 (build-down)",
    "CTH and RVC35 (build-down)",
    "RVC45",
    "RVC40 (build-down) or RVC40 (build-up)",
    "CC or RVC45",
)
BOTH_VALUE_METHODS = "RVC40 (build-down) or RVC40 (build-up)"
STATUSES = ("originating", "non-originating", "undetermined")
COST_CATEGORIES = (
    "wages",
    "factory_property",
    "energy_supplies",
    "profit",
    "general_business",
    "inner_containers",
)
ADJUSTMENTS = ("freight", "duties", "waste", "processing_in_party", "originating_inputs")
MAX_CENTS = 10**9  # 10 million in the currency: far inside Decimal's 28 digits


def money(cents: int) -> Decimal:
    """Integer cents as an exact two-place Decimal: 1234 → Decimal('12.34')."""
    return Decimal(cents).scaleb(-2)


def text_of(cents: int) -> str:
    """Integer cents as the amount text a case file holds: 1234 → '12.34'."""
    return str(money(cents))


def cents(min_value: int = 0, max_value: int = MAX_CENTS) -> st.SearchStrategy[int]:
    return st.integers(min_value=min_value, max_value=max_value)


def amounts(min_cents: int = 0, max_cents: int = MAX_CENTS) -> st.SearchStrategy[Decimal]:
    """Exact money: Decimal with two places, drawn as integer cents."""
    return cents(min_cents, max_cents).map(money)


# --------------------------------------------------------------------------- materials


def accessories() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"kind": st.sampled_from(("accessory", "spare-part", "tool", "instructional-material"))},
        optional={"invoiced_separately": st.booleans(), "customary": st.booleans()},
    )


@st.composite
def adjustment_lists(draw: st.DrawFn, value_cents: int) -> list[dict[str, str]]:
    """Adjustments whose total never exceeds the value (so subtracting stays ≥ 0)."""
    kinds = draw(st.lists(st.sampled_from(ADJUSTMENTS), max_size=2))
    budget = value_cents
    found = []
    for kind in kinds:
        amount = draw(cents(0, budget))
        budget -= amount
        found.append({"kind": kind, "amount": text_of(amount)})
    return found


@st.composite
def materials(
    draw: st.DrawFn,
    ident: str,
    *,
    statuses: tuple[str, ...] = STATUSES,
    hs_codes: tuple[str, ...] = WEIGHTED_HS,
    value_known: bool | None = None,
    flags: bool = True,
    adjustments: bool = True,
    max_cents: int = 10**7,
) -> dict[str, Any]:
    """One BOM line. ``value_known=None`` leaves the value out now and then."""
    m: dict[str, Any] = {"id": ident, "status": draw(st.sampled_from(statuses))}
    m["hs"] = draw(st.sampled_from(hs_codes))
    known = draw(st.integers(0, 9)) > 0 if value_known is None else value_known
    value = draw(cents(0, max_cents))
    if known:
        m["value"] = text_of(value)
    if flags:
        if draw(st.integers(0, 5)) == 0:
            m["indirect"] = True
        if draw(st.integers(0, 5)) == 0:
            m["self_produced"] = True
        packaging = draw(st.sampled_from((None, None, None, None, "retail", "shipment")))
        if packaging is not None:
            m["packaging"] = packaging
        if draw(st.integers(0, 5)) == 0:
            m["accessory"] = draw(accessories())
    if adjustments and known and draw(st.integers(0, 5)) == 0:
        m["adjustments"] = draw(adjustment_lists(value))
    return m


@st.composite
def boms(
    draw: st.DrawFn,
    *,
    min_size: int = 0,
    max_size: int = 7,
    nested: bool = False,
    **options: Any,
) -> list[dict[str, Any]]:
    """A BOM with unique ids; ``nested`` lets a line carry its own one-level sub-BOM."""
    size = draw(st.integers(min_size, max_size))
    lines = []
    for i in range(size):
        line = draw(materials(f"M{i}", **options))
        if nested and draw(st.integers(0, 4)) == 0:
            # An intermediate material, decided bottom-up when its status is undetermined.
            parts = draw(st.integers(1, 3))
            line["components"] = [draw(materials(f"M{i}.{j}", **options)) for j in range(parts)]
            if "value" not in line and (options.get("value_known") or draw(st.booleans())):
                line["value"] = text_of(draw(cents(1, 10**7)))  # its AV in its own test
            line["psr"] = draw(st.sampled_from(PSRS))
            line["operations"] = ["assembly"]
        lines.append(line)
    return lines


# --------------------------------------------------------------------------- costs


@st.composite
def cost_lines(draw: st.DrawFn, max_size: int = 4) -> list[dict[str, Any]]:
    size = draw(st.integers(0, max_size))
    lines = []
    for i in range(size):
        category = draw(st.sampled_from(COST_CATEGORIES))
        line: dict[str, Any] = {
            "id": f"C{i}",
            "category": category,
            "amount": text_of(draw(cents(0, 10**7))),
        }
        if category == "inner_containers":
            line["originating"] = draw(st.booleans())
        if draw(st.integers(0, 4)) == 0:
            line["incurred_in"] = draw(st.sampled_from(("AU", "NZ", "CN")))
        lines.append(line)
    return lines


# --------------------------------------------------------------------------- cases


def goods(av_cents: st.SearchStrategy[int] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """A good made in Australia by assembly; adjusted value at least one cent."""
    return st.fixed_dictionaries(
        {
            "id": st.just("GOOD"),
            "hs": st.sampled_from(GOOD_HS),
            "adjusted_value": (av_cents if av_cents is not None else cents(1, 10**8)).map(text_of),
            "produced_in": st.just(["AU"]),
            "last_process_in": st.just("AU"),
            "operations": st.just(["assembly"]),
        }
    )


def case_document(
    good: dict[str, Any],
    psr: str | None,
    bom: list[dict[str, Any]],
    costs: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Assemble an origin-case/1 document (a JSON-shaped dict)."""
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "currency": "AUD",
        "good": good,
        "materials": bom,
        "costs": list(costs or ()),
        "consignment": {"exported_from": "AU", "transit": []},
    }
    if psr is not None:
        data["psr"] = psr
    return data


@st.composite
def cases(
    draw: st.DrawFn,
    *,
    psrs: st.SearchStrategy[str] | None = None,
    with_costs: bool = True,
    **bom_options: Any,
) -> dict[str, Any]:
    """A whole case document: good, PSR, BOM, optional cost sheet, direct consignment.

    The adjusted value is mostly drawn as 1 to 4 times the known material values, so RVC
    and de minimis outcomes fall on both sides of their thresholds.
    """
    good = draw(goods())
    psr = draw(psrs if psrs is not None else st.sampled_from(PSRS))
    bom = draw(boms(**bom_options))
    total = sum(int(Decimal(m["value"]) * 100) for m in bom if "value" in m)
    if total and draw(st.integers(0, 3)):
        good["adjusted_value"] = text_of(max(1, total * draw(st.integers(100, 400)) // 100))
    costs = draw(cost_lines()) if with_costs else []
    return case_document(good, psr, bom, costs)


# --------------------------------------------------------------------------- round trip


def _words(empty: bool) -> st.SearchStrategy[list[str]]:
    pool = ("assembly", "welding", "marking", "packaging", "unloading", "storing", "painting")
    return st.lists(st.sampled_from(pool), min_size=0 if empty else 1, max_size=3)


def _texts(empty: bool) -> st.SearchStrategy[str]:
    return st.text(min_size=0 if empty else 1, max_size=12)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def rich_cases(draw: st.DrawFn, *, empty: bool = True) -> dict[str, Any]:
    """A case document using (nearly) every field of origin-case/1, for the round trip.

    ``empty`` allows empty lists and empty strings in optional fields that are not the
    same as leaving the field out (an empty operations list means "no operations").
    """
    document = draw(cases(nested=True))
    good = document["good"]
    for key in ("fob", "ex_works", "transaction_value", "weight"):
        amount = draw(_maybe(amounts(0, 10**8)))
        if amount is not None:
            good[key] = str(amount)
    good["description"] = draw(_texts(True))
    good["operations"] = draw(_maybe(_words(empty)))
    if good["operations"] is None:
        del good["operations"]
    if draw(st.booleans()):
        good["wholly_obtained"] = draw(st.sampled_from(("minerals", "plants", "waste_scrap")))
    for m in document["materials"]:
        m["description"] = draw(_texts(True))
        if draw(st.booleans()):
            m["quantity"] = str(draw(amounts(0, 10**6)))
            m["unit"] = draw(_texts(empty))
        if draw(st.booleans()):
            m["weight"] = str(draw(amounts(0, 10**6)))
        if draw(st.booleans()):
            m["origin_country"] = draw(st.sampled_from(("AU", "NZ", "CN", "US")))
        if draw(st.booleans()):
            m["basis"] = draw(st.sampled_from(("customs-value", "acquisition-cost", "cif")))
        if draw(st.integers(0, 4)) == 0:
            m["attributes"] = draw(st.lists(st.sampled_from(("fungible", "x")), max_size=2))
        if draw(st.integers(0, 4)) == 0:
            m["operations"] = draw(_words(empty))
            m["produced_in"] = draw(st.sampled_from(("AU", "NZ")))
    transit = draw(
        st.lists(
            st.fixed_dictionaries(
                {"country": st.sampled_from(("SG", "AU", "FJ"))},
                optional={"operations": _words(empty), "entered_commerce": st.booleans()},
            ),
            max_size=2,
        )
    )
    document["consignment"] = {
        "exported_from": "AU",
        "imported_on": draw(st.dates(dt.date(2022, 1, 1), dt.date(2025, 12, 31))).isoformat(),
        "transit": transit,
    }
    document["reference"] = draw(_texts(True))
    if draw(st.booleans()):
        document["facts"] = {"accessories_raise_rvc": draw(st.booleans())}
    return document
