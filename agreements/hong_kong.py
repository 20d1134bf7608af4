"""Hong Kong, China: goods of Hong Kong, China, regs 51ZY–51ZZ.

Source: Customs and Excise Regulations 1996 (NZ), Part 6, "Provisions relating to Hong Kong,
China", version as at 28 November 2025. r 51ZZ(1) deems goods the produce or manufacture of Hong
Kong, China if they meet all applicable requirements of Chapter 4 of the New Zealand–Hong Kong,
China Closer Economic Partnership Agreement (the "CEP Agreement", r 51ZY) and of *Product
Specific Rules of Origin for Hong-Kong-China Goods—Annex 1 (2022)* (r 51ZZ(1)(b), HS 2022);
goods of chapters 61 and 62 only if, besides, the importer obtains a certificate of origin
complying with art 17 and the operational certification procedures before entering them
(r 51ZZ(2)). The chapter is cited by its own articles (``art 5(b)``, instrument "CEP
Agreement"), read from the agreement's text in GitHub ``mappingtreaties/tota``
(``xml/pta_333.xml``). The law file ``hong_kong.toml`` holds every number and list with its
reference and the dates it covers (from 1 January 2022, when r 51ZZ(1)(b) was replaced). The case
supplies the Annex 1 rule.

A good is originating (art 2) if it is (a) wholly obtained or produced in a Party (art 4), (b)
produced entirely in one or both Parties exclusively from originating materials, or (c)
produced in one or both Parties using non-originating materials conforming to a change of
classification, an RVC (art 5) or another requirement of Annex I; it keeps that status only if
consigned as art 9 allows. RVC (art 5) is build-up (material cost + labour cost + overhead cost +
profit + other costs) / FOB × 100 or build-down (FOB − VNM) / FOB × 100, either sufficing. A
failing change of classification is forgiven within 10 % of FOB (art 8, no weight rule).

The regime — valuation (art 5(vi)), the deduction for materials acquired within the Party,
accessories (art 11), packaging (art 10), indirect materials (art 12), self-produced materials
left out of VNM (art 5(vi)), de minimis, both formulas and accumulation (art 6) — is declared in
``hong_kong.toml``'s ``[regime]``, with direct consignment (art 9) in its ``[regime.route]``.
This module holds only what the law makes unique: the build-up formula's cost terms (the input
function ``build_up``), the criteria of art 2, minimal operations with art 7(2), the six months
of temporary storage (art 9(b)), the certificate for chapters 61–62 (r 51ZZ(2)), fungibles
(art 13) and the obligations, with these readings (decision 0021):

* Minimal operations (art 7(1)) apply to criterion (c), where non-originating materials are
  used; the list is illustrative ("such as"), the (e) processes count only when simple
  (``facts.operations_simple``). art 7(2) ("Where a RVC approach has been applied, minimal
  processes and operations ... shall be taken into account for the RVC calculation") is read as:
  an Annex I alternative containing an RVC requirement that is met is not defeated by art 7(1);
  a change of classification (or other requirement) met by minimal operations alone is.
* Direct consignment (art 9): stops in a non-Party may see only unloading, reloading,
  transhipment, repacking, preservation or transport operations, or temporary storage; where a
  stop lists storage, ``facts.transit_storage_within_six_months`` is asked for.
* Chapters 61–62 (r 51ZZ(2)): ``facts.certificate_of_origin_before_entry``; not stated, the
  determination needs it. The art 24(2) refund is an obligation, not a way round r 51ZZ(2).
* Retail packaging and accessories are relieved only for the change of classification
  (arts 10(2), 11(1)); criterion (b) counts them by their status.

>>> import datetime as dt
>>> from origin.caseio import case_from_json
>>> case = case_from_json({
...     "schema": "origin-case/1", "currency": "USD", "psr": "RVC40",
...     "good": {"id": "kettle", "hs": "8516.79", "fob": "1000.00",
...              "produced_in": ["HK"], "last_process_in": "HK",
...              "operations": ["moulding", "assembly"]},
...     "materials": [{"id": "element", "hs": "8516.80", "value": "600.00",
...                    "basis": "cif", "status": "non-originating"}],
...     "consignment": {"exported_from": "HK", "transit": []}})
>>> d = AGREEMENT.determine(case, dt.date(2025, 6, 1))
>>> d.verdict.value, [(r.method, r.value) for r in d.rvc]
('originating', [('build-up', Fraction(0, 1)), ('build-down', Fraction(40, 1))])
"""

