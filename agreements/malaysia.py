"""Malaysia: goods of Malaysia under the Malaysia–New Zealand FTA, reg 41.

Source: Customs and Excise Regulations 1996 (NZ), Part 6, "Provisions relating to Malaysia",
version as at 28 November 2025. r 41(1) deems goods the produce or manufacture of Malaysia if
they meet all applicable requirements of the Malaysia–New Zealand Free Trade Agreement (Kuala
Lumpur, 26 October 2009): (a) Chapter 3, (b) the document *Malaysia–New Zealand Product
Specific Rules—Annex 2 (2022)* (HS 2022) and (e) Annex 3 as amended with effect on and from
1 October 2020. The chapter is read from the agreement's full text (GitHub mappingtreaties/
tota, ``xml/pta_334.xml``) and cited by its own articles (``art 3.8(b)(iii)``, instrument
"MNZFTA"). The law file ``malaysia.toml`` holds every number and list with its reference and
the dates it covers (from 1 January 2022, when r 41(1)(b) was replaced). The case supplies the
Annex 2 rule; Annex 2's "QVC40" is written ``RVC40`` (the PSR grammar's word; the agreement's
one method is the law file's ``qvc``).

A good is originating (art 3.2) if it is (a) wholly obtained or produced (art 3.3), (b) produced
entirely in one or both Parties exclusively from originating materials, or (c) produced in the
Parties from non-originating materials meeting Annex 2; it keeps that status only if consigned
as art 3.8 allows. The Qualifying Value Content (art 3.4(1)) is (FOB − VNM) / FOB × 100, VNM at
the CIF value at importation or the earliest ascertained price; a good of one Party used as a
material in the other originates where the finished good is worked (art 3.5); de minimis is
10 % of FOB, or for goods of chapters 50–63 10 % of the total weight (art 3.7).

The regime — valuation (art 3.4(1)), the transport costs left out of locally acquired materials
(art 3.4(1)(b)), accessories (art 3.11), packaging (arts 3.9–3.10), indirect materials (art
3.12), de minimis by value and by weight, the QVC formula and accumulation (art 3.5) — is
declared in ``malaysia.toml``'s ``[regime]``. This module holds only what the law makes unique:
the criteria of art 3.2, minimal operations (art 3.6), direct consignment with its justified
transit (art 3.8), identical and interchangeable materials (art 3.13), the check that the
art 3.4(1)(b) deduction is taken only on materials acquired within a Party, and the obligations,
with these readings (decision 0020):

* Minimal operations (art 3.6) apply to criterion (c), where non-originating materials are
  used. The article's list is illustrative ("such as"); an operation it does not list is taken
  as going beyond it. The (e) processes count only if simple (``facts.operations_simple``);
  not stated, a good given only such processes needs it.
* Direct consignment (art 3.8): each stop outside the Parties may see only the operations of
  (b)(ii), must not have entered that country's commerce ((b)(i), ``transit[].entered_commerce``),
  and the transit must be justified for geographical, economic or logistical reasons ((b)(iii),
  ``facts.transit_justified`` for the route); not stated, it is asked for.
* Accessories (art 3.11(1)) are relieved only if classified with the goods
  (``facts.accessories_classified_with_goods``; not stated, the goods are decided both ways);
  relieved, they are "regarded as originating goods", also for criterion (b).

>>> import datetime as dt
>>> from origin.caseio import case_from_json
>>> case = case_from_json({
...     "schema": "origin-case/1", "currency": "MYR", "psr": "RVC40",
...     "good": {"id": "kettle", "hs": "8516.79", "fob": "1000.00",
...              "produced_in": ["MY"], "last_process_in": "MY",
...              "operations": ["moulding", "assembly"]},
...     "materials": [{"id": "element", "hs": "8516.80", "value": "600.00",
...                    "basis": "cif", "status": "non-originating"}],
...     "consignment": {"exported_from": "MY", "transit": []}})
>>> d = AGREEMENT.determine(case, dt.date(2025, 6, 1))
>>> d.verdict.value, [(r.method, r.value) for r in d.rvc]
('originating', [('qvc', Fraction(40, 1))])
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import attrs

from origin.agreement import Agreement
from origin.citation import Citation, cite
from origin.decision import Decision, classified_with_goods
from origin.determination import (
    FAILS,
    MEETS,
    NEEDS_INFO,
    Determination,
    Obligation,
    Outcome,
    Step,
    Verdict,
    missing_of,
)
from origin.engine import CaseError, all_materials
from origin.law import LawBook
from origin.model import Case, OriginStatus, ValueBasis
from origin.regime import DeclaredRegime

LAW = LawBook.load(Path(__file__).with_suffix(".toml"))
PARTIES = LAW.parties
AGREEMENT_NAME = "malaysia"
REGULATION = cite("r 41(1)")
ANNEX_3 = cite("r 41(1)(e)")

# The regime (valuation, the art 3.4(1)(b) deductions, accessories, packaging, indirect
# materials, de minimis by value and by weight, the QVC formula, accumulation) is declared in
# the law file's [regime]; this module holds only what the engine does not.
DECLARED = DeclaredRegime.read(LAW)
regime_at = DECLARED.at


def art(text: str) -> Citation:
    """A provision of the agreement (the law file's instrument), e.g. ``art 3.8(b)(iii)``."""
    return cite(text, LAW.instrument)


def check_local_deductions(case: Case) -> None:
    """art 3.4(1)(b): freight, insurance, packing and other transport costs are left out of the
    value of non-originating materials the producer acquires *within* the Party (valued at the
    earliest ascertained price); a material valued at CIF at importation (art 3.4(1)(a)) takes
    no such deduction, so the case is refused rather than the deduction silently dropped."""
    for material in all_materials(case):  # every line at any depth, without recursion
        if (
            material.adjustments
            and material.basis is ValueBasis.CIF
            and material.status is not OriginStatus.ORIGINATING
        ):
            raise CaseError(
                f"material {material.id!r}: art 3.4(1)(b) leaves transport costs out of the value "
                "of non-originating materials acquired within the Party (the earliest ascertained "
                "price); a material valued at CIF at importation (art 3.4(1)(a)) takes no such "
                "deduction"
            )


class _Run(Decision):
    """One Malaysia–NZ determination: the criteria of art 3.2 and the articles qualifying them."""

    law = LAW
    declared = DECLARED

    def __init__(self, case: Case, date: dt.date, **rest: Any) -> None:
        check_local_deductions(case)
        super().__init__(case, date, **rest)

    # ----- the criteria of art 3.2

    def criterion_a(self) -> Step:
        """art 3.2(a): wholly obtained or produced as defined in art 3.3."""
        step = self.wholly_obtained(art("art 3.2(a)"), "criterion 3.2(a) wholly obtained")
        key = self.case.good.wholly_obtained
        term = LAW.vocabulary("wholly_obtained").get(key) if key else None
        if term is None:
            return step
        claimed = Step("wholly obtained category", term.reference, MEETS, f"{key}: {term.text}")
        return attrs.evolve(step, children=(*step.children, claimed))

    def wholly_obtained_class(self) -> Step:
        return self.criterion_a()

    def criterion_b(self) -> Step:
        """art 3.2(b): produced entirely in one or both Parties exclusively from originating
        materials; a relieved accessory is "regarded as originating goods" (art 3.11(1))."""
        return self.exclusively_originating(
            art("art 3.2(b)"), "criterion 3.2(b) exclusively originating materials"
        )

    def criterion_c(self) -> tuple[Step, tuple[str, ...]]:
        """art 3.2(c): produced in the Parties from non-originating materials meeting the
        Annex 2 rule (the r 41(1)(b) document); art 3.6 applies to the operations."""
        return self.rule_criterion(art("art 3.2(c)"), self.minimal_operations)

    # ----- art 3.6

    def minimal_operations(self) -> Step | None:
        """art 3.6: operations or processes, by themselves or in combination, that are minimal
        and do not confer origin; None where no non-originating material is used. The list is
        illustrative ("such as"): an operation it does not list is taken as going beyond it.
        The (e) processes count only when simple (``facts.operations_simple``)."""
        return self.listed_operations()

    # ----- art 3.8

    def direct_consignment(self) -> Step:
        """art 3.8: transported without passing through a non-Party (a), or transited through
        non-Parties (b) without entering their commerce (i), with only the operations of (ii),
        the transit justified for geographical, economic or logistical reasons (iii)."""
        consignment = self.case.consignment
        transit = consignment.transit if consignment is not None else None
        if transit is None:
            return Step(
                "direct consignment",
                art("art 3.8"),
                NEEDS_INFO,
                "the route of the goods to New Zealand is not stated",
                missing=("consignment route (transit countries, or none)",),
            )
        stops = [stop for stop in transit if stop.country not in PARTIES]
        if not stops:
            return Step(
                "direct consignment",
                art("art 3.8(a)"),
                MEETS,
                "transported to New Zealand without passing through any non-Party",
            )
        allowed = LAW.vocabulary("transit_operations")
        children: list[Step] = []
        for stop in stops:
            entered = {None: NEEDS_INFO, True: FAILS, False: MEETS}[stop.entered_commerce]
            children.append(
                Step(
                    f"commerce of {stop.country}",
                    art("art 3.8(b)(i)"),
                    entered,
                    {
                        NEEDS_INFO: f"whether the goods entered the commerce of {stop.country} "
                        "is not stated",
                        FAILS: f"the goods entered the commerce of {stop.country}, a non-Party",
                        MEETS: f"the goods did not enter the commerce of {stop.country}",
                    }[entered],
                    missing=(
                        f"whether the goods entered the commerce of {stop.country} "
                        "(transit[].entered_commerce)",
                    )
                    if entered is NEEDS_INFO
                    else (),
                )
            )
            if stop.operations is None:
                children.append(
                    Step(
                        f"operations in {stop.country}",
                        art("art 3.8(b)(ii)"),
                        NEEDS_INFO,
                        f"the operations in {stop.country} are not stated",
                        missing=(f"operations performed on the goods in {stop.country}",),
                    )
                )
            else:
                other = [op for op in stop.operations if op not in allowed]
                children.append(
                    Step(
                        f"operations in {stop.country}",
                        art("art 3.8(b)(ii)"),
                        Outcome.of(not other),
                        f"in {stop.country}: {', '.join(stop.operations) or 'nothing done'}"
                        + (f"; not allowed: {', '.join(other)}" if other else ""),
                        (("operations", ", ".join(stop.operations) or "none"),),
                    )
                )
        route = ", ".join(stop.country for stop in stops)
        children.append(self._transit_justified(route))
        outcome = Outcome.all(c.outcome for c in children)
        summary = {
            MEETS: f"transited through {route} without entering its commerce, with only the "
            "operations art 3.8(b)(ii) allows, the transit justified",
            FAILS: f"the goods did not keep their originating status in transit through {route}",
        }.get(outcome, f"cannot tell whether the goods kept their status through {route}")
        return Step(
            "direct consignment",
            art("art 3.8(b)"),
            outcome,
            summary,
            (("transit", route),),
            children=tuple(children),
            missing=missing_of(children) if outcome is NEEDS_INFO else (),
        )

    def _transit_justified(self, route: str) -> Step:
        """art 3.8(b)(iii): "the transit entry is justified for geographical, economic or
        logistical reasons", one answer for the route (``facts.transit_justified``)."""
        justified = self.case.facts.get("transit_justified")
        reasons = self.case.facts.get("transit_reasons")
        citation = art("art 3.8(b)(iii)")
        inputs = (("reasons", str(reasons)),) if reasons else ()
        if justified is None:
            return Step(
                "transit justified",
                citation,
                NEEDS_INFO,
                f"whether the transit through {route} is justified for geographical, economic "
                "or logistical reasons is not stated",
                inputs,
                missing=(
                    f"whether the transit through {route} is justified for geographical, "
                    "economic or logistical reasons (facts.transit_justified, art 3.8(b)(iii))",
                ),
            )
        return Step(
            "transit justified",
            citation,
            MEETS if justified is True else FAILS,
            f"the transit through {route} is stated "
            + ("" if justified is True else "not ")
            + "justified for geographical, economic or logistical reasons"
            + (f": {reasons}" if reasons else ""),
            inputs,
        )

    # ----- obligations

    def obligations(self) -> tuple[Obligation, ...]:
        return (
            Obligation(
                art("art 3.14"),
                "the claim for preferential tariff treatment is supported by a Declaration of "
                "Origin or Certificate of Origin as set out in Annex 3 (Procedures and "
                "Verification)",
            ),
            Obligation(
                ANNEX_3,
                "Annex 3 applies as amended with effect on and from 1 October 2020 by an exchange "
                "of letters between the Governments of New Zealand and Malaysia; its amended "
                "terms (form, validity, waivers, record keeping, verification) are not encoded: "
                "check them in the amended Annex",
            ),
            Obligation(
                art("art 3.15"),
                "New Zealand Customs may deny the claim if the good does not qualify as "
                "originating or if the importer, exporter or producer fails to comply with any "
                "relevant requirement of Chapter 3",
            ),
        )

    # ----- the determination

    def determine(self) -> Determination:
        a_step = self.criterion_a()
        b_step = self.criterion_b()
        c_step, met = self.criterion_c()
        # art 3.13: identical and interchangeable materials, by GAAP stock control.
        steps, produced, origin = self.by_criteria(
            (a_step, b_step, c_step), (art("art 3.13"), (art("art 3.13"), art("art 3.13")), None)
        )
        # art 3.8: a good retains its originating status only if consigned as it allows.
        origin = self.consigned(origin, steps, self.direct_consignment)
        verdict = Verdict.from_outcome(origin)
        basis = self.criteria_basis(
            (a_step, b_step, c_step), produced, ("art 3.2(a)", "art 3.2(b)", "art 3.2(c)"), 2, met
        )
        steps.append(
            Step(
                "requirements of the Malaysia–New Zealand FTA",
                REGULATION,
                origin,
                "goods meeting all applicable requirements of Chapter 3, the Annex 2 document "
                "of 2022 and Annex 3 (as amended from 1 October 2020) of the Malaysia–New "
                "Zealand Free Trade Agreement are deemed the produce or manufacture of Malaysia",
            )
        )
        return self.conclude(verdict, basis, steps)


def decide(case: Case, date: dt.date) -> Determination:
    """Decide whether ``case``'s goods are the produce or manufacture of Malaysia (r 41(1)
    with the agreement's art 3.2).

    art 3.11(1)(a) relieves accessories "classified with" the goods: the case states it
    (``facts.accessories_classified_with_goods``); not stated, the goods are decided both
    ways. Either way a cited step says what was done.
    """
    accessories = [m.id for m in case.materials if m.accessory is not None]
    if not accessories:
        return _Run.decide(case, date)
    return classified_with_goods(
        case, lambda c: _Run.decide(c, date), accessories, art("art 3.11(1)(a)"), "art 3.11(1)"
    )


AGREEMENT = Agreement(
    name=AGREEMENT_NAME,
    title=LAW.title,
    regulations=LAW.regulations,
    law=LAW,
    decide=decide,
    cases=Path(__file__).parent / "cases" / "malaysia",
)
