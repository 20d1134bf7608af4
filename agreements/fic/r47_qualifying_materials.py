"""r 47, Qualifying materials, with r 49 (waste, scrap, recycled) and r 50(3).

Only what r 47 makes unique: a material qualifies by what the case says it *is* (attributes
from ``fic.toml``, ``origin_country``, ``produced_in``), not by its ``status``; when several
paragraphs apply, the most favourable counts. r 47(a)(i)-(iii) and r 49 count in full
(r 47(b)); r 47(a)(iv)-(v) refer to the former rules (``r47_former_rules``); a material last
processed in a Forum Island Country (r 47(a)(vi)) counts in full if it would qualify in its
own right, else by its own qualifying area content (r 47(d)), from its own cost sheet, to any
depth. Materials treated as overheads (r 44, r 46(1)(c)(viii)), shipping packaging
(r 46(2)(c)) and what the chief executive excludes (r 50(3)) are sorted out first.

Cost sheets are decided deepest first (:meth:`QualifyingMaterials.decide_deepest_first`, the
``decided`` memo), so that however deep the BOM, no sheet is drawn up by recursion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from fractions import Fraction

import attrs

from agreements.fic.r44_interpretation import (
    AUSTRALIA_NZ,
    FULL_SHARE,
    NONE_SHARE,
    ONE,
    UNKNOWN_SHARE,
    ZERO,
    Line,
    Option,
    Span,
)
from agreements.fic.r45_2_shares import Listed, listed
from agreements.fic.r46_factory_cost import Decided, own_step
from agreements.fic.r46_factory_cost import as_decimal as _decimal
from agreements.fic.r47_former_rules import FormerRules
from agreements.fic.r48_inner_containers import InnerContainers
from agreements.fic.r50_allocation_of_expenditure import expenditure
from origin.agreement import FactError
from origin.citation import cite
from origin.determination import FAILS, MEETS, NEEDS_INFO, MaterialRow, Outcome, Step
from origin.engine import CaseError
from origin.groups import Membership
from origin.model import Case, Material, Packaging


class QualifyingMaterials(FormerRules, InnerContainers):
    """r 47 and r 49: how much of each material is qualifying area content."""

    def __init__(self, case: Case, date: dt.date, membership: Membership) -> None:
        super().__init__(case, date, membership)
        # material() for (material, depth): its answer does not depend on who asks, and
        # determine() fills this deepest first, so that a cost sheet's materials are
        # already decided when it is drawn up (no recursion, however deep the BOM).
        self.decided: dict[tuple[int, int], Decided | CaseError | FactError] = {}

    def material(self, m: Material, depth: int) -> Decided:
        """:meth:`decide_material`, once per material and depth (see ``self.decided``)."""
        found = self.decided.get((id(m), depth))
        if found is None:
            found = self.decided[id(m), depth] = self.decide_material(m, depth)
        if isinstance(found, CaseError | FactError):
            raise found
        return found

    def decide_deepest_first(self) -> None:
        """Decide every material that has a cost sheet of its own, deepest first.

        A material whose sheet is never drawn up keeps any error it raised until asked.
        """
        for depth, m in reversed(self.nested):
            if m.components or m.costs:
                try:
                    self.material(m, depth)
                except (CaseError, FactError) as error:
                    self.decided[id(m), depth] = error

    def decide_material(self, m: Material, depth: int) -> Decided:
        """Which paragraph of r 47 (or r 49) the material qualifies under, and how much;
        whether it brings in r 45(3) (MEETS yes, NEEDS_INFO perhaps, FAILS no)."""
        amount, notes, needs, valued = expenditure(m)
        hs = str(m.hs) if m.hs else ""

        def row(status: str, counted: str, citation: str, note: str, part: Fraction) -> MaterialRow:
            value = None if amount is None else amount * part
            rest = None if amount is None or value is None else amount - value
            return MaterialRow(
                m.id,
                depth,
                m.description,
                hs,
                status,
                m.status.value,
                m.value,
                counted,
                _decimal(value),
                _decimal(rest),
                None,
                False,
                tuple(dict.fromkeys((cite(citation), *valued))),
                (*notes, note) if note else tuple(notes),
            )

        if "excluded_by_chief_executive" in m.attributes:
            note = "excluded from the factory or works cost by the chief executive"
            return None, row("excluded", "excluded (r 50(3))", "r 50(3)", note, ZERO), (), FAILS, ()
        if m.packaging is Packaging.SHIPMENT:
            note = "shipping container or packing into it: not in the factory or works cost"
            out = row("excluded", "excluded (r 46(2)(c))", "r 46(2)(c)", note, ZERO)
            return None, out, (), FAILS, ()
        if m.indirect:
            # r 44: materials exclude "materials treated as overheads"; r 46(1)(c)(viii) counts
            # supplies not incorporated in the goods as an overhead of the factory, "without
            # regard to whether such items originate in a Forum Island Country".
            factory = self.case.good.last_process_in
            share = FULL_SHARE if factory in self.area else NONE_SHARE
            fic = FULL_SHARE if factory in self.fics else NONE_SHARE
            status = "qualifying" if share is FULL_SHARE else "non-qualifying"
            note = f"overhead of the factory in {factory}"
            out = row(
                status, f"{status} overhead r 46(1)(c)(viii)", "r 46(1)(c)(viii)", note, share.lo
            )
            return Line(amount, share, fic), out, (), FAILS, tuple(needs)
        options = list(self.paragraphs(m, depth))
        best = max(options, key=lambda o: (o.qac.lo, o.qac.hi))
        qac = Span(max(o.qac.lo for o in options), max(o.qac.hi for o in options))
        fic = Span(max(o.fic.lo for o in options), max(o.fic.hi for o in options))
        steps: tuple[Step, ...]
        if qac.exact:
            steps = () if best.step is None else (best.step,)
            australian = best.australian if qac.lo > 0 else FAILS
        else:
            steps = tuple(o.step for o in options if o.step is not None)
            needs.extend(fact for o in options for fact in o.missing)
            australian = Outcome.any(o.australian for o in options if o.qac.hi > 0)
        if qac.lo == ONE:
            status = "qualifying"
        elif qac.hi == ZERO:
            status = "non-qualifying"
        else:
            status = "partly qualifying" if qac.exact else "undetermined"
        counted = (
            best.label if qac.exact and qac.lo in (ZERO, ONE) else f"{best.label}: {qac} counts"
        )
        part = qac.lo if qac.exact else ZERO
        out = row(status, counted, best.citation, "", part)
        if not qac.exact:
            out = attrs.evolve(out, vom_value=None, vnm_value=None)
        return Line(amount, qac, fic), out, steps, australian, tuple(needs)

    def paragraphs(self, m: Material, depth: int) -> Iterable[Option]:
        """Every paragraph the material may qualify under. A paragraph claimed by an
        attribute whose country is not stated leaves the share open and asks for it."""
        words, origin, made = m.attributes, m.origin_country, m.produced_in
        yield Option(NONE_SHARE, NONE_SHARE, "r 47(a)", "non-qualifying")

        def needs_country(paragraph: str, what: str) -> Option:
            fact = f"{what} of material {m.id} ({paragraph})"
            return Option(
                UNKNOWN_SHARE, UNKNOWN_SHARE, paragraph, paragraph, NEEDS_INFO, missing=(fact,)
            )

        for word, paragraph, where, what in (
            # r 47(a)(i): a raw product of Australia or New Zealand; r 45(3)(a) for Australia's.
            ("unmanufactured_raw_product", "r 47(a)(i)", origin, "country of origin"),
            # r 47(a)(ii); r 45(3)(b) when manufactured in Australia.
            (
                "wholly_manufactured_from_raw_products",
                "r 47(a)(ii)",
                made or origin,
                "country of manufacture",
            ),
        ):
            if word not in words:
                continue
            if where is None:
                yield needs_country(paragraph, what)
            elif where in AUSTRALIA_NZ:
                australian = Outcome.of(where == "AU")
                yield Option(
                    FULL_SHARE, NONE_SHARE, paragraph, f"qualifying {paragraph}", australian
                )
        if "wholly_obtained" in words:
            # r 47(a)(iii), counted in full (r 47(b)) and as Forum Island content (r 45(3)(e)).
            if origin is None:
                yield needs_country("r 47(a)(iii)", "country where obtained")
            elif origin in self.fics:
                yield Option(FULL_SHARE, FULL_SHARE, "r 47(a)(iii)", "qualifying r 47(a)(iii)")
        for word, paragraph in (
            ("waste_scrap", "r 49(a)"),
            ("used_articles", "r 49(b)"),
            ("recovered_raw_materials", "r 49(c)"),
        ):
            if word not in words:
                continue
            # r 49: as if wholly obtained in a Forum Island Country — for r 45(1)(b)(ii)(B)
            # only; in the 25% test it counts when it arose in one (r 45(1)(a)(viii)-(x)).
            if origin is None:
                yield needs_country(paragraph, "country where it arose or was collected")
            elif origin in self.fics | AUSTRALIA_NZ:
                fic = FULL_SHARE if origin in self.fics else NONE_SHARE
                yield Option(FULL_SHARE, fic, paragraph, f"qualifying {paragraph}")
        if words & {"anzcerta_qualifying_full", "anzcerta_qualifying_partial"}:
            yield from self.former_rules(m)
        if m.packaging is Packaging.RETAIL:
            yield self.container_material(m, depth)
            return
        last = made or (origin if origin in self.fics else None)
        if last in self.fics:
            yield self.own_right(m, depth, last)
        elif last is None and (m.components or m.costs):
            yield needs_country("r 47(a)(vi)", "country of the last process")

    def own_right(self, m: Material, depth: int, made: str) -> Option:
        """r 47(a)(vi) with r 47(d): in full if the material would qualify in its own right
        under r 45(1)(b)(ii), otherwise by its own qualifying area content."""
        if not (m.components or m.costs):
            fact = f"cost sheet (components and costs) of material {m.id} made in {made} (r 47(d))"
            step = Step(
                f"own cost sheet of {m.id}",
                cite("r 47(d)"),
                NEEDS_INFO,
                f"{m.id} was made in {made}: whether it qualifies in its own right, or by how "
                "much, needs its cost sheet",
                missing=(fact,),
            )
            return Option(
                UNKNOWN_SHARE,
                UNKNOWN_SHARE,
                "r 47(a)(vi)",
                "r 47(a)(vi)",
                step=step,
                missing=(fact,),
            )
        sheet = self.sheet(m.components, m.costs, made, depth + 1)
        ratio = sheet.ratio(lambda line: line.qac)
        own = ratio.share()
        found = (
            listed(self.case, str(m.hs), None, f"material {m.id}")
            if m.hs
            else Listed(FAILS, "", cite("r 45(2)(b)"))
        )
        outcome = found.outcome
        full_t = self.value("qualifying_share") / 100
        listed_t = self.value("listed_goods_share") / 100
        low_t = listed_t if outcome is not FAILS else full_t
        high_t = listed_t if outcome is MEETS else full_t
        missing = list(sheet.missing)
        if own.lo >= high_t:
            span, citation, label = (
                FULL_SHARE,
                "r 47(d)(i)",
                "qualifying in its own right r 47(d)(i)",
            )
        elif own.hi < low_t:
            span, citation, label = own, "r 47(d)(ii)", "partly qualifying r 47(d)(ii)"
        else:
            span, citation, label = Span(own.lo, ONE), "r 47(d)", "r 47(d)(i) or (ii)"
            if outcome is NEEDS_INFO:
                missing.extend(found.missing)
        step = own_step(m, sheet, ratio, cite(citation), "qualifying area content")
        if outcome is not FAILS:
            # Its own-right share is 45% (or may be): the listing provision is relied on.
            share = Step(
                f"{m.id} listed in r 45(2)(b)",
                found.citation,
                outcome,
                found.why,
                found.inputs,
                missing=found.missing if citation == "r 47(d)" else (),  # only if it decides
            )
            step = attrs.evolve(step, children=(share, *step.children))
        return Option(span, span, citation, label, step=step, missing=tuple(missing))
