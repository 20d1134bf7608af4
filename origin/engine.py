"""The generic tests every agreement is built from; no agreement's numbers live here.

An agreement plugin describes its law to the engine with a :class:`Regime` — which
provision treats accessories, packaging and indirect materials, what base and share the
de minimis rule uses, which RVC formulas exist — and the engine applies it to a
:class:`~origin.model.Case`, returning :class:`~origin.determination.Step` objects.

The per-material pass is the hot path (BOMs of 100,000 lines): one loop, plain Decimal
sums, no per-line sympy, no per-line allocation beyond the row that reports the line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

import attrs

from origin.citation import Citation
from origin.determination import (
    FAILS,
    MEETS,
    NEEDS_INFO,
    MaterialRow,
    Outcome,
    RVCResult,
    Step,
)
from origin.formulas import Formula, FormulaError
from origin.hs import HSCode, HSLevel
from origin.law import Term
from origin.model import Case, Consignment, Material, OriginStatus, Packaging
from origin.psr import AllOf, AnyOf, RegionalValueContent, Rule, ShiftLevel, TariffShift, WhollyObtained

ZERO = Decimal(0)
_SHIFT_LEVEL = {
    ShiftLevel.CC: HSLevel.CHAPTER,
    ShiftLevel.CTH: HSLevel.HEADING,
    ShiftLevel.CTSH: HSLevel.SUBHEADING,
}
_SHIFT_WORD = {ShiftLevel.CC: "chapter", ShiftLevel.CTH: "heading", ShiftLevel.CTSH: "subheading"}


class CaseError(ValueError):
    """The case contradicts itself or the agreement (e.g. an unknown cost category)."""


def exact(amount: Decimal | int) -> Fraction:
    """Decimal → Fraction without rounding (Fraction(Decimal) is exact)."""
    return Fraction(amount)


def percent(value: Fraction, places: int = 4) -> str:
    """Display only: a percentage rounded half-even for reading, never for a test."""
    quantum = Decimal(1).scaleb(-places)
    shown = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(quantum)
    text = f"{shown.normalize():f}"
    return f"{text}%" if value == Fraction(shown) else f"{text}…%"


# --------------------------------------------------------------------------- regime


@attrs.frozen
class RVCMethod:
    """One RVC method: its formula, provision, and how to get its inputs from a case."""

    slug: str
    formula: Formula
    citation: Citation
    inputs: Callable[[Assessment], Mapping[str, Decimal | None]]
    headroom_for: tuple[str, ...]
    missing_names: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class Regime:
    """What an agreement says about materials, with the provision for each rule."""

    valuation: Citation
    adjust_originating: Mapping[str, Term]  # optional additions, e.g. r 38(2)
    adjust_non_originating: Mapping[str, Term]  # optional subtractions, e.g. r 38(3)
    accessories: Citation | None
    accessories_lose_if_raising_fact: str | None
    retail_packaging_shift: Citation | None
    retail_packaging_rvc: Citation | None
    shipment_packaging: Citation | None
    indirect: Citation | None
    de_minimis: Citation
    de_minimis_share: Fraction  # a share of the base, e.g. 1/10
    de_minimis_base: str  # attribute of Good: "adjusted_value", "fob", "transaction_value"
    de_minimis_base_label: str
    rvc_methods: Mapping[str, RVCMethod]
    default_rvc_methods: tuple[str, ...]
    vnm_excludes_self_produced: Citation | None = None


# --------------------------------------------------------------------------- assessment


@attrs.define(slots=True)
class Line:
    """Working state for one BOM line during a determination (not exported)."""

    material: Material
    depth: int
    value: Decimal | None
    originating: bool
    counted_as: str
    shift_relevant: bool
    citations: list[Citation]
    notes: list[str]
    shift: Outcome | None = None
    de_minimis: bool = False


@attrs.define
class Assessment:
    """A case valued and sorted under one regime: the inputs every test reads."""

    case: Case
    regime: Regime
    date: dt.date
    lines: list[Line]
    vnm: Decimal
    vom: Decimal
    unknown_values: list[str]
    sub_steps: list[Step]
    indirect_deemed: bool

    def row(self, line: Line) -> MaterialRow:
        m = line.material
        return MaterialRow(
            id=m.id,
            depth=line.depth,
            description=m.description,
            hs=str(m.hs) if m.hs else "",
            status="originating" if line.originating else "non-originating",
            declared_status=m.status.value,
            value=line.value,
            counted_as=line.counted_as,
            tariff_shift=line.shift,
            de_minimis=line.de_minimis,
            citations=tuple(line.citations),
            notes=tuple(line.notes),
        )

    def rows(self) -> tuple[MaterialRow, ...]:
        return tuple(self.row(line) for line in self.lines)


Decide = Callable[[Material], tuple[bool, Step, Decimal | None]]


def assess(
    case: Case,
    regime: Regime,
    date: dt.date,
    *,
    indirect_deemed: bool = True,
    decide_intermediate: Decide | None = None,
) -> Assessment:
    """Value every material (e.g. r 38) and decide how each one counts.

    ``decide_intermediate`` decides a material that has its own BOM and no declared
    origin; it returns (originating?, its step, its own VNM for roll-down).
    """
    lines: list[Line] = []
    vnm = ZERO
    vom = ZERO
    unknown: list[str] = []
    sub_steps: list[Step] = []
    accessories_lose = bool(
        regime.accessories_lose_if_raising_fact
        and case.facts.get(regime.accessories_lose_if_raising_fact) is True
    )
    for material in case.materials:
        value = material.value
        citations: list[Citation] = [regime.valuation]
        notes: list[str] = []
        status = material.status
        rolled_vnm: Decimal | None = None
        if material.components and status is OriginStatus.UNDETERMINED:
            if decide_intermediate is None:
                notes.append("has its own BOM but intermediate materials are not decided here")
            else:
                originating, step, rolled_vnm = decide_intermediate(material)
                sub_steps.append(step)
                status = OriginStatus.ORIGINATING if originating else OriginStatus.NON_ORIGINATING
                notes.append(f"decided bottom-up from its own BOM: {status.value}")
        originating = status is OriginStatus.ORIGINATING
        deemed = material.indirect and regime.indirect is not None and indirect_deemed
        if status is OriginStatus.UNDETERMINED and not deemed:
            notes.append("origin undetermined: counted as non-originating")
        if value is not None and material.adjustments:
            value = _adjust(material, value, originating, regime, citations, notes)
        counted_as = "VOM" if originating else "VNM"
        shift_relevant = not originating
        if material.packaging is Packaging.SHIPMENT and regime.shipment_packaging:
            counted_as, shift_relevant = "excluded", False
            citations.append(regime.shipment_packaging)
            notes.append("packing for shipment only: not taken into account")
        elif deemed and regime.indirect is not None:
            originating, counted_as, shift_relevant = True, "VOM", False
            citations.append(regime.indirect)
            notes.append("indirect material: deemed originating")
        else:
            if material.packaging is Packaging.RETAIL and regime.retail_packaging_shift:
                shift_relevant = False
                citations.append(regime.retail_packaging_shift)
                if regime.retail_packaging_rvc:
                    citations.append(regime.retail_packaging_rvc)
                notes.append("retail packaging: left out of the tariff-shift test, counted in RVC")
            elif material.accessory is not None and regime.accessories:
                acc = material.accessory
                if accessories_lose:
                    notes.append("accessory added to raise RVC: treated as an ordinary material")
                elif acc.invoiced_separately is False and acc.customary is True:
                    shift_relevant = False
                    citations.append(regime.accessories)
                    notes.append("standard accessory: left out of the tariff-shift test")
                else:
                    notes.append(
                        "accessory not shown to be customary and invoiced with the goods: "
                        "treated as an ordinary material"
                    )
            if not originating and material.self_produced and regime.vnm_excludes_self_produced:
                citations.append(regime.vnm_excludes_self_produced)
                if rolled_vnm is not None:
                    notes.append(f"self-produced: its own non-originating inputs ({rolled_vnm}) count")
                    counted_as = "VNM (roll-down)"
                else:
                    counted_as = "excluded"
                    notes.append("self-produced: not included in VNM")
        if value is None:
            if counted_as != "excluded":
                unknown.append(material.id)
        elif counted_as == "VOM":
            vom += value
        elif counted_as == "VNM":
            vnm += value
        elif counted_as == "VNM (roll-down)" and rolled_vnm is not None:
            vnm += rolled_vnm
        lines.append(
            Line(material, 0, value, originating, counted_as, shift_relevant, citations, notes)
        )
    return Assessment(case, regime, date, lines, vnm, vom, unknown, sub_steps, indirect_deemed)


def _adjust(
    material: Material,
    value: Decimal,
    originating: bool,
    regime: Regime,
    citations: list[Citation],
    notes: list[str],
) -> Decimal:
    """Apply optional value adjustments: originating materials add, non-originating subtract."""
    side = "originating" if originating else "non-originating"
    own = regime.adjust_originating if originating else regime.adjust_non_originating
    other = regime.adjust_non_originating if originating else regime.adjust_originating
    for adjustment in material.adjustments:
        term = own.get(adjustment.kind)
        if term is None:
            if adjustment.kind not in other:
                known = sorted({*own, *other})
                raise CaseError(
                    f"material {material.id!r}: unknown adjustment {adjustment.kind!r} "
                    f"(known: {', '.join(known)})"
                )
            notes.append(f"adjustment {adjustment.kind} is not available for {side} materials: ignored")
            continue
        value = value + adjustment.amount if originating else value - adjustment.amount
        citations.append(term.reference)
        notes.append(f"{'+' if originating else '−'}{adjustment.amount} {term.text}")
    if value < 0:
        raise CaseError(f"material {material.id!r}: adjustments take its value below zero")
    return value


# --------------------------------------------------------------------------- tariff shift


def shift_of(good: HSCode, material: HSCode | None, rule: TariffShift) -> tuple[Outcome, str]:
    """Whether one non-originating material makes the change the rule asks for."""
    level = _SHIFT_LEVEL[rule.level]
    word = _SHIFT_WORD[rule.level]
    if material is None:
        return NEEDS_INFO, "HS code not given"
    mine = material.prefix(level)
    if mine is None:
        return NEEDS_INFO, f"HS code {material} is not precise to the {word}"
    for excluded in rule.exceptions:
        if excluded.contains(material):
            return FAILS, f"{material} is within the exception {excluded}"
    if mine == good.prefix(level):
        return FAILS, f"same {word} as the good ({mine})"
    return MEETS, f"{word} changes {mine} → {good.prefix(level)}"


def tariff_shift_step(a: Assessment, rule: TariffShift, citation: Citation) -> Step:
    """Every shift-relevant material must change classification; de minimis may rescue."""
    good = a.case.good.hs
    failing: list[Line] = []
    unknown: list[str] = []
    for line in a.lines:
        if not line.shift_relevant:
            continue
        outcome, _reason = shift_of(good, line.material.hs, rule)
        line.shift = outcome
        if outcome is FAILS:
            failing.append(line)
        elif outcome is NEEDS_INFO:
            unknown.append(line.material.id)
    checked = sum(1 for line in a.lines if line.shift_relevant)
    inputs: tuple[tuple[str, object], ...] = (
        ("good HS", str(good)),
        ("non-originating materials checked", checked),
        ("failing", len(failing)),
    )
    if not failing and not unknown:
        return Step(
            f"tariff shift {rule}",
            citation,
            MEETS,
            f"all {checked} non-originating materials change {_SHIFT_WORD[rule.level]}",
            inputs,  # type: ignore[arg-type]
        )
    children: list[Step] = []
    outcome = NEEDS_INFO if unknown and not failing else FAILS
    missing = tuple(f"HS code (to the {_SHIFT_WORD[rule.level]}) of material {m}" for m in unknown)
    summary = (
        f"{len(failing)} material(s) do not change {_SHIFT_WORD[rule.level]}: "
        + ", ".join(line.material.id for line in failing[:10])
        + ("…" if len(failing) > 10 else "")
        if failing
        else f"classification of {len(unknown)} material(s) not known well enough"
    )
    if failing:
        de_minimis = de_minimis_step(a, failing)
        children.append(de_minimis)
        if de_minimis.outcome is MEETS:
            outcome = MEETS if not unknown else NEEDS_INFO
            summary += "; rescued by de minimis"
        elif de_minimis.outcome is NEEDS_INFO:
            outcome = NEEDS_INFO
    return Step(
        f"tariff shift {rule}",
        citation,
        outcome,
        summary,
        inputs,  # type: ignore[arg-type]
        missing=missing if outcome is NEEDS_INFO else (),
        children=tuple(children),
    )


def de_minimis_step(a: Assessment, failing: Sequence[Line]) -> Step:
    """Non-originating materials failing the shift may total at most a share of the base."""
    regime = a.regime
    base = getattr(a.case.good, regime.de_minimis_base)
    unknown = [line.material.id for line in failing if line.value is None]
    total = sum((line.value for line in failing if line.value is not None), ZERO)
    missing = [f"value of material {m}" for m in unknown]
    if base is None:
        missing.append(f"{regime.de_minimis_base_label} of the good")
    inputs: list[tuple[str, object]] = [
        ("value of non-originating materials failing the shift", total),
        (regime.de_minimis_base_label, base),
        ("allowed share", f"{percent(regime.de_minimis_share * 100)}"),
    ]
    if missing:
        return Step(
            "de minimis",
            regime.de_minimis,
            NEEDS_INFO,
            "cannot total the materials failing the shift",
            tuple(inputs),  # type: ignore[arg-type]
            missing=tuple(missing),
        )
    assert base is not None
    limit = exact(base) * regime.de_minimis_share
    share = exact(total) / exact(base) if base else Fraction(0)
    ok = exact(total) <= limit
    if ok:
        for line in failing:
            line.de_minimis = True
    return Step(
        "de minimis",
        regime.de_minimis,
        Outcome.of(ok),
        f"{total} is {percent(share * 100)} of the {regime.de_minimis_base_label} "
        f"({'within' if ok else 'over'} the {percent(regime.de_minimis_share * 100)} allowed)",
        tuple(inputs),  # type: ignore[arg-type]
        value=share * 100,
        threshold=regime.de_minimis_share * 100,
        margin=(regime.de_minimis_share - share) * 100,
    )


# --------------------------------------------------------------------------- RVC


def rvc_result(a: Assessment, method: RVCMethod, threshold: Fraction) -> RVCResult:
    raw = method.inputs(a)
    missing = [method.missing_names.get(k, k) for k, v in raw.items() if v is None]
    if missing:
        return RVCResult(
            method.slug, method.citation, method.formula.text, (), None, threshold,
            NEEDS_INFO, None, (), note="missing: " + ", ".join(missing),
        )
    values = {k: exact(v) for k, v in raw.items() if v is not None}
    try:
        value = method.formula.evaluate(values)
    except FormulaError as error:
        return RVCResult(
            method.slug, method.citation, method.formula.text, tuple(values.items()), None,
            threshold, FAILS, None, (), note=str(error),
        )
    headroom = []
    for symbol in method.headroom_for:
        try:
            bound = method.formula.headroom(symbol, threshold, values)
        except FormulaError:
            continue
        headroom.append((bound.symbol, bound.direction, bound.value))
    return RVCResult(
        method.slug,
        method.citation,
        method.formula.text,
        tuple(values.items()),
        value,
        threshold,
        Outcome.of(value >= threshold),
        value - threshold,
        tuple(headroom),
    )


def rvc_step(result: RVCResult, missing_facts: Sequence[str] = ()) -> Step:
    inputs = tuple((name, value) for name, value in result.inputs)
    if result.value is None:
        return Step(
            f"RVC {result.method}",
            result.citation,
            result.outcome,
            f"RVC ({result.method}) not computed: {result.note}",
            inputs,  # type: ignore[arg-type]
            threshold=result.threshold,
            missing=tuple(missing_facts) or (result.note,),
        )
    verb = "reaches" if result.outcome is MEETS else "is below"
    return Step(
        f"RVC {result.method}",
        result.citation,
        result.outcome,
        f"{result.formula} = {percent(result.value)} {verb} {percent(result.threshold)}"
        + (f" ({result.note})" if result.note else ""),
        inputs,  # type: ignore[arg-type]
        value=result.value,
        threshold=result.threshold,
        margin=result.margin,
    )


# --------------------------------------------------------------------------- PSR


LeafEvaluator = Callable[[Rule], Step]


def evaluate_rule(rule: Rule, leaf: LeafEvaluator, citation: Citation) -> Step:
    """Walk a PSR tree in three-valued logic; leaves are the agreement's to evaluate."""
    if isinstance(rule, AnyOf | AllOf):
        children = tuple(evaluate_rule(term, leaf, citation) for term in rule.terms)
        combine = Outcome.any if isinstance(rule, AnyOf) else Outcome.all
        outcome = combine(c.outcome for c in children)
        word = "any of" if isinstance(rule, AnyOf) else "all of"
        met = [str(t) for t, c in zip(rule.terms, children, strict=True) if c.outcome is MEETS]
        summary = f"{word}: {str(rule)}" + (f" — met by {'; '.join(met)}" if met else "")
        return Step(f"rule {rule}", citation, outcome, summary, children=children)
    return leaf(rule)


