"""Factory-or-works-cost regimes: who spent what, where (regs 40, 43 and 43A).

Canada (r 40), the less developed countries (Group 2, r 43) and the least developed countries
(Group 3, r 43A) share one test, word for word but for the country named: goods are the produce
or manufacture of the area when wholly obtained (or wholly produced) there, or when the last
process of manufacture was performed there and at least half of the factory or works cost of
the finished goods was spent on material of the area or of New Zealand and on other factory
cost items incurred in the area or New Zealand — and, either way, when exported directly,
without entering the commerce of a country outside the area.

A plugin subclasses :class:`WorksCostDecision`, names the area and its classes' provisions; the
law file holds the share, the cost categories and the regime (``[regime]``: valuation as
received into the factory, outside packages, the share's formula, read with
:func:`declared_regime`), and a group's countries come from a dated membership list
(:mod:`origin.groups`). The numbers live there, not here.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import ClassVar, cast

import attrs

from origin.agreement import Agreement
from origin.citation import Citation
from origin.costs import CostSheet, sort_costs
from origin.decision import Decision
from origin.determination import (
    FAILS,
    NEEDS_INFO,
    Determination,
    Outcome,
    Step,
    Verdict,
    missing_of,
)
from origin.engine import Assessment, CaseError, Regime, RVCInputs
from origin.groups import Membership
from origin.law import LawBook
from origin.model import Case
from origin.psr import RegionalValueContent
from origin.regime import DeclaredRegime

METHOD = "factory-works-cost"  # the slug of the method each law file declares


def cost_sheet(law: LawBook, parties: frozenset[str], case: Case) -> CostSheet:
    """The case's cost lines sorted by the law file's categories; containers count by place."""
    return sort_costs(case, law.vocabulary("cost_categories"), parties, containers_by="place")


def _inputs(law: LawBook, a: Assessment) -> RVCInputs:
    """FWC = materials + wages + factory overheads + containers; the excluded items are out.

    An unknown value of a material of the area can only raise the share, an unknown value of
    any other material only lower it.
    """
    sheet = cost_sheet(law, frozenset(a.regime.parties), a.case)
    if sheet.missing:
        return RVCInputs({"QE": None, "FWC": None})
    fwc = a.materials_total + sheet.allowable + sheet.inner_containers
    if not fwc and not (a.unknown_vom or a.unknown_fc_non):
        return RVCInputs({"QE": None, "FWC": None})  # nothing to divide by: no cost sheet
    qe = a.originating_total + sheet.allowable_in_parties + sheet.inner_containers_originating
    up, down = a.unknown_vom, a.unknown_fc_non
    raises = None if up and down else bool(up)
    return RVCInputs({"QE": qe, "FWC": fwc}, (*up, *down), raises)


def lower_share(fact: str) -> tuple[Fraction, str]:
    """The share (percent) and reference of a chief executive's determination of a lower
    share, written as in ``facts.lower_share`` (e.g. '40; CE determination 2024/3')."""
    match = re.match(r"\s*(\d+(?:\.\d+)?)\s*%?\s*(?:[;,]\s*(.*))?$", fact)
    if match is None:
        raise CaseError(
            f"facts.lower_share: {fact!r} should start with a percentage, e.g. "
            "'40; CE determination 2024/3'"
        )
    return Fraction(match[1]), match[2] or ""


class WorksCostDecision(Decision):
    """One determination under a factory-or-works-cost regime; plugins set the names."""

    membership: ClassVar[Membership | None] = None  # None: the area is the law file's parties
    # Canada's r 40(1)(b) proviso lets the chief executive determine a lower share; the group
    # regulations have no such proviso, and their law files no ``lower_share`` fact.
    wholly_in_one_country: ClassVar[bool] = True

    @classmethod
    def area(cls, date: dt.date) -> frozenset[str]:
        """The countries of the area on ``date`` (New Zealand apart)."""
        if cls.membership is not None:
            return cls.membership.on(date)
        return frozenset(p for p in cls.law.parties if p != "NZ")

    @classmethod
    def regime_at(cls, date: dt.date) -> Regime:
        """The law file's ``[regime]`` with the area's countries on ``date`` as its parties."""
        parties = tuple(sorted(cls.area(date) | {"NZ"}))
        key = (cls.law.name, parties)
        if key not in _REGIMES:
            assert cls.declared is not None, f"{cls.__name__}: no declared regime"
            _REGIMES[key] = attrs.evolve(cls.declared.at(date), parties=parties)
        return _REGIMES[key]

    @property
    def parties(self) -> tuple[str, ...]:
        return tuple(sorted(self.area(self.date) | {"NZ"}))

    # The family's classes as this regulation names them: ``[regime.provisions]`` ``class_a``
    # (wholly the produce), ``class_b`` (manufactured), ``last_process``, ``direct`` and, for
    # a group's list, ``group``; ``[regime.words]`` the area's name and the classes' titles.

    @property
    def area_name(self) -> str:
        return self._declared().word("area")  # "Canada", "a Group 2 country"

    @property
    def cite_class_a(self) -> Citation:
        return self._declared().provision("class_a")

    @property
    def cite_class_b(self) -> Citation:
        return self._declared().provision("class_b")

    @property
    def cite_last_process(self) -> Citation:
        return self._declared().provision("last_process")

    @property
    def cite_direct(self) -> Citation:
        return self._declared().provision("direct")

    @property
    def class_a_title(self) -> str:
        return self._declared().word("class_a")

    @property
    def class_b_title(self) -> str:
        return self._declared().word("class_b")

    @property
    def cite_group(self) -> Citation | None:
        """The provision defining the group whose dated list is applied (r 43(1)): every
        determination names the list it used in a "group countries relied on" step."""
        return self._declared().provisions.get("group")

    @property
    def group_definition(self) -> str:
        return self._declared().word("group", "")

    def sheet(self) -> CostSheet:
        return cost_sheet(self.law, frozenset(self.parties), self.case)

    def rvc_missing(self, slug: str) -> tuple[str, ...]:
        return (*super().rvc_missing(slug), *self.sheet().missing)

    def wholly_obtained_class(self) -> Step:
        """The wholly-obtained class, in a country of the area (and, for the groups' lists,
        in one country: each item is obtained "there")."""
        base = self.wholly_obtained(self.cite_class_a, self.class_a_title)
        if self.case.good.wholly_obtained is None:
            return base
        where = self.case.good.produced_in
        area = self.area(self.date)
        if not where:
            place = Step(
                f"wholly obtained in {self.area_name}",
                self.cite_class_a,
                NEEDS_INFO,
                "where the goods were obtained is not stated",
                missing=("country where the goods were produced (good.produced_in)",),
            )
        elif not set(where) <= area:
            outside = ", ".join(c for c in where if c not in area)
            place = Step(
                f"wholly obtained in {self.area_name}",
                self.cite_class_a,
                FAILS,
                f"obtained in {outside}, which is not {self.area_name}",
            )
        elif self.wholly_in_one_country and len(set(where)) > 1:
            place = Step(
                f"wholly obtained in {self.area_name}",
                self.cite_class_a,
                FAILS,
                f"obtained in {', '.join(where)}: the list is of goods obtained in one country",
            )
        else:
            place = Step(
                f"wholly obtained in {self.area_name}",
                self.cite_class_a,
                Outcome.MEETS,
                f"obtained in {', '.join(where)}",
            )
        children = (*base.children, *self.category_step(base), place)
        return attrs.evolve(
            base,
            outcome=base.outcome & place.outcome,
            children=children,
            missing=missing_of(children),
        )

    def category_step(self, base: Step) -> tuple[Step, ...]:
        """The paragraph of the wholly-obtained list the goods are claimed under (e.g.
        r 43(2)(a)(ii)), as a cited step: the class step cites only its paragraph (a)."""
        key = self.case.good.wholly_obtained
        term = self.law.vocabulary("wholly_obtained").get(key or "")
        if term is None or any(s.citation == term.reference for s in base.walk()):
            return ()
        return (Step("wholly obtained category", term.reference, Outcome.MEETS, term.text),)

    def valuation_step(self) -> Step | None:
        """The materials in the factory or works cost, valued as received into the factory
        without duties (r 40(3)(a), r 43(4)(a), r 43A(4)(a)), and every other provision a
        material was counted under (outside packages, adjustments), each a cited step."""
        materials = self.case.materials
        if not materials:
            return None
        others: dict[Citation, list[str]] = {}
        for line in self.assessment.special_lines():
            for citation in line.citations:
                if citation != self.regime.valuation:
                    others.setdefault(citation, []).append(line.material.id)
        children = tuple(
            Step(f"materials counted under {citation}", citation, Outcome.MEETS, _ids(ids))
            for citation, ids in others.items()
        )
        return Step(
            "materials as received into the factory",
            self.regime.valuation,
            Outcome.MEETS,
            f"{len(materials)} material(s) at their cost as received into the factory, "
            "excluding customs duty, excise duty and other duties",
            (("materials", len(materials)),),
            children=children,
        )

    def share(self) -> tuple[Fraction, str]:
        """Half, unless the chief executive determined a lower share (Canada only)."""
        lower = self.case.facts.get("lower_share")
        if not isinstance(lower, str):
            return self.law.value("qualifying_share", self.date).value, ""
        return lower_share(lower)

    def last_process(self) -> Step:
        last = self.case.good.last_process_in
        if last is None:
            return Step(
                f"last process in {self.area_name}",
                self.cite_last_process,
                NEEDS_INFO,
                "place of the last process not stated",
                missing=("country of the last process of manufacture",),
            )
        return Step(
            f"last process in {self.area_name}",
            self.cite_last_process,
            Outcome.of(last in self.area(self.date)),
            f"last process in {last}",
        )

    def class_b(self) -> Step:
        """Manufactured with the last process in the area and at least the share of the
        factory or works cost spent on the area's (or New Zealand's) material and items."""
        threshold, reference = self.share()
        spend = self.rvc_step(RegionalValueContent(threshold, METHOD), self.rvc_citation)
        if reference:
            spend = attrs.evolve(
                spend,
                summary=f"{spend.summary} (share determined by the chief executive: {reference})",
            )
        valuation = self.valuation_step()
        children = (self.last_process(), spend, *((valuation,) if valuation else ()))
        return Step(
            self.class_b_title,
            self.cite_class_b,
            Outcome.all(c.outcome for c in children),
            spend.summary,
            children=children,
            missing=missing_of(children),
        )

    def direct(self) -> Step:
        """Exported directly from a country of the area, not entering the commerce of a
        country outside it (unless the chief executive permits)."""
        exported = self.case.consignment.exported_from if self.case.consignment else None
        area = self.area(self.date)
        if exported is not None and exported not in area:
            return Step(
                "commerce of another country",
                self.cite_direct,
                FAILS,
                f"exported from {exported}, not from {self.area_name}",
            )
        return self.exported_directly(self.cite_direct, exported or "", exported or "")

    def determine(self) -> Determination:
        steps: list[Step] = list(self.assessment.sub_steps)
        a_step = self.wholly_obtained_class()
        b_step = self.class_b()
        steps.extend((a_step, b_step))
        basis = [str(s.citation) for s in (a_step, b_step) if s.outcome is Outcome.MEETS]
        origin = a_step.outcome | b_step.outcome
        if not self.intermediate:
            direct = self.direct()
            steps.append(direct)
            origin &= direct.outcome
            if self.membership is not None and self.cite_group is not None:
                steps.append(
                    self.membership.step(self.date, self.cite_group, self.group_definition)
                )
        determination = self.conclude(Verdict.from_outcome(origin), basis, steps)
        return attrs.evolve(determination, costs=self.sheet().rows)


def _ids(ids: list[str]) -> str:
    """Material ids for a summary: the first ten, then how many more."""
    more = f" and {len(ids) - 10} more" if len(ids) > 10 else ""
    return ", ".join(ids[:10]) + more


def works_cost_agreement(
    law: LawBook, cases: Path, membership: Membership | None = None
) -> Agreement:
    """The plugin value of a regime of this family (regs 40, 43, 43A): its law file, whose
    ``[regime]`` names the classes, and for a group (``membership``) its dated list of
    countries with how to decide with a user's newer list."""
    run = cast(
        "type[WorksCostDecision]",
        type(
            f"{law.name}_decision",
            (WorksCostDecision,),
            {"law": law, "declared": declared_regime(law), "membership": membership},
        ),
    )

    def bind(newer: Membership) -> Callable[[Case, dt.date], Determination]:
        return cast(
            "type[WorksCostDecision]", type(run.__name__, (run,), {"membership": newer})
        ).decide

    return Agreement(
        name=law.name,
        title=law.title,
        regulations=law.regulations,
        law=law,
        decide=run.decide,
        cases=cases,
        membership=membership,
        bind_membership=None if membership is None else bind,
    )


_REGIMES: dict[tuple[str, tuple[str, ...]], Regime] = {}  # one per law and list of countries


def declared_regime(law: LawBook) -> DeclaredRegime:
    """The law file's ``[regime]`` (valuation, outside packages, the one cost-based method;
    no tariff shift, so no de minimis share), with the share's inputs from the cost sheet."""
    return DeclaredRegime.read(law, {"factory_works_cost": functools.partial(_inputs, law)})
