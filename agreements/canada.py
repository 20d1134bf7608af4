"""Canada: goods the produce or manufacture of Canada, Customs and Excise Regulations 1996, reg 40.

Source: Customs and Excise Regulations 1996 (NZ), Part 6, "Provisions relating to Canada",
reg 40, version as at 28 November 2025. The law file ``canada.toml`` beside this module
holds the share, the factory-or-works-cost categories and their references.

Goods are the produce or manufacture of Canada when they are wholly its produce (r 40(1)(a)),
or manufactured there with the last process in Canada and at least half of the factory or
works cost spent on Canadian or New Zealand material and on other factory cost items incurred
in Canada or New Zealand (r 40(1)(b)) — and, either way, exported directly from Canada without
entering the commerce of another country (r 40(2)).

Interpretations (also shown in the explanation where they apply):

* Materials are valued "as received into factory, excluding" duties (r 40(3)(a)): the case
  states material values so. Materials of Canadian or New Zealand origin are those declared
  originating with origin country CA or NZ; any other material counts as neither.
* Containers other than the outside package (r 40(3)(d)) are factory-cost items; they count
  towards the Canadian/New Zealand expenditure when incurred in Canada or New Zealand
  (r 40(1)(b)(ii)(B)). Outside packages are left out (r 40(4)(c)), as is packing material the
  BOM marks ``shipment``.
* The chief executive's determination of a lower share (proviso to r 40(1)(b)) is the case
  fact ``lower_share``: the percentage first, then the determination's reference.

>>> import datetime as dt
>>> from origin.caseio import case_from_json
>>> case = case_from_json({
...     "schema": "origin-case/1", "currency": "CAD",
...     "good": {"id": "boat", "hs": "8903.21", "produced_in": ["CA"], "last_process_in": "CA"},
...     "materials": [{"id": "hull", "hs": "3920.10", "value": "500.00",
...                    "status": "originating", "origin_country": "CA"},
...                   {"id": "engine", "hs": "8407.21", "value": "300.00",
...                    "status": "non-originating"}],
...     "costs": [{"id": "W", "category": "wages", "amount": "200.00", "incurred_in": "CA"}],
...     "consignment": {"exported_from": "CA", "transit": []}})
>>> d = AGREEMENT.determine(case, dt.date(2025, 6, 1))
>>> d.verdict.value, d.rvc[0].value
('originating', Fraction(70, 1))
"""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction
from pathlib import Path

from origin.agreement import Agreement
from origin.citation import cite
from origin.costs import sort_costs
from origin.decision import Decision
from origin.determination import NEEDS_INFO, Determination, Outcome, Step, Verdict, missing_of
from origin.engine import Assessment, CaseError, Regime, RVCInputs, RVCMethod
from origin.formulas import Formula
from origin.law import LawBook
from origin.model import Case
from origin.psr import RegionalValueContent

LAW = LawBook.load(Path(__file__).with_suffix(".toml"))
PARTIES = LAW.parties
METHOD = "factory-works-cost"

# r 40(1)(b)(ii): Canadian/New Zealand expenditure as a share of the factory or works cost.
SHARE = Formula.define(
    METHOD,
    "QE / FWC * 100",
    {
        "QE": "expenditure on Canadian/New Zealand material and on factory cost items there",
        "FWC": "factory or works cost of the goods in their finished state",
    },
)


def _inputs(a: Assessment) -> RVCInputs:
    """r 40(3): FWC = materials + wages + factory overheads + containers; r 40(4) excluded.

    An unknown originating value can only raise the share, a non-originating one only lower it.
    """
    sheet = sort_costs(a.case, LAW.vocabulary("cost_categories"), PARTIES, containers_by="place")
    if sheet.missing:
        return RVCInputs({"QE": None, "FWC": None})
    fwc = a.materials_total + sheet.allowable + sheet.inner_containers
    qe = a.originating_total + sheet.allowable_in_parties + sheet.inner_containers_originating
    up, down = a.unknown_vom, a.unknown_fc_non
    raises = None if up and down else bool(up)
    return RVCInputs({"QE": qe, "FWC": fwc}, (*up, *down), raises)


