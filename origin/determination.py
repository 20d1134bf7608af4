"""A determination as data: verdict, basis, every step with its citation, per-material table.

Tests and legal provisions answer in three values (:class:`Outcome`): the test is met,
it fails, or it cannot be decided without a named fact. Combination follows Kleene's
strong three-valued logic, so a missing fact only matters when it could change the answer:

>>> MEETS | NEEDS_INFO
<Outcome.MEETS: 'meets'>
>>> FAILS & NEEDS_INFO
<Outcome.FAILS: 'fails'>
>>> MEETS & NEEDS_INFO
<Outcome.NEEDS_INFO: 'needs information'>
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from origin.citation import Citation
from origin.trees import preorder


class Outcome(enum.Enum):
    MEETS = "meets"
    FAILS = "fails"
    NEEDS_INFO = "needs information"

    # The members are compared by identity with the module's MEETS, FAILS and NEEDS_INFO:
    # reading a member off the class (Outcome.FAILS) is slow in Python 3.11, and every
    # step of every determination combines outcomes.

    def __and__(self, other: Outcome) -> Outcome:
        if self is FAILS or other is FAILS:
            return FAILS
        if self is NEEDS_INFO or other is NEEDS_INFO:
            return NEEDS_INFO
        return MEETS

    def __or__(self, other: Outcome) -> Outcome:
        if self is MEETS or other is MEETS:
            return MEETS
        if self is NEEDS_INFO or other is NEEDS_INFO:
            return NEEDS_INFO
        return FAILS

    @staticmethod
    def all(outcomes: Iterable[Outcome]) -> Outcome:
        result = MEETS
        for outcome in outcomes:
            result &= outcome
        return result

    @staticmethod
    def any(outcomes: Iterable[Outcome]) -> Outcome:
        result = FAILS
        for outcome in outcomes:
            result |= outcome
        return result

    @staticmethod
    def of(condition: bool) -> Outcome:
        return MEETS if condition else FAILS


MEETS, FAILS, NEEDS_INFO = Outcome.MEETS, Outcome.FAILS, Outcome.NEEDS_INFO


class Verdict(enum.Enum):
    ORIGINATING = "originating"
    NOT_ORIGINATING = "not originating"
    NEEDS_INFORMATION = "needs information"

    @classmethod
    def from_outcome(cls, outcome: Outcome) -> Verdict:
        if outcome is MEETS:
            return _ORIGINATING
        if outcome is FAILS:
            return _NOT_ORIGINATING
        if outcome is NEEDS_INFO:
            return _NEEDS_INFORMATION
        raise KeyError(outcome)


_ORIGINATING = Verdict.ORIGINATING
_NOT_ORIGINATING = Verdict.NOT_ORIGINATING
_NEEDS_INFORMATION = Verdict.NEEDS_INFORMATION


Figure = Decimal | Fraction | int | str | bool | dt.date | None


@attrs.frozen
class Step:
    """One test applied: what, under which provision, from which inputs, with what result.

    ``value``/``threshold``/``margin`` are exact; ``margin`` is value minus threshold for
    "at least" tests and threshold minus value for "at most" tests, so a positive margin
    always means room to spare.
    """

    test: str
    citation: Citation
    outcome: Outcome
    summary: str
    inputs: tuple[tuple[str, Figure], ...] = ()
    value: Fraction | None = None
    threshold: Fraction | None = None
    margin: Fraction | None = None
    missing: tuple[str, ...] = ()
    children: tuple[Step, ...] = ()
    # The facts still needed anywhere under this step, gathered once when a step is built
    # over a whole sub-decision (an intermediate material's), so that gathering them again
    # for each enclosing level does not walk the same subtree over and over. Not data: it
    # takes no part in equality or output.
    missing_below: tuple[str, ...] | None = attrs.field(default=None, eq=False, repr=False)

    def walk(self) -> Iterator[Step]:
        """This step and every step under it, parents first (any depth)."""
        return (step for _, step in preorder([self], _children))


@attrs.frozen
class MaterialRow:
    """How one BOM line was treated: its value, status used, and what each test said."""

    id: str
    depth: int
    description: str
    hs: str
    status: str  # status as counted: "originating" / "non-originating"
    declared_status: str
    value: Decimal | None
    counted_as: str  # "VOM", "VNM", "inputs in VNM (roll-down)", "VOM + inputs in VNM", "excluded"
    vom_value: Decimal | None  # what the line adds to VOM (0 if nothing, None if unknown)
    vnm_value: Decimal | None  # what the line adds to VNM: rows add up to VOM and VNM
    tariff_shift: Outcome | None
    de_minimis: bool
    citations: tuple[Citation, ...]
    notes: tuple[str, ...] = ()


@attrs.frozen
class CostRow:
    """One cost line of the case as a cost-based test counted it, with the provision.

    ``status`` is "qualifying" (in the cost total and the qualifying expenditure),
    "non-qualifying" (in the total only), "counted" (in the total; whether it qualifies is
    not known) or "excluded" (left out of both, e.g. profit or outside packages).
    """

    id: str
    category: str
    amount: Decimal
    status: str
    citation: Citation
    place: str | None = None  # where the expenditure was incurred, as counted
    note: str = ""


@attrs.frozen
class RVCResult:
    """One RVC method evaluated: every allowed method is reported, pass or fail."""

    method: str
    citation: Citation
    formula: str
    inputs: tuple[tuple[str, Fraction], ...]
    value: Fraction | None
    threshold: Fraction
    outcome: Outcome
    margin: Fraction | None
    headroom: tuple[tuple[str, str, Fraction], ...]  # (symbol, "at most"/"at least", bound)
    note: str = ""
    latex: str = ""
    bound: str = ""  # "at least" / "at most" when some material values are missing


@attrs.frozen
class Obligation:
    """Something the law requires of a person beyond the origin test (records, declarations)."""

    citation: Citation
    text: str
    until: dt.date | None = None


@attrs.frozen
class Determination:
    agreement: str
    agreement_title: str
    date: dt.date
    law_version: dt.date
    good_id: str
    hs: str
    verdict: Verdict
    basis: tuple[str, ...]
    steps: tuple[Step, ...]
    materials: Sequence[MaterialRow]  # built lazily for large BOMs
    rvc: tuple[RVCResult, ...]
    missing: tuple[str, ...]
    obligations: tuple[Obligation, ...]
    notes: tuple[str, ...] = ()
    psr: str = ""
    costs: tuple[CostRow, ...] = ()  # cost lines as counted by a cost-based test
    # With a declarations register: the declaration each BOM line relied on, or why none
    # (origin.declarations.resolve.DeclarationUse); empty without one.
    declarations: tuple[Any, ...] = ()

    def _repr_html_(self) -> str:
        """Jupyter's display: verdict badge, RVC table, the steps as a tree (origin.display)."""
        from origin.display import determination_html  # noqa: PLC0415 - display only

        return determination_html(self)

    def __repr__(self) -> str:
        """A line, not the whole tree (the steps and rows can run to megabytes)."""
        return (
            f"<Determination {self.agreement} {self.good_id!r} on {self.date.isoformat()}: "
            f"{self.verdict.value}>"
        )

    def materials_frame(self) -> Any:
        """The per-material rows as a pandas DataFrame (``pip install "origin[notebook]"``)."""
        from origin.whatif import materials_frame  # noqa: PLC0415 - needs pandas

        return materials_frame(self)

    def rvc_frame(self) -> Any:
        """Every RVC method as a pandas DataFrame row."""
        from origin.whatif import rvc_frame  # noqa: PLC0415

        return rvc_frame(self)

    def steps_frame(self) -> Any:
        """Every step (any depth) as a pandas DataFrame row, with its level."""
        from origin.whatif import steps_frame  # noqa: PLC0415

        return steps_frame(self)

    def citations(self) -> tuple[Citation, ...]:
        """Provisions of the steps, RVC methods and obligations (rows carry their own)."""
        seen: dict[str, Citation] = {}
        for step in self.steps:
            for inner in step.walk():
                seen.setdefault(str(inner.citation), inner.citation)
        for result in self.rvc:
            seen.setdefault(str(result.citation), result.citation)
        for obligation in self.obligations:
            seen.setdefault(str(obligation.citation), obligation.citation)
        for cost in self.costs:
            seen.setdefault(str(cost.citation), cost.citation)
        return tuple(seen.values())


