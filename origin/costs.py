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
from origin.engine import ZERO, CaseError
from origin.law import Term
from origin.model import Case


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


def sort_costs(
    case: Case,
    categories: Mapping[str, Term],
    parties: Sequence[str],
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
    allowable = allowable_in_parties = inner = inner_orig = ZERO
    excluded: list[tuple[str, Decimal, Citation]] = []
    counted: list[tuple[str, Decimal, Citation]] = []
    outside_parties: list[str] = []
    missing: list[str] = []
    defaulted: list[str] = []
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
        if term.group == "excluded":
            excluded.append((cost.id, cost.amount, term.reference))
            continue
        counted.append((cost.id, cost.amount, term.reference))
        if term.group == "inner_containers" and containers_by == "origin":
            inner += cost.amount
            if cost.originating is None:
                missing.append(f"whether inner containers {cost.id} originate in a party")
            elif cost.originating:
                inner_orig += cost.amount
            continue
        place = cost.incurred_in or case.good.last_process_in
        if term.group == "inner_containers":  # containers_by == "place"
            inner += cost.amount
            if place is not None and place in parties:
                inner_orig += cost.amount
            elif place is None:
                missing.append(f"where cost line {cost.id} was incurred")
            continue
        allowable += cost.amount
        if cost.incurred_in is None and place is not None:
            defaulted.append(cost.id)
        if place is None:
            missing.append(f"where cost line {cost.id} was incurred")
        elif place in parties:
            allowable_in_parties += cost.amount
        else:
            outside_parties.append(cost.id)
    return CostSheet(
        allowable,
        allowable_in_parties,
        inner,
        inner_orig,
        tuple(excluded),
        tuple(counted),
        tuple(outside_parties),
        tuple(missing),
        tuple(defaulted),
    )
