"""Korea: goods of the Republic of Korea, regs 51ZZC–51ZZD.

Source: Customs and Excise Regulations 1996 (NZ), Part 6, "Provisions relating to Republic of
Korea", version as at 28 November 2025. r 51ZZD deems goods the produce or manufacture of the
Republic of Korea if they meet all applicable requirements of the Republic of Korea FTA's
Chapter 3 (rules of origin and origin procedures) and of *Product Specific Rules Korea—New
Zealand—Annex 3-A (2022)* (r 51ZZD(b), HS 2022). The chapter is cited by its own articles
(``art 3.4(1)(a)``, instrument "Korea FTA"), read from the agreement's text in GitHub
``mappingtreaties/tota`` (``xml/pta_379.xml``). The law file ``korea.toml`` holds every number
and list with its reference and the dates it covers (from 1 January 2022, when r 51ZZD(b) was
replaced). The case supplies the Annex 3-A rule.

A good is originating (art 3.2) if it is (a) wholly obtained or produced (art 3.3), (b)
produced entirely in one or both Parties using non-originating materials meeting Annex 3-A, or
(c) produced entirely in one or both Parties exclusively from originating materials; it keeps
that status only if transported as art 3.16 allows. RVC (art 3.4(1)) is build-down
(FOB − VNM) / FOB × 100 or build-up VOM / FOB × 100; a rule naming no method is build-down
(Annex 3-A notation: "RVC(35)" build-down; "RVC(30/40)" is written "RVC30 (build-up) or RVC40
(build-down)"). Failing a change of classification is forgiven within 10 % of FOB (art 3.7(1)),
for goods of chapters 50–63 by weight or value (art 3.7(4)); the materials stay in VNM (3.7(2)).

The regime — valuation (art 3.5(1)), additions and deductions (art 3.5(2)–(3)), accessories
(art 3.9), packaging (arts 3.10–3.11), indirect materials (art 3.13), self-produced materials
left out of VNM (art 3.4(1)), de minimis by value and by weight, both formulas and accumulation
(art 3.6) — is declared in ``korea.toml``'s ``[regime]``. This module holds only what the law
makes unique, with these readings (decision 0019):

* art 3.7(3): goods of chapters 1–14 have de minimis only where the process involves more than
  simple mixing (``facts.more_than_simple_mixing``; not stated, needed when de minimis decides).
  Goods of other chapters keep art 3.7(1), with a note of the literal reading.
* Non-qualifying operations (art 3.14) are tested within criterion (b), where non-originating
  materials are used; the operations the article calls "simple" count only if
  ``facts.operations_simple`` is not false.
* Direct transport (art 3.16): each stop outside the Parties may see only the operations of
  (2)(a), and the goods must not be released from customs control there (2)(b), read from
  ``transit[].entered_commerce`` (true: released).
* Art 3.4(4): a non-originating material counts at its value less the cost of the originating
  materials in it only as stated (the art 3.5(3)(d) deduction); otherwise at its full value, so
  a failing RVC may be a lower bound (said in the determination).

>>> import datetime as dt
>>> from origin.caseio import case_from_json
>>> case = case_from_json({
...     "schema": "origin-case/1", "currency": "USD", "psr": "RVC40 (build-down)",
...     "good": {"id": "kettle", "hs": "8516.79", "fob": "1000.00",
...              "produced_in": ["KR"], "last_process_in": "KR",
...              "operations": ["moulding", "assembly"]},
...     "materials": [{"id": "element", "hs": "8516.80", "value": "600.00",
...                    "basis": "cif", "status": "non-originating"}],
...     "consignment": {"exported_from": "KR", "transit": []}})
>>> d = AGREEMENT.determine(case, dt.date(2025, 6, 1))
>>> d.verdict.value, [(r.method, r.value) for r in d.rvc]
('originating', [('build-down', Fraction(40, 1))])
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import attrs

from origin.agreement import Agreement
from origin.citation import Citation, cite
from origin.decision import Decision
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
from origin.law import LawBook
from origin.model import Case
from origin.psr import RegionalValueContent, Rule, TariffShift
from origin.regime import DeclaredRegime

LAW = LawBook.load(Path(__file__).with_suffix(".toml"))
PARTIES = LAW.parties
AGREEMENT_NAME = "korea"
REGULATION = cite("r 51ZZD")

# The regime (valuation, adjustments, accessories, packaging, indirect materials, self-produced
# materials, de minimis by value and by weight, both art 3.4(1) formulas, accumulation) is
# declared in the law file's [regime]; this module holds only what the engine does not.
DECLARED = DeclaredRegime.read(LAW)
regime_at = DECLARED.at


def art(text: str) -> Citation:
    """A provision of the Korea FTA (the law file's instrument), e.g. ``art 3.16(2)(b)``."""
    return cite(text, LAW.instrument)


class _Run(Decision):
    """One Korea FTA determination: the criteria of art 3.2 and the articles qualifying them."""

    law = LAW
    declared = DECLARED

    def __init__(self, case: Case, date: dt.date, **rest: Any) -> None:
        super().__init__(case, date, **rest)
        self.notes: list[str] = []
        self.rvc_short = False  # an RVC requirement fell short (art 3.4(4))

    # ----- the criteria of art 3.2

    def criterion_a(self) -> Step:
        """art 3.2(a): wholly obtained or produced within the meaning of art 3.3."""
        step = self.wholly_obtained(art("art 3.2(a)"), "criterion 3.2(a) wholly obtained")
        key = self.case.good.wholly_obtained
        term = LAW.vocabulary("wholly_obtained").get(key) if key else None
        if term is None:
            return step
        claimed = Step("wholly obtained category", term.reference, MEETS, f"{key}: {term.text}")
        return attrs.evolve(step, children=(*step.children, claimed))

    def wholly_obtained_class(self) -> Step:
        return self.criterion_a()

    def criterion_c(self) -> Step:
        """art 3.2(c): produced entirely in one or both Parties exclusively from originating
        materials. A non-originating accessory or retail packaging is a non-originating
        material here (arts 3.9 and 3.10 relieve them only for a change of classification)."""
        return self.exclusively_originating(
            art("art 3.2(c)"),
            "criterion 3.2(c) exclusively originating materials",
            relief_is_originating=False,
        )

    def criterion_b(self) -> tuple[Step, tuple[str, ...]]:
        """art 3.2(b): produced entirely in one or both Parties using non-originating materials
        that meet Annex 3-A (the r 51ZZD(b) document); art 3.14 applies to the operations."""
        return self.rule_criterion(art("art 3.2(b)"), self.non_qualifying_operations)

    # ----- the rule's leaves: de minimis (art 3.7(3)) and RVC (art 3.4(4))

    def psr_leaf(self, rule: Rule) -> Step:
        step = super().psr_leaf(rule)
        if isinstance(rule, TariffShift):
            return self._mixing_condition(step)
        return step

    def _mixing_condition(self, step: Step) -> Step:
        """art 3.7(3): for goods of chapters 1–14, de minimis (art 3.7(1)) only where the
        process involves more than simple mixing; for goods of other chapters it is read as
        no limit (decision 0019 §7), said in a note where de minimis decides."""
        forgiven = next((c for c in step.children if c.test == "de minimis"), None)
        if forgiven is None or forgiven.outcome is FAILS:
            return step
        chapter = int(self.case.good.hs.chapter)
        first = int(LAW.value("mixing_chapter_first", self.date).value)
        last = int(LAW.value("mixing_chapter_last", self.date).value)
        textile = DECLARED.by_weight is not None and chapter in range(
            int(LAW.value("textile_chapter_first", self.date).value),
            int(LAW.value("textile_chapter_last", self.date).value) + 1,
        )
        if not first <= chapter <= last:
            if textile or forgiven.outcome is not MEETS:
                return step
            self.notes.append(
                "art 3.7(3) ('Paragraph 1 shall only apply to goods classified in Chapters 1 "
                "through 14 ... where ... the process involves more than simple mixing') is "
                "read as limiting de minimis for goods of chapters 1-14 only; read literally, "
                "it would confine art 3.7(1)(a) to those chapters and this good of chapter "
                f"{chapter:02d} would have no de minimis (decision 0019)"
            )
            reading = Step(
                "goods of chapters 1-14 only",
                art("art 3.7(3)"),
                MEETS,
                f"a good of chapter {chapter:02d}: the condition of more than simple mixing is "
                "read as reaching only goods of chapters 1-14 (see the note)",
            )
            forgiven = attrs.evolve(forgiven, children=(*forgiven.children, reading))
            return attrs.evolve(
                step,
                children=tuple(forgiven if c.test == "de minimis" else c for c in step.children),
            )
        fact = self.case.facts.get("more_than_simple_mixing")
        outcome = MEETS if fact is True else FAILS if fact is False else NEEDS_INFO
        condition = Step(
            "more than simple mixing",
            art("art 3.7(3)"),
            outcome,
            {
                MEETS: "a good of chapters 1-14: the process involves more than simple mixing",
                FAILS: "a good of chapters 1-14 whose process is no more than simple mixing: "
                "de minimis does not apply",
                NEEDS_INFO: "a good of chapters 1-14: de minimis applies only where the process "
                "involves more than simple mixing, which is not stated",
            }[outcome],
            missing=(
                "whether the production process involves more than simple mixing of the "
                "non-originating materials (facts.more_than_simple_mixing, art 3.7(3))",
            )
            if outcome is NEEDS_INFO
            else (),
        )
        both = forgiven.outcome & outcome
        forgiven = attrs.evolve(
            forgiven,
            outcome=both,
            summary=f"{forgiven.summary}; art 3.7(3): {condition.summary}",
            children=(*forgiven.children, condition),
            missing=missing_of((forgiven, condition)) if both is NEEDS_INFO else (),
        )
        if both is MEETS:
            return attrs.evolve(
                step,
                children=tuple(forgiven if c.test == "de minimis" else c for c in step.children),
            )
        a = self.assessment
        if a.shift is not None:
            a.shift.rescued = False
        head = step.summary.split("; rescued by de minimis")[0]
        return attrs.evolve(
            step,
            outcome=both,
            summary=head,
            children=tuple(forgiven if c.test == "de minimis" else c for c in step.children),
            missing=missing_of((forgiven,)) if both is NEEDS_INFO else (),
        )

    def rvc_step(self, rule: RegionalValueContent, citation: Citation) -> Step:
        """art 3.4(1)'s methods; where an RVC falls short and a non-originating material has
        its own BOM, art 3.4(4) is said: only its non-originating content counts, which the
        toolkit takes only as the art 3.5(3)(d) deduction stated."""
        step = super().rvc_step(rule, citation)
        traced = [
            m.id
            for i, m in enumerate(self.case.materials)
            if m.components and i in self.assessment.non_originating
        ]
        if step.outcome is MEETS or not traced:
            return step
        self.rvc_short = True
        note = Step(
            "non-originating content of a non-originating material",
            art("art 3.4(4)"),
            MEETS,
            f"only the non-originating materials contained in {', '.join(traced[:10])} are to "
            "be taken into account; the toolkit counts each at its value less the cost of "
            "originating materials in it stated as an art 3.5(3)(d) deduction, so the RVC shown "
            "is a lower bound",
            children=(
                Step(
                    "cost of originating materials in a non-originating material",
                    art("art 3.5(3)(d)"),
                    MEETS,
                    "may be deducted from the non-originating material's value "
                    "(adjustment originating_content), where stated",
                ),
            ),
        )
        return attrs.evolve(step, children=(*step.children, note))

    # ----- art 3.14

    def non_qualifying_operations(self) -> Step | None:
        """art 3.14: operations that do not make a good originating ("notwithstanding the
        other provisions of this Chapter"); None where no non-originating material is used.
        The (c), (e) and (g) operations called simple count only when simple (footnote 2:
        ``facts.operations_simple``)."""
        return self.listed_operations()

    # ----- art 3.16

    def obligations(self) -> tuple[Obligation, ...]:
        validity = LAW.value("declaration_validity_years", self.date)
        waiver = LAW.value("proof_waiver_usd", self.date)
        years = LAW.value("record_years", self.date)
        return (
            Obligation(
                art("art 3.18(1)"),
                "the importer requests preferential tariff treatment at importation if required, "
                "has the evidence of origin when declaring, provides the origin declaration on "
                "request and corrects a declaration it has reason to believe is incorrect",
            ),
            Obligation(
                art("art 3.19(1)"),
                "the claim rests on a written or electronic origin declaration by the exporter or "
                "producer, in English",
            ),
            Obligation(
                art("art 3.19(3)"),
                "the origin declaration names the certifying person, the importer (if known), "
                "the exporter (if not the producer), the producer (if known), the six-digit HS "
                "classification and description, the rule of origin met, its date and, for a "
                "blanket declaration, the period it covers",
            ),
            Obligation(
                art("art 3.19(7)"),
                "an origin declaration covers a single importation, or multiple importations of "
                "identical goods within a specified period of at most 12 months",
            ),
            Obligation(
                art("art 3.19(8)"),
                f"the origin declaration is valid for {validity.value} years from the date on "
                "which it was signed",
            ),
            Obligation(
                art("art 3.20"),
                f"no origin declaration is required for an importation whose customs value does "
                f"not exceed US${waiver.value} (or its equivalent, or a higher amount New Zealand "
                "establishes), unless it is one of a series arranged to avoid the requirements",
            ),
            Obligation(
                art("art 3.22(1)(b)"),
                f"the importer keeps the documentation, with a copy of the origin declaration, for "
                f"{years.value} years after the date of importation",
            ),
            Obligation(
                art("art 3.22(1)(a)"),
                f"the exporter or producer that signed the origin declaration keeps the records "
                f"showing the good originating for {years.value} years after signing it",
            ),
            Obligation(
                art("art 3.26"),
                "compliance with direct transport (art 3.16) may be evidenced by any proper "
                "document, such as commercial shipping or freight documents",
            ),
        )

    # ----- the determination

    def determine(self) -> Determination:
        a_step = self.criterion_a()
        b_step, met = self.criterion_b()
        c_step = self.criterion_c()
        # art 3.8: identical and interchangeable materials, by separation or a GAAP method.
        steps, produced, origin = self.by_criteria(
            (a_step, b_step, c_step), (art("art 3.8"), (art("art 3.8(a)"), art("art 3.8(b)")), None)
        )
        # art 3.16: an originating good retains its status only if transported as it allows.
        origin = self.consigned(origin, steps, self.route)
        verdict = Verdict.from_outcome(origin)
        basis = self.criteria_basis(
            (a_step, b_step, c_step), produced, ("art 3.2(a)", "art 3.2(b)", "art 3.2(c)"), 1, met
        )
        notes = list(dict.fromkeys(self.notes)) if b_step.outcome is MEETS else []
        if self.rvc_short:
            notes.append(
                "art 3.4(4): only the non-originating materials contained in a non-originating "
                "material count; the toolkit takes that only as a stated art 3.5(3)(d) "
                "deduction, so an RVC that falls short here may be met on the traced value"
            )
        steps.append(
            Step(
                "requirements of the Korea FTA",
                REGULATION,
                origin,
                "goods meeting all applicable requirements of Chapter 3 of the Republic of Korea "
                "FTA and the Annex 3-A document of 2022 are the produce or manufacture of the "
                "Republic of Korea",
            )
        )
        return self.conclude(verdict, basis, steps, notes)


AGREEMENT = Agreement(
    name=AGREEMENT_NAME,
    title=LAW.title,
    regulations=LAW.regulations,
    law=LAW,
    decide=_Run.decide,
    cases=Path(__file__).parent / "cases" / "korea",
)
