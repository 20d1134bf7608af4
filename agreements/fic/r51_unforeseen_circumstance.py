"""r 51, Application of regulation 45(1)(b) where expenditure not less than 48%.

Only what r 51 makes unique: a chief executive's determination for an unforeseen
circumstance (r 51(1)) reads 48% for 50% (r 51(2)) for the shipment it was made for
(r 51(2)(a)) and for later shipments of similar goods (r 51(4)) within its period
(r 51(2)(b)), until revoked (r 51(3)). The share itself is the law file's ``tolerance_share``;
``r45_2_shares`` weighs it against the others.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from origin.citation import cite
from origin.determination import FAILS, MEETS, NEEDS_INFO, Obligation, Outcome, Step, missing_of
from origin.engine import CaseError
from origin.model import Case


def tolerance(case: Case, date: dt.date) -> Step | None:
    """r 51: a determination for an unforeseen circumstance (r 51(1)).

    r 51(2): 45(1)(b) applies "as if the reference ... to 50% were a reference to 48%",
    "(a) for the purpose of the shipment of goods that is affected by the unforeseen
    circumstance; and (b) for the purpose of any subsequent shipment of similar goods that
    is so affected during the period determined ...". r 51(4): "similar goods ... means
    goods that (a) are contained in another shipment that is imported by the same importer
    from the same manufacturer; and (b) contain the same materials and undergo the same
    process or processes of manufacture". r 51(3): "The chief executive may at any time
    amend or revoke any determination".

    The determination is ``facts.tolerance_determination`` (as amended, with its period:
    the last two dates); the shipment it was made for says so
    (``facts.tolerance_for_this_shipment``); a later shipment is covered within the period
    when it is of similar goods (``facts.tolerance_similar_goods``; not stated: open); a
    revocation (``facts.tolerance_revoked``, its date first) ends it for goods imported on
    or after that date.
    """
    fact = case.facts.get("tolerance_determination")
    if not isinstance(fact, str):
        return None
    dates = re.findall(r"\d{4}-\d{2}-\d{2}", fact)
    if len(dates) < 2:
        raise CaseError(
            f"facts.tolerance_determination: {fact!r} should give the determination and its "
            "period, e.g. 'CE 2026/4; 2026-01-01 to 2026-06-30'"
        )
    try:
        start, end = (dt.date.fromisoformat(d) for d in dates[-2:])
    except ValueError as error:
        raise CaseError(f"facts.tolerance_determination: {error}") from None
    if end < start:
        raise CaseError(
            f"facts.tolerance_determination: the period ends ({end}) before it starts ({start})"
        )
    consignment = case.consignment
    day = consignment.imported_on if consignment and consignment.imported_on else date
    children: list[Step] = []
    if case.facts.get("tolerance_for_this_shipment") is True:
        children.append(
            Step(
                "made for this shipment",
                cite("r 51(2)(a)"),
                MEETS,
                "the determination was made for this shipment, affected by the unforeseen "
                "circumstance",
            )
        )
    else:
        inside = start <= day <= end
        children.append(
            Step(
                "a later shipment within its period",
                cite("r 51(2)(b)"),
                Outcome.of(inside),
                f"its period {start.isoformat()} to {end.isoformat()} "
                f"{'covers' if inside else 'does not cover'} {day.isoformat()}",
            )
        )
        children.append(_similar_goods(case))
    revoked = case.facts.get("tolerance_revoked")
    if isinstance(revoked, str):
        children.append(_not_revoked(revoked, day))
    outcome = Outcome.all(c.outcome for c in children)
    return Step(
        "determination under r 51(1)",
        cite("r 51(1)"),
        outcome,
        f"{fact}: "
        + {
            MEETS: "applies, 48% instead of 50%",
            FAILS: "does not apply",
            NEEDS_INFO: "may apply",
        }[outcome],
        children=tuple(children),
        missing=missing_of(children),
    )


def _similar_goods(case: Case) -> Step:
    """r 51(4): whether a later shipment is of similar goods (``facts.tolerance_similar_goods``)."""
    similar = case.facts.get("tolerance_similar_goods")
    outcome = MEETS if similar is True else FAILS if similar is False else NEEDS_INFO
    return Step(
        "similar goods",
        cite("r 51(4)"),
        outcome,
        {
            MEETS: "stated to be similar goods: same importer, same manufacturer, "
            "same materials and processes, affected by the same circumstance",
            FAILS: "stated not to be similar goods to those the determination was made for",
            NEEDS_INFO: "whether these are similar goods (same importer and "
            "manufacturer, same materials and processes) is not stated",
        }[outcome],
        missing=(
            "whether the goods are similar goods to those the r 51 determination "
            "was made for: same importer, same manufacturer, same materials and "
            "processes (r 51(4); facts.tolerance_similar_goods)",
        )
        if outcome is NEEDS_INFO
        else (),
    )


def _not_revoked(revoked: str, day: dt.date) -> Step:
    """r 51(3): a revocation (``facts.tolerance_revoked``, the date it took effect first) ends
    the determination for goods imported on or after that date."""
    found = re.search(r"\d{4}-\d{2}-\d{2}", revoked)
    if found is None:
        raise CaseError(
            f"facts.tolerance_revoked: {revoked!r} should give the date the revocation "
            "took effect, e.g. '2025-05-01; CE 2025/15'"
        )
    try:
        when = dt.date.fromisoformat(found[0])
    except ValueError as error:
        raise CaseError(f"facts.tolerance_revoked: {error}") from None
    standing = day < when
    return Step(
        "not revoked",
        cite("r 51(3)"),
        Outcome.of(standing),
        f"revoked ({revoked}) with effect from {when.isoformat()}: "
        + ("still in force" if standing else "no longer in force")
        + f" on {day.isoformat()}",
    )


def standing(steps: Iterable[Step]) -> Obligation | None:
    """r 51(3): "The chief executive may at any time amend or revoke any determination made
    under subclause (1) to reflect changed circumstances." A revocation the case states is
    applied (``facts.tolerance_revoked``); that none was made, and that the determination is
    stated as amended, is the case's word, listed wherever r 51 is relied on."""
    tolerance = next((s for s in steps if s.citation == cite("r 51(1)")), None)
    if tolerance is None or tolerance.outcome is FAILS:
        return None
    return Obligation(
        cite("r 51(3)"),
        "the chief executive may at any time amend or revoke the determination "
        "made under r 51(1) to reflect changed circumstances; this determination "
        "relies on it as stated in the case (facts.tolerance_determination, as "
        "amended) and unrevoked unless facts.tolerance_revoked says otherwise",
    )