def alternatives_met(rule: Rule, step: Step) -> tuple[str, ...]:
    """The PSR alternatives (top-level 'or' terms) that were met, for the basis."""
    if isinstance(rule, AnyOf):
        return tuple(
            str(term)
            for term, child in zip(rule.terms, step.children, strict=True)
            if child.outcome is MEETS
        )
    return (str(rule),) if step.outcome is MEETS else ()


def leaf_kinds() -> tuple[type, ...]:
    return (WhollyObtained, TariffShift, RegionalValueContent)


# --------------------------------------------------------------------------- operations


def minimal_operations_step(
    operations: tuple[str, ...] | None,
    minimal: Mapping[str, Term],
    citation: Citation,
    fact_name: str,
) -> Step:
    """Meets when the production goes beyond the listed minimal operations."""
    if operations is None:
        return Step(
            "minimal operations",
            citation,
            NEEDS_INFO,
            "the operations performed on the goods are not stated",
            missing=(fact_name,),
        )
    beyond = [op for op in operations if op not in minimal]
    inputs = (("operations", ", ".join(operations) or "none"),)
    if beyond:
        return Step(
            "minimal operations",
            citation,
            MEETS,
            f"production goes beyond minimal operations ({', '.join(beyond)})",
            inputs,  # type: ignore[arg-type]
        )
    cited = "; ".join(f"{op}: {minimal[op].reference}" for op in operations)
    return Step(
        "minimal operations",
        citation,
        FAILS,
        f"only minimal operations were performed ({cited or 'none'})",
        inputs,  # type: ignore[arg-type]
    )