REGIME = Regime(
    valuation=cite("r 40(3)(a)"),
    adjust_originating=LAW.vocabulary("adjust_originating"),
    adjust_non_originating=LAW.vocabulary("adjust_non_originating"),
    accessories=None,
    accessories_lose_if_raising_fact=None,
    retail_packaging_shift=None,
    retail_packaging_rvc=None,
    shipment_packaging=cite("r 40(4)(c)"),
    indirect=None,
    de_minimis=cite("r 40(1)(b)"),  # reg 40 has no tariff shift and so no de minimis
    de_minimis_share=Fraction(0),
    de_minimis_base="adjusted_value",
    de_minimis_base_label="adjusted value",
    rvc_methods={
        METHOD: RVCMethod(METHOD, SHARE, cite("r 40(1)(b)(ii)"), _inputs, ("QE", "FWC")),
    },
    default_rvc_methods=(METHOD,),
    parties=PARTIES,
)


class _Run(Decision):
    """One Canada determination: the classes of r 40(1) and direct export (r 40(2))."""

    law = LAW
    intermediate_citation = cite("r 40(1)")
    shift_citation = cite("r 40(1)(b)")
    rvc_citation = cite("r 40(1)(b)(ii)")

    @classmethod
    def regime_at(cls, date: dt.date) -> Regime:
        del date  # nothing in reg 40 changes within the encoded window
        return REGIME

    def wholly_obtained_class(self) -> Step:
        return self.wholly_obtained(cite("r 40(1)(a)"), "class 40(1)(a) wholly the produce")

    def rvc_missing(self, slug: str) -> tuple[str, ...]:
        missing = list(super().rvc_missing(slug))
        sheet = sort_costs(
            self.case, LAW.vocabulary("cost_categories"), PARTIES, containers_by="place"
        )
        return (*missing, *sheet.missing)

    def share(self) -> tuple[Fraction, str]:
        """Half, unless the chief executive determined a lower share (proviso to r 40(1)(b))."""
        lower = self.case.facts.get("lower_share")
        if not isinstance(lower, str):
            return LAW.value("qualifying_share", self.date).value, ""
        match = re.match(r"\s*(\d+(?:\.\d+)?)\s*%?\s*(?:[;,]\s*(.*))?$", lower)
        if match is None:
            raise CaseError(
                f"facts.lower_share: {lower!r} should start with a percentage, e.g. "
                "'40; CE determination 2024/3'"
            )
        return Fraction(match[1]), match[2] or ""

    def class_b(self) -> Step:
        """r 40(1)(b): manufactured in Canada, last process there, at least half (or the
        determined share) of the factory or works cost spent in Canada / New Zealand."""
        citation = cite("r 40(1)(b)")
        last = self.case.good.last_process_in
        last_step = Step(
            "last process in Canada",
            cite("r 40(1)(b)(i)"),
            NEEDS_INFO if last is None else Outcome.of(last == "CA"),
            f"last process in {last}" if last else "place of the last process not stated",
            missing=("country of the last process of manufacture",) if last is None else (),
        )
        threshold, reference = self.share()
        spend = self.rvc_step(RegionalValueContent(threshold, METHOD), cite("r 40(1)(b)(ii)"))
        if reference:
            spend = Step(
                spend.test,
                spend.citation,
                spend.outcome,
                f"{spend.summary} (share determined by the chief executive: {reference})",
                spend.inputs,
                spend.value,
                spend.threshold,
                spend.margin,
                spend.missing,
                spend.children,
            )
        children = (last_step, spend)
        return Step(
            "class 40(1)(b) manufactured in Canada",
            citation,
            Outcome.all(c.outcome for c in children),
            spend.summary,
            children=children,
            missing=missing_of(children),
        )

    def determine(self) -> Determination:
        steps: list[Step] = list(self.assessment.sub_steps)
        a_step = self.wholly_obtained_class()
        b_step = self.class_b()
        steps.extend((a_step, b_step))
        basis = [str(s.citation) for s in (a_step, b_step) if s.outcome is Outcome.MEETS]
        origin = a_step.outcome | b_step.outcome
        if not self.intermediate:
            # r 40(2): only goods exported directly from Canada, not in another country's commerce.
            direct = self.exported_directly(cite("r 40(2)"), "CA", "Canada")
            steps.append(direct)
            origin &= direct.outcome
        return self.conclude(Verdict.from_outcome(origin), basis, steps)


def decide(case: Case, date: dt.date) -> Determination:
    """Decide whether ``case``'s goods are the produce or manufacture of Canada (r 40)."""
    return _Run.decide(case, date)


AGREEMENT = Agreement(
    name="canada",
    title=LAW.title,
    regulations=LAW.regulations,
    law=LAW,
    decide=decide,
    cases=Path(__file__).parent / "cases" / "canada",
)
