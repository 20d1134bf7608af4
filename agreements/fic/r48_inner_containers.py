"""r 48, Qualifying inner containers (with r 46(1)(d) and the r 44 definition).

Only what r 48 makes unique: an inner container qualifies when its last process was in a
Forum Island Country or New Zealand (r 48(a)) and it contains at least 50% qualifying area
content (r 48(b); the law file's ``container_share``). It comes as a cost line of inner
containers (``incurred_in`` is where it was last processed, ``originating`` states its
content) or as a BOM line of retail packaging, with its own cost sheet or declared
``originating``. Those made in a Forum Island Country are Forum Island content (r 45(3)(f)).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from agreements.fic.r44_interpretation import (
    FULL_SHARE,
    NONE_SHARE,
    UNKNOWN_SHARE,
    ZERO,
    Line,
    Option,
    Span,
)
from agreements.fic.r46_factory_cost import FactoryCost, own_step
from origin.citation import cite
from origin.determination import FAILS, MEETS, NEEDS_INFO, CostRow, Outcome
from origin.model import Cost, Material, OriginStatus


class InnerContainers(FactoryCost):
    """r 48: inner containers, as cost lines (r 46(1)(d)) and as BOM lines of packaging."""

    def container(
        self, cost: Cost, amount: Fraction, row: Callable[..., CostRow]
    ) -> tuple[Line, CostRow, tuple[str, ...]]:
        """r 48: an inner container qualifies when its last process was in a Forum Island
        Country or New Zealand (``incurred_in``) and it holds at least 50% qualifying area
        content (``originating``); r 45(3)(f) counts those made in a Forum Island Country."""
        place = cost.incurred_in
        needs: list[str] = []
        made = Outcome.of(place in self.area) if place else NEEDS_INFO
        if place is None:
            needs.append(f"where inner containers {cost.id} were last processed (r 48(a))")
        content = NEEDS_INFO if cost.originating is None else Outcome.of(cost.originating)
        if cost.originating is None:
            needs.append(
                f"whether inner containers {cost.id} hold at least 50% qualifying area "
                "content (r 48(b))"
            )
        qualifies = made & content
        share = {MEETS: FULL_SHARE, FAILS: NONE_SHARE}.get(qualifies, UNKNOWN_SHARE)
        fic = share if place in self.fics else (UNKNOWN_SHARE if place is None else NONE_SHARE)
        if qualifies is NEEDS_INFO:
            fic = Span(ZERO, fic.hi)
        status = {MEETS: "qualifying", FAILS: "non-qualifying"}.get(qualifies, "counted")
        note = "" if qualifies is not FAILS else "not a qualifying inner container (r 48)"
        return Line(amount, share, fic), row(status, place, note), tuple(needs)

    def container_material(self, m: Material, depth: int) -> Option:
        """A BOM line of retail packaging is an inner container (r 44): r 48 asks for its
        last process in a Forum Island Country or New Zealand and at least 50% qualifying
        area content, from its own cost sheet or stated by its ``status`` (originating)."""
        made = m.produced_in or m.origin_country
        if made is None:
            fact = f"where inner container {m.id} was last processed (r 48(a))"
            return Option(UNKNOWN_SHARE, UNKNOWN_SHARE, "r 48", "r 48", missing=(fact,))
        if made not in self.area:
            return Option(NONE_SHARE, NONE_SHARE, "r 48", "not a qualifying inner container")
        fic = FULL_SHARE if made in self.fics else NONE_SHARE
        if m.components or m.costs:
            sheet = self.sheet(m.components, m.costs, made, depth + 1)
            ratio = sheet.ratio(lambda line: line.qac)
            own = ratio.share()
            step = own_step(m, sheet, ratio, cite("r 48(b)"), "qualifying area content")
            needed = self.value("container_share") / 100
            if own.lo >= needed:
                return Option(FULL_SHARE, fic, "r 48", "qualifying inner container r 48", step=step)
            if own.hi < needed:
                return Option(
                    NONE_SHARE, NONE_SHARE, "r 48", "not a qualifying inner container", step=step
                )
            return Option(
                UNKNOWN_SHARE, Span(ZERO, fic.hi), "r 48", "r 48", step=step, missing=step.missing
            )
        if m.status is OriginStatus.ORIGINATING:
            return Option(FULL_SHARE, fic, "r 48", "qualifying inner container r 48")
        fact = (
            f"whether inner container {m.id} holds at least 50% qualifying area content "
            "(r 48(b)): its cost sheet, or status originating"
        )
        return Option(UNKNOWN_SHARE, Span(ZERO, fic.hi), "r 48", "r 48", missing=(fact,))
