"""r 44, Interpretation: the words regs 45 to 51 use, and one determination's setting.

Only what r 44 makes unique here: "Forum Island Country" (the dated list ``groups/fic.toml``,
never New Zealand or Australia), the "factory or works" (the place of the last process), and
"qualifying area content", which a line of the factory or works cost, or a material, may
hold in part (:class:`Span`, :class:`Line`, :class:`Option`). The shares and words come from
the law file ``fic.toml``.
"""

from __future__ import annotations

import datetime as dt
import functools
from fractions import Fraction
from pathlib import Path

import attrs

from origin.determination import Outcome, Step
from origin.engine import CaseError, percent
from origin.groups import Membership
from origin.law import LawBook
from origin.model import Case, Material
from origin.trees import preorder

HERE = Path(__file__).parents[1]  # agreements/: the law file, the lists and the cases
LAW = LawBook.load(HERE / "fic.toml")
MEMBERSHIP = Membership.load(HERE / "groups" / "fic.toml")
AUSTRALIA_NZ = frozenset({"AU", "NZ"})
# r 44 "Forum Island Country", the group whose dated list every determination names.
FORUM_ISLAND_COUNTRY = (
    "Forum Island Country: a country (other than New Zealand or Australia) for which the South "
    "Pacific Regional Trade and Economic Co-operation Agreement is for the time being in force"
)
ONE = Fraction(1)
ZERO = Fraction(0)
# How r 45(3)(b)-(c), r 47(a)(iv)-(v) and r 47(c), which name former regs 33(1)(c) and 35,
# are read (decision record 0008; case fact ``cross_references``).
READINGS = ("former-rules", "full", "none")


@attrs.frozen
class Span:
    """A share known to lie in ``[lo, hi]`` (a point when they are equal)."""

    lo: Fraction
    hi: Fraction

    @property
    def exact(self) -> bool:
        return self.lo == self.hi

    def __str__(self) -> str:
        if self.exact:
            return percent(self.lo * 100)
        return f"between {percent(self.lo * 100)} and {percent(self.hi * 100)}"


NONE_SHARE = Span(ZERO, ZERO)
FULL_SHARE = Span(ONE, ONE)
UNKNOWN_SHARE = Span(ZERO, ONE)


@attrs.frozen
class Line:
    """One line of a factory or works cost: its amount (None: not known) and the shares of
    it that are qualifying area content and Forum Island content."""

    amount: Fraction | None
    qac: Span
    fic: Span


@attrs.frozen
class Option:
    """One paragraph a material may qualify under (r 47, r 48, r 49): the shares of its
    expenditure that are qualifying area content and Forum Island content, the provision, and
    whether it brings in r 45(3) (MEETS yes, NEEDS_INFO perhaps, FAILS no)."""

    qac: Span
    fic: Span
    citation: str
    label: str
    australian: Outcome = Outcome.FAILS
    step: Step | None = None  # the material's own cost sheet, where it was decided
    missing: tuple[str, ...] = ()


class Run:
    """One Forum Island Countries determination, at one date, with one list of countries.

    The other parts build on it as the regulations refer to one another: the factory or
    works cost (``r46_factory_cost``) draws on inner containers (``r48_inner_containers``)
    and qualifying materials (``r47_qualifying_materials``, with ``r47_former_rules``),
    whose r 47(d) share is a material's own factory or works cost again; the classes of
    r 45(1) (``r45_1_b_partly_manufactured``, ``r45_produce_or_manufacture``) come last.
    """

    def __init__(self, case: Case, date: dt.date, membership: Membership) -> None:
        self.case = case
        self.date = date
        self.membership = membership
        fics = membership.on(date)
        self.fics = fics
        self.area = fics | {"NZ"}  # where labour and overheads count (r 45(1)(b)(ii)(A))
        reading = case.facts.get("cross_references", "former-rules")
        if reading not in READINGS:
            raise CaseError(
                f"facts.cross_references: {reading!r} is not one of {', '.join(READINGS)}"
            )
        self.reading = str(reading)
        self.categories = LAW.vocabulary("cost_categories")

    @functools.cached_property
    def nested(self) -> tuple[tuple[int, Material], ...]:
        """``case.walk()`` without the top-level lines that have nothing of their own (no
        components, cost lines or attributes): every material r 46(4), r 47(c)-(d), r 48(b)
        and the former-rules references can look at, with its depth, parents first. Walked
        once per determination; a flat BOM of plain lines gives an empty tuple."""
        found: list[tuple[int, Material]] = []
        for m in self.case.materials:
            if m.components:
                found.extend(preorder((m,), _components))
            elif m.costs or m.attributes:
                found.append((0, m))
        return tuple(found)

    def value(self, name: str) -> Fraction:
        """A share of the law file (``qualifying_share``, ...) at the determination's date."""
        return LAW.value(name, self.date).value


def _components(material: Material) -> tuple[Material, ...]:
    return material.components
