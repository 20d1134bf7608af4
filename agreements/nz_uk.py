"""NZ–UK: goods of the United Kingdom and the Crown Dependencies, regs 51ZZK–51ZZL.

Source: Customs and Excise Regulations 1996 (NZ), Part 6, "Provisions relating to UK FTA
parties", version as at 28 November 2025. r 51ZZL treats goods as the produce or manufacture
of "the United Kingdom and the Crown Dependencies" (the United Kingdom, Guernsey, Jersey and
the Isle of Man, r 51ZZK) if they meet all applicable requirements of the UK FTA's Chapter 3,
Annex 3A (product-specific rules) and Annex 3B (origin declarations). The chapter's words are
read from the UK's restatement, the *New Zealand Origin Reference Document* v1.0 (20 February
2023), whose Article N of Section A is cited as the FTA's art 3.N (decision 0015 records how
far that numbering is verified). The law file ``nz_uk.toml`` holds every number and list with
its reference and the dates it covers (from 31 May 2023). The case supplies the Annex 3A rule,
or ``origin determine --schedule`` takes it from the imported Annex 3A.

A good is originating (art 3.2) if it is (a) wholly obtained (art 3.3), (b) produced entirely in
the Parties exclusively from originating materials, or (c) produced there meeting Annex 3A; and
it keeps that status only if transported as art 3.10 allows. RVC (art 3.4) is build-down
(value of the good − VNM) / value of the good × 100 or build-up VOM / value of the good × 100,
either sufficing where the rule names neither (Annex 3A headnote 8(d)). The value of the good
(art 3.1) is the price paid or payable to the producer at the place where the last production
was carried out, an ex-works-like price: it is read from the case's ``good.ex_works``. Failing
the change in classification is forgiven within 15 % of the value of the good or, for goods of
HS chapters 1–24 and 50–63, 15 % of their net weight (art 3.9). The agreement has no list of
minimal operations.

The regime — valuation (art 3.6), adjustments (art 3.7), accessories (art 3.12), packaging
(art 3.14), indirect materials (art 3.11), tolerance (art 3.9), both RVC formulas and
accumulation (art 3.8(2)) — is declared in ``nz_uk.toml``'s ``[regime]``. This module holds
only what the law makes unique: the criteria of art 3.2, non-alteration (art 3.10), sets of
goods (art 3.13), fungible materials (art 3.16), the obligations, and the interpretations:

* The value of the good is ``good.ex_works`` (art 3.1); an intermediate material's own value
  stands in for it when it is decided in its own right (art 3.5(1)).
* Art 3.5(2) and art 3.8(3) let the value of processing of non-originating materials in the
  Parties count as originating content; the engine does not add it, so an RVC computed here is
  a lower bound of the RVC those articles allow: a pass stands, a failure may be overcome.
* Art 3.10(2)(b) "released to free circulation" is the stop's ``entered_commerce``.
* Accessories (art 3.12(1)) are relieved only if classified with the good
  (``facts.accessories_classified_with_goods``; not stated, the goods are decided both ways).
  The relief applies to wholly obtained goods and the change in classification, not to
  criterion (b) ("exclusively from originating materials").
* A set (art 3.13, ``facts.set``): its top-level materials are its component goods. A set
  failing art 3.13(1) is not originating; one meeting it is originating if art 3.2 is met too,
  and otherwise needs review (whether art 3.13 alone confers origin is not decided here).

>>> import datetime as dt
>>> from origin.caseio import case_from_json
>>> case = case_from_json({
...     "schema": "origin-case/1", "currency": "GBP", "psr": "RVC40",
...     "good": {"id": "kettle", "hs": "8516.79", "ex_works": "1000.00",
...              "produced_in": ["GB"], "last_process_in": "GB",
...              "operations": ["moulding", "assembly"]},
...     "materials": [{"id": "element", "hs": "8516.80", "value": "600.00",
...                    "basis": "cif", "status": "non-originating"}],
...     "consignment": {"exported_from": "GB", "transit": []}})
>>> d = AGREEMENT.determine(case, dt.date(2025, 6, 1))
>>> d.verdict.value, [(r.method, r.value) for r in d.rvc]
('originating', [('build-down', Fraction(40, 1)), ('build-up', Fraction(0, 1))])
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
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
from origin.engine import alternatives_met, exact, percent
from origin.law import LawBook
from origin.model import Case, Packaging
from origin.psr import RegionalValueContent
from origin.regime import DeclaredRegime

LAW = LawBook.load(Path(__file__).with_suffix(".toml"))
PARTIES = LAW.parties
AGREEMENT_NAME = "nz-uk"
REGULATION = cite("r 51ZZL")

# The regime (valuation, adjustments, accessories, packaging, indirect materials, tolerance by
# value and by weight, both art 3.4 formulas, accumulation) is declared in the law file's
# [regime]; this module holds only what the engine does not.
DECLARED = DeclaredRegime.read(LAW)
regime_at = DECLARED.at


def art(text: str) -> Citation:
    """A provision of the UK FTA (the law file's instrument), e.g. ``art 3.10(2)(b)``."""
    return cite(text, LAW.instrument)


class _Run(Decision):
    """One NZ–UK determination: the criteria of art 3.2 and the articles qualifying them."""

    law = LAW
    declared = DECLARED

    def __init__(self, case: Case, date: dt.date, *, intermediate: bool, **rest: Any) -> None:
        good = case.good
        if intermediate and good.ex_works is None and good.fob is not None:
            # An intermediate material decided in its own right (art 3.5(1)): its own value
            # stands in for its value of the good, as it does for the other agreements.
            case = attrs.evolve(case, good=attrs.evolve(good, ex_works=good.fob))
        super().__init__(case, date, intermediate=intermediate, **rest)
        self.notes: list[str] = []
        self.rvc_short = False  # an RVC requirement fell short (art 3.5(2), art 3.8(3))

    # ----- the criteria of art 3.2

    def criterion_a(self) -> Step:
        """art 3.2(a): wholly obtained or produced entirely in one or both Parties (art 3.3).

        Customary accessories (art 3.12(1)(a)) and retail packaging (art 3.14(1)(a)) are
        disregarded in deciding whether the good is wholly obtained."""
        step = self.wholly_obtained(art("art 3.2(a)"), "criterion 3.2(a) wholly obtained")
        return self.claimed_category(self.retail_packaging_disregarded(step, "art 3.14(1)(a)"))

    def wholly_obtained_class(self) -> Step:
        return self.criterion_a()

    def criterion_b(self) -> Step:
        """art 3.2(b): produced entirely in the Parties exclusively from originating materials.
        A non-originating accessory is a non-originating material here (art 3.12(1) relieves
        it only for the wholly-obtained test and the change in classification)."""
        return self.exclusively_originating(
            art("art 3.2(b)"),
            "criterion 3.2(b) exclusively originating materials",
            relief_is_originating=False,
        )

    def criterion_c(self) -> tuple[Step, tuple[str, ...]]:
        """art 3.2(c): produced entirely in the Parties, satisfying Annex 3A."""
        citation = art("art 3.2(c)")
        place = self.produced_in_parties(citation)
        rule = self.parse_psr()
        if rule is None:
            psr = Step(
                "product-specific rule",
                citation,
                NEEDS_INFO,
                f"no Annex 3A rule given for {self.case.good.hs}",
                missing=(f"product-specific rule (Annex 3A) for {self.case.good.hs}",),
            )
            children = (place, psr)
            return Step(
                "criterion 3.2(c) Annex 3A",
                citation,
                place.outcome & psr.outcome,
                psr.summary,
                children=children,
                missing=missing_of(children),
            ), ()
        psr = self.evaluate_psr(rule, citation)
        return Step(
            f"criterion 3.2(c) Annex 3A: {rule}",
            citation,
            place.outcome & psr.outcome,
            psr.summary,
            (("rule", str(rule)),),
            children=(place, psr),
        ), alternatives_met(rule, psr)

    def rvc_step(self, rule: RegionalValueContent, citation: Citation) -> Step:
        """art 3.4's methods, with the value of the good they divide by (art 3.1) beside them,
        and the limitation of art 3.5(2) and art 3.8(3) said where an RVC falls short."""
        step = super().rvc_step(rule, citation)
        value = self.case.good.ex_works
        basis = Step(
            "value of the good",
            art("art 3.1"),
            MEETS if value is not None else NEEDS_INFO,
            f"the value of the good (art 3.1), the price paid or payable to the producer at "
            f"the place where the last production was carried out, read from good.ex_works: "
            f"{value if value is not None else 'not stated'}",
        )
        children = [basis]
        if step.outcome is not MEETS:
            self.rvc_short = True
            children.append(
                Step(
                    "value of processing of non-originating materials",
                    art("art 3.5(2)"),
                    MEETS,
                    "art 3.5(2) and art 3.8(3) let the value of processing of non-originating "
                    "materials in the Parties count as originating content; no such value is "
                    "added here, so the RVC shown is a lower bound of the RVC they allow",
                    children=(
                        Step(
                            "production on non-originating materials",
                            art("art 3.8(3)"),
                            MEETS,
                            "production on non-originating materials in the Parties may "
                            "contribute to the originating content: not counted here",
                        ),
                    ),
                )
            )
        return attrs.evolve(step, children=(*step.children, *children))

    # ----- the other articles

    def set_of_goods(self) -> Step:
        """art 3.13: a set is originating only if each component good is originating, or at
        least one is and the non-originating ones are at most 20 % of the value of the set
        (valued as the value of the good and as non-originating materials, art 3.13(2))."""
        a = self.assessment
        share = LAW.value("set_share", self.date).value
        plain = Packaging.NONE  # read once: an enum member off its class is slow
        parts = [
            i for i, m in enumerate(self.case.materials) if m.packaging is plain and not m.indirect
        ]
        if not parts:
            return Step(
                "set of goods",
                art("art 3.13(1)"),
                NEEDS_INFO,
                "the good is stated to be a set, but no component goods are listed",
                missing=("the component goods of the set (its top-level materials)",),
            )
        originating = [i for i in parts if a.originating(i)]
        foreign = [i for i in parts if not a.originating(i)]
        ids = self.case.materials
        if not foreign:
            return Step(
                "set of goods",
                art("art 3.13(1)(a)"),
                MEETS,
                f"each of the {len(parts)} component goods of the set is originating",
            )
        if not originating:
            return Step(
                "set of goods",
                art("art 3.13(1)(b)(i)"),
                FAILS,
                "no component good of the set is originating",
            )
        total = Decimal(0)
        unknown: list[str] = []
        for i in foreign:
            value = a.value_of(i)
            if value is None:
                unknown.append(f"value of component good {ids[i].id} of the set")
            else:
                total += value
        base = self.case.good.ex_works
        citation = art("art 3.13(1)(b)(ii)")
        inputs: tuple[tuple[str, Any], ...] = (
            ("value of non-originating component goods", total),
            ("value of the set", base),
            ("allowed share", percent(share * 100)),
        )
        if base is None or base <= 0:
            return Step(
                "set of goods",
                citation,
                NEEDS_INFO,
                "the value of the set is not stated",
                inputs,
                missing=("value of the set (good.ex_works, valued as the value of the good)",),
            )
        ratio = exact(total) / exact(base)
        over = ratio > share
        if unknown and not over:
            return Step(
                "set of goods",
                citation,
                NEEDS_INFO,
                f"the known non-originating component goods are {percent(ratio * 100)} of the "
                "value of the set; other values are missing",
                inputs,
                missing=tuple(unknown),
            )
        return Step(
            "set of goods",
            citation,
            Outcome.of(not over),
            f"non-originating component goods {', '.join(ids[i].id for i in foreign[:10])} "
            f"are {'at least ' if unknown else ''}{percent(ratio * 100)} of the value of the "
            f"set ({'over' if over else 'within'} the {percent(share * 100)} allowed)",
            inputs,
            value=ratio * 100,
            threshold=share * 100,
            margin=(share - ratio) * 100,
        )

    def obligations(self) -> tuple[Obligation, ...]:
        return (
            Obligation(
                art("art 3.17(1)"),
                "the importer's claim rests on an origin declaration completed by the producer or "
                "exporter (art 3.18; minimum data elements of Annex 3B), or on the importer's "
                "knowledge that the good is originating (art 3.17(2))",
            ),
            Obligation(
                art("art 3.17(2)"),
                "a claim on the importer's knowledge rests on documentation showing the good is "
                "originating, or reasonable reliance on the exporter's or producer's supporting "
                "documentation",
            ),
            Obligation(
                art("art 3.18"),
                "an origin declaration is valid for at least 12 months, for one importation or for "
                "importations of identical goods within a stated period of up to 12 months",
            ),
            Obligation(
                art("art 3.19(1)(a)"),
                "no origin declaration is required for an importation whose customs value does "
                "not exceed NZ$2,000, unless it is one of a series arranged to avoid the "
                "requirement (art 3.19(2))",
            ),
            Obligation(
                art("art 3.19(2)"),
                "the waiver does not apply to a series of importations arranged to avoid the "
                "origin declaration requirements",
            ),
            Obligation(
                art("art 3.23(2)"),
                "the importer keeps the import documentation (with the origin declaration, or, "
                "for a claim on the importer's knowledge, all records showing the good is "
                "originating) for four years after the completion of the origin declaration",
            ),
        )

    def determine(self) -> Determination:
        a_step = self.criterion_a()
        b_step = self.criterion_b()
        c_step, met = self.criterion_c()
        # art 3.16: fungible materials, by segregation or a GAAP inventory method.
        steps, produced, origin = self.by_criteria(
            (a_step, b_step, c_step),
            (
                art("art 3.16(2)"),
                (art("art 3.16(2)(a)"), art("art 3.16(2)(b)")),
                art("art 3.16(2)(b)"),
            ),
        )
        if self.case.facts.get("set") is True:
            origin = self._with_set(origin, steps)
        # art 3.10: an originating good keeps its status only if transported as it allows.
        origin = self.consigned(origin, steps, self.route)
        verdict = Verdict.from_outcome(origin)
        basis = self.criteria_basis(
            (a_step, b_step, c_step), produced, ("art 3.2(a)", "art 3.2(b)", "art 3.2(c)"), 2, met
        )
        notes = list(self.notes)
        if self.rvc_short:
            notes.append(
                "art 3.5(2), art 3.8(3): the value of processing of non-originating materials in "
                "the Parties is not added to the originating content; an RVC that falls short "
                "here may be met with it"
            )
        steps.append(
            Step(
                "requirements of the UK FTA",
                REGULATION,
                origin,
                "goods meeting all applicable requirements of Chapter 3, Annex 3A and Annex 3B "
                "of the UK FTA are the produce or manufacture of the United Kingdom and the "
                "Crown Dependencies",
            )
        )
        return self.conclude(verdict, basis, steps, notes)

    def _with_set(self, origin: Outcome, steps: list[Step]) -> Outcome:
        """art 3.13 for a good stated to be a set (see the module's interpretations)."""
        found = self.set_of_goods()
        steps.append(found)
        if found.outcome is FAILS:
            return FAILS
        if found.outcome is MEETS and origin is MEETS:
            return MEETS
        if found.outcome is MEETS and origin is FAILS:
            steps.append(
                Step(
                    "set meeting art 3.13 but not art 3.2",
                    art("art 3.13(1)"),
                    NEEDS_INFO,
                    "the set meets art 3.13(1) but not art 3.2 as a good; whether art 3.13 "
                    "alone confers origin ('the set is originating only if') is not decided here",
                    missing=(
                        "review: whether a set meeting art 3.13(1) but not art 3.2 is "
                        "originating (art 3.13(1), 'only if')",
                    ),
                )
            )
        return NEEDS_INFO


def decide(case: Case, date: dt.date) -> Determination:
    """Decide whether ``case``'s goods are the produce or manufacture of the United Kingdom
    and the Crown Dependencies (r 51ZZL with UK FTA art 3.2).

    art 3.12(1) relieves accessories "classified with" the good: the case states it
    (``facts.accessories_classified_with_goods``); not stated, the goods are decided both
    ways. Either way a cited step says what was done.
    """
    accessories = [m.id for m in case.materials if m.accessory is not None]
    if not accessories:
        return _Run.decide(case, date)
    return classified_with_goods(
        case, lambda c: _Run.decide(c, date), accessories, art("art 3.12(1)"), "art 3.12(1)"
    )


AGREEMENT = Agreement(
    name=AGREEMENT_NAME,
    title=LAW.title,
    regulations=LAW.regulations,
    law=LAW,
    decide=decide,
    cases=Path(__file__).parent / "cases" / "nz-uk",
)
