"""CPTPP: goods of a CPTPP party, regs 51ZZE–51ZZF.

Source: Customs and Excise Regulations 1996 (NZ), Part 6, "Provisions relating to
Comprehensive and Progressive Agreement for Trans-Pacific Partnership parties", version as at
28 November 2025. r 51ZZF(1) treats goods as the produce or manufacture of a CPTPP party (a
country declared a specified CPTPP party by Order in Council under s 7A(1)(baa) of the Tariff
Act 1988, r 51ZZE) if they meet all applicable requirements of the CPTPP's Chapter 3, Chapter 4
and the Annex 3-D and Annex 4-A documents of 2022 (HS 2022). The chapters are the TPP's,
incorporated by CPTPP art 1.1, cited by their own articles (``art 3.5``, instrument "CPTPP").
The law file ``cptpp.toml`` holds every number and list with its reference, the dates it covers
(from 1 January 2022, when r 51ZZF(1)(c) was replaced), Annex 3-C as data, and the declared
parties as a dated list with its sources, which ``origin determine --membership FILE``
replaces with a newer one. The case supplies the rule, or ``--schedule`` takes it from the
imported Annex 3-D.

A good is originating (art 3.2) if it is (a) wholly obtained or produced entirely in the Parties
(art 3.3), (b) produced entirely there exclusively from originating materials, or (c) produced
entirely there using non-originating materials and satisfying Annex 3-D; it keeps that status
only if transported as art 3.18 allows. The value of the good (art 3.1) is the transaction value
excluding the costs of the good's international shipment: it is read from
``good.transaction_value``. RVC (art 3.5(1)) is focused value (VG − FVNM) / VG × 100, build-down
(VG − VNM) / VG × 100 or build-up VOM / VG × 100, each with the threshold the rule gives it, and
net cost for the automotive goods of art 3.9. De minimis is 10 % of the value of the good
(art 3.11) except as Annex 3-C provides; textile and apparel goods take art 4.2 instead.

The regime — valuation (art 3.7), adjustments (art 3.8), accessories (art 3.13), packaging
(arts 3.14, 3.15), indirect materials (art 3.16), de minimis by value, the RVC formulas and
accumulation (art 3.10(2)) — is declared in ``cptpp.toml``'s ``[regime]``. This module holds
only what the law makes unique (decision 0017):

* FVNM (art 3.5(1)(a)): the non-originating materials within the codes the rule's focused-value
  list names; a material within a code the list names only some goods of ("stators and
  rotors" of 85.03) counts if it carries the attribute ``psr_specified_goods``, and is
  otherwise asked for. An RVC rule naming no method, and the net cost method (art 3.9), are
  for review: the toolkit does not guess a method or compute a net cost.
* Art 3.6(2) and art 3.10(3) let production on non-originating materials in the Parties count
  as originating content; the engine does not add it, so an RVC computed here is a lower bound.
* De minimis: Annex 3-C's exclusions, read from the law file (codes compared; the annex's
  words that a code alone does not decide are asked for); for textile and apparel goods
  art 4.2(2) by weight only, art 4.2(3) (chapters 61–63, the classifying component) for
  review, and art 4.2(4) elastomeric yarn (``elastomeric_yarn``) asked for.
* r 51ZZF(2): for a Chilean good of chapters 50–62, criterion (c) is for review (the Annex
  4-A rule is replaced by CTH for yarns, CTH for fabric and CC for apparel), and art 4.2(4)
  is not applied.
* Transit (art 3.18(2)(b)) "remains under the control of the customs administration" is read
  from ``transit[].entered_commerce`` (false: it stayed under customs control).
* Sets (art 3.17, ``facts.set``): a GRI 3(c) set is originating if each good in it is, or
  (3) if its non-originating goods are at most 10 % of the value of the set.

>>> import datetime as dt
>>> from origin.caseio import case_from_json
>>> case = case_from_json({
...     "schema": "origin-case/1", "currency": "USD",
...     "psr": "RVC30 (build-up) or RVC40 (build-down)",
...     "good": {"id": "kettle", "hs": "8516.79", "transaction_value": "1000.00",
...              "produced_in": ["JP"], "last_process_in": "JP",
...              "operations": ["moulding", "assembly"]},
...     "materials": [{"id": "element", "hs": "8516.80", "value": "600.00",
...                    "basis": "cif", "status": "non-originating"}],
...     "consignment": {"exported_from": "JP", "transit": []}})
>>> d = AGREEMENT.determine(case, dt.date(2025, 6, 1))
>>> d.verdict.value, [(r.method, r.value) for r in d.rvc]
('originating', [('build-up', Fraction(0, 1)), ('build-down', Fraction(40, 1))])
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import attrs

from origin.agreement import Agreement
from origin.citation import Citation, cite
from origin.decision import Decision, classified_with_goods
from origin.determination import (
    FAILS,
    MEETS,
    NEEDS_INFO,
    Determination,
    Figure,
    Obligation,
    Outcome,
    Step,
    Verdict,
    missing_of,
)
from origin.engine import (
    ZERO,
    Assessment,
    CaseError,
    Regime,
    RVCInputs,
    alternatives_met,
    exact,
    percent,
    rvc_result,
    tariff_shift_step,
)
from origin.engine import rvc_step as engine_rvc_step
from origin.groups import Membership
from origin.hs import HSCode, HSRange
from origin.law import LawBook, LawFileError, goods_country
from origin.model import Case, Packaging
from origin.psr import Excepted, GoodsOf, RegionalValueContent, Rule, TariffShift
from origin.regime import DeclaredRegime

_LAW_PATH = Path(__file__).with_suffix(".toml")
LAW = LawBook.load(_LAW_PATH)
with _LAW_PATH.open("rb") as _handle:
    _FILE = tomllib.load(_handle)
# The declared parties (r 51ZZE), in the membership format of agreements/groups/.
MEMBERSHIP = Membership.from_toml(_FILE["parties_list"])
AGREEMENT_NAME = "cptpp"
REGULATION = cite("r 51ZZF(1)")
PARTY = cite("r 51ZZE")
TEXTILE_CHAPTERS = range(50, 64)  # goods read as textile or apparel goods unless stated
CHILE_CHAPTERS = range(50, 63)  # r 51ZZF(2)(c): "Annex 4-A (Chapters 50 to 62)"


def art(text: str) -> Citation:
    """A provision of the CPTPP (the law file's instrument), e.g. ``art 3.18(2)(b)``."""
    return cite(text, LAW.instrument)


# --------------------------------------------------------------------------- Annex 3-C


@attrs.frozen
class _Words:
    """Codes within which the annex's words, not the code, decide (e.g. "containing over 10
    percent by dry weight of milk solids")."""

    codes: tuple[HSRange, ...]
    words: str
    reference: Citation | None = None


@attrs.frozen
class Exclusion:
    """One paragraph of Annex 3-C: art 3.11 does not apply to these materials in these goods."""

    reference: Citation
    text: str
    materials: tuple[HSRange, ...]
    materials_if: tuple[_Words, ...]
    goods: tuple[HSRange, ...]
    goods_if: tuple[_Words, ...]
    except_goods: tuple[HSRange, ...]

    def good(self, code: HSCode) -> tuple[Outcome, _Words | None]:
        """MEETS: a good the paragraph names; NEEDS_INFO: one its words may name; FAILS: not."""
        if _within(code, self.except_goods) is MEETS:
            return FAILS, None
        found = _within(code, self.goods)
        if found is MEETS:
            return MEETS, None
        for words in self.goods_if:
            if _within(code, words.codes) is not FAILS:
                return NEEDS_INFO, words
        return found, None

    def material(self, code: HSCode | None) -> tuple[Outcome, _Words | None]:
        if code is None:
            return NEEDS_INFO, None
        found = _within(code, self.materials)
        if found is MEETS:
            return MEETS, None
        for words in self.materials_if:
            if _within(code, words.codes) is not FAILS:
                return NEEDS_INFO, words
        return found, None


def _within(code: HSCode, ranges: Sequence[HSRange]) -> Outcome:
    """Whether ``code`` lies in one of ``ranges``; NEEDS_INFO when it is too coarse to tell."""
    coarse = False
    for codes in ranges:
        if codes.contains(code):
            return MEETS
        width = len(code.digits)
        if width < len(codes.start.digits) and (
            codes.start.digits[:width] <= code.digits <= codes.end.digits[:width]
        ):
            coarse = True
    return NEEDS_INFO if coarse else FAILS


def _codes(items: Sequence[str]) -> tuple[HSRange, ...]:
    return tuple(HSRange.parse(item, validate=False) for item in items)


def _annex_3c(entries: Sequence[Mapping[str, Any]]) -> tuple[Exclusion, ...]:
    def words(items: Sequence[Mapping[str, Any]]) -> tuple[_Words, ...]:
        return tuple(
            _Words(
                _codes(item["codes"]),
                str(item["words"]),
                art(item["reference"]) if "reference" in item else None,
            )
            for item in items
        )

    try:
        return tuple(
            Exclusion(
                art(entry["reference"]),
                str(entry["text"]),
                _codes(entry.get("materials", ())),
                words(entry.get("materials_if", ())),
                _codes(entry.get("goods", ())),
                words(entry.get("goods_if", ())),
                _codes(entry.get("except_goods", ())),
            )
            for entry in entries
        )
    except (KeyError, TypeError, ValueError) as error:
        raise LawFileError(f"{_LAW_PATH.name}: [[annex_3c]]: {error}") from error


ANNEX_3C = _annex_3c(_FILE.get("annex_3c", ()))


# --------------------------------------------------------------------------- RVC inputs

_FVNM_UNBOUND = "the non-originating materials the rule specifies (art 3.5(1) FVNM)"


def _focused_value_unbound(a: Assessment) -> RVCInputs:
    """The registered focused-value inputs: without the rule's list no FVNM can be summed
    (the module binds the list per rule, :func:`focused_value`)."""
    return RVCInputs({"VG": a.case.good.transaction_value, "FVNM": None})


def focused_value(listed: tuple[Excepted, ...], a: Assessment) -> RVCInputs:
    """art 3.5(1)(a): FVNM sums the non-originating materials (incl. undetermined origin)
    within the codes ``listed``; a material of unknown value or code, or within a code the
    list names only some goods of, is unknown, and can only lower the RVC."""
    materials = a.case.materials
    total = ZERO
    unknown: list[str] = []
    # Whether the list names a code (wholly, or only some goods of it): once per code.
    found: dict[str, tuple[bool, GoodsOf | None]] = {}  # by digits: a str's hash is kept
    for index in a.non_originating:
        m = materials[index]
        if m.hs is None:
            unknown.append(f"HS code of material {m.id} (whether the rule specifies it)")
            continue
        listing = found.get(m.hs.digits)
        if listing is None:
            named = any(isinstance(r, HSRange) and r.contains(m.hs) for r in listed)
            partly = None
            if not named:
                partly = next(
                    (g for g in listed if isinstance(g, GoodsOf) and g.contains(m.hs)), None
                )
            listing = found[m.hs.digits] = (named, partly)
        named, partly = listing
        if not named:
            if partly is None:
                continue
            if "psr_specified_goods" not in m.attributes:
                unknown.append(
                    f'whether material {m.id} ({m.hs}) is "{partly.goods}" specified in the '
                    "rule (material attribute psr_specified_goods)"
                )
                continue
        line = a.special.get(index)
        part = line.vnm_part if line is not None else m.value
        if part is None:
            unknown.append(f"value of material {m.id}")
        else:
            total += part
    return RVCInputs(
        {"VG": a.case.good.transaction_value, "FVNM": total}, tuple(unknown), raises=False
    )


def _net_cost(a: Assessment) -> RVCInputs:
    """art 3.5(1)(d) with art 3.9: the net cost is not computed here (review)."""
    return RVCInputs({"NC": None, "VNM": a.vnm})


DECLARED = DeclaredRegime.read(
    LAW, {"focused_value": _focused_value_unbound, "net_cost": _net_cost}
)
_REGIMES: dict[tuple[Membership, dt.date], Regime] = {}


class _Run(Decision):
    """One CPTPP determination: the criteria of art 3.2 and the articles qualifying them."""

    law = LAW
    declared = DECLARED
    # The declared parties (r 51ZZE); a subclass carries a user's newer list.
    membership: ClassVar[Membership] = MEMBERSHIP

    def __init__(self, case: Case, date: dt.date, *, intermediate: bool, **rest: Any) -> None:
        super().__init__(case, date, intermediate=intermediate, **rest)
        self.rvc_short = False  # an RVC fell short (art 3.6(2), art 3.10(3))
        self.focused_unknown: tuple[str, ...] = ()

    @classmethod
    def regime_at(cls, date: dt.date) -> Regime:
        """The law file's ``[regime]`` with the Parties on ``date`` (the declared CPTPP
        parties and New Zealand) as the parties whose originating materials count
        (art 3.10(2))."""
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

    # ----- facts of the good

    def textile(self) -> bool:
        """A textile or apparel good (art 4.1: listed in Annex 4-A): as stated, else a good
        of chapters 50 to 63."""
        stated = self.case.facts.get("textile_or_apparel_good")
        if isinstance(stated, bool):
            return stated
        return int(self.case.good.hs.chapter) in TEXTILE_CHAPTERS

    def chilean_textile(self) -> bool:
        """r 51ZZF(2): a Chilean good of the chapters whose Annex 4-A rules it replaces."""
        return (
            goods_country(self.case) == "CL"
            and int(self.case.good.hs.chapter) in CHILE_CHAPTERS
            and self.textile()
        )

    # ----- the criteria of art 3.2

    def criterion_a(self) -> Step:
        """art 3.2(a): wholly obtained or produced entirely in the Parties (art 3.3); retail
        packaging (art 3.14(1)) and accessories (art 3.13(1)(a)) are disregarded."""
        step = self.wholly_obtained(art("art 3.2(a)"), "criterion 3.2(a) wholly obtained")
        return self.claimed_category(self.retail_packaging_disregarded(step, "art 3.14(1)"))

    def wholly_obtained_class(self) -> Step:
        return self.criterion_a()

    def criterion_b(self) -> Step:
        """art 3.2(b): produced entirely in the Parties exclusively from originating materials;
        a non-originating accessory or retail packaging is a non-originating material here."""
        return self.exclusively_originating(
            art("art 3.2(b)"),
            "criterion 3.2(b) exclusively originating materials",
            relief_is_originating=False,
        )

    def criterion_c(self) -> tuple[Step, tuple[str, ...]]:
        """art 3.2(c): produced entirely in the Parties using non-originating materials,
        satisfying Annex 3-D (or, for textile and apparel goods, Annex 4-A: r 51ZZF(1)(c))."""
        citation = art("art 3.2(c)")
        place = self.produced_in_parties(citation)
        hs = self.case.good.hs
        rule = self.parse_psr()
        if self.chilean_textile():
            review = Step(
                "Chilean textile rule",
                cite("r 51ZZF(2)(c)"),
                NEEDS_INFO,
                f"r 51ZZF(2)(c): for Chilean textiles the product-specific rules of Annex 4-A "
                f"(Chapters 50 to 62) are replaced by the CTH rule for yarns, the CTH rule for "
                f"fabric and the CC rule for apparel (cut and sew rule); which of them governs a "
                f"good of {hs}, and what 'cut and sew' requires, is not decided here",
                missing=(
                    f"review: which r 51ZZF(2)(c) rule (CTH for yarns, CTH for fabric, CC for "
                    f"apparel, cut and sew) applies to the Chilean good of {hs}, and whether it "
                    "is met",
                ),
            )
            children = (place, review)
            return Step(
                "criterion 3.2(c) product-specific rule",
                citation,
                place.outcome & review.outcome,
                review.summary,
                children=children,
                missing=missing_of(children),
            ), ()
        if rule is None:
            psr = Step(
                "product-specific rule",
                citation,
                NEEDS_INFO,
                f"no Annex 3-D (or Annex 4-A) rule given for {hs}",
                missing=(f"product-specific rule (Annex 3-D or Annex 4-A) for {hs}",),
            )
            children = (place, psr)
            return Step(
                "criterion 3.2(c) product-specific rule",
                citation,
                place.outcome & psr.outcome,
                psr.summary,
                children=children,
                missing=missing_of(children),
            ), ()
        psr = self.evaluate_psr(rule, citation)
        return Step(
            f"criterion 3.2(c) product-specific rule: {rule}",
            citation,
            place.outcome & psr.outcome,
            psr.summary,
            (("rule", str(rule)),),
            children=(place, psr),
        ), alternatives_met(rule, psr)

    # ----- the rule's leaves

    def psr_leaf(self, rule: Rule) -> Step:
        if isinstance(rule, TariffShift):
            return self.shift_step(rule)
        return super().psr_leaf(rule)

    def shift_step(self, rule: TariffShift) -> Step:
        """The change in tariff classification, with de minimis as art 3.11 and Annex 3-C
        allow it, or for textile and apparel goods as art 4.2 does (in place of art 3.11(1))."""
        a = self.assessment
        step = tariff_shift_step(a, rule, self.shift_citation)
        forgiven = next((c for c in step.children if c.test == "de minimis"), None)
        if forgiven is None:
            return step
        last = a.last_shift
        assert last is not None and last[0] is rule  # the step just evaluated it
        failing, unclear = list(last[1]), last[2]
        if self.textile():
            forgiven = self.textile_de_minimis(failing)
        else:
            forgiven = self.annex_3c(forgiven, failing)
        if forgiven.outcome is MEETS:
            outcome = NEEDS_INFO if unclear else MEETS
        else:
            outcome = forgiven.outcome
        head = step.summary.split("; rescued by de minimis")[0]
        if a.shift is not None and a.shift.rule == rule:
            a.shift.rescued = forgiven.outcome is MEETS
        return attrs.evolve(
            step,
            outcome=outcome,
            summary=head + ("; rescued by de minimis" if forgiven.outcome is MEETS else ""),
            children=(forgiven,),
            missing=step.missing if outcome is NEEDS_INFO else (),
        )

    def annex_3c(self, forgiven: Step, failing: Sequence[int]) -> Step:
        """art 3.11(1) "except as provided in Annex 3-C": the de minimis step with each
        exclusion that reaches a failing material of this good, as the annex lists them."""
        good = self.case.good.hs
        materials = self.case.materials
        checks: list[Step] = []
        for exclusion in ANNEX_3C:
            reach, good_words = exclusion.good(good)
            if reach is FAILS:
                continue
            sure: list[str] = []
            maybe: list[str] = []
            for index in failing:
                m = materials[index]
                found, words = exclusion.material(m.hs)
                if found is MEETS:
                    sure.append(m.id)
                elif found is NEEDS_INFO:
                    at = exclusion.reference
                    maybe.append(
                        f'whether material {m.id} ({m.hs}) is "{words.words}" ({at})'
                        if words is not None
                        else f"HS code of material {m.id} ({at})"
                    )
            if not sure and not maybe:
                continue
            missing = list(maybe)
            if reach is NEEDS_INFO:
                where = good_words.reference if good_words and good_words.reference else None
                text = good_words.words if good_words is not None else "a good it names"
                missing.insert(
                    0, f'whether the good ({good}) is "{text}" ({where or exclusion.reference})'
                )
            outcome = FAILS if reach is MEETS and sure else NEEDS_INFO
            ids = ", ".join(sure[:10])
            checks.append(
                Step(
                    "de minimis exclusion",
                    exclusion.reference,
                    outcome,
                    f"Annex 3-C: de minimis does not apply to {exclusion.text}: "
                    + (
                        f"{ids} cannot be forgiven"
                        if outcome is FAILS
                        else "whether it reaches this good's materials turns on the annex's words"
                    ),
                    (("good HS", str(good)),),
                    missing=tuple(missing) if outcome is NEEDS_INFO else (),
                )
            )
        if not checks:
            return forgiven
        outcome = forgiven.outcome & Outcome.all(c.outcome for c in checks)
        return attrs.evolve(
            forgiven,
            outcome=outcome,
            summary=f"{forgiven.summary}; Annex 3-C: "
            + "; ".join(f"{c.citation} {c.outcome.value}" for c in checks),
            children=(*forgiven.children, *checks),
            missing=missing_of((forgiven, *checks)) if outcome is NEEDS_INFO else (),
        )

    def textile_de_minimis(self, failing: Sequence[int]) -> Step:
        """art 4.2 in place of art 3.11(1) (art 3.11(4)): by weight only, of the good (2) or,
        for chapters 61 to 63, of the component that determines its classification (3)."""
        good = self.case.good
        share = LAW.value("textile_de_minimis_share", self.date).value
        allowed = percent(share * 100)
        materials = self.case.materials
        if int(good.hs.chapter) in range(61, 64):
            return Step(
                "de minimis",
                art("art 4.2(3)"),
                NEEDS_INFO,
                f"a good of chapters 61 to 63: the fibres or yarns failing the change that are "
                f"used in the component determining its classification may weigh at most "
                f"{allowed} of that component; the toolkit does not separate the component",
                missing=(
                    "review: art 4.2(3) — the weight of the fibres or yarns failing the change in "
                    "the component that determines the good's classification, against that "
                    "component's total weight",
                ),
            )
        citation = art("art 4.2(2)")
        weight = ZERO
        missing: list[str] = []
        for index in failing:
            m = materials[index]
            if m.weight is None:
                missing.append(f"weight of material {m.id}")
            else:
                weight += m.weight
        total = good.weight
        if total is None or total <= 0:
            missing.append("total weight of the good (good.weight)")
        inputs: tuple[tuple[str, Figure], ...] = (
            ("weight of materials failing the change", weight),
            ("total weight of the good", total),
            ("allowed share", allowed),
        )
        if total is not None and total > 0 and exact(weight) > exact(total) * share:
            return Step(
                "de minimis",
                citation,
                FAILS,
                f"{weight} exceeds {allowed} of the total weight {total}"
                + (" (known weights alone)" if missing else ""),
                inputs,
            )
        if missing or total is None:
            return Step(
                "de minimis",
                citation,
                NEEDS_INFO,
                "cannot total the weights of the materials failing the change",
                inputs,
                missing=tuple(missing),
            )
        ratio = exact(weight) / exact(total)
        by_weight = Step(
            "de minimis",
            citation,
            MEETS,
            f"{weight} is {percent(ratio * 100)} of the total weight {total} "
            f"(within the {allowed} allowed)",
            inputs,
            value=ratio * 100,
            threshold=share * 100,
            margin=(share - ratio) * 100,
        )
        return self.elastomeric(by_weight)

    def elastomeric(self, step: Step) -> Step:
        """art 4.2(4): a good relying on art 4.2(2) is originating only if the elastomeric
        yarns it contains are wholly formed in the Parties; not for Chilean textiles
        (r 51ZZF(2)(a))."""
        yarns = [m.id for m in self.case.materials if "elastomeric_yarn" in m.attributes]
        if not yarns:
            return step
        if goods_country(self.case) == "CL":
            note = Step(
                "elastomeric yarn",
                cite("r 51ZZF(2)(a)"),
                MEETS,
                "r 51ZZF(2)(a): the de minimis exclusion for elastomeric yarns in art 4.2(4) "
                "does not apply to Chilean textiles",
            )
            return attrs.evolve(step, children=(*step.children, note))
        check = Step(
            "elastomeric yarn",
            art("art 4.2(4)"),
            NEEDS_INFO,
            f"the good contains elastomeric yarn ({', '.join(yarns[:10])}): it is originating "
            "under art 4.2(2) only if such yarns are wholly formed in the Parties",
            missing=tuple(
                f"whether elastomeric yarn {y} is wholly formed in the territory of one or more "
                "of the Parties (art 4.2(4))"
                for y in yarns
            ),
        )
        return attrs.evolve(
            step,
            outcome=step.outcome & check.outcome,
            children=(*step.children, check),
            missing=check.missing,
        )

    def rvc_step(self, rule: RegionalValueContent, citation: Citation) -> Step:
        """art 3.5(1): the method the rule names, with its threshold; the value of the good
        (art 3.1) beside it, and the limitation of art 3.6(2) and art 3.10(3) where it falls
        short."""
        slug = rule.method
        if slug is None:
            return Step(
                f"RVC {percent(rule.threshold)}",
                citation,
                NEEDS_INFO,
                f"the rule {rule} names no method; Annex 3-D gives each threshold its method "
                "(focused value, build-down, build-up or net cost, art 3.5(1))",
                missing=(
                    f"review: the art 3.5(1) method of the rule {rule} (e.g. RVC40 (build-down))",
                ),
            )
        method = self.regime.rvc_methods.get(slug)
        if method is None:
            raise CaseError(
                f"psr: RVC method {slug!r} is not a method of {LAW.title} "
                f"({', '.join(self.regime.rvc_methods)})"
            )
        summed: list[RVCInputs] = []  # the focused-value sums, kept: summed once, not twice
        if slug == "focused-value":

            def inputs(a: Assessment) -> RVCInputs:
                summed.append(focused_value(rule.materials, a))
                return summed[-1]

            method = attrs.evolve(method, inputs=inputs)
        result = rvc_result(self.assessment, method, rule.threshold)
        self.rvc.append(result)
        if slug == "focused-value":
            given = summed[-1] if summed else method.inputs(self.assessment)
            self.focused_unknown = given.unknown
        step = engine_rvc_step(result, self.rvc_missing(slug))
        value = self.case.good.transaction_value
        children = [
            Step(
                "value of the good",
                art("art 3.1"),
                MEETS if value is not None else NEEDS_INFO,
                "the value of the good (art 3.1), the transaction value excluding any costs of "
                "the good's international shipment, read from good.transaction_value: "
                f"{value if value is not None else 'not stated'}",
            )
        ]
        if slug == "net-cost":
            children.append(
                Step(
                    "net cost",
                    art("art 3.9"),
                    NEEDS_INFO,
                    "the net cost method is for the automotive goods art 3.9 names; the net "
                    "cost of the good it defines is not computed by the toolkit",
                    missing=self.rvc_missing(slug),
                )
            )
        elif step.outcome is not MEETS:
            self.rvc_short = True
            children.append(
                Step(
                    "value of processing of non-originating materials",
                    art("art 3.6(2)"),
                    MEETS,
                    "art 3.6(2) and art 3.10(3) let the value of processing of non-originating "
                    "materials in the Parties count as originating content; no such value is "
                    "added here, so the RVC shown is a lower bound of the RVC they allow",
                    children=(
                        Step(
                            "production on non-originating materials",
                            art("art 3.10(3)"),
                            MEETS,
                            "production on non-originating materials in the Parties may "
                            "contribute to the originating content: not counted here",
                        ),
                    ),
                )
            )
        return attrs.evolve(step, children=(*step.children, *children))

    def rvc_missing(self, slug: str) -> tuple[str, ...]:
        if slug == "net-cost":
            return (
                "review: the net cost of the good under art 3.9 (total cost less sales "
                "promotion, marketing and after-sales service costs, royalties, shipping and "
                "packing costs and non-allowable interest), which the toolkit does not compute",
            )
        if slug == "focused-value":
            return (*self.focused_unknown, *self.good_values_missing(slug))
        return super().rvc_missing(slug)

    def good_values_missing(self, slug: str) -> tuple[str, ...]:
        if slug == "focused-value" and self.case.good.transaction_value is None:
            return (DECLARED.template.rvc_methods[slug].missing_names["VG"],)
        return super().good_values_missing(slug)

    # ----- the other articles

    def set_of_goods(self) -> Step:
        """art 3.17(2)-(4) (a GRI 3(c) set) or, for textile and apparel goods, art 4.2(5)-(6):
        each good in the set originating, or the non-originating ones at most 10 % of the
        value of the set (valued as VNM and the value of the good)."""
        a = self.assessment
        share = LAW.value("set_share", self.date).value
        textile = self.textile()
        each = art("art 4.2(5)") if textile else art("art 3.17(2)")
        within = art("art 4.2(5)") if textile else art("art 3.17(3)")
        plain = Packaging.NONE  # read once: an enum member off its class is slow
        parts = [
            i for i, m in enumerate(self.case.materials) if m.packaging is plain and not m.indirect
        ]
        if not parts:
            return Step(
                "set of goods",
                each,
                NEEDS_INFO,
                "the good is stated to be a set, but no goods in it are listed",
                missing=("the goods in the set (its top-level materials)",),
            )
        foreign = [i for i in parts if not a.originating(i)]
        ids = self.case.materials
        if not foreign:
            return Step(
                "set of goods",
                each,
                MEETS,
                f"each of the {len(parts)} goods in the set is originating",
            )
        total = Decimal(0)
        unknown: list[str] = []
        for i in foreign:
            value = a.value_of(i)
            if value is None:
                unknown.append(f"value of good {ids[i].id} in the set")
            else:
                total += value
        base = self.case.good.transaction_value
        inputs: tuple[tuple[str, Figure], ...] = (
            ("value of non-originating goods in the set", total),
            ("value of the set", base),
            ("allowed share", percent(share * 100)),
        )
        if base is None or base <= 0:
            return Step(
                "set of goods",
                within,
                NEEDS_INFO,
                "the value of the set is not stated",
                inputs,
                missing=(
                    "value of the set (good.transaction_value, valued as the value of the good)",
                ),
            )
        ratio = exact(total) / exact(base)
        over = ratio > share
        if unknown and not over:
            return Step(
                "set of goods",
                within,
                NEEDS_INFO,
                f"the known non-originating goods are {percent(ratio * 100)} of the value of "
                "the set; other values are missing",
                inputs,
                missing=tuple(unknown),
            )
        return Step(
            "set of goods",
            within,
            Outcome.of(not over),
            f"non-originating goods {', '.join(ids[i].id for i in foreign[:10])} are "
            f"{'at least ' if unknown else ''}{percent(ratio * 100)} of the value of the set "
            f"({'over' if over else 'within'} the {percent(share * 100)} allowed)",
            inputs,
            value=ratio * 100,
            threshold=share * 100,
            margin=(share - ratio) * 100,
        )

    def obligations(self) -> tuple[Obligation, ...]:
        waiver = LAW.value("certification_waiver_usd", self.date).value
        years = LAW.value("record_years", self.date).value
        return (
            Obligation(
                art("art 3.20(1)"),
                "the claim for preferential tariff treatment rests on a certification of origin "
                "completed by the exporter, producer or importer",
            ),
            Obligation(
                art("art 3.20(3)"),
                "the certification of origin need not follow a prescribed format, is in "
                "writing, specifies that the good is originating and meets Chapter 3, and "
                "contains the minimum data of Annex 3-B",
            ),
            Obligation(
                art("art 3.20(4)"),
                "a certification of origin may cover a single shipment, or multiple shipments "
                "of identical goods within a period it specifies of up to 12 months",
            ),
            Obligation(
                art("art 3.20(5)"),
                "a certification of origin is valid for one year after it was issued, or longer "
                "if the importing Party's law says so",
            ),
            Obligation(
                art("art 3.23(1)(a)"),
                f"no certification of origin may be required if the customs value of the "
                f"importation does not exceed US${waiver} (or the New Zealand equivalent or a "
                "higher amount New Zealand establishes), unless the importation is one of a "
                "series carried out or planned to evade the rules on claims",
            ),
            Obligation(
                art("art 3.24(1)"),
                "the importer declares that the good qualifies as originating, holds a valid "
                "certification of origin when it does, provides a copy if required, and, if "
                "required, transport or storage documents showing the transit rules were met",
            ),
            Obligation(
                art("art 3.26(1)"),
                f"the importer keeps, for no less than {years} years from importation, the "
                "import documentation with the certification of origin and, if the importer "
                "certified, all records showing the good is originating",
            ),
            Obligation(
                art("art 3.26(2)"),
                f"an exporter or producer that provides a certification of origin keeps, for no "
                f"less than {years} years from its issue, all records showing the good is "
                "originating",
            ),
        )

    # ----- the determination

    def determine(self) -> Determination:
        a_step = self.criterion_a()
        b_step = self.criterion_b()
        c_step, met = self.criterion_c()
        # art 3.12: fungible goods or materials, by segregation or a GAAP inventory method.
        steps, produced, origin = self.by_criteria(
            (a_step, b_step, c_step),
            (art("art 3.12"), (art("art 3.12(a)"), art("art 3.12(b)")), art("art 3.12(b)")),
        )
        found_set: Step | None = None
        if self.case.facts.get("set") is True:
            found_set = self.set_of_goods()
            steps.append(found_set)
            if self.textile():
                # art 4.2(5): "shall not be regarded as originating goods unless ...".
                origin &= found_set.outcome
            else:
                # art 3.17(2)-(3): a GRI 3(c) set is originating only if each good in it is,
                # and (notwithstanding (2)) is originating if the others are within 10 %.
                origin = found_set.outcome
        # art 3.18: an originating good retains its status only if transported as it allows.
        origin = self.consigned(origin, steps, self.route)
        verdict = Verdict.from_outcome(origin)
        basis: list[str] = []
        if found_set is not None and found_set.outcome is MEETS and not self.textile():
            basis.append(str(found_set.citation))
        else:
            if a_step.outcome is MEETS:
                basis.append("art 3.2(a)")
            if produced is MEETS:
                if b_step.outcome is MEETS:
                    basis.append("art 3.2(b)")
                if c_step.outcome is MEETS:
                    basis.append(self.rule_basis("art 3.2(c)", c_step, met))
        notes: list[str] = []
        if self.rvc_short:
            notes.append(
                "art 3.6(2), art 3.10(3): the value of processing of non-originating materials "
                "in the Parties is not added to the originating content; an RVC that falls "
                "short here may be met with it"
            )
        steps.append(
            Step(
                "requirements of the CPTPP",
                REGULATION,
                origin,
                "goods meeting all applicable requirements of Chapters 3 and 4 of the CPTPP "
                "Agreement and the Annex 3-D and Annex 4-A documents of 2022 are the produce or "
                "manufacture of a CPTPP party",
            )
        )
        if not self.intermediate:
            steps.append(
                self.membership.step(
                    self.date,
                    PARTY,
                    "CPTPP party: a country declared by Order in Council under s 7A(1)(baa) of "
                    "the Tariff Act 1988 to be a specified CPTPP party",
                )
            )
        return self.conclude(verdict, basis, steps, notes)


def _decider(run: type[_Run]) -> Callable[[Case, dt.date], Determination]:
    def decide(case: Case, date: dt.date) -> Determination:
        """Decide whether ``case``'s goods are the produce or manufacture of a CPTPP party
        (r 51ZZF(1) with CPTPP art 3.2). art 3.13(3)(a) relieves accessories "classified
        with" the good: the case states it; not stated, the goods are decided both ways."""
        accessories = [m.id for m in case.materials if m.accessory is not None]
        if not accessories:
            return run.decide(case, date)
        return classified_with_goods(
            case,
            lambda c: run.decide(c, date),
            accessories,
            art("art 3.13(3)(a)"),
            "art 3.13(1)",
        )

    return decide


def _bind(newer: Membership) -> Callable[[Case, dt.date], Determination]:
    """Decide with another list of the declared parties (e.g. after a new Order)."""
    run: type[_Run] = type("_Run", (_Run,), {"membership": newer})
    return _decider(run)


decide = _decider(_Run)

AGREEMENT = Agreement(
    name=AGREEMENT_NAME,
    title=LAW.title,
    regulations=LAW.regulations,
    law=LAW,
    decide=decide,
    cases=Path(__file__).parent / "cases" / "cptpp",
    membership=MEMBERSHIP,
    bind_membership=_bind,
)
