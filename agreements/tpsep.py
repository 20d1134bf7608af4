"""TPSEP: goods of the Trans-Pacific Strategic Economic Partnership, regs 51N–51Y.

Source: Customs and Excise Regulations 1996 (NZ), Part 6, "Provisions relating to the
Trans-Pacific Strategic Economic Partnership Agreement", regs 51N–51Y, with Schedule 4
(remanufactured goods) and Schedule 6 (outward processing), version as at 28 November 2025
(shared/seeds/004_9d4d1b142f3c36ed.txt). The law file ``tpsep.toml`` beside this module holds
every number and list with its reference and the dates it covers (from 1 January 2022).
Product-specific rules come from *Specific rules of origin for Trans-Pacific Strategic
Economic Partnership Agreement goods—Annex II (2022)*; the case supplies the rule text.

Goods originate when wholly obtained (r 51O(1)(a)), produced in the parties exclusively from
originating materials (r 51O(1)(b)), or meeting Annex II (r 51O(1)(c)); in each case only when
transported directly without entering the commerce of a non-party (r 51T). Failing the change
in classification is forgiven within 10% of the transaction value (r 51O(3)); minimal
operations never confer origin unless the rule requires RVC (r 51O(4)). RVC is
(TV − VNM) / TV × 100, TV on an FOB basis and VNM on a CIF basis (r 51P(1)). Goods of
Schedule 6 with materials processed in a non-party qualify under r 51U when r 51U(2)(a)–(f)
hold, the r 51U(3) total being at most 55% of their value.

The regime — valuation (r 51P(1)), accessories (r 51Q), packaging (r 51R), indirect materials
(r 51S), de minimis (r 51O(3)), the RVC formula and accumulation (r 51O(2)) — is declared in
``tpsep.toml``'s ``[regime]`` and read by the engine (:mod:`origin.regime`). This module
holds only what the law makes unique to TPSEP: the classes of r 51O(1), r 51O(4), the
transaction value's adjustment (r 51P(4)-(5)), r 51T, outward processing (r 51U, Schedule 6),
remanufactured goods (Schedule 4), the declared parties and the records.

Interpretations (also shown in the explanation where they apply):

* Parties (r 51N): New Zealand and Singapore are parties by the text ((c), (d)); Brunei
  Darussalam and Chile are parties "if ... under the Tariff Act 1988, declared to be a
  specified TPA party" ((a), (b)). The NZ Working Tariff Document of 1 January 2022 records
  both as declared ("Brunei Darussalam and Chile are specified TPA Parties"), so all four are
  parties from that date (``[parties_list]`` in ``tpsep.toml``); a determination relying on
  Brunei or Chile being a party says so in a step citing r 51N party (a) or (b). Since issue
  13; before, only New Zealand and Singapore were parties.
* Tariff preference: the WTD says Singapore "is not a specified TPA Party for the purposes of
  the Tariff Act 1988": goods of Singapore, originating here (a party for origin, r 51N party
  (d)), are entered at the SG rate; goods of Brunei and Chile at TPA. The law file's
  ``[agreement.tariff_preference.by_country]`` says so; ``LAW.preference_codes_of(case)``
  gives the code by the country of the goods' last process (else their one country of
  production), and a determination's notes name it.
* r 51Q(1): standard accessories, spare parts or tools that have its relief "must be treated
  as originating goods and must be disregarded in determining whether ... the non-originating
  materials ... undergo the applicable change in tariff classification". Both halves apply:
  they leave the change in classification, and they do not defeat r 51O(1)(b) ("exclusively
  from materials that originate"), as ANZCERTA reads the identical words of r 39(1). In RVC
  they count by their own status (r 51Q(1)(c)). Since issue 13; before, a relieved
  non-originating accessory defeated r 51O(1)(b).
* r 51Q(1)(a): the relief needs the lines "classified with, and not invoiced separately
  from, the originating goods". Invoicing is the accessory's ``invoiced_separately``;
  classification is ``facts.accessories_classified_with_goods`` (the fact China's r 51ZI(1)
  asks). Stated false, the lines are ordinary materials; not stated, the goods are decided
  both ways and the verdict needs the fact only if the two differ. Since issue 13; before,
  classification was never asked and a spare part classified on its own was relieved.
* The RVC method of r 51P(1) has no name in the text. It is reported as ``build-down`` (it
  subtracts VNM from TV, as Thailand's r 51L does) and a rule naming no method uses it. TV is
  ``good.transaction_value`` (stated on an FOB basis); the de minimis base of r 51O(3)(a) is
  the same figure ("transaction value ... calculated in accordance with regulation 51P").
* r 51P(3): "the value of non-originating materials must not be included if— (a) those
  non-originating materials were used in the territory of a party to produce materials; and
  (b) those materials were then used to produce the goods". An intermediate material with its
  own BOM made in a party is decided in its own right and counted whole, as originating or
  not; its inputs are never added to VNM (no roll-down). A step citing r 51P(3) under the RVC
  step names each such material.
* r 51P(4): when ``facts.producer_exports_directly`` is false, the TV must be the value
  adjusted to the point at which the purchaser received the goods; the RVC needs
  ``facts.tv_adjustment`` saying how, and is undecided without it.
* r 51P(5): for a non-originating material the producer acquired in its own territory
  (attribute ``acquired_in_territory``) "the value of the materials must not include freight,
  insurance, packing costs, or any other costs incurred in transporting the materials from
  the supplier's warehouse to the producer's location". The case deducts them with the
  adjustment ``transport_to_producer`` (law file ``adjust_non_originating``), or states the
  value without them; the deduction on a material not so acquired is refused. It applies to
  "the calculation required by subclause (1)", the RVC, not to de minimis (r 51O(3)). A step
  citing r 51P(5) under the RVC step shows each value. Since issue 13; before, no deduction
  existed.
* Citations: every provision a determination relies on is a step's citation (decision 0006
  §13): r 51O(4) under an RVC rule (its exception), each minimal operation's paragraph of
  r 51N, r 51P(1)-(5) under the RVC and de minimis steps where the figures rely on them, the
  provisions applied to material lines (r 51O(2), r 51Q, r 51R, r 51S), the wholly-obtained
  category, r 51U(1)(a), and r 51W(1) and (2) as obligations.
* r 51O(4) yields to an RVC requirement, per alternative of the rule: an alternative that
  requires no RVC also needs more than minimal operations; one that requires RVC does not,
  and while it is undecided the claim stays open.
* r 51T applies to "regulations 51O to 51S", so to every r 51O class. "Transported directly"
  is read as allowing only transport handling (unloading, reloading, transhipment, storage)
  in a non-party, and no entry into its commerce, unless the chief executive's permission is
  recorded (``facts.commerce_permitted``). r 51T does not name r 51U, so it is not applied to
  goods qualifying under r 51U.
* r 51U is a further way to qualify, claimed with ``facts.outward_processing``; it "prevails"
  over r 51O and Annex II, so goods meeting it are originating whatever r 51O says. Its value
  base ("their value", r 51N "value": Schedule 4 of the Act) is ``good.adjusted_value``. The
  r 51U(3)(a) figure is the VNM of the BOM (undetermined origin counts); (b) and (c) are the
  facts ``outward_other_added_materials`` and ``outward_costs_abroad``. r 51U(2)(f)(i) is read
  from ``good.last_process_in`` (a party). Schedule 6 entries limited to a description need
  ``facts.schedule_6_description_met``; the parenthesis after "8523.21, 8517.61, 8525.50, and
  8517.62" is read as limiting 8517.61, 8525.50 and 8517.62 (transmission apparatus).
* Recovered goods (r 51N wholly obtained goods (j)) need the Schedule 4 subheading of the
  remanufactured goods they are used in (``facts.remanufactured_goods_hs``) and that those are
  not designed principally for the automotive goods Schedule 4 excludes
  (``facts.designed_for_automotive``).

>>> import datetime as dt
>>> from origin.caseio import case_from_json
>>> case = case_from_json({
...     "schema": "origin-case/1", "currency": "SGD", "psr": "RVC45",
...     "good": {"id": "pump", "hs": "8413.70", "transaction_value": "1000.00",
...              "produced_in": ["SG"], "last_process_in": "SG",
...              "operations": ["casting", "assembly"]},
...     "materials": [{"id": "motor", "hs": "8501.52", "value": "550.00",
...                    "basis": "cif", "status": "non-originating"}],
...     "consignment": {"exported_from": "SG", "transit": []}})
>>> d = AGREEMENT.determine(case, dt.date(2025, 6, 1))
>>> d.verdict.value, d.rvc[0].value
('originating', Fraction(45, 1))
"""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal, InvalidOperation
from pathlib import Path

