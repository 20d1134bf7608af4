"""NZ–EU: goods of the EU FTA group, regs 51ZZM–51ZZN.

Source: Customs and Excise Regulations 1996 (NZ), Part 6, "Provisions relating to EU FTA
group", version as at 28 November 2025. r 51ZZN(2) treats goods as the produce or manufacture
of the EU FTA group (r 51ZZM: the European Union, including Ceuta and Melilla, Andorra, Monaco,
San Marino and the Sovereign Base Areas of Akrotiri and Dhekelia) if they meet all the
applicable EU FTA requirements "to qualify, be accepted, or be treated the same way for customs
purposes as goods originating in the European Union"; the requirements (r 51ZZN(3)) are those of
the EU FTA's Chapter 3 and Annexes 3-A to 3-F. The chapter is cited by its own articles
(``art 3.6``, instrument "EU FTA"), the regulations apart. Of the chapter only Article 3.6 was
read in full; decision 0018 records where every other point comes from. The law file
``nz_eu.toml`` holds what was read with its reference, the dates covered (from 1 May 2024) and
the countries of the group as a dated list (``--membership FILE`` replaces it).

A product is originating (art 3.2(1)) if it is (a) wholly obtained in a Party (art 3.4), (b)
produced there exclusively from originating materials, or (c) produced there from
non-originating materials meeting its Annex 3-B rule — given by the case, e.g. ``CTH`` or
``MaxNOM 50 % (EXW)``: the value of non-originating materials (VNM, art 3.1) at most 50 % of
the ex-works price (``good.ex_works``), a share exactly at the cap meeting it. Under (c), a
production consisting only of the operations of art 3.6(1) confers no origin. An originating
material of New Zealand counts as originating in the Union (art 3.3, cumulation of origin).

This module holds what the law makes unique and what was not read, with these readings:

* **Needs review, naming the provision, where an unread article decides the verdict**: a
  change of classification failed by some materials (the tolerance article, and Annex 3-A's
  textile notes, were not read: their share of the ex-works price is shown, no limit is
  applied); goods passing through a non-party with operations other than those altering them
  (the non-alteration article was not read); accessories, packaging and neutral elements
  counted as ordinary materials where that decides the verdict (their articles were not read);
  production in New Zealand on non-originating materials, supported by the Annex 3-D supplier's
  declaration (``facts.supplier_declaration``; not stated, it is needed), where the good
  otherwise fails (art 3.3(4) was not read); goods of Andorra (Annex 3-E), San Marino (Annex
  3-F) and Monaco (the territorial provisions).
* **Fails** where the text read decides it: the rule not met by the BOM, a MaxNOM cap exceeded
  (the tolerance never lifts it: it forgives only a change of classification), only art 3.6
  operations, operations in a non-party that alter the goods (assembly, processing,
  manufacturing, machining: "non-alteration" by its name), production outside the group.
* The operations art 3.6(1) calls simple count only if ``facts.operations_simple`` is not
  false; not stated, a good given only such operations needs it (art 3.6(2)).

>>> import datetime as dt
>>> from origin.caseio import case_from_json
>>> case = case_from_json({
...     "schema": "origin-case/1", "currency": "EUR", "psr": "MaxNOM 50 % (EXW)",
...     "good": {"id": "machine", "hs": "8422.30", "ex_works": "1000.00",
...              "produced_in": ["DE"], "last_process_in": "DE",
...              "operations": ["machining", "assembly"]},
...     "materials": [{"id": "motor", "hs": "8501.52", "value": "500.00",
...                    "basis": "customs-value", "status": "non-originating"}],
...     "consignment": {"exported_from": "DE", "transit": []}})
>>> d = AGREEMENT.determine(case, dt.date(2025, 6, 1))
>>> d.verdict.value, d.basis
('originating', ('art 3.2(1)(c) (MaxNOM50 (EXW))',))
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

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
    Outcome,
    Step,
    Verdict,
    missing_of,
)
from origin.engine import (
    Regime,
    alternatives_met,
    exact,
    minimal_operations_step,
    percent,
)
from origin.groups import Membership
from origin.law import LawBook, Term
from origin.model import Case, Packaging
from origin.psr import Rule, TariffShift
from origin.regime import DeclaredRegime

_LAW_PATH = Path(__file__).with_suffix(".toml")
LAW = LawBook.load(_LAW_PATH)
with _LAW_PATH.open("rb") as _handle:
    # The countries of the EU FTA group (r 51ZZM), in the membership format of agreements/groups/.
    MEMBERSHIP = Membership.from_toml(tomllib.load(_handle)["parties_list"])
AGREEMENT_NAME = "nz-eu"
REGULATION = cite("r 51ZZN(2)")
GROUP = cite("r 51ZZM")
CHAPTER = cite("r 51ZZN(3)(a)")  # Chapter 3: cited for its articles that were not read
NOTES = cite("r 51ZZN(3)(b)")  # Annex 3-A, introductory notes
PSR_ANNEX = cite("r 51ZZN(3)(c)")  # Annex 3-B
STATEMENT = cite("r 51ZZN(3)(d)")  # Annex 3-C
SUPPLIER = cite("r 51ZZN(3)(e)")  # Annex 3-D
OTHER_PARTY = "NZ"
# Countries of the group whose goods are EU goods only as a provision not read says.
_REVIEWED: Mapping[str, tuple[Citation, str]] = {
    "AD": (
        cite("r 51ZZN(3)(f)"),
        "goods of Andorra are accepted as originating in the Union only as Annex 3-E (Joint "
        "declaration concerning the Principality of Andorra) says; its text was not read",
    ),
    "SM": (
        cite("r 51ZZN(3)(g)"),
        "goods of San Marino are accepted as originating in the Union only as Annex 3-F (Joint "
        "declaration concerning the Republic of San Marino) says; its text was not read",
    ),
    "MC": (
        GROUP,
        "goods of Monaco are EU FTA group goods if treated the same way as goods originating in "
        "the Union (r 51ZZN(2)); the EU FTA's territorial provisions were not read",
    ),
}
# Operations in a non-party that alter or transform the goods: the principle of
# non-alteration (its article not read; decision 0018) excludes them by its name.
_STATED = {None: "not stated", True: "stated to be given", False: "stated not to be given"}
ALTERING = frozenset({"assembly", "processing", "manufacturing", "machining"})
_TOLERANCE = (
    "the tolerance of Chapter 3 (numbered 3.5 in secondary sources; its text, and for goods "
    "of chapters 50-63 the textile notes of Annex 3-A, were not read)"
)


def art(text: str) -> Citation:
    """A provision of the EU FTA (the law file's instrument), e.g. ``art 3.6(1)(a)``."""
    return cite(text, LAW.instrument)


# The regime (valuation, cumulation, no tolerance share) is declared in the law file's
# [regime]; the countries of the group are put in by regime_at.
DECLARED = DeclaredRegime.read(LAW)
_REGIMES: dict[tuple[Membership, dt.date], Regime] = {}


class _Run(Decision):
    """One NZ–EU determination: the criteria of art 3.2(1) and the provisions qualifying them."""

    law = LAW
    declared = DECLARED
    membership: ClassVar[Membership] = MEMBERSHIP

    @classmethod
    def regime_at(cls, date: dt.date) -> Regime:
        """The law file's ``[regime]`` with the countries of the group on ``date`` and New
        Zealand as the parties whose originating materials count (art 3.3)."""
        key = (cls.membership, date)
        regime = _REGIMES.get(key)
        if regime is None:
            parties = tuple(sorted(cls.membership.on(date) | set(LAW.parties)))
            regime = attrs.evolve(DECLARED.at(date), parties=parties)
            if len(_REGIMES) < 512:
                _REGIMES[key] = regime
        return regime

    def __init__(self, case: Case, date: dt.date, *, intermediate: bool, **rest: Any) -> None:
        good = case.good
        if intermediate and good.ex_works is None and good.fob is not None:
            # An intermediate material decided in its own right: its own value stands in for
            # its ex-works price, as it does for the other agreements.
            case = attrs.evolve(case, good=attrs.evolve(good, ex_works=good.fob))
        super().__init__(case, date, intermediate=intermediate, **rest)
        self.group = self.membership.on(date)

    @property
    def parties(self) -> tuple[str, ...]:
        return self.regime.parties

    def produced_in_parties(self, citation: Citation) -> Step:
        """Goods are produced in the EU FTA group (r 51ZZN(2)); a material decided in its own
        right may also have been produced in New Zealand, the other Party (art 3.3)."""
        where = self.case.good.produced_in
        if not where:
            return Step(
                "produced in the parties",
                citation,
                NEEDS_INFO,
                "where the goods were produced is not stated",
                missing=("countries where the goods were produced",),
            )
        allowed = set(self.parties) if self.intermediate else self.group
        outside = [c for c in where if c not in allowed]
        return Step(
            "produced in the parties",
            citation,
            Outcome.of(not outside),
            f"produced in {', '.join(where)}"
            + (f"; outside the EU FTA group: {', '.join(outside)}" if outside else ""),
            (("produced in", ", ".join(where)),),
        )

    # ----- the criteria of art 3.2(1)

    def criterion_a(self) -> Step:
        """art 3.2(1)(a): wholly obtained in a Party (art 3.4)."""
        step = self.wholly_obtained(art("art 3.2(1)(a)"), "criterion 3.2(1)(a) wholly obtained")
        key = self.case.good.wholly_obtained
        term = LAW.vocabulary("wholly_obtained").get(key) if key else None
        if term is None:
            return step
        claimed = Step("wholly obtained category", term.reference, MEETS, f"{key}: {term.text}")
        return attrs.evolve(step, children=(*step.children, claimed))

    def wholly_obtained_class(self) -> Step:
        return self.criterion_a()

    def criterion_b(self) -> Step:
        """art 3.2(1)(b): produced in a Party exclusively from originating materials."""
        return self.exclusively_originating(
            art("art 3.2(1)(b)"), "criterion 3.2(1)(b) exclusively originating materials"
        )

    def criterion_c(self) -> tuple[Step, tuple[str, ...]]:
        """art 3.2(1)(c): produced in a Party from non-originating materials, satisfying the
        Annex 3-B rule; art 3.6 applies to the operations ("Notwithstanding point (c)")."""
        citation = art("art 3.2(1)(c)")
        place = self.produced_in_parties(citation)
        hs = self.case.good.hs
        rule = self.parse_psr()
        insufficient = self.insufficient_working()
        extra = () if insufficient is None else (insufficient,)
        if rule is None:
            psr = Step(
                "product-specific rule",
                PSR_ANNEX,
                NEEDS_INFO,
                f"no Annex 3-B rule given for {hs}",
                missing=(f"product-specific rule for {hs} (Annex 3-B)",),
            )
            children = (place, psr, *extra)
            return Step(
                "criterion 3.2(1)(c) Annex 3-B",
                citation,
                Outcome.all(c.outcome for c in children),
                psr.summary,
                children=children,
                missing=missing_of(children),
            ), ()
        document = Step(
            "product-specific rule of Annex 3-B",
            PSR_ANNEX,
            MEETS,
            f"the rule given for {hs} is applied as its Annex 3-B rule (r 51ZZN(3)(c)); the case "
            "(or the schedule it was looked up in) is its source",
            (("rule", str(rule)),),
            children=(
                Step(
                    "introductory notes of Annex 3-A",
                    NOTES,
                    MEETS,
                    "the rule is read with the introductory notes of Annex 3-A (r 51ZZN(3)(b)), "
                    "as far as they were read (decision 0018)",
                ),
            ),
        )
        psr = self.evaluate_psr(rule, citation)
        children = (place, document, psr, *extra)
        outcome = Outcome.all(c.outcome for c in children)
        return Step(
            f"criterion 3.2(1)(c) Annex 3-B: {rule}",
            citation,
            outcome,
            psr.summary
            + (
                ""
                if insufficient is None or insufficient.outcome is MEETS
                else f"; {insufficient.summary}"
            ),
            (("rule", str(rule)),),
            children=children,
            missing=missing_of(children) if outcome is NEEDS_INFO else (),
        ), alternatives_met(rule, psr)

    def psr_leaf(self, rule: Rule) -> Step:
        """A change of classification failed by some materials is not forgiven or refused
        here: the tolerance article was not read, so the step needs review, naming it, with
        the failing materials' share of the ex-works price. A MaxNOM cap is never lifted."""
        step = super().psr_leaf(rule)
        if not isinstance(rule, TariffShift):
            return step
        engine = [c for c in step.children if c.test == "de minimis"]
        if not engine:
            return step
        figures = dict(engine[0].inputs)
        total = figures.get("value of non-originating materials failing the shift")
        base = self.case.good.ex_works
        missing = list(engine[0].missing)
        share = (
            exact(total) / exact(base) * 100
            if isinstance(total, Decimal) and base is not None and base > 0 and not missing
            else None
        )
        where = f"{percent(share)} of the ex-works price" if share is not None else "of a share"
        review = Step(
            "tolerance",
            CHAPTER,
            NEEDS_INFO,
            f"the materials failing the change of classification ({total}) are {where} that "
            f"{_TOLERANCE} may or may not forgive; no limit is applied here",
            (
                ("value of non-originating materials failing the shift", total),
                ("ex-works price", base),
            ),
            value=share,
            missing=(
                *missing,
                f"review: whether {_TOLERANCE} forgives the materials failing the change of "
                f"classification{f' ({percent(share)} of the ex-works price)' if share else ''}",
            ),
        )
        children = tuple(review if c.test == "de minimis" else c for c in step.children)
        return attrs.evolve(
            step,
            outcome=NEEDS_INFO,
            summary=step.summary.replace("; rescued by de minimis", "")
            + "; the tolerance needs review",
            children=children,
            missing=missing_of(children),
        )

    # ----- art 3.6

    def insufficient_working(self) -> Step | None:
        """art 3.6(1): a production consisting only of the listed operations on
        non-originating materials confers no origin; None where none is used. The operations
        the paragraph calls simple count only when simple (``facts.operations_simple``)."""
        if not self.assessment.non_originating:
            return None
        listed: Mapping[str, Term] = LAW.vocabulary("insufficient_operations")
        operations = self.case.good.operations
        simple = self.case.facts.get("operations_simple")
        if simple is False:
            listed = {k: t for k, t in listed.items() if t.group != "simple"}
        inner = minimal_operations_step(
            operations,
            listed,
            art("art 3.6(1)"),
            "operations conducted on the non-originating materials to produce the good "
            "(good.operations, art 3.6(1))",
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
                summary=f"only operations listed in art 3.6(1) were performed; "
                f"{', '.join(needing)} are among them only if simple",
                citation=art("art 3.6(2)"),
                missing=(
                    f"whether {', '.join(needing)} needed neither special skills nor special "
                    "machines or tools (facts.operations_simple, art 3.6(2))",
                ),
            )
        cited = [
            Step(
                f"insufficient operation: {op}",
                listed[op].reference,
                FAILS if inner.outcome is FAILS else NEEDS_INFO,
                listed[op].text,
            )
            for op in dict.fromkeys(operations or ())
            if op in listed and inner.outcome is not MEETS
        ]
        if cited:
            inner = attrs.evolve(inner, children=(*inner.children, *cited))
        summary = {
            MEETS: "the production goes beyond the operations of art 3.6(1)",
            FAILS: "only operations of art 3.6(1): insufficient working or processing",
        }.get(inner.outcome, "cannot tell whether the production goes beyond art 3.6(1)")
        if simple is not None and inner.outcome is not NEEDS_INFO:
            summary += f"; the operations are stated {'' if simple else 'not '}simple"
        return attrs.evolve(inner, test="insufficient working or processing", summary=summary)

    # ----- transport

    def non_alteration(self) -> Step:
        """Non-alteration (the chapter's article was not read): goods moved only within the
        EU FTA group and New Zealand keep their status; operations in a non-party that alter
        the goods lose it; anything else done in a non-party needs review."""
        consignment = self.case.consignment
        transit = consignment.transit if consignment is not None else None
        if transit is None:
            return Step(
                "non-alteration",
                CHAPTER,
                NEEDS_INFO,
                "the route of the goods to New Zealand is not stated",
                missing=("consignment route (transit countries, or none)",),
            )
        outside = [stop for stop in transit if stop.country not in self.parties]
        if not outside:
            return Step(
                "non-alteration",
                CHAPTER,
                MEETS,
                "transported to New Zealand without passing through a non-party",
            )
        children: list[Step] = []
        for stop in outside:
            if stop.operations is None:
                children.append(
                    Step(
                        f"operations in {stop.country}",
                        CHAPTER,
                        NEEDS_INFO,
                        f"the operations in {stop.country} are not stated",
                        missing=(f"operations performed on the goods in {stop.country}",),
                    )
                )
                continue
            altering = [op for op in stop.operations if op in ALTERING]
            done = ", ".join(stop.operations) or "nothing done"
            if altering:
                children.append(
                    Step(
                        f"operations in {stop.country}",
                        CHAPTER,
                        FAILS,
                        f"in {stop.country}: {done}; {', '.join(altering)} altered or "
                        "transformed the goods outside the parties",
                        (("operations", done),),
                    )
                )
                continue
            children.append(
                Step(
                    f"operations in {stop.country}",
                    CHAPTER,
                    NEEDS_INFO,
                    f"in {stop.country}: {done}; whether the goods kept their originating "
                    "status there turns on the chapter's non-alteration article, not read (a "
                    "summary of the Commission's guidance says goods may be stored in a "
                    "non-party, shown by a non-manipulation certificate)",
                    (("operations", done),),
                    missing=(
                        f"review: whether the goods passing through {stop.country} ({done}) "
                        "meet the EU FTA's non-alteration article (not read)",
                    ),
                )
            )
        outcome = Outcome.all(c.outcome for c in children)
        route = ", ".join(stop.country for stop in outside)
        summary = {
            FAILS: f"the goods were altered outside the parties, in {route}",
        }.get(outcome, f"cannot tell whether the goods kept their status through {route}")
        return Step(
            "non-alteration",
            CHAPTER,
            outcome,
            summary,
            (("transit", route),),
            children=tuple(children),
            missing=missing_of(children) if outcome is NEEDS_INFO else (),
        )

    # ----- reviews of provisions not read

    def production_in_the_other_party(self) -> Step | None:
        """art 3.3(4) with Annex 3-D: production carried out in New Zealand on
        non-originating materials, supported by a supplier's declaration (not read beyond
        the regulation's title of Annex 3-D); None where no such material is used."""
        a = self.assessment
        materials = a.case.materials
        worked = [
            materials[i].id for i in a.non_originating if materials[i].produced_in == OTHER_PARTY
        ]
        if not worked:
            return None
        ids = ", ".join(sorted(worked)[:10])
        stated = self.case.facts.get("supplier_declaration")
        declared = stated if isinstance(stated, bool) else None  # a bool fact (law file)
        form = Step(
            "supplier's declaration",
            SUPPLIER,
            {None: NEEDS_INFO, True: MEETS, False: FAILS}[declared],
            "the supplier's declaration referred to in art 3.3(4) is in the form of Annex 3-D "
            f"(r 51ZZN(3)(e)): {_STATED[declared]}",
        )
        if declared is None:
            return Step(
                "production in the other Party",
                art("art 3.3(4)"),
                NEEDS_INFO,
                f"material(s) {ids} were produced in New Zealand; production there counts for "
                "the good only as art 3.3(4) allows, supported by a supplier's declaration "
                "(Annex 3-D), which is not stated",
                children=(form,),
                missing=(
                    f"whether a supplier's declaration (Annex 3-D) supports the production in "
                    f"New Zealand of material(s) {ids} (facts.supplier_declaration)",
                ),
            )
        if declared is False:
            return Step(
                "production in the other Party",
                art("art 3.3(4)"),
                FAILS,
                f"no supplier's declaration supports the production in New Zealand of {ids}: "
                "it is not counted",
                children=(form,),
            )
        return Step(
            "production in the other Party",
            art("art 3.3(4)"),
            NEEDS_INFO,
            f"a supplier's declaration (Annex 3-D) supports the production in New Zealand of "
            f"{ids}; how art 3.3(4) counts that production was not read, so it is not counted "
            "here and the verdict needs review",
            children=(form,),
            missing=(
                f"review: whether the production in New Zealand of {ids}, under the supplier's "
                "declaration, makes the good originating (art 3.3(4), not read)",
            ),
        )

    def materials_without_relief(self) -> Step | None:
        """Accessories, packaging and neutral (indirect) materials are counted as ordinary
        materials: the articles that may relieve them were not read. None if there are none."""
        kinds: dict[str, list[str]] = {}
        plain = Packaging.NONE  # read once: an enum member off its class is slow
        for material in self.case.materials:
            if material.indirect:
                kinds.setdefault("neutral elements", []).append(material.id)
            elif material.packaging is not plain:
                kinds.setdefault("packaging", []).append(material.id)
            elif material.accessory is not None:
                kinds.setdefault("accessories, spare parts and tools", []).append(material.id)
        if not kinds:
            return None
        kinds = {kind: sorted(kinds[kind]) for kind in sorted(kinds)}  # not the BOM's order
        listed = "; ".join(f"{kind}: {', '.join(ids[:10])}" for kind, ids in kinds.items())
        return Step(
            "materials counted without relief",
            CHAPTER,
            NEEDS_INFO,
            f"counted as ordinary materials ({listed}); the chapter's articles on them were "
            "not read, and their relief could only help the good",
            missing=(
                f"review: whether the EU FTA's articles on {', '.join(kinds)} (not read) make "
                "the good originating",
            ),
        )

    # ----- obligations

    def obligations(self) -> tuple[Obligation, ...]:
        return (
            Obligation(
                art("art 3.16"),
                "the claim for preferential tariff treatment rests on a statement on origin made "
                "out by the exporter in the text of Annex 3-C (r 51ZZN(3)(d)), on an invoice or "
                "any other document, or on the importer's knowledge that the product is "
                "originating (as a summary of the Commission's guidance gives it; art 3.16 "
                "was not read)",
            ),
            Obligation(
                STATEMENT,
                "a statement on origin follows the text of Annex 3-C, which r 51ZZN incorporates",
            ),
            Obligation(
                art("art 3.16(3)"),
                "the claim is made in the customs declaration at importation, or after "
                "importation within three years of the importation date (as the Commission's "
                "guidance, quoted in a summary, gives art 3.16(3); not read here)",
            ),
            Obligation(
                CHAPTER,
                "the importer keeps, for at least three years after the claim, the statement on "
                "origin, or for a claim on the importer's knowledge all records showing the "
                "product is originating (as a summary of the Commission's guidance gives it; "
                "the chapter's record-keeping article was not read)",
            ),
        )

    # ----- the determination

    def determine(self) -> Determination:
        steps: list[Step] = list(self.assessment.sub_steps)
        a_step = self.criterion_a()
        b_step = self.criterion_b()
        c_step, met = self.criterion_c()
        steps.extend((a_step, b_step, c_step))
        produced = b_step.outcome | c_step.outcome
        origin = a_step.outcome | produced
        if origin is not MEETS:
            for review in (self.production_in_the_other_party(), self.materials_without_relief()):
                if review is not None:
                    steps.append(review)
                    if review.outcome is NEEDS_INFO:
                        origin = origin | NEEDS_INFO
        if not self.intermediate:
            moved = self.non_alteration()
            steps.append(moved)
            origin &= moved.outcome
            accepted = self.accepted_as_union_goods()
            if accepted is not None:
                steps.append(accepted)
                origin &= accepted.outcome
        verdict = Verdict.from_outcome(origin)
        basis: list[str] = []
        if a_step.outcome is MEETS:
            basis.append("art 3.2(1)(a)")
        if produced is MEETS:
            if b_step.outcome is MEETS:
                basis.append("art 3.2(1)(b)")
            if c_step.outcome is MEETS:
                basis.append(self.rule_basis("art 3.2(1)(c)", c_step, met))
        steps.append(
            Step(
                "requirements of the EU FTA",
                REGULATION,
                origin,
                "goods meeting all the applicable EU FTA requirements (Chapter 3 and Annexes "
                "3-A to 3-F, r 51ZZN(3)) to qualify, be accepted, or be treated the same way "
                "for customs purposes as goods originating in the European Union are the "
                "produce or manufacture of the EU FTA group",
            )
        )
        if not self.intermediate:
            steps.append(
                self.membership.step(
                    self.date,
                    GROUP,
                    "EU FTA group: the European Union (including Ceuta and Melilla), Andorra, "
                    "Monaco, San Marino and the Sovereign Base Areas of Akrotiri and Dhekelia",
                )
            )
        return self.conclude(verdict, basis, steps)

    def accepted_as_union_goods(self) -> Step | None:
        """r 51ZZN(2): goods of Andorra, San Marino or Monaco are EU FTA group goods only as a
        provision not read says (needs review); None for goods of the Union."""
        good = self.case.good
        last = (good.last_process_in,) if good.last_process_in else ()
        places = dict.fromkeys((*good.produced_in, *last))
        reviewed = [c for c in places if c in _REVIEWED]
        if not reviewed:
            return None
        children = tuple(
            Step(
                f"goods of {country}",
                _REVIEWED[country][0],
                NEEDS_INFO,
                _REVIEWED[country][1],
                missing=(f"review: {_REVIEWED[country][1]}",),
            )
            for country in reviewed
        )
        return Step(
            "accepted or treated as goods originating in the Union",
            REGULATION,
            NEEDS_INFO,
            f"goods of {', '.join(reviewed)}: accepted or treated as goods originating in the "
            "Union only as provisions not read here say",
            children=children,
            missing=missing_of(children),
        )


def _bind(newer: Membership) -> Callable[[Case, dt.date], Determination]:
    """Decide with another list of the group's countries (e.g. after an accession)."""
    run: type[_Run] = type("_Run", (_Run,), {"membership": newer})
    return run.decide


regime_at = _Run.regime_at

AGREEMENT = Agreement(
    name=AGREEMENT_NAME,
    title=LAW.title,
    regulations=LAW.regulations,
    law=LAW,
    decide=_Run.decide,
    cases=Path(__file__).parent / "cases" / "nz-eu",
    membership=MEMBERSHIP,
    bind_membership=_bind,
)