def _children(step: Step) -> tuple[Step, ...]:
    return step.children


def missing_of(steps: Iterable[Step]) -> tuple[str, ...]:
    """Named facts still needed, in order of first mention, without repeats."""
    found: dict[str, None] = {}
    stack = list(reversed(tuple(steps)))
    while stack:
        step = stack.pop()
        # A key already present keeps its place: the order stays that of first mention.
        if step.outcome is NEEDS_INFO:
            found.update(dict.fromkeys(step.missing))
        if step.missing_below is not None:
            found.update(dict.fromkeys(step.missing_below))
        else:
            stack.extend(reversed(step.children))
    return tuple(found)


# The engine's note on an RVC computed from the known figures when the unknown ones could
# move it either way (origin/engine.py, ``rvc_result``): its value is no RVC and no bound.
_UNBOUNDED = "from known values only"


def rvc_reading(result: RVCResult) -> str:
    """What ``result.value`` says of the RVC: ``"exact"``; ``"at least"`` or ``"at most"``
    when material values are missing and the known ones bound it (``RVCResult.bound``);
    ``""`` when it says nothing: not computed, or a figure without a bound that does not
    decide the test ("needs information": the unknown values could move it either way; a
    plugin may also leave a figure open on a fact still needed). A plugin may replace the
    engine's note (ANZCERTA's r 37 band does), so the outcome, not only the note, says
    which."""
    if result.value is None:
        return ""
    if result.bound:
        return result.bound
    if result.outcome is Outcome.NEEDS_INFO or result.note.startswith(_UNBOUNDED):
        return ""
    return "exact"


def decisive_rvc(d: Determination) -> RVCResult | None:
    """The RVC method reported (broker export, comparison): the highest passing one, else
    the highest computed one (its value the RVC or a bound on it; see :func:`rvc_reading`)."""
    computed = [r for r in d.rvc if rvc_reading(r)]
    passing = [r for r in computed if r.outcome is Outcome.MEETS]
    pool = passing or computed
    return max(pool, key=lambda r: r.value or 0) if pool else None
