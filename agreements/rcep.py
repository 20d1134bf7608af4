"""RCEP: goods of an RCEP party, regs 51ZZI–51ZZJ.

Source: Customs and Excise Regulations 1996 (NZ), Part 6, "Provisions relating to RCEP
parties", version as at 28 November 2025. r 51ZZJ treats goods as the produce or manufacture
of an RCEP party (a country declared a specified RCEP party by Order in Council under
s 7A(1)(bc) of the Tariff Act 1988, r 51ZZI) if they meet all applicable requirements of the
RCEP's Chapter 3, of *Product Specific Rules for Regional Comprehensive Economic
Partnership—Annex 3A (Product Specific Rules) 2022* (r 51ZZJ(b), HS 2022) and of Annex 3B.
The chapter is cited by its own articles (``art 3.5``, instrument "RCEP"). The law file
``rcep.toml`` holds every number and list with its reference, the dates it covers (from
1 January 2023, when r 51ZZJ(b) was replaced) and the declared parties as a dated list with
its source (the Tariff (Specified RCEP Parties) Order 2021 as at 2 June 2023), which
``origin determine --membership FILE`` replaces with a newer one. The case supplies the rule.

A good is originating (art 3.2) if it is (a) wholly obtained or produced in a Party (art 3.3),
(b) produced in a Party exclusively from originating materials from one or more Parties, or
(c) produced in a Party using non-originating materials and meeting Annex 3A; it keeps that
status only if consigned as art 3.15 allows. RVC (art 3.5(1)) is computed by both formulas on
the FOB value: build-down (FOB − VNM) / FOB × 100 and build-up (VOM + direct labour cost +
direct overhead cost + profit + other cost) / FOB × 100, either sufficing. Originating goods
and materials of any Party count as originating (art 3.4(1)); minimal operations on
non-originating materials confer no origin (art 3.6); de minimis is 10 % of FOB for any
good, or for goods of chapters 50–63 10 % of the total weight (art 3.7).

The regime — valuation (art 3.5(3)), deductions (art 3.5(5)), accessories (art 3.9),
packaging (art 3.8), indirect materials (art 3.10), de minimis by value and by weight, both
formulas and accumulation (art 3.4(1)) — is declared in ``rcep.toml``'s ``[regime]``. This
module holds only what the law makes unique: the build-up formula's cost terms (the input
function ``build_up``), the criteria of art 3.2, minimal operations (art 3.6), direct
consignment (art 3.15), fungibles (art 3.11), the dated parties and the obligations, with
these readings (decision 0016):

* Minimal operations (art 3.6) apply to criterion (c), where non-originating materials are
  used; ``good.operations`` lists what was done, and the operations the article calls
  "simple" count only if ``facts.operations_simple`` (footnote 3) is not false; not stated,
  a good given only such operations needs it.
* Direct consignment (art 3.15): every stop on the route, in an intermediate Party or a
  non-Party, may see only logistics or preservation (1)(b)(i) and must keep the goods under
  customs control (1)(b)(ii), read from ``transit[].entered_commerce`` (false: they stayed
  under customs control; true: they were released into its commerce).
* Retail packaging is disregarded for criteria (a) and (b) (art 3.8(2)(a)-(b)); a relieved
  accessory (art 3.9(1)) is relieved only for the CTC or process rule, not for (b).
* Art 3.11's "should be used throughout the fiscal year" is not made a condition.

>>> import datetime as dt
>>> from origin.caseio import case_from_json
>>> case = case_from_json({
...     "schema": "origin-case/1", "currency": "USD", "psr": "RVC40",
...     "good": {"id": "kettle", "hs": "8516.79", "fob": "1000.00",
...              "produced_in": ["JP"], "last_process_in": "JP",
...              "operations": ["moulding", "assembly"]},
...     "materials": [{"id": "element", "hs": "8516.80", "value": "600.00",
...                    "basis": "cif", "status": "non-originating"}],
...     "consignment": {"exported_from": "JP", "transit": []}})
>>> d = AGREEMENT.determine(case, dt.date(2025, 6, 1))
>>> d.verdict.value, [(r.method, r.value) for r in d.rvc]
('originating', [('build-down', Fraction(40, 1)), ('build-up', Fraction(0, 1))])
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

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
)
from origin.groups import Membership
from origin.law import LawBook
from origin.model import Case, Material, Packaging
from origin.regime import DeclaredRegime

_LAW_PATH = Path(__file__).with_suffix(".toml")
LAW = LawBook.load(_LAW_PATH)
with _LAW_PATH.open("rb") as _handle:
    # The declared parties (r 51ZZI), in the membership format of agreements/groups/.
    MEMBERSHIP = Membership.from_toml(tomllib.load(_handle)["parties_list"])
AGREEMENT_NAME = "rcep"
REGULATION = cite("r 51ZZJ")
PARTY = cite("r 51ZZI")
PROOF_CONTENTS = cite("r 51ZZJ(c)")


def art(text: str) -> Citation:
    """A provision of the RCEP (the law file's instrument), e.g. ``art 3.15(1)(b)(ii)``."""
    return cite(text, LAW.instrument)


# The regime (valuation, deductions, accessories, packaging, indirect materials, de minimis by
# value and by weight, both art 3.5(1) formulas, accumulation) is declared in the law file's
# [regime]; only the build-up formula's cost terms are computed here (named build_up there).
DECLARED = DeclaredRegime.read(LAW)
_REGIMES: dict[tuple[Membership, dt.date], Regime] = {}


class _Run(Decision):
    """One RCEP determination: the criteria of art 3.2 and the articles qualifying them."""

    law = LAW
    declared = DECLARED
    # The declared parties (r 51ZZI); a subclass carries a user's newer list.
    membership: ClassVar[Membership] = MEMBERSHIP

    @classmethod
    def regime_at(cls, date: dt.date) -> Regime:
        """The law file's ``[regime]`` with the Parties on ``date`` (the declared RCEP parties
        and New Zealand) as the parties whose originating materials count (art 3.4(1))."""
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

    # ----- the criteria of art 3.2

    def _retail_packaging_disregarded(self, step: Step, test: str, provision: str) -> Step:
        """``step`` with its child ``test`` met when the only non-originating materials it
        counted are retail packaging, which art 3.8(2)(a)-(b) disregards for (a) and (b)."""
        a = self.assessment
        materials = a.case.materials
        packaging: list[str] = []
        for index in a.non_originating:
            if not _retail(materials[index]):
                return step  # another non-originating material: nothing is disregarded
            packaging.append(materials[index].id)
        if not packaging:
            return step
        children = tuple(
            attrs.evolve(
                c,
                outcome=MEETS,
                citation=art(provision),
                summary=f"retail packaging {', '.join(packaging[:10])} disregarded "
                f"({provision}); no other non-originating material",
            )
            if c.test == test and c.outcome is FAILS
            else c
            for c in step.children
        )
        outcome = Outcome.all(c.outcome for c in children)
        return attrs.evolve(
            step,
            outcome=outcome,
            children=children,
            summary=f"{step.summary}; retail packaging disregarded ({provision})",
            missing=missing_of(children) if outcome is NEEDS_INFO else (),
        )

    def criterion_a(self) -> Step:
        """art 3.2(a): wholly obtained or produced in a Party (art 3.3); retail packaging
        classified with the good is disregarded (art 3.8(2)(a))."""
        step = self.wholly_obtained(art("art 3.2(a)"), "criterion 3.2(a) wholly obtained")
        step = self._retail_packaging_disregarded(
            step, "no non-originating materials", "art 3.8(2)(a)"
        )
        return self.claimed_category(step)

    def wholly_obtained_class(self) -> Step:
        return self.criterion_a()

    def criterion_b(self) -> Step:
        """art 3.2(b): produced in a Party exclusively from originating materials from one or
        more Parties; retail packaging is disregarded (art 3.8(2)(b)), a non-originating
        accessory is not (art 3.9(1) relieves it only for the CTC or process rule)."""
        step = self.exclusively_originating(
            art("art 3.2(b)"),
            "criterion 3.2(b) exclusively originating materials",
            relief_is_originating=False,
        )
        return self._retail_packaging_disregarded(
            step, "only originating materials", "art 3.8(2)(b)"
        )

    def criterion_c(self) -> tuple[Step, tuple[str, ...]]:
        """art 3.2(c): produced in a Party using non-originating materials, satisfying the
        Annex 3A rule (the r 51ZZJ(b) document); art 3.6 applies to the operations."""
        return self.rule_criterion(art("art 3.2(c)"), self.minimal_operations)

    # ----- art 3.6

    def minimal_operations(self) -> Step | None:
        """art 3.6: operations undertaken on non-originating materials that are insufficient
        to confer origin ("notwithstanding any provisions of this Chapter"); None where no
        non-originating material is used. The (c), (h), (i) and (j) operations count only
        when simple (footnote 3: ``facts.operations_simple``)."""
        return self.listed_operations()

    # ----- art 3.15

    def obligations(self) -> tuple[Obligation, ...]:
        waiver = LAW.value("proof_waiver_usd", self.date)
        years = LAW.value("record_years", self.date)
        return (
            Obligation(
                art("art 3.16(1)"),
                "the claim rests on a Proof of Origin: a Certificate of Origin issued by an "
                "issuing body of the exporting Party, a Declaration of Origin by an approved "
                "exporter, or a Declaration of Origin by an exporter or producer",
            ),
            Obligation(
                art("art 3.16(2)"),
                "New Zealand implements the Declaration of Origin by an exporter or producer no "
                "later than 10 years after the agreement's entry into force for it",
            ),
            Obligation(
                PROOF_CONTENTS,
                "the Proof of Origin contains the minimum information of Annex 3B (Minimum "
                "Information Requirements), which r 51ZZJ incorporates",
            ),
            Obligation(
                art("art 3.16"),
                "a Proof of Origin remains valid for one year from the date on which it is "
                "issued or completed",
            ),
            Obligation(
                art("art 3.22(2)"),
                "the importer declares in the customs declaration that the good is originating, "
                "has a valid Proof of Origin when making it, and provides an original or a "
                "certified true copy if required",
            ),
            Obligation(
                art("art 3.22(3)(a)"),
                f"New Zealand may not require a Proof of Origin for an importation whose "
                f"customs value does not exceed US${waiver.value} (or its equivalent, or a "
                "higher amount New Zealand establishes); the text places its proviso against "
                "a series of importations arranged to evade the requirements after (b)",
            ),
            Obligation(
                art("art 3.22(5)"),
                "the importer demonstrates that art 3.15 (direct consignment) has been met and "
                "provides the evidence on request",
            ),
            Obligation(
                art("art 3.27(1)(b)"),
                f"the importer keeps all records necessary to prove the good was originating for "
                f"at least {years.value} years from the date of importation",
            ),
            Obligation(
                art("art 3.27(1)(a)"),
                f"exporters, producers and issuing bodies keep the records proving the good "
                f"originating for at least {years.value} years from the issue of the Proof of "
                "Origin",
            ),
        )

    # ----- the determination

    def determine(self) -> Determination:
        a_step = self.criterion_a()
        b_step = self.criterion_b()
        c_step, met = self.criterion_c()
        # art 3.11: fungible goods or materials, by segregation or a GAAP inventory method.
        steps, produced, origin = self.by_criteria(
            (a_step, b_step, c_step), (art("art 3.11"), (art("art 3.11"), art("art 3.11")), None)
        )
        # art 3.15: an originating good keeps its status only if consigned as it allows.
        origin = self.consigned(origin, steps, self.route)
        verdict = Verdict.from_outcome(origin)
        basis = self.criteria_basis(
            (a_step, b_step, c_step), produced, ("art 3.2(a)", "art 3.2(b)", "art 3.2(c)"), 2, met
        )
        steps.append(
            Step(
                "requirements of the RCEP",
                REGULATION,
                origin,
                "goods meeting all applicable requirements of Chapter 3 of the RCEP, the "
                "Annex 3A document of 2022 and Annex 3B are the produce or manufacture of an "
                "RCEP party",
            )
        )
        if not self.intermediate:
            steps.append(
                self.membership.step(
                    self.date,
                    PARTY,
                    "RCEP party: a country declared by Order in Council under s 7A(1)(bc) of "
                    "the Tariff Act 1988 to be a specified RCEP party",
                )
            )
        return self.conclude(verdict, basis, steps)


def _retail(material: Material) -> bool:
    return material.packaging is Packaging.RETAIL


def _bind(newer: Membership) -> Callable[[Case, dt.date], Determination]:
    """Decide with another list of the declared parties (e.g. after a new Order)."""
    run: type[_Run] = type("_Run", (_Run,), {"membership": newer})
    return run.decide


regime_at = _Run.regime_at

AGREEMENT = Agreement(
    name=AGREEMENT_NAME,
    title=LAW.title,
    regulations=LAW.regulations,
    law=LAW,
    decide=_Run.decide,
    cases=Path(__file__).parent / "cases" / "rcep",
    membership=MEMBERSHIP,
    bind_membership=_bind,
)