def transit_step(
    consignment: Consignment | None,
    parties: Sequence[str],
    allowed: Mapping[str, Term],
    citation: Citation,
    *,
    commerce_matters: bool = False,
) -> Step:
    """Operations outside the parties beyond the allowed ones cost the goods their origin."""
    if consignment is None or consignment.transit is None:
        return Step(
            "transhipment",
            citation,
            NEEDS_INFO,
            "the route of the goods to New Zealand is not stated",
            missing=("consignment route (transit countries, or none)",),
        )
    outside = [stop for stop in consignment.transit if stop.country not in parties]
    if not outside:
        return Step("transhipment", citation, MEETS, "shipped without passing outside the parties")
    problems: list[str] = []
    missing: list[str] = []
    for stop in outside:
        if stop.operations is None:
            missing.append(f"operations performed in {stop.country}")
            continue
        bad = [op for op in stop.operations if op not in allowed]
        if bad:
            problems.append(f"{stop.country}: {', '.join(bad)}")
        if commerce_matters:
            if stop.entered_commerce is None:
                missing.append(f"whether the goods entered the commerce of {stop.country}")
            elif stop.entered_commerce:
                problems.append(f"{stop.country}: entered commerce")
    inputs = (("transit", ", ".join(s.country for s in outside)),)
    if problems:
        return Step(
            "transhipment", citation, FAILS,
            "operations outside the parties beyond those allowed: " + "; ".join(problems),
            inputs,  # type: ignore[arg-type]
        )
    if missing:
        return Step(
            "transhipment", citation, NEEDS_INFO, "transit facts missing",
            inputs, missing=tuple(missing),  # type: ignore[arg-type]
        )
    return Step(
        "transhipment", citation, MEETS,
        "only allowed operations outside the parties", inputs,  # type: ignore[arg-type]
    )
