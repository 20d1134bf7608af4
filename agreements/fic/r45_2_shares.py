"""r 45(2), with r 51: the share of the factory or works cost r 45(1)(b)(ii) asks.

Only what r 45(2) makes unique: 50% (r 45(1)(b)(ii)) is read as 45% for the goods listed in
r 45(2)(b), as a lower share the chief executive determined (r 45(2)(a)), or as 48% under a
r 51 determination (``r51_unforeseen_circumstance``); the lowest that applies is used. The
list is the law file's ``listed_goods``. r 45(2)(b)(i) names tariff items (3926.20.22, .31,
.41, .61) the Tariff no longer has: a current item that may hold their goods (law file
``listed_goods_successors``) needs review, both codes named, unless the case records the
reviewed answer (decision record 0008, issue 13).
"""

from __future__ import annotations

import datetime as dt
import tomllib

import attrs

from agreements.fic.r44_interpretation import HERE, LAW, Run, Span
from agreements.fic.r51_unforeseen_circumstance import tolerance
from origin.citation import Citation, cite
from origin.determination import FAILS, MEETS, NEEDS_INFO, Outcome, Step
from origin.engine import percent
from origin.law import Term
from origin.model import Case
from origin.works_cost import lower_share


@attrs.frozen
class Successors:
    """Where the current tariff items that may hold the goods of the items r 45(2)(b)(i)
    names come from (law file ``[listed_goods_successors]``)."""

    as_at: dt.date
    source: str
    basis: str


def _successors() -> Successors:
    with (HERE / "fic.toml").open("rb") as handle:
        spec = tomllib.load(handle)["listed_goods_successors"]
    return Successors(spec["as_at"], spec["source"], spec["basis"])


SUCCESSORS = _successors()


@attrs.frozen
class Listed:
    """Whether goods are among those r 45(2)(b) reads against 45% (MEETS yes, FAILS no,
    NEEDS_INFO open: a less precise code, or an item needing review), why, the provision,
    the facts that would settle it, and the codes compared (for the step's inputs)."""

    outcome: Outcome
    why: str
    citation: Citation
    missing: tuple[str, ...] = ()
    inputs: tuple[tuple[str, str | dt.date], ...] = ()


def listed(case: Case, code: str, tariff_item: str | None, whose: str) -> Listed:
    """Whether goods are in the r 45(2)(b) list. Headings, the subheading and tariff items
    are compared digit by digit; a code less precise than a listed entry within it (a
    heading 42.03 for subheading 4203.10, a subheading 3926.20 for item 3926.20.22)
    leaves the answer open.

    r 45(2)(b)(i) names "3926.20.22, 3926.20.31, 3926.20.41, 3926.20.61", items the Tariff
    no longer has. A current item that may hold their goods (``listed_goods_successors``)
    is neither listed nor unlisted by itself: it needs review, naming both codes, unless
    the case records the reviewed answer (``facts.successor_item_listed``).
    """
    digits = (tariff_item or code).replace(".", "")
    shown = tariff_item or code
    possible = []
    successors = LAW.vocabulary("listed_goods_successors")
    gone = {term.group for term in successors.values()}
    for key, term in LAW.vocabulary("listed_goods").items():
        entry = key.replace(".", "")
        if digits.startswith(entry):
            why = f"{term.text} ({term.reference})"
            if key in gone:
                why += (
                    f"; the Working Tariff Document of {_long_date(SUCCESSORS.as_at)} "
                    "no longer has this item"
                )
            return Listed(MEETS, why, term.reference)
        if entry.startswith(digits):
            possible.append(key)
    for key, term in successors.items():
        current = key.replace(".", "")
        if digits.startswith(current):
            return _successor(case, key, term, whose)
        if current.startswith(digits):
            possible.append(f"{key}, which may succeed {term.group}")
    if possible:
        why = f"{shown} holds listed goods ({', '.join(possible)})"
        return Listed(
            NEEDS_INFO,
            why,
            cite("r 45(2)(b)"),
            (f"NZ tariff item of {whose} ({why})",),
        )
    return Listed(FAILS, f"{shown} is not among the goods of r 45(2)(b)", cite("r 45(2)(b)"))


