"""UAE: goods of the United Arab Emirates, reg 51ZZO.

Source: Customs and Excise Regulations 1996 (NZ), Part 6, "Provisions relating to United Arab
Emirates", version as at 28 November 2025. r 51ZZO(1) treats particular goods as the produce
or manufacture of the United Arab Emirates if they meet all applicable requirements of the UAE
CEPA's (a) Chapter 3 (Rules of origin), (b) Annex 3-A (Product specific rules of origin), (c)
Annex 3-B (Certificate of origin) and (d) Annex 3-C (Origin declaration pursuant to Article
3.23); r 51ZZO(2): the New Zealand–United Arab Emirates Comprehensive Economic Partnership
Agreement, done at Abu Dhabi on 14 January 2025. Reg 51ZZO was inserted on 28 August 2025:
earlier dates are refused. The chapter is cited by its own articles (``art 3.17``, instrument
"UAE CEPA"), the regulation apart.

Of the chapter only Article 3.17 (Non-alteration) was read in full, with the opening of
Article 3.18 (Free Economic Zones or Free Zones) and the titles of Articles 3.1-3.11 (decision
0024 records the addresses). This module therefore decides what Article 3.17 decides and says
*needs review*, naming the article, for the rest:

* **Not originating** where art 3.17(2) decides it: in transit through a non-party the good
  underwent an operation other than those art 3.17(2)(a) lists, or was released to free
  circulation there (art 3.17(2)(b)).
* **Needs information** where a fact is missing: the route (transit countries, or none), the
  operations at a stop, whether the good was released to free circulation there, the
  product-specific rule (Annex 3-A) when the good is not claimed wholly obtained or made only
  of originating materials.
* **Needs review** otherwise, naming the provision on which the verdict turns and which was not
  read: art 3.3 (Wholly Obtained or Produced Goods: its list) for a good claimed
  wholly obtained; art 3.2 for a good made only of originating materials; art 3.4 (regional
  value content: formula, value basis) with the case's figures for a value rule; art 3.7
  (tolerance) for a change of classification some materials fail, with their share of the
  value stated; art 3.8 (insufficient working or processing) for the operations performed;
  art 3.6 (accumulation) for materials originating in New Zealand; arts 3.9-3.11 for indirect
  materials, accessories and packaging. No threshold, share or list is applied for them.

>>> import datetime as dt
>>> from origin.caseio import case_from_json
>>> case = case_from_json({
...     "schema": "origin-case/1", "currency": "AED", "psr": "CTH",
...     "good": {"id": "dates", "hs": "0804.10", "fob": "100.00", "wholly_obtained": "plants",
...              "produced_in": ["AE"], "last_process_in": "AE"},
...     "materials": [],
...     "consignment": {"exported_from": "AE",
...                     "transit": [{"country": "SG", "operations": ["unloading", "processing"],
...                                  "entered_commerce": False}]}})
>>> d = AGREEMENT.determine(case, dt.date(2025, 9, 1))
>>> d.verdict.value
'not originating'
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
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
    Outcome,
    Step,
    Verdict,
    missing_of,
)
from origin.engine import exact, percent
from origin.law import LawBook
from origin.model import Case, Packaging
from origin.psr import MaxNonOriginating, RegionalValueContent, TariffShift, leaves
from origin.regime import DeclaredRegime

_LAW_PATH = Path(__file__).with_suffix(".toml")
LAW = LawBook.load(_LAW_PATH)
AGREEMENT_NAME = "uae"
REGULATION = cite("r 51ZZO(1)")
CHAPTER = cite("r 51ZZO(1)(a)")  # Chapter 3: cited for its articles that were not read
PSR_ANNEX = cite("r 51ZZO(1)(b)")  # Annex 3-A
CERTIFICATE = cite("r 51ZZO(1)(c)")  # Annex 3-B
DECLARATION = cite("r 51ZZO(1)(d)")  # Annex 3-C
OTHER_PARTY = "NZ"
NOT_READ = "its text was not found in any stored copy (decision 0024)"


def art(text: str) -> Citation:
    """A provision of the UAE CEPA (the law file's instrument), e.g. ``art 3.17(2)(a)``."""
    return cite(text, LAW.instrument)


def _review(
    test: str,
    citation: Citation,
    summary: str,
    item: str,
    inputs: tuple[tuple[str, Decimal | None], ...] = (),
) -> Step:
    """A step whose verdict turns on an article not read: needs review, naming it."""
    return Step(
        test,
        citation,
        NEEDS_INFO,
        summary,
        inputs,
        missing=(f"review: {item}",),
    )


# The regime (no tolerance share, no relief, no RVC formula) and art 3.17 are declared in the
# law file's [regime].
DECLARED = DeclaredRegime.read(LAW)


class _Run(Decision):
    """One UAE determination: art 3.17 decided; the criteria of art 3.2 reviewed."""

    law = LAW
    declared = DECLARED

    def __init__(self, case: Case, date: dt.date, *, intermediate: bool, **rest: Any) -> None:
        good = case.good
        if intermediate and good.fob is None and good.ex_works is not None:
            case = attrs.evolve(case, good=attrs.evolve(good, fob=good.ex_works))
        super().__init__(case, date, intermediate=intermediate, **rest)

    def wholly_obtained_class(self) -> Step:
        """art 3.3 (Wholly Obtained or Produced Goods): its list was not read, so a good
        claimed wholly obtained needs review; one not claimed so is not shown to be."""
        good = self.case.good
        if not good.wholly_obtained:
            return Step(
                "wholly obtained or produced",
                art("art 3.3"),
                FAILS,
                "the good is not claimed wholly obtained or produced",
            )
        return _review(
            "wholly obtained or produced",
            art("art 3.3"),
            f"claimed wholly obtained or produced ({good.wholly_obtained}); whether that "
            f"category is in the list of art 3.3: {NOT_READ}",
            f"whether the good, claimed wholly obtained ({good.wholly_obtained}), is "
            "wholly obtained or produced under art 3.3 (not read)",
        )

    # ----- the criteria of art 3.2, reviewed

    def claimed(self) -> Step:
        """What the case claims, with the article that decides it (not read)."""
        if self.case.good.wholly_obtained:
            return self.wholly_obtained_class()
        exclusively = self.exclusively_originating(
            art("art 3.2"), "produced exclusively from originating materials"
        )
        if exclusively.outcome is MEETS:
            return _review(
                "produced exclusively from originating materials",
                art("art 3.2"),
                f"every material is stated originating; whether art 3.2 makes such a good "
                f"originating: {NOT_READ}",
                "whether a good produced from originating materials only is originating "
                "under art 3.2 (not read)",
            )
        return self.rule_review()

    def rule_review(self) -> Step:
        """The Annex 3-A rule the case gives, with the figures an auditor needs; the articles
        that would apply it (arts 3.2, 3.4, 3.7) were not read, so it needs review."""
        hs = self.case.good.hs
        if self.case.psr is None:
            return Step(
                "product-specific rule",
                PSR_ANNEX,
                NEEDS_INFO,
                f"no Annex 3-A rule given for {hs}",
                missing=(f"product-specific rule for {hs} (Annex 3-A)",),
            )
        rule = self.parse_psr()
        a = self.assessment
        base = self.case.good.fob
        known = not a.unknown_vnm and base is not None and base > 0
        share = exact(a.vnm) / exact(base) * 100 if known and base is not None else None
        figures = (
            ("value of non-originating materials", None if a.unknown_vnm else a.vnm),
            ("value of the good stated", base),
        )
        children: list[Step] = []
        text = str(rule)
        kinds = {type(leaf) for leaf in leaves(rule)} if rule is not None else set()
        if kinds & {RegionalValueContent, MaxNonOriginating}:
            children.append(
                _review(
                    "regional value content",
                    art("art 3.4"),
                    f"the rule {text} calls for a regional value content; the formula and the "
                    f"values it uses (art 3.4) were not read: no threshold is applied here"
                    + (
                        f"; non-originating materials are {percent(share)} of the value stated"
                        if share is not None
                        else ""
                    ),
                    f"whether the good meets {text} by the formula of art 3.4 (not read)",
                    figures,
                )
            )
        if TariffShift in kinds:
            children.append(
                _review(
                    "change of tariff classification and tolerance",
                    art("art 3.7"),
                    f"the rule {text} calls for a change of classification; materials failing it "
                    f"could be forgiven by the tolerance of art 3.7, whose text was not read: no "
                    f"limit is applied here",
                    f"whether the non-originating materials meet the change of classification of "
                    f"{text}, with the tolerance of art 3.7 (not read)",
                    figures,
                )
            )
        if not children:
            children.append(
                _review(
                    "product-specific rule",
                    art("art 3.2"),
                    f"the rule {text} is applied through art 3.2, {NOT_READ}",
                    f"whether the good meets {text} under art 3.2 (not read)",
                )
            )
        document = Step(
            "product-specific rule of Annex 3-A",
            PSR_ANNEX,
            MEETS,
            f"the rule given for {hs} is taken as its Annex 3-A rule (r 51ZZO(1)(b)); the case "
            "is its source",
            (("rule", text),),
        )
        all_children = (document, *children)
        return Step(
            f"product-specific rule: {text}",
            art("art 3.2"),
            NEEDS_INFO,
            f"the rule {text} cannot be applied here: the articles applying it were not read",
            (("rule", text), *figures),
            value=share,
            children=all_children,
            missing=missing_of(all_children),
        )

    def further_reviews(self) -> list[Step]:
        """Articles whose titles only were read and that a case's facts bring in."""
        steps: list[Step] = []
        good = self.case.good
        if good.operations:
            done = ", ".join(good.operations)
            steps.append(
                _review(
                    "insufficient working or processing",
                    art("art 3.8"),
                    f"operations performed: {done}; whether they are insufficient working or "
                    f"processing under art 3.8: {NOT_READ}",
                    f"whether the operations ({done}) go beyond those of art 3.8 (not read)",
                )
            )
        materials = self.case.materials
        from_nz = sorted(
            m.id
            for m in materials
            # "is not None" first: comparing None with a string is slow, and most lines have None
            if (m.origin_country is not None and m.origin_country == OTHER_PARTY)
            or (m.produced_in is not None and m.produced_in == "NZ")
        )
        if from_nz:
            ids = ", ".join(from_nz[:10])
            steps.append(
                _review(
                    "accumulation",
                    art("art 3.6"),
                    f"material(s) {ids} come from New Zealand, the other Party; how art 3.6 "
                    f"(Accumulation) counts them: {NOT_READ}",
                    f"whether art 3.6 (not read) counts material(s) {ids} of New Zealand as "
                    "originating",
                )
            )
        kinds: dict[str, tuple[str, list[str]]] = {}
        plain = Packaging.NONE  # read once: an enum member off its class is slow
        for material in materials:
            if material.indirect:
                kinds.setdefault("indirect materials", ("art 3.9", []))[1].append(material.id)
            elif material.packaging is not plain:
                kinds.setdefault("packaging material", ("art 3.11", []))[1].append(material.id)
            elif material.accessory is not None:
                kinds.setdefault("accessories, spare parts, tools", ("art 3.10", []))[1].append(
                    material.id
                )
        for kind in sorted(kinds):
            provision, members = kinds[kind]
            listed = ", ".join(sorted(members)[:10])
            steps.append(
                _review(
                    kind,
                    art(provision),
                    f"{kind}: {listed}; how {provision} treats them: {NOT_READ}",
                    f"how {provision} ({kind}, not read) treats {listed}",
                )
            )
        return steps

    # ----- obligations

    def obligations(self) -> tuple[Obligation, ...]:
        return (
            Obligation(
                CERTIFICATE,
                "a certificate of origin in the form of Annex 3-B, which r 51ZZO(1)(c) "
                "incorporates (the conditions for issuing and using it were not read)",
            ),
            Obligation(
                DECLARATION,
                "or an origin declaration in the form of Annex 3-C, which r 51ZZO(1)(d) "
                "incorporates",
            ),
            Obligation(
                art("art 3.23"),
                "the origin declaration is made pursuant to art 3.23 (named by r 51ZZO(1)(d)); "
                "its text was not read: who may make it, its validity and the records to keep "
                "are not stated here",
            ),
            Obligation(
                art("art 3.17(3)"),
                "in case of doubt the importer, or its representative, may be asked at any time "
                "for documents showing the good was not altered on its way: transport documents "
                "such as bills of lading, evidence from the marking or numbering of packages, a "
                "certificate of non-manipulation or other evidence of customs supervision in a "
                "country of transit or splitting, or evidence related to the goods themselves",
            ),
        )

    # ----- the determination

    def determine(self) -> Determination:
        steps: list[Step] = list(self.assessment.sub_steps)
        claim = self.claimed()
        steps.append(claim)
        origin: Outcome = claim.outcome
        if claim.outcome is not FAILS:
            for review in self.further_reviews():
                steps.append(review)
                origin = origin | NEEDS_INFO if origin is MEETS else origin
        origin = self.consigned(origin, steps, self.route)
        steps.append(
            Step(
                "requirements of the UAE CEPA",
                REGULATION,
                origin,
                "goods meeting all applicable requirements of Chapter 3 and Annexes 3-A to 3-C "
                "of the UAE CEPA are the produce or manufacture of the United Arab Emirates",
            )
        )
        return self.conclude(Verdict.from_outcome(origin), [], steps)


AGREEMENT = Agreement(
    name=AGREEMENT_NAME,
    title=LAW.title,
    regulations=LAW.regulations,
    law=LAW,
    decide=_Run.decide,
    cases=Path(__file__).parent / "cases" / "uae",
)