import attrs

from origin.agreement import Agreement
from origin.citation import Citation, cite
from origin.decision import Decision, classified_with_goods, has_rvc, years_after
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
    CaseError,
    all_materials,
    exact,
    minimal_operations_step,
    percent,
    transit_step,
)
from origin.law import LawBook, LawFileError, goods_country
from origin.model import Case, OriginStatus, ValueBasis
from origin.psr import AnyOf, RegionalValueContent, Rule, TariffShift
from origin.regime import DeclaredRegime

_LAW_PATH = Path(__file__).with_suffix(".toml")
LAW = LawBook.load(_LAW_PATH)
with _LAW_PATH.open("rb") as _handle:
    # What the law file says beyond LawBook's fields: the source of the declared parties.
    _FILE = tomllib.load(_handle)
PARTIES = LAW.parties
AGREEMENT_NAME = "tpsep"


@attrs.frozen
class PartiesList:
    """Where the declarations of r 51N party (a) and (b) are recorded: Brunei Darussalam and
    Chile are parties "if ... under the Tariff Act 1988, declared to be a specified TPA
    party"; the declarations are outside the regulations."""

    declared: tuple[str, ...]
    source: str
    as_at: dt.date
    reference: Citation
    caveat: str


def _parties_list() -> PartiesList:
    """``[parties_list]``, checked against ``[agreement].parties`` and the vocabulary: the
    parties are those of group "party" (on the text) and "declared" (listed here), and the
    list's date is not after the first date encoded (no date is decided on a declaration
    not yet recorded)."""
    try:
        spec = _FILE["parties_list"]
        as_at = spec["as_at"]
        if not isinstance(as_at, dt.date):
            raise TypeError(f"as_at {as_at!r} must be a TOML date")
        listed = PartiesList(
            tuple(str(c) for c in spec["declared"]),
            str(spec["source"]),
            as_at,
            cite(str(spec["reference"])),
            str(spec["caveat"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise LawFileError(f"{_LAW_PATH.name}: [parties_list]: {error}") from error
    terms = LAW.vocabulary("parties")
    by_text = {k for k, t in terms.items() if t.group == "party"}
    declared = {k for k, t in terms.items() if t.group == "declared"}
    if declared != set(listed.declared) or by_text | declared != set(PARTIES):
        raise LawFileError(
            f"{_LAW_PATH.name}: [agreement].parties {sorted(PARTIES)} must be the "
            f"[vocabularies.parties] entries of group 'party' {sorted(by_text)} and "
            f"'declared' {sorted(declared)}, and [parties_list].declared "
            f"{sorted(listed.declared)} the latter"
        )
    start = LAW.coverage.start
    if start is None or listed.as_at > start:
        raise LawFileError(
            f"{_LAW_PATH.name}: [parties_list] is as at {listed.as_at.isoformat()}, after the "
            f"first date encoded ({start}): dates before it would rely on declarations not "
            "recorded"
        )
    return listed


PARTIES_LIST = _parties_list()  # r 51N party: the parties are those recorded as such

# The regime (valuation, accessories, packaging, indirect materials, de minimis, the r 51P(1)
# RVC, accumulation) is declared in the law file's [regime]; this module holds only what the
# engine does not (r 51P(4)-(5), r 51T, r 51U, Schedules 4 and 6).
DECLARED = DeclaredRegime.read(LAW)
regime_at = DECLARED.at


def _amount(case: Case, key: str) -> Decimal | None:
    """A decimal amount given as a text fact; None when not stated."""
    raw = case.facts.get(key)
    if raw is None:
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise CaseError(f"facts.{key}: {raw!r} is not a decimal amount") from None
    if not value.is_finite() or value < 0:
        raise CaseError(f"facts.{key}: {raw!r} must be a non-negative amount")
    return value


# Provisions the valuation pass applies to a material line: the step each gets (test, what it
# did), in the order shown.
_TREATMENTS = {
    "r 51Q(1)": (
        "standard accessories, spare parts or tools",
        "treated as originating goods and disregarded in the change in tariff classification; "
        "in the RVC counted by their own status",
    ),
    "r 51R(1)": (
        "retail packaging",
        "packaging and containers for retail sale, classified with the goods: not included in "
        "the change in tariff classification",
    ),
    "r 51R(2)": (
        "retail packaging in the RVC",
        "the value of the retail packaging counted as originating or non-originating, as the "
        "case may be",
    ),
    "r 51R(3)": (
        "packing for shipment",
        "packing materials and containers for shipment only: not included in determining the "
        "origin of the goods",
    ),
    "r 51S": (
        "indirect materials",
        "deemed originating without regard to where produced, valued at the cost recorded in "
        "the producer's accounting records",
    ),
}

_TRANSPORT = "transport_to_producer"  # the r 51P(5) deduction (law file adjust_non_originating)


def _check_transport(case: Case) -> None:
    """r 51P(5) speaks of non-originating materials the producer "acquires ... in that
    territory": its deduction on any other material contradicts the case."""
    # Only lines with adjustments can carry the deduction (filtered by a list comprehension,
    # in BOM order at any depth).
    for material in [m for m in all_materials(case) if m.adjustments]:
        if any(x.kind == _TRANSPORT for x in material.adjustments) and (
            "acquired_in_territory" not in material.attributes
        ):
            raise CaseError(
                f"material {material.id!r}: the r 51P(5) deduction {_TRANSPORT} is for a "
                "non-originating material the producer acquired in its own territory; mark "
                "it with the attribute acquired_in_territory"
            )


def _subheading(code: str | None) -> str | None:
    return None if code is None else f"{code[:4]}.{code[4:6]}"


class _Run(Decision):
    """One TPSEP determination: the classes of r 51O(1), r 51T, and r 51U."""

    law = LAW
    declared = DECLARED

    def rvc_missing(self, slug: str) -> tuple[str, ...]:
        missing = list(super().rvc_missing(slug))
        if self._needs_tv_adjustment():
            missing.append("how the transaction value was adjusted (facts.tv_adjustment, r 51P(4))")
        return tuple(missing)

    def _needs_tv_adjustment(self) -> bool:
        return self._exported_by_another() and not self.case.facts.get("tv_adjustment")

    def _exported_by_another(self) -> bool:
        """r 51P(4) "When the producer of goods does not export the goods directly": of the
        goods, not of a material decided in its own right (which is not exported)."""
        return not self.intermediate and self.case.facts.get("producer_exports_directly") is False

    def tv_step(self) -> Step | None:
        """r 51P(4): "When the producer of goods does not export the goods directly, the value
        must be adjusted up to the point at which the purchaser received the goods within the
        territory of the party where the producer is located": the TV the RVC and de minimis
        (r 51O(3)(a): "calculated in accordance with regulation 51P") are measured on."""
        if not self._exported_by_another():
            return None
        citation = cite("r 51P(4)")
        adjustment = self.case.facts.get("tv_adjustment")
        if adjustment:
            return Step(
                "TV adjusted to the purchaser's receipt",
                citation,
                MEETS,
                f"the producer does not export the goods directly: the TV "
                f"({self.case.good.transaction_value}) is the value adjusted up to the point at "
                f"which the purchaser received them in the producer's territory: {adjustment}",
                (("adjustment", str(adjustment)),),
            )
        return Step(
            "TV adjusted to the purchaser's receipt",
            citation,
            NEEDS_INFO,
            "the producer does not export the goods directly: the TV must be the value "
            "adjusted up to the point at which the purchaser received them; how is not stated",
            missing=("how the transaction value was adjusted (facts.tv_adjustment, r 51P(4))",),
        )

    def tolerance(self, result: RVCResult) -> RVCResult:
        """r 51P(4) may leave the RVC open; the figures' provisions are steps (:meth:`rvc_step`)."""
        notes = [result.note] if result.note else []
        adjustment = self.case.facts.get("tv_adjustment")
        if adjustment and self._exported_by_another():
            notes.append(f"TV adjusted to the purchaser's receipt: {adjustment} (r 51P(4))")
        result = attrs.evolve(result, note="; ".join(notes))
        if self._needs_tv_adjustment():
            return attrs.evolve(
                result,
                outcome=NEEDS_INFO,
                note="; ".join(
                    (
                        *notes,
                        "the producer does not export directly: TV must be adjusted up to "
                        "the purchaser's receipt (r 51P(4))",
                    )
                ),
            )
        return result

    def rvc_step(self, rule: RegionalValueContent, citation: Citation) -> Step:
        """The r 51P(1) step, with r 51P(2)–(5), where the figures rely on them, as steps of
        their own."""
        step = super().rvc_step(rule, citation)
        extra = [
            s
            for s in (
                self.tv_step(),
                self.later_parts_step(),
                self.intermediates_step(),
                self.acquired_step(),
            )
            if s is not None
        ]
        if not extra:
            return step
        return attrs.evolve(step, children=(*step.children, *extra))

    def psr_leaf(self, rule: Rule) -> Step:
        """A leaf of the Annex II rule. r 51O(3)(a) measures de minimis on "the transaction
        value of the goods calculated in accordance with regulation 51P": the de minimis step
        has the r 51P(1) TV, and its r 51P(4) adjustment where there is one, as steps."""
        step = super().psr_leaf(rule)
        if not isinstance(rule, TariffShift) or not any(
            c.test == "de minimis" for c in step.children
        ):
            return step
        tv = self.case.good.transaction_value
        basis = Step(
            "transaction value",
            cite("r 51P(1)"),
            MEETS if tv is not None else NEEDS_INFO,
            f"the transaction value of the goods adjusted on an FOB basis: {tv}"
            if tv is not None
            else "the transaction value of the goods adjusted on an FOB basis is not known",
            (("TV", "unknown" if tv is None else str(tv)),),
        )
        extra = tuple(s for s in (basis, self.tv_step()) if s is not None)
        children = tuple(
            attrs.evolve(c, children=(*c.children, *extra)) if c.test == "de minimis" else c
            for c in step.children
        )
        return attrs.evolve(step, children=children)

    def later_parts_step(self) -> Step | None:
        """r 51P(2): "If the TV or VNM values do not exist or cannot be determined in
        accordance with Part 1 of Schedule 4 of the Act, the values are determined in
        accordance with Parts 2 to 6 of that schedule": materials in VNM given as a customs
        value (``customs-value`` basis)."""
        later = [
            line.material.id
            for line in self.assessment.special.values()
            if line.material.basis is ValueBasis.CUSTOMS_VALUE and line.counted_as == "VNM"
        ]
        # Enum members read once: reading one off its class costs more than the test.
        customs, originating = ValueBasis.CUSTOMS_VALUE, OriginStatus.ORIGINATING
        special = self.assessment.special
        materials = self.case.materials
        if [m for m in materials if m.basis is customs]:  # the index read only when needed
            later += [
                m.id
                for i, m in enumerate(materials)
                if m.basis is customs and i not in special and m.status is not originating
            ]
        if not later:
            return None
        return Step(
            "values under Parts 2 to 6 of Schedule 4",
            cite("r 51P(2)"),
            MEETS,
            f"{', '.join(later[:10])}{'…' if len(later) > 10 else ''}: transaction value not "
            "determinable under Part 1 of Schedule 4, given as determined under Parts 2 to 6 "
            "(customs-value)",
            (("materials", ", ".join(later)),),
        )

    def intermediates_step(self) -> Step | None:
        """r 51P(3): "the value of non-originating materials must not be included if— (a)
        those non-originating materials were used in the territory of a party to produce
        materials; and (b) those materials were then used to produce the goods".

        A material with its own BOM made in a party is counted whole, by its own status (an
        originating one adds nothing to VNM, a non-originating one its own value); the
        non-originating materials used to make it are not added to VNM (no roll-down).
        """
        a = self.assessment
        good = self.case.good
        ids: list[str] = []
        made: list[str] = []
        # Only a material made from others has inputs, and such a line is always one of the
        # assessment's special lines (kept in BOM order): the others are not looked at.
        for index, special in a.special.items():
            material = special.material
            if not material.components:
                continue
            where = material.produced_in or good.last_process_in
            if where not in PARTIES or not any(
                m.status is not OriginStatus.ORIGINATING for m in material.components
            ):
                continue
            line = a.special.get(index)
            counted = line.counted_as if line is not None else "VNM"
            ids.append(material.id)
            made.append(f"{material.id} (made in {where}; counted whole in {counted})")
        if not made:
            return None
        return Step(
            "materials produced in a party",
            cite("r 51P(3)"),
            MEETS,
            f"{'; '.join(made[:10])}{'…' if len(made) > 10 else ''}: the non-originating "
            "materials used to produce them are not included in VNM",
            (("materials", ", ".join(ids)),),
        )

    def acquired_step(self) -> Step | None:
        """r 51P(5): a non-originating material the producer acquired in its own territory
        is valued without "freight, insurance, packing costs, or any other costs incurred in
        transporting the materials from the supplier's warehouse to the producer's
        location": the case deducts them (adjustment ``transport_to_producer``) or states the
        value without them."""
        a = self.assessment
        shown: list[str] = []
        inputs: list[tuple[str, str]] = []
        for line in a.special.values():
            material = line.material
            if "acquired_in_territory" not in material.attributes or line.counted_as != "VNM":
                continue
            deducted = sum(
                (x.amount for x in material.adjustments if x.kind == _TRANSPORT),
                Decimal(0),
            )
            if material.value is None:
                shown.append(f"{material.id}: value not given")
            elif deducted:
                shown.append(
                    f"{material.id}: {material.value} less {deducted} transport from the "
                    f"supplier's warehouse = {line.value}"
                )
            else:
                shown.append(f"{material.id}: {material.value}, stated without transport costs")
            inputs.append((material.id, "unknown" if line.value is None else str(line.value)))
        if not shown:
            return None
        return Step(
            "materials acquired in the producer's territory",
            cite("r 51P(5)"),
            MEETS,
            "; ".join(shown[:10])
            + ("…" if len(shown) > 10 else "")
            + " (freight, insurance, packing and other transport costs to the producer "
            "are not included)",
            tuple(inputs),
        )

    # ----- r 51O(1) classes

    def class_a(self) -> Step:
        """r 51O(1)(a): wholly obtained in the territory of a party (r 51N)."""
        citation = cite("r 51O(1)(a)")
        step = self.wholly_obtained(citation, "class 51O(1)(a) wholly obtained")
        key = self.case.good.wholly_obtained
        term = LAW.vocabulary("wholly_obtained").get(key) if key else None
        if term is not None:
            # The paragraph of the r 51N definition relied on, as a step citing it.
            category = Step(
                "wholly obtained category",
                term.reference,
                MEETS,
                term.text,
                (("category", str(key)),),
            )
            step = attrs.evolve(step, children=(*step.children, category))
        if key != "recovered" or step.outcome is FAILS:
            return step
        reman = self.remanufactured()
        return attrs.evolve(
            step,
            outcome=step.outcome & reman.outcome,
            children=(*step.children, reman),
            missing=missing_of((step, reman)),
        )

    def remanufactured(self) -> Step:
        """r 51N wholly obtained goods (j) and Schedule 4: used in remanufactured goods."""
        citation = cite("sch 4")
        facts = self.case.facts
        code = facts.get("remanufactured_goods_hs")
        automotive = facts.get("designed_for_automotive")
        missing = []
        if code is None:
            missing.append("Tariff subheading of the remanufactured goods (Schedule 4)")
        if automotive is None:
            missing.append(
                "whether the remanufactured goods are designed principally for automotive "
                "goods excluded by Schedule 4"
            )
        listed = LAW.vocabulary("remanufactured_goods")
        if code is not None and str(code).strip() not in listed:
            return Step(
                "remanufactured goods",
                citation,
                FAILS,
                f"{code} is not a Schedule 4 subheading of remanufactured goods",
            )
        if automotive:
            return Step(
                "remanufactured goods",
                citation,
                FAILS,
                "designed principally for use in automotive goods that Schedule 4 excludes",
            )
        if missing:
            return Step(
                "remanufactured goods",
                citation,
                NEEDS_INFO,
                "the remanufactured goods are not shown to be of Schedule 4",
                missing=tuple(missing),
            )
        return Step(
            "remanufactured goods",
            citation,
            MEETS,
            f"utilised in remanufactured goods of subheading {code} (Schedule 4), "
            "not designed principally for the excluded automotive goods",
        )

    def class_b(self) -> Step:
        """r 51O(1)(b): produced solely in the parties exclusively from originating materials.

        r 51Q(1): relieved standard accessories, spare parts or tools "must be treated as
        originating goods", so they do not defeat this class (as for the identical words of
        r 39(1), decision 0002 §9; decision 0006 §10).
        """
        return self.exclusively_originating(
            cite("r 51O(1)(b)"), "class 51O(1)(b) exclusively originating materials"
        )

    def class_c(self) -> tuple[Step, tuple[Rule, ...]]:
        """r 51O(1)(c): produced in the parties, meeting Annex II (2022)."""
        citation = cite("r 51O(1)(c)")
        place = self.produced_in_parties(citation)
        if self.case.psr is None:
            psr = Step(
                "product-specific rule",
                cite("r 51O(1)(c)(i)"),
                NEEDS_INFO,
                f"no Annex II rule given for {self.case.good.hs}",
                missing=(f"product-specific rule (Annex II (2022)) for {self.case.good.hs}",),
            )
            return (
                Step(
                    "class 51O(1)(c) Annex II",
                    citation,
                    place.outcome & psr.outcome,
                    psr.summary,
                    children=(place, psr),
                    missing=missing_of((place, psr)),
                ),
                (),
            )
        rule = self.parse_psr()
        assert rule is not None
        psr = self.evaluate_psr(rule, cite("r 51O(1)(c)(i)"))
        # r 51O(4): an alternative that requires no RVC also needs more than minimal operations.
        minimal = self.minimal(rests_on_rvc=False)
        standing, met = self.alternatives_standing(rule, psr, minimal)
        alternatives = rule.terms if isinstance(rule, AnyOf) else (rule,)
        # Every alternative requires RVC: r 51O(4) does not apply, and the step says so.
        rests_on_rvc = all(map(has_rvc, alternatives))
        children = (place, psr, self.minimal(rests_on_rvc=True) if rests_on_rvc else minimal)
        outcome = place.outcome & standing
        return (
            Step(
                f"class 51O(1)(c) Annex II: {rule}",
                citation,
                outcome,
                psr.summary,
                (("rule", str(rule)),),
                children=children,
                missing=missing_of(children) if outcome is NEEDS_INFO else (),
            ),
            met,
        )

    def wholly_obtained_class(self) -> Step:
        return self.class_a()

    def minimal(self, rests_on_rvc: bool) -> Step:
        """r 51O(4): minimal operations never confer origin, unless the rule requires RVC."""
        citation = cite("r 51O(4)")
        if rests_on_rvc:
            return Step(
                "minimal operations",
                citation,
                MEETS,
                "not applied: the goods are subject to a regional value content by the Annex "
                f"II rule ({self.case.psr}), the exception of r 51O(4)",
                (("rule", str(self.case.psr)),),
            )
        operations = self.case.good.operations
        terms = LAW.vocabulary("minimal_operations")
        step = minimal_operations_step(
            operations, terms, citation, "operations performed on the goods in the parties"
        )
        if step.outcome is not FAILS or not operations:
            return step
        # Each operation as a step citing the paragraph of the r 51N definition it falls in.
        listed = [op for op in dict.fromkeys(operations) if op in terms]
        return attrs.evolve(
            step,
            children=tuple(
                Step(f"minimal operation: {op}", terms[op].reference, FAILS, terms[op].text)
                for op in listed
            ),
        )

    def transit(self) -> Step:
        """r 51T: transported directly, not entering the commerce of a non-party."""
        citation = cite("r 51T")
        permitted = self.case.facts.get("commerce_permitted")
        step = transit_step(
            self.case.consignment,
            PARTIES,
            LAW.vocabulary("transit_operations"),
            citation,
            commerce_matters=True,
        )
        if permitted and step.outcome is not MEETS:
            return Step(
                "transhipment",
                citation,
                MEETS,
                f"{step.summary}; permitted by the chief executive: {permitted}",
                step.inputs,
            )
        return step

    # ----- r 51U outward processing

    def outward(self) -> Step | None:
        """r 51U: goods of Schedule 6 with materials processed in a non-party."""
        if not self.case.facts.get("outward_processing"):
            return None
        claimed = Step(
            "materials processed in a non-party",
            cite("r 51U(1)(a)"),
            MEETS,
            "stated: the goods include materials exported from a party to a non-party for "
            "processing and subsequently reimported to the party",
        )
        children = [claimed, self._schedule_6(), *self._conditions(), self._outward_value()]
        outcome = Outcome.all(c.outcome for c in children)
        return Step(
            "r 51U outward processing",
            cite("r 51U(1)"),
            outcome,
            "materials processed in a non-party and reimported; the requirements of r 51U(2) "
            + ("are met" if outcome is MEETS else "are not shown"),
            children=tuple(children),
            missing=missing_of(children),
        )

    def _schedule_6(self) -> Step:
        citation = cite("r 51U(2)(a)")
        code = _subheading(self.case.good.hs.subheading)
        entry = LAW.vocabulary("outward_processing_goods").get(code or "")
        if entry is None:
            return Step(
                "Schedule 6 goods",
                citation,
                FAILS,
                f"{self.case.good.hs} is not of a Schedule 6 subheading",
            )
        if entry.group == "restricted":
            met = self.case.facts.get("schedule_6_description_met")
            if met is None:
                return Step(
                    "Schedule 6 goods",
                    citation,
                    NEEDS_INFO,
                    f"Schedule 6 limits {entry.text}",
                    missing=(f"whether the goods are of the Schedule 6 description: {entry.text}",),
                )
            if not met:
                return Step(
                    "Schedule 6 goods", citation, FAILS, f"not of the description: {entry.text}"
                )
        return Step("Schedule 6 goods", citation, MEETS, f"{entry.text} is listed in Schedule 6")

    def _conditions(self) -> list[Step]:
        steps = []
        for key, title, path in (
            ("outward_materials_qualified", "exported materials qualified", "r 51U(2)(c)"),
            ("outward_same_producer", "same producer", "r 51U(2)(d)"),
            ("outward_obtained_from_exported", "obtained from exported materials", "r 51U(2)(e)"),
        ):
            steps.append(self._fact_step(key, title, cite(path)))
        where = self.case.good.last_process_in
        citation = cite("r 51U(2)(f)(i)")
        if where is None:
            steps.append(
                Step(
                    "last process in the party",
                    citation,
                    NEEDS_INFO,
                    "where the last process of manufacture was performed is not stated",
                    missing=("country of the last process of manufacture",),
                )
            )
        else:
            steps.append(
                Step(
                    "last process in the party",
                    citation,
                    Outcome.of(where in PARTIES),
                    f"last process of manufacture in {where}",
                )
            )
        steps.append(
            self._fact_step(
                "outward_last_process_transformed",
                "last process transformed the goods",
                cite("r 51U(2)(f)(ii)"),
            )
        )
        return steps

    def _fact_step(self, key: str, title: str, citation: Citation) -> Step:
        term = LAW.vocabulary("facts")[key]
        value = self.case.facts.get(key)
        if value is None:
            return Step(
                title,
                citation,
                NEEDS_INFO,
                f"not stated: {term.text}",
                missing=(f"{term.text} (facts.{key}, {citation})",),
            )
        return Step(
            title,
            citation,
            Outcome.of(bool(value)),
            term.text if value else f"not so: {term.text}",
        )

    def _outward_value(self) -> Step:
        """r 51U(2)(b) and (3): (a) + (b) + (c) ≤ 55% of the value of the goods."""
        citation = cite("r 51U(2)(b)")
        share = LAW.value("outward_processing_share", self.date).value
        a = self.assessment
        added = _amount(self.case, "outward_other_added_materials")
        costs = _amount(self.case, "outward_costs_abroad")
        base = self.case.good.adjusted_value
        missing = [f"value of material {m}" for m in a.unknown_vnm]
        if added is None:
            missing.append(
                "value of any other added materials "
                "(facts.outward_other_added_materials, r 51U(3)(b))"
            )
        if costs is None:
            missing.append(
                "costs accumulated outside the party (facts.outward_costs_abroad, r 51U(3)(c))"
            )
        if base is None:
            missing.append("adjusted value of the good (its value under Schedule 4 of the Act)")
        total = a.vnm + (added or Decimal(0)) + (costs or Decimal(0))
        inputs: tuple[tuple[str, str], ...] = (
            ("(a) non-originating materials added in the party", str(a.vnm)),
            ("(b) other added materials", "unknown" if added is None else str(added)),
            ("(c) costs outside the party", "unknown" if costs is None else str(costs)),
            ("value of the goods", "unknown" if base is None else str(base)),
        )
        if base is None or base <= 0:
            if base is not None:
                raise CaseError("good.adjusted_value: must be positive for r 51U(2)(b)")
            return Step(
                "outward processing value",
                citation,
                NEEDS_INFO,
                "the value of the goods is not stated",
                inputs,
                missing=tuple(missing),
            )
        value = exact(total) / exact(base)
        limit = share
        text = f"({percent(value * 100)} of the value; limit {percent(limit * 100)})"
        if value > limit:
            # Unknown figures can only add to the total: already over the limit fails.
            return Step(
                "outward processing value",
                citation,
                FAILS,
                f"{total} exceeds {percent(limit * 100)} of {base} {text}",
                inputs,
                value=value * 100,
                threshold=limit * 100,
                margin=(limit - value) * 100,
            )
        if missing:
            return Step(
                "outward processing value",
                citation,
                NEEDS_INFO,
                f"at least {total} of {base} {text}; figures missing",
                inputs,
                missing=tuple(missing),
            )
        return Step(
            "outward processing value",
            citation,
            MEETS,
            f"{total} does not exceed {percent(limit * 100)} of {base} {text}",
            inputs,
            value=value * 100,
            threshold=limit * 100,
            margin=(limit - value) * 100,
        )

    # ----- provisions applied to materials

    def material_steps(self) -> list[Step]:
        """The provisions that treated materials of this BOM, each a step naming the lines:
        r 51O(2) (originating in another party), r 51Q(1) (standard accessories), r 51R
        (packaging) and r 51S (indirect materials). The rows keep them too."""
        by_citation: dict[str, list[str]] = {}
        for line in self.assessment.special.values():
            for citation in line.citations:
                if str(citation) in _TREATMENTS:
                    by_citation.setdefault(str(citation), []).append(line.material.id)
        steps = []
        accumulated = self._accumulated()
        if accumulated:
            producer = self.case.good.last_process_in
            shown = ", ".join(f"{m} ({c})" for m, c in accumulated[:10])
            steps.append(
                Step(
                    "materials originating in another party",
                    cite("r 51O(2)"),
                    MEETS,
                    f"{shown}{'…' if len(accumulated) > 10 else ''}: originate in another "
                    f"party, so are deemed to originate in {producer}, where the goods are "
                    "produced",
                    (("materials", ", ".join(m for m, _ in accumulated)),),
                )
            )
        for key, (test, text) in _TREATMENTS.items():
            ids = list(dict.fromkeys(by_citation.get(key, ())))
            if not ids or (key == "r 51R(2)" and not self.rvc):
                continue  # r 51R(2) speaks of goods subject to an RVC requirement
            steps.append(
                Step(
                    test,
                    cite(key),
                    MEETS,
                    f"{', '.join(ids[:10])}{'…' if len(ids) > 10 else ''}: {text}",
                    (("materials", ", ".join(ids)),),
                )
            )
        return steps

    def _accumulated(self) -> list[tuple[str, str]]:
        """Originating materials (as counted) from another party than the producer's."""
        producer = self.case.good.last_process_in
        if producer is None:
            return []
        a = self.assessment
        materials = self.case.materials
        if not [m for m in materials if m.origin_country is not None]:
            return []  # no line states a country: the BOM is not indexed
        return [
            (m.id, m.origin_country)
            for i, m in enumerate(materials)
            if m.origin_country is not None
            and m.origin_country != producer
            and m.origin_country in PARTIES
            and a.originating(i)
        ]

    # ----- r 51N party and the tariff preference

    def declared_parties(self) -> list[Step]:
        """r 51N party (a), (b): a step for each declared party the case relies on being a
        party (its production, materials, exportation or route), naming the list used."""
        used = sorted(_countries(self.case) & set(PARTIES_LIST.declared))
        terms = LAW.vocabulary("parties")
        listed = PARTIES_LIST
        return [
            Step(
                "specified TPA party",
                terms[code].reference,
                MEETS,
                f"{terms[code].text.split(',')[0]} is a party: declared a specified TPA party "
                f"under the Tariff Act 1988, as the Working Tariff Document records as at "
                f"{listed.as_at.isoformat()} (law file [parties_list]); {listed.caveat}",
                (("party", code), ("list", listed.source), ("as at", listed.as_at)),
            )
            for code in used
        ]

    def preference_note(self) -> str:
        """Which NZ tariff preference the goods are entered under, by their country."""
        codes = LAW.preference_codes_of(self.case)
        country = goods_country(self.case)
        if country is None:
            return (
                f"tariff preference: {' or '.join(codes)}, by the party whose goods these are "
                "(the country of the last process of manufacture is not stated)"
            )
        entry = LAW.preference_by_country.get(country)
        if entry is None:
            return f"tariff preference: none for goods of {country} under this agreement"
        return (
            f"tariff preference: {entry.code} for goods of {country} (law file "
            "[agreement.tariff_preference.by_country], from the Working Tariff Document of 1 "
            "January 2022)"
        )

    def obligations(self) -> tuple[Obligation, ...]:
        years = int(LAW.value("record_years", self.date).value)
        return (
            Obligation(
                cite("r 51W(1)"),
                "exporters, importers and producers keep a record of all transactions relating "
                "to the exportation or importation of the goods, to show that they qualify for "
                "preferential tariff treatment",
            ),
            Obligation(
                cite("r 51W(2)"),
                f"the record is kept for not less than {years} years after the date of "
                "exportation or importation",
                until=years_after(self.imported_on(), years),
            ),
            Obligation(
                cite("r 51V"),
                "an exporter in New Zealand who learns that a declaration, certificate or "
                "evidence it gave was erroneous or false notifies the Customs, the importing "
                "party's customs administration and the importer",
            ),
        )

    def determine(self) -> Determination:
        steps: list[Step] = list(self.assessment.sub_steps)
        a_step = self.class_a()
        b_step = self.class_b()
        c_step, met = self.class_c()
        steps.extend((a_step, b_step, c_step))
        steps.extend(self.material_steps())
        basis: list[str] = []
        if a_step.outcome is MEETS:
            basis.append("r 51O(1)(a)")
        if b_step.outcome is MEETS:
            basis.append("r 51O(1)(b)")
        c_outcome = c_step.outcome
        if c_outcome is MEETS:
            basis.append(self.rule_basis("r 51O(1)(c)", c_step, met))
        classes = Outcome.any((a_step.outcome, b_step.outcome, c_outcome))
        origin = classes
        if not self.intermediate:  # r 51T concerns the goods' transport, not a material's
            transit = self.transit()
            steps.append(transit)
            origin &= transit.outcome
        if origin is not MEETS:
            basis = []
        outward = None if self.intermediate else self.outward()
        if outward is not None:
            steps.append(outward)
            if outward.outcome is MEETS:
                basis.append("r 51U")
            origin = Outcome.any((origin, outward.outcome))
        verdict = Verdict.from_outcome(origin)
        notes: list[str] = []
        if not self.intermediate:
            steps.extend(self.declared_parties())
            notes.append(self.preference_note())
        return self.conclude(verdict, basis, steps, notes)


def _countries(case: Case) -> set[str]:
    """Every country a case names: production, materials, exportation and route."""
    good = case.good
    found = {*good.produced_in, good.last_process_in}
    materials = all_materials(case)
    found |= {material.origin_country for material in materials}
    found |= {material.produced_in for material in materials}
    consignment = case.consignment
    if consignment is not None:
        found.add(consignment.exported_from)
        found |= {stop.country for stop in consignment.transit or ()}
    return {c for c in found if c is not None}


def decide(case: Case, date: dt.date) -> Determination:
    """Decide whether ``case``'s goods originate in a TPSEP party (regs 51O, 51T, 51U).

    r 51P(1) takes TV on an FOB basis: a stated FOB value stands for it when no transaction
    value is given. r 51P(4): when the producer does not export directly and the adjustment
    is not stated, the stated TV is not the TV of r 51P, for RVC or for de minimis (r 51O(3)).
    r 51Q(1)(a): accessories, spare parts and tools have the relief only if "classified
    with" the goods (:func:`_classified_with`).
    """
    good = case.good
    if good.transaction_value is None and good.fob is not None:
        case = attrs.evolve(case, good=attrs.evolve(good, transaction_value=good.fob))
    facts = case.facts
    if facts.get("producer_exports_directly") is False and not facts.get("tv_adjustment"):
        case = attrs.evolve(case, good=attrs.evolve(case.good, transaction_value=None))
    _check_transport(case)
    return _classified_with(case, date)


def _classified_with(case: Case, date: dt.date) -> Determination:
    """r 51Q(1)(a): the relief is only for accessories, spare parts or tools "classified
    with, and not invoiced separately from, the originating goods".

    Invoicing is a field of each accessory line; classification is the case's fact
    ``accessories_classified_with_goods`` (as China's r 51ZI(1) asks it). Stated false, the
    lines are ordinary materials; not stated, the goods are decided both ways and the verdict
    needs the fact only if the two differ. With ``accessories_raise_rvc`` (r 51Q(2)) there is
    no relief whatever the classification. Either way a cited step says what was done.
    """
    accessories = [m.id for m in all_materials(case) if m.accessory is not None]
    if not accessories:
        return _Run.decide(case, date)
    lines = ", ".join(accessories[:10]) + ("…" if len(accessories) > 10 else "")
    if case.facts.get("accessories_raise_rvc") is True:
        d = _Run.decide(case, date)  # the engine withholds the relief (r 51Q(2))
        step = Step(
            "accessories added to raise the RVC",
            cite("r 51Q(2)"),
            MEETS,
            f"stated that {lines} were added solely to raise the RVC artificially: r 51Q(1) "
            "does not apply, they count as ordinary materials",
        )
        return attrs.evolve(d, steps=(*d.steps, step))
    return classified_with_goods(
        case, lambda c: _Run.decide(c, date), accessories, cite("r 51Q(1)(a)"), "r 51Q(1)"
    )


AGREEMENT = Agreement(
    name=AGREEMENT_NAME,
    title=LAW.title,
    regulations=LAW.regulations,
    law=LAW,
    decide=decide,
    cases=Path(__file__).parent / "cases" / "tpsep",
)