from __future__ import annotations

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
    Step,
    Verdict,
    missing_of,
)
from origin.engine import (
    alternatives_met,
)
from origin.law import LawBook
from origin.psr import AnyOf, Rule
from origin.regime import DeclaredRegime

LAW = LawBook.load(Path(__file__).with_suffix(".toml"))
PARTIES = LAW.parties
AGREEMENT_NAME = "hong-kong"
REGULATION = cite("r 51ZZ(1)")
PSR_DOCUMENT = cite("r 51ZZ(1)(b)")
CERTIFICATE = cite("r 51ZZ(2)(b)")


def art(text: str) -> Citation:
    """A provision of the CEP Agreement's Chapter 4 (the law file's instrument), e.g.
    ``art 9(b)(ii)``."""
    return cite(text, LAW.instrument)


# The regime (valuation, deduction, accessories, packaging, indirect materials, self-produced
# materials, de minimis, both art 5 formulas, accumulation, direct consignment) is declared in the
# law file's [regime]; only the build-up formula's cost terms are computed here.
DECLARED = DeclaredRegime.read(LAW)
regime_at = DECLARED.at


class _Run(Decision):
    """One CEP Agreement determination: the criteria of art 2 and the articles qualifying them."""

    law = LAW
    declared = DECLARED

    # ----- the criteria of art 2

    def criterion_a(self) -> Step:
        """art 2(a): wholly obtained or produced in the Area of a Party (art 4)."""
        step = self.wholly_obtained(art("art 2(a)"), "criterion 2(a) wholly obtained")
        return self.claimed_category(step)

    def wholly_obtained_class(self) -> Step:
        return self.criterion_a()

    def criterion_b(self) -> Step:
        """art 2(b): produced entirely in one or both Parties exclusively from originating
        materials. Retail packaging (art 10(2)) and accessories (art 11(1)) are relieved only for
        the change of classification: here they count by their status."""
        return self.exclusively_originating(
            art("art 2(b)"),
            "criterion 2(b) exclusively originating materials",
            relief_is_originating=False,
        )

    def criterion_c(self) -> tuple[Step, tuple[str, ...]]:
        """art 2(c): produced in one or both Parties using non-originating materials conforming
        to the Annex I rule (the r 51ZZ(1)(b) document); art 7 applies to the operations."""
        citation = art("art 2(c)")
        place = self.produced_in_parties(citation)
        hs = self.case.good.hs
        rule = self.parse_psr()
        minimal = self.minimal_operations()
        if rule is None:
            psr = Step(
                "product-specific rule",
                PSR_DOCUMENT,
                NEEDS_INFO,
                f"no Annex I rule given for {hs}",
                missing=(f"product-specific rule for {hs} (Annex 1, the r 51ZZ(1)(b) document)",),
            )
            children = (place, psr, *(() if minimal is None else (minimal,)))
            return Step(
                "criterion 2(c) Annex I",
                citation,
                Outcome.all(c.outcome for c in children),
                psr.summary,
                children=children,
                missing=missing_of(children),
            ), ()
        document = Step(
            "product-specific rule document",
            PSR_DOCUMENT,
            MEETS,
            f"the rule given for {hs} is applied as the rule of Product Specific Rules of Origin "
            "for Hong-Kong-China Goods—Annex 1 (2022) (HS 2022), the document r 51ZZ(1)(b) "
            "names; the case (or the schedule it was looked up in) is its source",
            (("rule", str(rule)),),
        )
        psr = self.evaluate_psr(rule, citation)
        met = alternatives_met(rule, psr)
        rule_outcome = psr.outcome
        if minimal is not None:
            minimal, rule_outcome, met = self._with_art_7_2(rule, psr, minimal, met)
        children = (place, document, psr, *(() if minimal is None else (minimal,)))
        outcome = place.outcome & rule_outcome
        summary = psr.summary
        if minimal is not None and minimal.outcome is not MEETS:
            summary += f"; {minimal.summary}"
        return Step(
            f"criterion 2(c) Annex I: {rule}",
            citation,
            outcome,
            summary,
            (("rule", str(rule)),),
            children=children,
            missing=missing_of(children) if outcome is NEEDS_INFO else (),
        ), met

    def _with_art_7_2(
        self, rule: Rule, psr: Step, minimal: Step, met: tuple[str, ...]
    ) -> tuple[Step, Outcome, tuple[str, ...]]:
        """The rule's outcome with art 7: minimal operations (art 7(1)) defeat an alternative
        without an RVC requirement; where an RVC approach has been applied they are taken into
        account for the RVC calculation (art 7(2)) and do not defeat it."""
        if isinstance(rule, AnyOf):
            pairs = list(zip(rule.terms, psr.children, strict=True))
        else:
            pairs = [(rule, psr)]
        by_rvc = [c.outcome for t, c in pairs if has_rvc(t)]
        other = [c.outcome for t, c in pairs if not has_rvc(t)]
        rvc_outcome = Outcome.any(by_rvc) if by_rvc else FAILS
        other_outcome = Outcome.any(other) if other else FAILS
        outcome = rvc_outcome | (other_outcome & minimal.outcome)
        if minimal.outcome is MEETS:
            return minimal, outcome, met
        if rvc_outcome is MEETS:
            kept = tuple(str(t) for t, c in pairs if has_rvc(t) and c.outcome is MEETS)
            counted = Step(
                "minimal operations counted in the RVC",
                art("art 7(2)"),
                MEETS,
                f"{minimal.summary}; but the rule is met by its RVC requirement "
                f"({'; '.join(kept) if isinstance(rule, AnyOf) else rule}), and where a RVC "
                "approach has been applied minimal processes and operations are taken into "
                "account for the RVC calculation (art 7(2))",
                children=(attrs.evolve(minimal, missing=()),),
            )
            return counted, outcome, kept if isinstance(rule, AnyOf) else met
        if outcome is not MEETS:
            met = ()
        return minimal, outcome, met

    # ----- art 7

    def minimal_operations(self) -> Step | None:
        """art 7(1): operations or processes, by themselves or in combination, that are minimal
        and do not confer origin; None where no non-originating material is used. The list is
        illustrative ("such as"): an operation it does not list is taken as going beyond it.
        The (e) processes count only when simple (``facts.operations_simple``)."""
        return self.listed_operations()

    # ----- art 9

    def consignment(self) -> Step:
        """art 9: the declared route test, with the six months of temporary storage in a
        non-Party (art 9(b)) asked for where a stop lists storage."""
        moved = self.route()
        consignment = self.case.consignment
        transit = consignment.transit if consignment is not None else None
        stored = [
            stop.country
            for stop in transit or ()
            if stop.country not in PARTIES and {"storing", "storage"} & set(stop.operations or ())
        ]
        if not stored:
            return moved
        months = LAW.value("transit_storage_months", self.date).value
        fact = self.case.facts.get("transit_storage_within_six_months")
        held = MEETS if fact is True else FAILS if fact is False else NEEDS_INFO
        where = ", ".join(stored)
        storage = Step(
            f"temporary storage of up to {months} months",
            art("art 9(b)"),
            held,
            {
                MEETS: f"the temporary storage in {where} lasted no more than {months} months",
                FAILS: f"the storage in {where} lasted more than {months} months",
                NEEDS_INFO: f"the goods were stored in {where}; how long is not stated",
            }[held],
            missing=(
                f"whether the temporary storage in {where} lasted no more than {months} months "
                "(facts.transit_storage_within_six_months, art 9(b))",
            )
            if held is NEEDS_INFO
            else (),
        )
        children = (*moved.children, storage)
        outcome = moved.outcome & held
        summary = moved.summary if held is MEETS else f"{moved.summary}; {storage.summary}"
        return attrs.evolve(
            moved,
            outcome=outcome,
            summary=summary,
            children=children,
            missing=missing_of(children) if outcome is NEEDS_INFO else (),
        )

    # ----- r 51ZZ(2)

    def certificate_step(self) -> Step | None:
        """r 51ZZ(2): a good of chapter 61 or 62 is the produce or manufacture of Hong Kong,
        China only if the importer obtains, before entering it, a certificate of origin
        complying with art 17 and the operational certification procedures; None otherwise."""
        chapter = int(self.case.good.hs.chapter)
        first = int(LAW.value("certificate_chapter_first", self.date).value)
        last = int(LAW.value("certificate_chapter_last", self.date).value)
        if not first <= chapter <= last:
            return None
        fact = self.case.facts.get("certificate_of_origin_before_entry")
        held = MEETS if fact is True else FAILS if fact is False else NEEDS_INFO
        return Step(
            "certificate of origin before entry",
            CERTIFICATE,
            held,
            {
                MEETS: f"a good of chapter {chapter}: the importer obtained a certificate of "
                "origin complying with art 17 and the operational certification procedures "
                "before entering it",
                FAILS: f"a good of chapter {chapter}: no certificate of origin was obtained "
                "before entry, so it is not deemed the produce or manufacture of Hong Kong, "
                "China",
                NEEDS_INFO: f"a good of chapter {chapter}: whether the importer obtained a "
                "certificate of origin before entry is not stated",
            }[held],
            missing=(
                "whether the importer obtained, before entering the goods, a certificate of "
                "origin complying with art 17 and the operational certification procedures "
                "(facts.certificate_of_origin_before_entry, r 51ZZ(2)(b))",
            )
            if held is NEEDS_INFO
            else (),
            children=(
                Step(
                    "certificate of origin required",
                    art("art 16(2)"),
                    MEETS,
                    "New Zealand requires a certificate of origin, issued by the Trade and "
                    "Industry Department or a Government Approved Certification Organisation "
                    "of Hong Kong, China, for goods of chapter 61 or 62",
                ),
            ),
        )

    # ----- obligations

    def obligations(self) -> tuple[Obligation, ...]:
        waiver = LAW.value("proof_waiver_usd", self.date)
        years = LAW.value("hk_record_years", self.date)
        return (
            Obligation(
                art("art 16(1)"),
                "New Zealand may require a declaration of origin (a statement on the "
                "commercial invoice or another document by the manufacturer, producer, "
                "supplier, exporter or other competent person) or other evidence "
                "substantiating the origin of the goods",
            ),
            Obligation(
                CERTIFICATE,
                "for goods of chapter 61 or 62: a certificate of origin complying with art 17 "
                "and the operational certification procedures obtained by the importer before "
                "entry",
            ),
            Obligation(
                art("art 17(1)"),
                "the declaration or certificate states that the goods are of the exporting "
                "Party and meet Chapter 4, with their description, six-digit HS reference, the "
                "rule by which they qualify (with the RVC where applicable), the producer, the "
                "exporter, the consignee and the importer if known; in English",
            ),
            Obligation(
                art("art 18(1)(a)"),
                f"no declaration of origin may be required where the customs value of the "
                f"importation does not exceed US${waiver.value} (or its equivalent, or a higher "
                "amount New Zealand establishes), unless it is one of a series arranged to "
                "avoid the requirement",
            ),
            Obligation(
                art("art 19(1)"),
                "producers, exporters or importers keep the records showing the good qualifies "
                "for the period New Zealand's domestic law specifies; Hong Kong, China tells its "
                f"producers to keep them for at least {years.value} years after exportation",
            ),
            Obligation(
                art("art 20"),
                "compliance with direct consignment (art 9) may be evidenced by customs "
                "documents or documents of the competent authorities of a non-Party, with "
                "commercial shipping or freight documents",
            ),
            Obligation(
                art("art 24(2)"),
                "where no certificate of origin was obtained at importation of a chapter 61 or "
                "62 good, the non-preferential duty applies; a refund may be sought within one "
                "year with a valid certificate (r 51ZZ(2)(b) still asks for one before entry)",
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
            (art("art 13"), (art("art 13(1)(a)"), art("art 13(1)(b)")), None),
        )
        # art 9: an originating good retains its status only if consigned as it allows.
        origin = self.consigned(origin, steps, self.consignment)
        if not self.intermediate:
            certificate = self.certificate_step()
            if certificate is not None:
                steps.append(certificate)
                origin &= certificate.outcome
        verdict = Verdict.from_outcome(origin)
        basis = self.criteria_basis(
            (a_step, b_step, c_step), produced, ("art 2(a)", "art 2(b)", "art 2(c)"), 2, met
        )
        steps.append(
            Step(
                "requirements of the CEP Agreement",
                REGULATION,
                origin,
                "goods meeting all applicable requirements of Chapter 4 of the CEP Agreement and "
                "the Annex 1 document of 2022 are the produce or manufacture of Hong Kong, China",
            )
        )
        return self.conclude(verdict, basis, steps)


AGREEMENT = Agreement(
    name=AGREEMENT_NAME,
    title=LAW.title,
    regulations=LAW.regulations,
    law=LAW,
    decide=_Run.decide,
    cases=Path(__file__).parent / "cases" / "hong-kong",
)
