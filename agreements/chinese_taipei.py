"""Chinese Taipei: goods of Chinese Taipei under ANZTEC, regs 51ZZA–51ZZB.

Source: Customs and Excise Regulations 1996 (NZ), Part 6, "Provisions relating to Chinese
Taipei", version as at 28 November 2025. r 51ZZB deems goods the produce or manufacture of
Chinese Taipei (the Separate Customs Territory of Taiwan, Penghu, Kinmen, and Matsu, r 51ZZA) if
they meet all applicable requirements of ANZTEC's (a) Chapter 3 and (b) the document *Product
Specific Rules (PSR) Schedule Chinese-Taipei (2022)* (HS 2022). The chapter is read from the
agreement's full text (GitHub mappingtreaties/tota, ``xml/pta_436.xml``) and cited by its own
articles (``art 9(b)(i)``, instrument "ANZTEC Chapter 3": the chapter numbers its articles 1 to
22). The law file ``chinese_taipei.toml`` holds every number and list with its reference and the
dates it covers (from 1 January 2022, when r 51ZZB(b) was replaced). The case supplies the
Annex 2 rule.

A good is originating (art 2) if it is (a) wholly obtained or produced in a Party (art 3), (b)
produced entirely in one or both Parties exclusively from originating materials, or (c) produced
in one or both Parties from non-originating materials meeting a change of classification (art 4),
an RVC (art 5) or another Annex 2 requirement; it retains that status only if consigned as art 9
allows. The RVC (art 5(1)) is (FOB − VNM) / FOB × 100 only, VNM the value in CIF terms of
non-originating materials including those of undetermined origin; de minimis is 10 % of FOB
(art 8), with no test by weight.

The regime — valuation (art 5(2)), the transport costs left out of locally acquired materials
(art 5(2)(b)), accessories (art 11), packaging (art 10), indirect materials (art 12), de
minimis, the RVC formula, accumulation (art 6) and the route through non-Parties (art 9, in
``[regime.route]``) — is declared in ``chinese_taipei.toml``. This module holds only what the
law makes unique, with these readings (decision 0022):

* Minimal operations (art 7(1)) apply to criterion (c), where non-originating materials are
  used. The list is illustrative ("such as"); an operation it does not list is taken as going
  beyond it. The (e) processes count only if simple (``facts.operations_simple``). Art 7 applies
  "except as otherwise provided in Annex 2", which is not read here: where only listed operations
  were performed, the case must say whether Annex 2 provides otherwise for the good
  (``facts.annex2_provides_otherwise``); not stated, it is asked for (needs review of Annex 2).
* Direct consignment (art 9): through a non-Party only transhipment, temporary storage and the
  operations of (b)(ii), without entering trade or commerce there (``Decision.route()``); where
  a stop stored the good, the storage must be of up to six months
  (``facts.transit_storage_within_six_months``; not stated, asked for).
* Accessories (art 11(1)) are relieved only if classified with the good
  (``facts.accessories_classified_with_goods``; not stated, the goods are decided both ways);
  the relief speaks of the change of classification only, so criterion (b) counts them.
* Art 5(2)(b)'s deductions are refused on a material valued at CIF at importation (art 5(2)(a)).

>>> import datetime as dt
>>> from origin.caseio import case_from_json
>>> case = case_from_json({
...     "schema": "origin-case/1", "currency": "USD", "psr": "RVC40",
...     "good": {"id": "kettle", "hs": "8516.79", "fob": "1000.00",
...              "produced_in": ["TW"], "last_process_in": "TW",
...              "operations": ["moulding", "assembly"]},
...     "materials": [{"id": "element", "hs": "8516.80", "value": "600.00",
...                    "basis": "cif", "status": "non-originating"}],
...     "consignment": {"exported_from": "TW", "transit": []}})
>>> d = AGREEMENT.determine(case, dt.date(2025, 6, 1))
>>> d.verdict.value, [(r.method, r.value) for r in d.rvc]
('originating', [('build-down', Fraction(40, 1))])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
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
    Step,
    Verdict,
    missing_of,
)
from origin.engine import CaseError, all_materials, minimal_operations_step
from origin.law import LawBook, Term
from origin.model import Case, OriginStatus, ValueBasis
from origin.regime import DeclaredRegime

LAW = LawBook.load(Path(__file__).with_suffix(".toml"))
PARTIES = LAW.parties
AGREEMENT_NAME = "chinese-taipei"
REGULATION = cite("r 51ZZB")
PSR_DOCUMENT = cite("r 51ZZB(b)")

# The regime (valuation, the art 5(2)(b) deductions, accessories, packaging, indirect materials,
# de minimis, the RVC formula, accumulation, the art 9 route) is declared in the law file's
# [regime]; this module holds only what the engine does not.
DECLARED = DeclaredRegime.read(LAW)
regime_at = DECLARED.at
_STORAGE = frozenset({"storing", "storage"})


def art(text: str) -> Citation:
    """A provision of ANZTEC's Chapter 3 (the law file's instrument), e.g. ``art 9(b)(i)``."""
    return cite(text, LAW.instrument)


def check_local_deductions(case: Case) -> None:
    """art 5(2)(b): freight, insurance, packing and other transport costs are left out of the
    value of non-originating materials the producer acquires *within* the Party; a material
    valued at CIF at importation (art 5(2)(a)) takes no such deduction, so the case is refused
    rather than the deduction silently dropped."""
    for material in all_materials(case):  # every line at any depth, without recursion
        if (
            material.adjustments
            and material.basis is ValueBasis.CIF
            and material.status is not OriginStatus.ORIGINATING
        ):
            raise CaseError(
                f"material {material.id!r}: art 5(2)(b) leaves transport costs out of the value "
                "of non-originating materials acquired within the Party (the earliest ascertained "
                "price); a material valued at CIF at importation (art 5(2)(a)) takes no such "
                "deduction"
            )


class _Run(Decision):
    """One ANZTEC determination: the criteria of art 2 and the articles qualifying them."""

    law = LAW
    declared = DECLARED

    def __init__(self, case: Case, date: dt.date, **rest: Any) -> None:
        check_local_deductions(case)
        super().__init__(case, date, **rest)

    # ----- the criteria of art 2

    def criterion_a(self) -> Step:
        """art 2(a): wholly obtained or produced in a Party as provided for in art 3."""
        step = self.wholly_obtained(art("art 2(a)"), "criterion 2(a) wholly obtained")
        return self.claimed_category(step)

    def wholly_obtained_class(self) -> Step:
        return self.criterion_a()

    def criterion_b(self) -> Step:
        """art 2(b): produced entirely in one or both Parties exclusively from originating
        materials. A non-originating accessory or retail packaging is a non-originating material
        here (arts 10(2) and 11(1) relieve them only for a change of classification)."""
        return self.exclusively_originating(
            art("art 2(b)"),
            "criterion 2(b) exclusively originating materials",
            relief_is_originating=False,
        )

    def criterion_c(self) -> tuple[Step, tuple[str, ...]]:
        """art 2(c): produced in one or both Parties using non-originating materials meeting
        the Annex 2 rule (the r 51ZZB(b) document); art 7 applies to the operations."""
        return self.rule_criterion(art("art 2(c)"), self.minimal_operations)

    # ----- art 7

    def minimal_operations(self) -> Step | None:
        """art 7(1): operations or processes, by themselves or in combination, that are minimal
        and do not confer origin, "except as otherwise provided in Annex 2"; None where no
        non-originating material is used. The list is illustrative ("such as"): an operation it
        does not list is taken as going beyond it. The (e) processes count only when simple
        (``facts.operations_simple``). Where only listed operations were performed, whether
        Annex 2 provides otherwise is asked (``facts.annex2_provides_otherwise``)."""
        if not self.assessment.non_originating:
            return None
        listed: Mapping[str, Term] = LAW.vocabulary("minimal_operations")
        operations = self.case.good.operations
        facts = self.case.facts
        simple = facts.get("operations_simple")
        if simple is False:
            listed = {k: t for k, t in listed.items() if t.group != "simple"}
        inner = minimal_operations_step(
            operations,
            listed,
            art("art 7(1)"),
            "operations undertaken to produce the good (good.operations, art 7(1))",
        )
        needing = [
            op
            for op in operations or ()
            if inner.outcome is FAILS and simple is None and listed[op].group == "simple"
        ]
        if needing:
            inner = attrs.evolve(
                inner,
                outcome=NEEDS_INFO,
                summary=f"only operations listed in art 7(1) were performed; "
                f"{', '.join(needing)} are among them only if simple",
                missing=(
                    f"whether {', '.join(needing)} were simple processes "
                    "(facts.operations_simple, art 7(1)(e))",
                ),
            )
        cited = [
            Step(
                f"minimal operation: {op}",
                listed[op].reference,
                FAILS if inner.outcome is FAILS else NEEDS_INFO,
                listed[op].text,
            )
            for op in dict.fromkeys(operations or ())
            if op in listed and inner.outcome is not MEETS
        ]
        if cited:
            inner = attrs.evolve(inner, children=(*inner.children, *cited))
        if inner.outcome is FAILS:
            inner = self._annex2_otherwise(inner)
        summary = {
            MEETS: "the production goes beyond the minimal operations of art 7(1) (its list is "
            "illustrative, 'such as': the operations not listed are taken as more than minimal)",
            FAILS: "only minimal operations (art 7(1)) and Annex 2 is stated not to provide "
            "otherwise: they do not confer origin",
        }.get(inner.outcome, "cannot tell whether the operations go beyond those of art 7(1)")
        if inner.outcome is MEETS and facts.get("annex2_provides_otherwise") is True:
            summary = (
                "only operations listed in art 7(1), but Annex 2 is stated to provide otherwise "
                "for this good"
            )
        elif inner.outcome is NEEDS_INFO and not needing:
            summary = (
                "only operations listed in art 7(1); they confer no origin unless Annex 2 "
                "provides otherwise, which is not stated"
            )
        if simple is not None and inner.outcome is not NEEDS_INFO:
            summary += f"; the (e) processes are stated {'' if simple else 'not '}simple"
        return attrs.evolve(inner, summary=summary)

    def _annex2_otherwise(self, inner: Step) -> Step:
        """art 7(1) "Except as otherwise provided in Annex 2": Annex 2 is not read here, so
        the case says whether it provides otherwise (``facts.annex2_provides_otherwise``)."""
        stated = self.case.facts.get("annex2_provides_otherwise")
        outcome = MEETS if stated is True else FAILS if stated is False else NEEDS_INFO
        exception = Step(
            "Annex 2 provides otherwise",
            PSR_DOCUMENT,
            outcome,
            {
                MEETS: "Annex 2 is stated to provide otherwise for this good: art 7(1) does "
                "not deny origin",
                FAILS: "Annex 2 is stated not to provide otherwise for this good",
                NEEDS_INFO: "whether Annex 2 (not read by the toolkit) provides otherwise for "
                "this good is not stated",
            }[outcome],
            missing=(
                "review: whether Annex 2 (the PSR Schedule, r 51ZZB(b)) provides otherwise than "
                "art 7(1) for this good (facts.annex2_provides_otherwise)",
            )
            if outcome is NEEDS_INFO
            else (),
        )
        return attrs.evolve(
            inner,
            outcome=outcome,
            children=(*inner.children, exception),
            missing=missing_of((exception,)) if outcome is NEEDS_INFO else (),
        )

    # ----- art 9

    def direct_consignment(self) -> Step:
        """art 9: the route through non-Parties (``[regime.route]``, ``Decision.route()``) and,
        where a non-Party stored the good, the storage of up to six months of art 9(b)."""
        moved = self.route()
        consignment = self.case.consignment
        transit = consignment.transit if consignment is not None else None
        stored = [
            stop.country
            for stop in transit or ()
            if stop.country not in PARTIES and _STORAGE & set(stop.operations or ())
        ]
        if not stored:
            return moved
        months = LAW.value("transit_storage_months", self.date).value
        within = self.case.facts.get("transit_storage_within_six_months")
        outcome = MEETS if within is True else FAILS if within is False else NEEDS_INFO
        where = ", ".join(dict.fromkeys(stored))
        storage = Step(
            "temporary storage",
            art("art 9(b)"),
            outcome,
            {
                MEETS: f"the temporary storage in {where} is stated to be of up to {months} months",
                FAILS: f"the storage in {where} is stated to exceed {months} months",
                NEEDS_INFO: f"the good was stored in {where}; whether for up to {months} months "
                "is not stated",
            }[outcome],
            (("storage limit (months)", months),),
            missing=(
                f"whether the temporary storage in {where} lasted no more than {months} months "
                "(facts.transit_storage_within_six_months, art 9(b))",
            )
            if outcome is NEEDS_INFO
            else (),
        )
        children = (*moved.children, storage)
        both = moved.outcome & outcome
        rule = DECLARED.route
        assert rule is not None  # the law file declares [regime.route]
        route = str(dict(moved.inputs).get("transit", where))
        return attrs.evolve(
            moved,
            outcome=both,
            summary=rule.summaries[both].format(route=route)
            + ("" if outcome is MEETS else f"; {storage.summary}"),
            children=children,
            missing=missing_of(children) if both is NEEDS_INFO else (),
        )

    # ----- obligations

    def obligations(self) -> tuple[Obligation, ...]:
        waiver = LAW.value("proof_waiver_usd", self.date)
        return (
            Obligation(
                art("art 16(1)"),
                "the importer's claim for preferential tariff treatment rests on a written or "
                "electronic declaration of origin, a written or electronic certificate of "
                "origin, or other evidence substantiating the preference claimed",
            ),
            Obligation(
                art("art 16(2)"),
                "the declaration or certificate of origin is in the form set out in the "
                "Implementing Arrangement on Rules of Origin Operational Procedures (not read "
                "here)",
            ),
            Obligation(
                art("art 16(3)"),
                "the declaration or certificate of origin is completed in English",
            ),
            Obligation(
                art("art 16(4)"),
                "the declaration of origin gives, in its observations field unless on the export "
                "invoice: a full description of the goods, the six-digit HS code, the producer's "
                "name if known, the importer's name if known, and the rule of origin claimed",
            ),
            Obligation(
                art("art 16(5)"),
                "slight discrepancies between the declaration or certificate and the export "
                "invoice do not of themselves cause the claim to be denied",
            ),
            Obligation(
                art("art 17(1)"),
                f"no declaration or certificate of origin is required where the customs value "
                f"does not exceed US${waiver.value} (or its equivalent, or a higher amount New "
                "Zealand establishes), or where New Zealand has waived it for the goods",
            ),
            Obligation(
                art("art 17(2)"),
                "preferential tariff treatment may be denied where the importation is one of a "
                "series that may reasonably be considered arranged to avoid the origin "
                "requirements",
            ),
            Obligation(
                art("art 18"),
                "producers, exporters and importers keep all records necessary to demonstrate "
                "that the good qualifies for preferential tariff treatment, for the period "
                "New Zealand's (or the exporting Party's) domestic law specifies",
            ),
            Obligation(
                art("art 19"),
                "direct consignment (art 9) may be evidenced by commercial shipping or freight "
                "documents and, for transit through a non-Party, documents showing no subsequent "
                "production there",
            ),
            Obligation(
                art("art 20"),
                "a claim is not rejected only because the invoice is issued in a third party",
            ),
        )

    # ----- the determination

    def determine(self) -> Determination:
        a_step = self.criterion_a()
        b_step = self.criterion_b()
        c_step, met = self.criterion_c()
        # art 13: identical and interchangeable materials, by separation or a GAAP method.
        steps, produced, origin = self.by_criteria(
            (a_step, b_step, c_step),
            (art("art 13(1)"), (art("art 13(1)(a)"), art("art 13(1)(b)")), None),
        )
        # art 9: a good retains its originating status only if consigned as it allows.
        origin = self.consigned(origin, steps, self.direct_consignment)
        verdict = Verdict.from_outcome(origin)
        basis = self.criteria_basis(
            (a_step, b_step, c_step), produced, ("art 2(a)", "art 2(b)", "art 2(c)"), 2, met
        )
        steps.append(
            Step(
                "requirements of ANZTEC",
                REGULATION,
                origin,
                "goods meeting all applicable requirements of Chapter 3 of ANZTEC and the PSR "
                "Schedule Chinese-Taipei (2022) are deemed the produce or manufacture of Chinese "
                "Taipei (the Separate Customs Territory of Taiwan, Penghu, Kinmen, and Matsu)",
            )
        )
        return self.conclude(verdict, basis, steps)


def decide(case: Case, date: dt.date) -> Determination:
    """Decide whether ``case``'s goods are the produce or manufacture of Chinese Taipei
    (r 51ZZB with ANZTEC's art 2).

    art 11(1) relieves accessories "provided these are classified with" the good: the case
    states it (``facts.accessories_classified_with_goods``); not stated, the goods are decided
    both ways. Either way a cited step says what was done.
    """
    accessories = [m.id for m in case.materials if m.accessory is not None]
    if not accessories:
        return _Run.decide(case, date)
    return classified_with_goods(
        case, lambda c: _Run.decide(c, date), accessories, art("art 11(1)"), "art 11(1)"
    )


AGREEMENT = Agreement(
    name=AGREEMENT_NAME,
    title=LAW.title,
    regulations=LAW.regulations,
    law=LAW,
    decide=decide,
    cases=Path(__file__).parent / "cases" / "chinese-taipei",
)
