"""Cost sheets for the cost-based tests (ANZCERTA factory cost, factory or works cost).

The agreement's law file gives each cost category a group — ``labour``, ``overheads``,
``inner_containers`` or ``excluded`` — with the provision it comes from; this module sorts a
case's cost lines by those groups so that a cost-based RVC can be computed, not typed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import attrs

from origin.citation import Citation
from origin.determination import CostRow
from origin.engine import ZERO, CaseError
from origin.law import Term
from origin.model import Case, Cost


@attrs.frozen
class CostSheet:
    """A cost sheet sorted by the agreement's categories: counted, excluded; nothing dropped."""

    allowable: Decimal  # factory cost: allowable labour and overheads, wherever incurred
    allowable_in_parties: Decimal  # qualifying expenditure: those incurred in a party
    inner_containers: Decimal
    inner_containers_originating: Decimal
    excluded: tuple[tuple[str, Decimal, Citation], ...]
    counted: tuple[tuple[str, Decimal, Citation], ...]
    outside_parties: tuple[str, ...]  # allowable lines incurred outside the parties
    missing: tuple[str, ...]
    placed_by_default: tuple[str, ...]  # lines without incurred_in, taken at the last process
    rows: tuple[CostRow, ...] = ()  # every line as counted, for the explanation


def sort_costs(
    case: Case,
    categories: Mapping[str, Term],
    parties: Sequence[str] | frozenset[str],
    *,
    containers_by: str,
) -> CostSheet:
    """Sort the cost lines by the agreement's categories (groups from its law file).

    Labour and overhead lines count in the cost total wherever incurred, and in the
    qualifying part when incurred in a party. Container lines count in the total, and in the
    qualifying part when they originate in a party (``containers_by="origin"``, e.g. r 32) or
    were incurred in one (``containers_by="place"``, e.g. r 40(1)(b)(ii)(B)). Excluded
    categories are listed, never dropped. A cost line appearing twice is an error.
    """
    totals = {"allowable": ZERO, "qualifying": ZERO, "inner": ZERO, "inner_qualifying": ZERO}
    excluded: list[tuple[str, Decimal, Citation]] = []
    counted: list[tuple[str, Decimal, Citation]] = []
    outside_parties: list[str] = []
    missing: list[str] = []
    defaulted: list[str] = []
    rows: list[CostRow] = []
    seen: set[str] = set()
    for cost in case.costs:
        if cost.id in seen:
            raise CaseError(f"cost line {cost.id!r} appears twice")
        seen.add(cost.id)
        term = categories.get(cost.category)
        if term is None:
            raise CaseError(
                f"cost line {cost.id!r}: unknown category {cost.category!r} "
                f"(known: {', '.join(sorted(categories))})"
            )
        row = _classify(case, cost, term, parties, containers_by)
        rows.append(row)
        if row.status == "excluded":
            excluded.append((cost.id, cost.amount, term.reference))
            continue
        counted.append((cost.id, cost.amount, term.reference))
        containers = term.group == "inner_containers"
        totals["inner" if containers else "allowable"] += cost.amount
        if row.status == "qualifying":
            totals["inner_qualifying" if containers else "qualifying"] += cost.amount
        elif row.status == "counted":
            missing.append(
                f"whether inner containers {cost.id} originate in a party"
                if containers and containers_by == "origin"
                else f"where cost line {cost.id} was incurred"
            )
        elif not containers:
            outside_parties.append(cost.id)
        if not containers and cost.incurred_in is None and row.place is not None:
            defaulted.append(cost.id)
    return CostSheet(
        totals["allowable"],
        totals["qualifying"],
        totals["inner"],
        totals["inner_qualifying"],
        tuple(excluded),
        tuple(counted),
        tuple(outside_parties),
        tuple(missing),
        tuple(defaulted),
        tuple(rows),
    )


def _classify(
    case: Case,
    cost: Cost,
    term: Term,
    parties: Sequence[str] | frozenset[str],
    containers_by: str,
) -> CostRow:
    """One line's status: excluded, qualifying, non-qualifying, or counted (place unknown)."""

    def row(status: str, note: str = "", place: str | None = cost.incurred_in) -> CostRow:
        return CostRow(cost.id, cost.category, cost.amount, status, term.reference, place, note)

    if term.group == "excluded":
        return row("excluded")
    if term.group == "inner_containers" and containers_by == "origin":
        if cost.originating is None:
            return row("counted", "origin of the containers not stated")
        return row("qualifying" if cost.originating else "non-qualifying")
    place = cost.incurred_in or case.good.last_process_in
    if place is None:
        return row("counted", "place not stated", None)
    note = "" if cost.incurred_in else "place taken from the last process"
    if place in parties:
        return row("qualifying", note, place)
    outside = f"incurred outside {', '.join(sorted(parties))}"
    return row("non-qualifying", f"{outside}; {note}" if note else outside, place)
