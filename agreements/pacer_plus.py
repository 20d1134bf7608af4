"""PACER Plus: goods of a PACER Plus party, regs 51ZZG–51ZZH.

Source: Customs and Excise Regulations 1996 (NZ), Part 6, "Provisions relating to PACER Plus
parties", version as at 28 November 2025. r 51ZZH treats particular goods as the produce or
manufacture of a PACER Plus party (a country declared a specified PACER Plus party by Order in
Council under s 7A(1)(bb) of the Tariff Act 1988, r 51ZZG) if they meet all applicable
requirements of PACER Plus (a) Chapter 3, Section A: Rules of Origin, Articles 1 to 14; (b)
Chapter 3, Section B: Origin Procedures, Articles 15 to 25; (c) Annex 3-A: Declaration of
Origin Requirements; and (d) the document "PACER Plus Schedule of Product Specific
Rules—Annex 3-B (2022)". Paragraph (d) was replaced on 1 January 2022 and only the replaced
wording is held: earlier dates are refused.

The declared parties were read in full from the Tariff (Specified PACER Plus Parties) Order
2020, version as at 11 October 2022 (the law file's ``[parties_list]``, replaceable with
``origin determine --membership FILE``). The text of Chapter 3 was not found in any stored copy
(decision 0025 lists what was searched): no article of it is cited by number and no threshold,
share or list of it is applied. This module therefore decides:

* **Not originating** where the goods are not the produce or manufacture of a country the
  Order declares a specified PACER Plus party, on a date up to the version read (11 October
  2022); after it a country not listed *needs review* (a later Order is not known here).
* **Needs information** where a fact is missing: the country whose produce the good is, the
  product-specific rule (Annex 3-B) when the good is not claimed wholly obtained or made only of
  originating materials.
* **Needs review** otherwise, naming the incorporated part on which the verdict turns and
  which was not read (r 51ZZH(a), Chapter 3 Section A, and the subject): the wholly obtained
  list; originating materials only; the regional value content formula (the case's figures are
  shown); the de minimis for a change of classification; minimal operations; cumulation of New
  Zealand materials; indirect materials, accessories and packaging; the consignment of a good
  that passed through another country.

>>> import datetime as dt
>>> from origin.caseio import case_from_json
>>> case = case_from_json({
...     "schema": "origin-case/1", "currency": "FJD", "psr": "CTH",
...     "good": {"id": "juice", "hs": "2009.89", "fob": "100.00", "wholly_obtained": "plants",
...              "produced_in": ["FJ"], "last_process_in": "FJ"},
...     "materials": [],
...     "consignment": {"exported_from": "FJ", "transit": []}})
>>> d = AGREEMENT.determine(case, dt.date(2022, 6, 1))
>>> d.verdict.value
'not originating'
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable
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
from origin.engine import Regime, exact, percent
from origin.groups import Membership
from origin.law import LawBook
from origin.model import Case, Packaging
from origin.psr import MaxNonOriginating, RegionalValueContent, TariffShift, leaves
from origin.regime import DeclaredRegime

_LAW_PATH = Path(__file__).with_suffix(".toml")
LAW = LawBook.load(_LAW_PATH)
with _LAW_PATH.open("rb") as _handle:
    # The declared parties (r 51ZZG), in the membership format of agreements/groups/.
    MEMBERSHIP = Membership.from_toml(tomllib.load(_handle)["parties_list"])
AGREEMENT_NAME = "pacer-plus"
REGULATION = cite("r 51ZZH")
PARTY = cite("r 51ZZG")
SECTION_A = cite("r 51ZZH(a)")  # Chapter 3 Section A, arts 1-14: not read
SECTION_B = cite("r 51ZZH(b)")  # Chapter 3 Section B, arts 15-25: not read
DECLARATION = cite("r 51ZZH(c)")  # Annex 3-A: Declaration of Origin Requirements
PSR_DOCUMENT = cite("r 51ZZH(d)")  # Annex 3-B (2022)
OTHER_PARTY = "NZ"
NOT_READ = "the text of PACER Plus Chapter 3 was not found in any stored copy (decision 0025)"


def art(text: str) -> Citation:
    """A provision of PACER Plus (the law file's instrument). No article of Chapter 3 was read,
    so the module cites the incorporating paragraph of r 51ZZH instead (decision 0025)."""
    return cite(text, LAW.instrument)


def _review(
    test: str,
    subject: str,
    summary: str,
    item: str,
    inputs: tuple[tuple[str, Decimal | None], ...] = (),
    *,
    citation: Citation = SECTION_A,
) -> Step:
    """A step whose verdict turns on a provision not read: needs review, naming it."""
    return Step(
        test,
        citation,
        NEEDS_INFO,
        f"{summary}; {subject}: {NOT_READ}",
        inputs,
        missing=(f"review: {item}",),
    )


# The regime (no de minimis share, no relief, no RVC formula) is declared in the law file.
DECLARED = DeclaredRegime.read(LAW)
_REGIMES: dict[tuple[Membership, dt.date], Regime] = {}


class _Run(Decision):
    """One PACER Plus determination: the declared parties decided; Chapter 3 reviewed."""

    law = LAW
    declared = DECLARED
    # The declared parties (r 51ZZG); a subclass carries a user's newer list.
    membership: ClassVar[Membership] = MEMBERSHIP

    @classmethod
    def regime_at(cls, date: dt.date) -> Regime:
        """The law file's ``[regime]`` with the Parties on ``date`` (the declared PACER Plus
        parties and New Zealand): the countries whose materials a case may state originating."""
        key = (cls.membership, date)
        regime = _REGIMES.get(key)
        if regime is None:
            parties = tuple(sorted(cls.membership.on(date) | set(LAW.parties)))
            regime = attrs.evolve(DECLARED.at(date), parties=parties)
            if len(_REGIMES) < 512:
                _REGIMES[key] = regime
        return regime

    @property
    def parties(self) -> tuple[str, ...]:
        return self.regime.parties

    def __init__(self, case: Case, date: dt.date, *, intermediate: bool, **rest: Any) -> None:
        good = case.good
        if intermediate and good.fob is None and good.ex_works is not None:
            case = attrs.evolve(case, good=attrs.evolve(good, fob=good.ex_works))
        super().__init__(case, date, intermediate=intermediate, **rest)

    # ----- r 51ZZG: the declared parties

    def party(self) -> Step:
        """Whether the goods are of a country the Order declares a specified PACER Plus
        party on the date (r 51ZZG, r 51ZZH)."""
        good = self.case.good
        country = good.last_process_in
        if country is None and len(good.produced_in) == 1:
            country = good.produced_in[0]
        listed = self.membership.step(
            self.date,
            PARTY,
            "PACER Plus party: a country declared by Order in Council under s 7A(1)(bb) of "
            "the Tariff Act 1988 to be a specified PACER Plus party",
        )
        test = "PACER Plus party"
        if country is None:
            return Step(
                test,
                PARTY,
                NEEDS_INFO,
                "the country whose produce or manufacture the good is, is not stated",
                children=(listed,),
                missing=("the country where the good was produced (good.last_process_in)",),
            )
        members = self.membership.on(self.date)
        as_at = self.membership.as_at
        if country in members:
            return Step(
                test,
                PARTY,
                MEETS,
                f"{country} is a specified PACER Plus party on {self.date.isoformat()}",
                (("country", country),),
                children=(listed,),
            )
        if as_at is None or self.date <= as_at:
            return Step(
                test,
                PARTY,
                FAILS,
                f"{country} is not declared a specified PACER Plus party on "
                f"{self.date.isoformat()} by the list applied ({self.membership.title}, as at "
                f"{self.membership.dated()}): goods of {country} are not the produce or "
                "manufacture of a PACER Plus party",
                (("country", country),),
                children=(listed,),
            )
        return Step(
            test,
            PARTY,
            NEEDS_INFO,
            f"{country} is not in the list applied ({self.membership.title}, as at "
            f"{self.membership.dated()}); whether a later Order declared it a specified PACER "
            f"Plus party by {self.date.isoformat()} is not known here",
            (("country", country),),
            children=(listed,),
            missing=(
                f"review: whether {country} was declared a specified PACER Plus party by an "
                f"Order after {self.membership.dated()} (r 51ZZG; load a newer list with "
                "--membership)",
            ),
        )

    # ----- the criteria of Chapter 3 Section A, reviewed

    def claimed(self) -> Step:
        """What the case claims, with the part of Chapter 3 that decides it (not read)."""
        good = self.case.good
        if good.wholly_obtained:
            return _review(
                "wholly obtained or produced",
                "the list of goods wholly obtained or produced in Chapter 3 Section A",
                f"claimed wholly obtained or produced ({good.wholly_obtained})",
                f"whether the good, claimed wholly obtained ({good.wholly_obtained}), is "
                "wholly obtained or produced under PACER Plus Chapter 3 Section A (r 51ZZH(a), "
                "not read)",
            )
        exclusively = self.exclusively_originating(
            SECTION_A, "produced exclusively from originating materials"
        )
        if exclusively.outcome is MEETS:
            return _review(
                "produced exclusively from originating materials",
                "whether Chapter 3 Section A makes such a good originating",
                "every material is stated originating",
                "whether a good produced from originating materials only is originating under "
                "PACER Plus Chapter 3 Section A (r 51ZZH(a), not read)",
            )
        return self.rule_review()

    def rule_review(self) -> Step:
        """The Annex 3-B rule the case gives, with the figures an auditor needs; the articles
        that would apply it (Chapter 3 Section A) were not read, so it needs review."""
        hs = self.case.good.hs
        if self.case.psr is None:
            return Step(
                "product-specific rule",
                PSR_DOCUMENT,
                NEEDS_INFO,
                f"no Annex 3-B rule given for {hs}",
                missing=(f"product-specific rule for {hs} (Annex 3-B (2022))",),
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
                    "the regional value content formula and the values it uses",
                    f"the rule {text} calls for a regional value content; no formula or "
                    "threshold is applied here"
                    + (
                        f"; non-originating materials are {percent(share)} of the value stated"
                        if share is not None
                        else ""
                    ),
                    f"whether the good meets {text} by the regional value content formula of "
                    "PACER Plus Chapter 3 Section A (r 51ZZH(a), not read)",
                    figures,
                )
            )
        if TariffShift in kinds:
            children.append(
                _review(
                    "change of tariff classification and de minimis",
                    "the de minimis of Chapter 3 Section A",
                    f"the rule {text} calls for a change of classification; materials failing "
                    "it could be forgiven by a de minimis, whose text was not read: no limit is "
                    "applied here",
                    f"whether the non-originating materials meet the change of classification "
                    f"of {text}, with the de minimis of PACER Plus Chapter 3 Section A "
                    "(r 51ZZH(a), not read)",
                    figures,
                )
            )
        if not children:
            children.append(
                _review(
                    "product-specific rule",
                    "the articles applying the rule",
                    f"the rule {text} is applied through Chapter 3 Section A",
                    f"whether the good meets {text} under PACER Plus Chapter 3 Section A "
                    "(r 51ZZH(a), not read)",
                )
            )
        document = Step(
            "product-specific rule of Annex 3-B",
            PSR_DOCUMENT,
            MEETS,
            f"the rule given for {hs} is taken as its rule in the PACER Plus Schedule of "
            "Product Specific Rules—Annex 3-B (2022) (r 51ZZH(d)); the case is its source",
            (("rule", text),),
        )
        all_children = (document, *children)
        return Step(
            f"product-specific rule: {text}",
            SECTION_A,
            NEEDS_INFO,
            f"the rule {text} cannot be applied here: the articles applying it were not read",
            (("rule", text), *figures),
            value=share,
            children=all_children,
            missing=missing_of(all_children),
        )

    def further_reviews(self) -> list[Step]:
        """Subjects of Chapter 3 that a case's facts bring in, none of them read."""
        steps: list[Step] = []
        good = self.case.good
        if good.operations:
            done = ", ".join(good.operations)
            steps.append(
                _review(
                    "minimal operations",
                    "the minimal operations of Chapter 3 Section A",
                    f"operations performed: {done}",
                    f"whether the operations ({done}) go beyond the minimal operations of "
                    "PACER Plus Chapter 3 Section A (r 51ZZH(a), not read)",
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
                    "cumulation",
                    "how the cumulation of Chapter 3 Section A counts them",
                    f"material(s) {ids} come from New Zealand",
                    f"whether the cumulation of PACER Plus Chapter 3 Section A (r 51ZZH(a), not "
                    f"read) counts material(s) {ids} of New Zealand as originating",
                )
            )
        kinds: dict[str, list[str]] = {}
        plain = Packaging.NONE  # read once: an enum member off its class is slow
        for material in materials:
            if material.indirect:
                kinds.setdefault("indirect materials", []).append(material.id)
            elif material.packaging is not plain:
                kinds.setdefault("packaging materials and containers", []).append(material.id)
            elif material.accessory is not None:
                kinds.setdefault("accessories, spare parts, tools", []).append(material.id)
        for kind in sorted(kinds):
            listed = ", ".join(sorted(kinds[kind])[:10])
            steps.append(
                _review(
                    kind,
                    f"how Chapter 3 Section A treats {kind}",
                    f"{kind}: {listed}",
                    f"how PACER Plus Chapter 3 Section A (r 51ZZH(a), not read) treats {kind} "
                    f"({listed})",
                )
            )
        return steps

    def consignment_review(self) -> Step | None:
        """A good that passed through another country: the consignment requirements of
        Chapter 3 were not read, so it needs review; none is applied to a direct route."""
        consignment = self.case.consignment
        transit = consignment.transit if consignment is not None else None
        if not transit:
            return None
        route = ", ".join(stop.country for stop in transit)
        return _review(
            "consignment",
            "the consignment requirements of Chapter 3 Section A",
            f"the good passed through {route} on its way to New Zealand",
            f"whether the good kept its status in transit through {route} under the "
            "consignment requirements of PACER Plus Chapter 3 Section A (r 51ZZH(a), not read)",
        )

    # ----- obligations

    def obligations(self) -> tuple[Obligation, ...]:
        return (
            Obligation(
                DECLARATION,
                "a Declaration of Origin meeting the requirements of Annex 3-A, which "
                "r 51ZZH(c) incorporates (the Annex's text was not read)",
            ),
            Obligation(
                SECTION_B,
                "the origin procedures of Chapter 3 Section B, arts 15 to 25, which r 51ZZH(b) "
                "incorporates; their text was not read: who may make the declaration, its "
                "validity, waivers and the records to keep are not stated here",
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
                origin = origin & review.outcome
        if not self.intermediate:
            moved = self.consignment_review()
            if moved is not None:
                steps.append(moved)
                origin = origin & moved.outcome
        steps.append(
            Step(
                "requirements of PACER Plus",
                REGULATION,
                origin,
                "goods meeting all applicable requirements of Chapter 3 Sections A and B, "
                "Annex 3-A and the Annex 3-B (2022) document of PACER Plus are the produce or "
                "manufacture of a PACER Plus party",
            )
        )
        if not self.intermediate:
            party = self.party()
            steps.append(party)
            origin = origin & party.outcome
        return self.conclude(Verdict.from_outcome(origin), [], steps)


def _bind(newer: Membership) -> Callable[[Case, dt.date], Determination]:
    """Decide with another list of the declared parties (e.g. after a new Order)."""
    run: type[_Run] = type("_Run", (_Run,), {"membership": newer})
    return run.decide


AGREEMENT = Agreement(
    name=AGREEMENT_NAME,
    title=LAW.title,
    regulations=LAW.regulations,
    law=LAW,
    decide=_Run.decide,
    cases=Path(__file__).parent / "cases" / "pacer-plus",
    membership=MEMBERSHIP,
    bind_membership=_bind,
)