def _successor(case: Case, key: str, term: Term, whose: str) -> Listed:
    """A current tariff item that may hold the goods of an item r 45(2)(b)(i) names."""
    named = term.group
    why = (
        f"tariff item {key} ({term.text}) is not named in {term.reference}, which names "
        f"{named}, an item the Tariff no longer has; {key} may hold its goods "
        f"({SUCCESSORS.source}; {SUCCESSORS.basis})"
    )
    inputs: tuple[tuple[str, str | dt.date], ...] = (
        ("tariff item", key),
        (f"item named in {term.reference}", named),
        ("source", SUCCESSORS.source),
        ("source as at", SUCCESSORS.as_at),
    )
    answer = case.facts.get("successor_item_listed")
    if answer is True:
        return Listed(MEETS, f"{why}: reviewed, read as {named}", term.reference, (), inputs)
    if answer is False:
        return Listed(FAILS, f"{why}: reviewed, not read as {named}", term.reference, (), inputs)
    fact = (
        f"review: whether {whose}, at tariff item {key}, are goods of tariff item "
        f"{named} named in {term.reference} (facts.successor_item_listed)"
    )
    return Listed(NEEDS_INFO, f"{why}: needs review", term.reference, (fact,), inputs)


def _listed_step(found: Listed) -> Step:
    """The r 45(2)(b) step: the paragraph that lists the goods (or the renumbered item) as
    its own step, or why a less precise code leaves it open."""
    missing = (
        found.missing or (f"NZ tariff item of the goods (good.tariff_item): {found.why}",)
        if found.outcome is NEEDS_INFO
        else ()
    )
    paragraph = found.citation != cite("r 45(2)(b)")
    summary = (
        {
            MEETS: "listed: the reference to 50% is read as 45%",
            FAILS: "not listed: 50% applies",
            NEEDS_INFO: "whether the goods are listed needs review",
        }[found.outcome]
        if paragraph
        else found.why
    )
    step = Step(
        "goods listed in r 45(2)(b)",
        cite("r 45(2)(b)"),
        found.outcome,
        summary,
        () if paragraph else found.inputs,
        missing=() if paragraph else missing,
    )
    if paragraph:
        child = Step(
            f"listed in {found.citation}",
            found.citation,
            found.outcome,
            found.why,
            found.inputs,
            missing=missing,
        )
        step = attrs.evolve(step, children=(child,), missing=missing)
    return step


def threshold(run: Run) -> tuple[Span, list[str], list[Step]]:
    """The share r 45(1)(b)(ii) asks, as modified by r 45(2) and r 51 (lowest applies)."""
    good = run.case.good
    base = run.value("qualifying_share")
    notes: list[str] = []
    steps: list[Step] = []
    found = listed(run.case, str(good.hs), good.tariff_item, "the goods")
    listed_share = run.value("listed_goods_share")
    # Goods not listed are read against 50% with no step to show, unless a reviewed
    # answer about a renumbered item was relied on.
    if found.outcome is not FAILS or found.inputs:
        steps.append(_listed_step(found))
    low = high = base
    if found.outcome is MEETS:
        low = high = listed_share
        notes.append(f"{percent(listed_share)} for {found.why}")
    elif found.outcome is NEEDS_INFO:
        low = listed_share
    lower = run.case.facts.get("lower_share")
    if isinstance(lower, str):
        share, reference = lower_share(lower)
        low, high = min(low, share), min(high, share)
        said = f"{percent(share)} determined by the chief executive" + (
            f": {reference}" if reference else ""
        )
        steps.append(
            Step(
                "share determined by the chief executive",
                cite("r 45(2)(a)"),
                MEETS,
                f"{said}, instead of 50% (r 45(2)(a))",
                (("share", share), ("determination", reference or "not stated")),
            )
        )
        notes.append(f"{said} (r 45(2)(a))")
    determination = tolerance(run.case, run.date)
    if determination is not None:
        steps.append(determination)
        share = run.value("tolerance_share")
        if determination.outcome is MEETS:
            low, high = min(low, share), min(high, share)
            covered = determination.children[0].citation
            notes.append(f"{percent(share)} under the chief executive's determination ({covered})")
        elif determination.outcome is NEEDS_INFO:
            low = min(low, share)
    return Span(low, high), notes, steps


def _long_date(day: dt.date) -> str:
    """1 January 2022."""
    return f"{day.day} {day:%B %Y}"
