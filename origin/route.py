"""How goods keep their originating status on the way to New Zealand, stop by stop.

The newer agreements word it alike — UK FTA art 3.10 (non-alteration), RCEP art 3.15 (direct
consignment), CPTPP art 3.18 (transit and transhipment): goods that pass through other
countries keep their status if nothing beyond the listed operations is done to them there
and a second condition holds at each stop (not released to free circulation; remained under
customs control), which a case states as the stop's ``entered_commerce``. What differs is
the law's: its provisions, the operations it allows (the law file's ``transit_operations``
vocabulary), which stops it examines and its words. Those are declared in the law file's
``[regime.route]`` (read by :class:`RouteRule`); the walk over the stops is here, once.

Placeholders in the words: ``{country}`` (a stop), ``{where}`` (a stop as the operations
step names it), ``{route}`` (the stops examined, in order). Nothing else is formatted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from origin.citation import Citation
from origin.determination import FAILS, MEETS, NEEDS_INFO, Outcome, Step, missing_of
from origin.law import Term
from origin.model import Consignment

_KEYS = frozenset(
    {
        "title",
        "route",
        "direct",
        "direct_summary",
        "examine",
        "kinds",
        "operations",
        "not_allowed",
        "condition",
        "condition_test",
        "condition_unknown",
        "condition_fails",
        "condition_meets",
        "condition_missing",
        "whole",
        "meets",
        "fails",
        "unknown",
    }
)
EXAMINE = ("non-parties", "every stop")  # which stops the law speaks of


@attrs.frozen
class RouteRule:
    """A law file's ``[regime.route]``: provisions, which stops, and the law's words."""

    title: str
    route: Citation  # the route not stated
    direct: Citation  # no stop examined
    direct_summary: str
    every_stop: bool  # RCEP art 3.15(1)(b): intermediate Parties too, not only non-Parties
    kinds: tuple[str, str] | None  # how a stop is named by kind (a Party, a non-Party)
    operations: Citation
    not_allowed: str
    condition: Citation
    condition_test: str
    condition_words: Mapping[Outcome, str]
    condition_missing: str
    whole: Citation
    summaries: Mapping[Outcome, str]

    @classmethod
    def read(cls, table: Mapping[str, Any], ref: Callable[[object], Citation]) -> RouteRule:
        """Check and read ``[regime.route]``; every word is tried with its placeholders."""
        strange = sorted(set(table) - _KEYS)
        if strange:
            raise ValueError(f"route: unknown keys {strange} (known: {sorted(_KEYS)})")
        if table["examine"] not in EXAMINE:
            raise ValueError(f"route.examine {table['examine']!r}: not one of {EXAMINE}")
        kinds = table.get("kinds")
        rule = cls(
            title=str(table["title"]),
            route=ref(table["route"]),
            direct=ref(table["direct"]),
            direct_summary=str(table["direct_summary"]),
            every_stop=table["examine"] == "every stop",
            kinds=None if kinds is None else (str(kinds[0]), str(kinds[1])),
            operations=ref(table["operations"]),
            not_allowed=str(table["not_allowed"]),
            condition=ref(table["condition"]),
            condition_test=str(table["condition_test"]),
            condition_words={
                NEEDS_INFO: str(table["condition_unknown"]),
                FAILS: str(table["condition_fails"]),
                MEETS: str(table["condition_meets"]),
            },
            condition_missing=str(table["condition_missing"]),
            whole=ref(table["whole"]),
            summaries={
                MEETS: str(table["meets"]),
                FAILS: str(table["fails"]),
                NEEDS_INFO: str(table["unknown"]),
            },
        )
        for text in (*rule.condition_words.values(), rule.condition_missing):
            text.format(country="XX")
        for text in rule.summaries.values():
            text.format(route="XX")
        return rule


def route_step(
    consignment: Consignment | None,
    parties: Sequence[str],
    allowed: Mapping[str, Term],
    rule: RouteRule,
) -> Step:
    """Whether the goods kept their status through the stops ``rule`` examines."""
    transit = consignment.transit if consignment is not None else None
    if transit is None:
        return Step(
            rule.title,
            rule.route,
            NEEDS_INFO,
            "the route of the goods to New Zealand is not stated",
            missing=("consignment route (transit countries, or none)",),
        )
    if rule.every_stop:
        stops = [stop for stop in transit if stop.country != "NZ"]
    else:
        stops = [stop for stop in transit if stop.country not in parties]
    if not stops:
        return Step(rule.title, rule.direct, MEETS, rule.direct_summary)
    children: list[Step] = []
    for stop in stops:
        country = stop.country
        where = country
        if rule.kinds is not None:
            where = f"{country} ({rule.kinds[0] if country in parties else rule.kinds[1]})"
        if stop.operations is None:
            children.append(
                Step(
                    f"operations in {country}",
                    rule.operations,
                    NEEDS_INFO,
                    f"the operations in {where} are not stated",
                    missing=(f"operations performed on the goods in {country}",),
                )
            )
        else:
            other = [op for op in stop.operations if op not in allowed]
            children.append(
                Step(
                    f"operations in {country}",
                    rule.operations,
                    Outcome.of(not other),
                    f"in {where}: {', '.join(stop.operations) or 'nothing done'}"
                    + (f"; {rule.not_allowed}: {', '.join(other)}" if other else ""),
                    (("operations", ", ".join(stop.operations) or "none"),),
                )
            )
        held = {None: NEEDS_INFO, True: FAILS, False: MEETS}[stop.entered_commerce]
        children.append(
            Step(
                f"{rule.condition_test} {country}",
                rule.condition,
                held,
                rule.condition_words[held].format(country=country),
                missing=(rule.condition_missing.format(country=country),)
                if held is NEEDS_INFO
                else (),
            )
        )
    outcome = Outcome.all(c.outcome for c in children)
    route = ", ".join(stop.country for stop in stops)
    return Step(
        rule.title,
        rule.whole,
        outcome,
        rule.summaries[outcome].format(route=route),
        (("transit", route),),
        children=tuple(children),
        missing=missing_of(children) if outcome is NEEDS_INFO else (),
    )
