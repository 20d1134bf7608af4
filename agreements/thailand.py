"""Thailand: goods of Thailand under the Customs and Excise Regulations 1996, regs 51F–51M.

Source: Customs and Excise Regulations 1996 (NZ), Part 6, "Provisions relating to
Thailand", version as at 28 November 2025. The law file ``thailand.toml`` beside this
module holds every number and list with its reference and the dates it covers.
Product-specific rules come from *Thailand–New Zealand Goods containing non-originating
materials—Annex 2 (2022)*; the case supplies the rule text.

Goods originate in Thailand when they are wholly obtained (r 51G(1)(a)), or when they meet
Annex 2 and did not enter the commerce of another country on the way (r 51G(1)(b)).
Failing the change in classification is forgiven within 10% of FOB (r 51G(3)); minimal
operations never confer origin unless the rule requires RVC (r 51G(4)). RVC is
(FOB − VNM) / FOB × 100 with VNM at CIF (r 51L).

The regime — valuation (r 51L), accessories (r 51H), packaging (r 51J), indirect materials
(r 51K), de minimis (r 51G(3)), the RVC formula and accumulation (r 51G(2)) — is declared in
``thailand.toml``'s ``[regime]`` and read by the engine (:mod:`origin.regime`). This module
holds only what the law makes unique to Thailand: the classes of r 51G(1), r 51G(4) and its
exception, commerce in transit (r 51G(1)(b)(ii)), and the records and obligations.

Interpretations (also shown in the explanation where they apply):

* r 51G(4) applies to the goods "except where [they] are subject to a regional value
  content": it is not applied when an alternative of the rule that was met contains an RVC
  requirement, and it is applied otherwise.
* r 51G(1)(b)(ii) is a condition of class (b) only; goods wholly obtained (class (a)) carry
  no such condition in the text. Every place outside the parties on the route must be shown
  not to be a place where the goods entered commerce, unless the chief executive's
  permission is recorded (``facts.commerce_permitted``).
* The RVC method of r 51L has no name in the text; it is reported as ``build-down`` (it
  subtracts non-originating value), and a rule naming no method uses it.

>>> import datetime as dt
>>> from origin.caseio import case_from_json
>>> case = case_from_json({
...     "schema": "origin-case/1", "currency": "THB", "psr": "RVC40",
...     "good": {"id": "fan", "hs": "8414.51", "fob": "1000.00",
...              "produced_in": ["TH"], "last_process_in": "TH",
...              "operations": ["winding", "assembly"]},
...     "materials": [{"id": "motor", "hs": "8501.10", "value": "600.00",
...                    "basis": "cif", "status": "non-originating"}],
...     "consignment": {"exported_from": "TH", "transit": []}})
>>> d = AGREEMENT.determine(case, dt.date(2025, 6, 1))
>>> d.verdict.value, d.rvc[0].value
('originating', Fraction(40, 1))
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs

from origin.agreement import Agreement
from origin.citation import Citation, cite
from origin.decision import Decision, has_rvc
from origin.determination import (
    FAILS,
    MEETS,
    NEEDS_INFO,
    Determination,
    Obligation,
    Outcome,
    RVCResult,
    Step,
    Verdict,
    missing_of,
)
from origin.engine import (
    minimal_operations_step,
)
from origin.law import LawBook
from origin.model import Case, OriginStatus, ValueBasis
from origin.psr import (
    AnyOf,
    RegionalValueContent,
    Rule,
)
from origin.regime import DeclaredRegime

LAW = LawBook.load(Path(__file__).with_suffix(".toml"))
PARTIES = LAW.parties
AGREEMENT_NAME = "thailand"

# The regime (valuation, accessories, packaging, de minimis, the r 51L RVC, accumulation) is
# declared in the law file's [regime]; this module holds only what the engine does not.
DECLARED = DeclaredRegime.read(LAW)
regime_at = DECLARED.at


class _Run(Decision):
    """One Thailand determination: the classes of r 51G(1) and the tests that qualify them."""

    law = LAW
    declared = DECLARED

    def tolerance(self, result: RVCResult) -> RVCResult:
        """r 51L(3): "For the purposes of calculating the regional value content, a
        calculation averaged over the producer's fiscal year may be used": say so in the
        result, and cite it as a step under the RVC step (see :meth:`rvc_step`)."""
        period = self.case.facts.get("rvc_averaging_period")
        if not period:
            return result
        note = f"FOB and VNM averaged over the producer's fiscal year {period} (r 51L(3))"
        return attrs.evolve(result, note="; ".join(filter(None, (result.note, note))))

    def rvc_step(self, rule: RegionalValueContent, citation: Citation) -> Step:
        """The RVC step, with r 51L(2) and (3), where relied on, as steps of their own."""
        step = super().rvc_step(rule, citation)
        extra: list[Step] = []
        later = self.valued_after_part_1()
        if later:
            # r 51L(2): "If the FOB or CIF values do not exist or cannot be determined in
            # accordance with Part 1 of Schedule 4 of the Act, the values are determined in
            # accordance with the subsequent clauses to that schedule."
            extra.append(
                Step(
                    "CIF value under the later clauses of Schedule 4",
                    cite("r 51L(2)"),
                    MEETS,
                    f"{', '.join(later[:10])}{'…' if len(later) > 10 else ''}: CIF value not "
                    "determinable under Part 1 of Schedule 4, given as determined under its "
                    "later clauses (customs-value), including freight and insurance up to the "
                    "port or place of entry into Thailand",
                    (("materials", ", ".join(later)),),
                )
            )
        period = self.case.facts.get("rvc_averaging_period")
        if period:
            extra.append(
                Step(
                    "averaged over the fiscal year",
                    cite("r 51L(3)"),
                    MEETS,
                    f"FOB and VNM averaged over the producer's fiscal year {period}",
                    (("fiscal year", str(period)),),
                )
            )
        if not extra:
            return step
        return attrs.evolve(step, children=(*step.children, *extra))

    def valued_after_part_1(self) -> list[str]:
        """Materials in VNM valued as a customs value: a CIF value determined under the
        clauses of Schedule 4 after Part 1, which r 51L(2) allows where Part 1 cannot give
        it (decision 0003 §5)."""
        a = self.assessment
        found: list[str] = []
        customs = ValueBasis.CUSTOMS_VALUE  # read once: an enum member off its class is slow
        materials = self.case.materials
        if not any(m.basis is customs for m in materials):
            return found  # the BOM is indexed only when a customs-value line exists
        for index, m in enumerate(materials):
            if m.basis is not customs:
                continue
            line = a.special.get(index)
            in_vnm = (
                m.status is not OriginStatus.ORIGINATING
                if line is None
                else line.counted_as == "VNM"
            )
            if in_vnm:
                found.append(m.id)
        return found

    # ----- r 51G(1) classes

    def class_a(self) -> Step:
        """r 51G(1)(a): wholly obtained in New Zealand or Thailand (r 51F)."""
        step = self.wholly_obtained(cite("r 51G(1)(a)"), "class 51G(1)(a) wholly obtained")
        key = self.case.good.wholly_obtained
        term = LAW.vocabulary("wholly_obtained").get(key) if key else None
        if term is None:
            return step
        # The paragraph of the r 51F definition relied on, as a step citing it.
        category = Step(
            "wholly obtained category", term.reference, MEETS, term.text, (("category", str(key)),)
        )
        return attrs.evolve(step, children=(*step.children, category))

    def class_b(self) -> tuple[Step, tuple[Rule, ...]]:
        """r 51G(1)(b): produced in Thailand (with New Zealand), meets Annex 2 — an alternative
        without RVC only with more than minimal operations (r 51G(4)) — and, for the goods
        imported, did not enter the commerce of another country after export (b)(ii)."""
        citation = cite("r 51G(1)(b)")
        conditions = [self.produced_in_parties(citation)]
        if not self.intermediate:  # (b)(ii) is about the journey to New Zealand
            conditions.append(self.commerce())
        rule = self.parse_psr()
        if rule is None:
            psr = Step(
                "product-specific rule",
                cite("r 51G(1)(b)(i)"),
                NEEDS_INFO,
                f"no Annex 2 rule given for {self.case.good.hs}",
                missing=(f"product-specific rule (Annex 2 (2022)) for {self.case.good.hs}",),
            )
            given = (psr, *conditions)
            return (
                Step(
                    "class 51G(1)(b) Annex 2",
                    citation,
                    Outcome.all(c.outcome for c in given),
                    psr.summary,
                    children=given,
                    missing=missing_of(given),
                ),
                (),
            )
        psr = self.evaluate_psr(rule, cite("r 51G(1)(b)(i)"))
        # r 51G(4): an alternative that requires no RVC also needs more than minimal operations.
        minimal = self.minimal_operations()
        standing, met = self.alternatives_standing(rule, psr, minimal)
        children = [psr]
        if not all(has_rvc(term) for term in (rule.terms if isinstance(rule, AnyOf) else (rule,))):
            children.append(minimal)
        children.extend(conditions)
        outcome = standing & Outcome.all(c.outcome for c in conditions)
        return (
            Step(
                f"class 51G(1)(b) Annex 2: {rule}",
                citation,
                outcome,
                psr.summary,
                (("rule", str(rule)),),
                children=tuple(children),
                missing=missing_of(children) if outcome is NEEDS_INFO else (),
            ),
            met,
        )

    def wholly_obtained_class(self) -> Step:
        return self.class_a()

    def commerce(self) -> Step:
        """r 51G(1)(b)(ii): no entry into the commerce of another country after export."""
        return self.exported_directly(cite("r 51G(1)(b)(ii)"), "TH", "Thailand")

    def minimal_operations(self) -> Step:
        """r 51G(4) with the list of r 51F: minimal operations never confer origin by a change
        in classification alone."""
        operations = self.case.good.operations
        terms = LAW.vocabulary("minimal_operations")
        step = minimal_operations_step(
            operations, terms, cite("r 51G(4)"), "operations performed on the goods in Thailand"
        )
        if step.outcome is not FAILS or not operations:
            return step
        # Each operation as a step citing the paragraph of the r 51F definition it falls in.
        listed = [op for op in dict.fromkeys(operations) if op in terms]
        return attrs.evolve(
            step,
            children=tuple(
                Step(f"minimal operation: {op}", terms[op].reference, FAILS, terms[op].text)
                for op in listed
            ),
        )

    def obligations(self) -> tuple[Obligation, ...]:
        return (
            Obligation(
                cite("r 51M(1)"),
                "the Customs may require a declaration of origin from the exporter, the "
                "producer or another competent person",
            ),
            Obligation(
                cite("r 51M(2)"),
                "the declaration describes the goods and states that they are of Thai origin "
                "and meet Article 4.2.1 of the Agreement",
            ),
        )

    def determine(self) -> Determination:
        steps: list[Step] = list(self.assessment.sub_steps)
        a_step = self.class_a()
        b_step, met = self.class_b()
        steps.extend((a_step, b_step))
        origin = a_step.outcome
        basis: list[str] = []
        if a_step.outcome is MEETS:
            basis.append("r 51G(1)(a)")
        b_outcome = b_step.outcome
        b_outcome = self.counting_fungibles(
            b_outcome,
            steps,
            cite("r 51I(1)"),
            (cite("r 51I(1)(a)"), cite("r 51I(1)(b)")),
            cite("r 51I(2)"),
        )
        if b_outcome is MEETS:
            basis.append(self.rule_basis("r 51G(1)(b)", b_step, met))
        origin = Outcome.any((origin, b_outcome))
        verdict = Verdict.from_outcome(origin)
        return self.conclude(verdict, basis, steps)


def decide(case: Case, date: dt.date) -> Determination:
    """Decide whether ``case``'s goods originate in Thailand (r 51G)."""
    return _Run.decide(case, date)


AGREEMENT = Agreement(
    name=AGREEMENT_NAME,
    title=LAW.title,
    regulations=LAW.regulations,
    law=LAW,
    decide=decide,
    cases=Path(__file__).parent / "cases" / "thailand",
)
