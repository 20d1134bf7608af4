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
import functools
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import overload

import attrs

from origin.citation import Citation
from origin.determination import (
    FAILS,
    MEETS,
    NEEDS_INFO,
    Figure,
    MaterialRow,
    Outcome,
    RVCResult,
    Step,
)
from origin.errors import CaseError as CaseError  # noqa: PLC0414 - re-exported for plugins
from origin.formulas import Formula, FormulaError
from origin.hs import HSCode, HSLevel, HSRange
from origin.law import Term
from origin.model import Case, Consignment, Material, OriginStatus, Packaging, ValueBasis
from origin.psr import (
    AllOf,
    AnyOf,
    Condition,
    GoodsOf,
    MaxNonOriginating,
    Process,
    RegionalValueContent,
    Rule,
    ShiftLevel,
    TariffShift,
    WhollyObtained,
)

ZERO = Decimal(0)
_SHIFT_LEVEL = {
    ShiftLevel.CC: HSLevel.CHAPTER,
    ShiftLevel.CTH: HSLevel.HEADING,
    ShiftLevel.CTSH: HSLevel.SUBHEADING,
}
_SHIFT_WORD = {ShiftLevel.CC: "chapter", ShiftLevel.CTH: "heading", ShiftLevel.CTSH: "subheading"}


def all_materials(case: Case) -> Sequence[Material]:
    """Every material at any depth, parents first (``case.walk()`` without the depths).

    A flat BOM is returned as it is: walking 100,000 lines through a generator cost more
    than the test that reads them.
    """
    materials = case.materials
    seen, deep = _LAST_WALKED[0]
    if seen() is not case:
        deep = bool([m for m in materials if m.components])  # (faster than a loop that stops)
        _LAST_WALKED[0] = (weakref.ref(case), deep)
    return [m for _, m in case.walk()] if deep else materials


def _nothing() -> None:
    return None


# Whether the last case asked about has a sub-BOM (plugins ask several times of one case);
# held weakly, so a case is not kept alive by having been asked about.
_LAST_WALKED: list[tuple[Callable[[], Case | None], bool]] = [(_nothing, False)]


def exact(amount: Decimal | int) -> Fraction:
    """Decimal → Fraction without rounding (Fraction(Decimal) is exact)."""
    return Fraction(amount)


def percent(value: Fraction, places: int = 4) -> str:
    """Display only: a percentage rounded half-even for reading, never for a test."""
    quantum = _QUANTA.get(places)
    if quantum is None:
        quantum = _QUANTA[places] = Decimal(1).scaleb(-places)
    shown = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(quantum)
    text = f"{shown.normalize():f}"
    # Whether the shown figure is the value itself, compared exactly in integers (as
    # value == Fraction(shown), without building a Fraction per figure).
    numerator, denominator = shown.as_integer_ratio()
    exact_shown = value.numerator * denominator == numerator * value.denominator
    return f"{text}%" if exact_shown else f"{text}…%"


_QUANTA: dict[int, Decimal] = {}  # the quantum of each number of places, made once


@functools.lru_cache(maxsize=1024)
def law_percent(value: Fraction) -> str:
    """:func:`percent` of a figure the law fixes (a rule's threshold, a de minimis share),
    worked out once per figure rather than once per determination."""
    return percent(value)


@functools.lru_cache(maxsize=256)
def _share_text(share: Fraction) -> str:
    """A de minimis share as a percentage (``1/10`` → ``10%``), once per share."""
    return percent(share * 100)


# --------------------------------------------------------------------------- regime


@attrs.frozen
class RVCInputs:
    """A method's inputs from the known figures, and what the unknown ones could do.

    ``unknown`` names materials whose values are missing. ``raises`` says which way they
    can move the RVC: True only up (e.g. more VOM), False only down (more VNM), None either.
    The RVC of the known figures is then a bound, and decides the test when it already
    passes (a lower bound) or already fails (an upper bound).
    """

    values: Mapping[str, Decimal | None]
    unknown: tuple[str, ...] = ()
    raises: bool | None = None


@attrs.frozen
class RVCMethod:
    """One RVC method: its formula, provision, and how to get its inputs from a case."""

    slug: str
    formula: Formula
    citation: Citation
    inputs: Callable[[Assessment], RVCInputs]
    headroom_for: tuple[str, ...]
    missing_names: Mapping[str, str] = attrs.field(factory=dict)
    # The good's values the formula reads (``good.<field>``) with what to ask for when absent.
    good_values: tuple[tuple[str, str], ...] = ()
    # What to ask for when the formula reads the cost lines (``costs.<group>``) and the case
    # has none (e.g. "cost lines (direct labour, direct overhead, profit and other cost)").
    no_costs: str = ""


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
    accumulation: Citation | None = None  # originating in another party counts (e.g. r 33(3))
    accepted_bases: frozenset[ValueBasis] | None = None  # None: any basis the user states
    bases_only_for_non_originating: bool = False  # e.g. VNM at CIF says nothing of VOM
    # The producing parties whose goods the accumulation provision speaks of (empty: any),
    # e.g. r 51G(2) deems New Zealand materials Thai only in goods produced in Thailand.
    accumulation_into: tuple[str, ...] = ()
    # An alternative de minimis by weight for goods of some HS chapters (e.g. r 51ZS(b)(i)):
    # met when either the weight share or the value share is within the limit.
    de_minimis_weight_chapters: frozenset[str] = frozenset()
    de_minimis_weight: Citation | None = None
    # The value test of goods of those chapters where it has its own provision (e.g.
    # r 51ZS(b)(ii)); ``None``: the value test cites ``de_minimis`` for every good.
    de_minimis_weight_value: Citation | None = None
    parties: tuple[str, ...] = ()


# --------------------------------------------------------------------------- assessment


@attrs.define(slots=True)
class Line:
    """Working state for a BOM line that needs more than the plain treatment."""

    material: Material
    value: Decimal | None
    originating: bool
    counted_as: str
    shift_relevant: bool
    citations: list[Citation]
    notes: list[str]
    unadjusted: Decimal | None = None  # before the optional RVC adjustments (e.g. r 38(2)-(3))
    vom_part: Decimal | None = ZERO  # what the line adds to VOM (None: unknown)
    vnm_part: Decimal | None = ZERO  # what the line adds to VNM (None: unknown)
    treated_originating: bool = False  # e.g. a standard accessory under r 39(1)


@attrs.define
class ShiftRecord:
    """The first tariff-shift rule evaluated, kept to fill the per-material table."""

    rule: TariffShift
    by_code: dict[HSCode | None, Outcome]
    rescued: bool = False
    # The same outcomes by the code object's identity (see tariff_shift_step): a row finds
    # its line's outcome without hashing its code. Holds only codes of this case's lines.
    by_object: dict[int, Outcome] = attrs.Factory(dict)


@attrs.define
class Assessment:
    """A case valued and sorted under one regime: the inputs every test reads.

    Plain BOM lines (no packaging, accessory, indirect, adjustment, sub-BOM or attribute)
    are not copied: their treatment follows from the material itself. Only the others get
    a :class:`Line` in ``special``. This keeps a 100,000-line BOM to one cheap pass.
    """

    case: Case
    regime: Regime
    date: dt.date
    special: dict[int, Line]
    shift_relevant: list[int]
    vnm: Decimal
    vom: Decimal
    materials_total: Decimal  # every material except packing for shipment
    originating_total: Decimal
    non_originating: list[int]  # indices of materials counted as non-originating
    unknown_values: list[str]  # every material whose value is needed and not known
    unknown_vom: list[str]  # originating materials of unknown value (VOM, QE and FC)
    unknown_vnm: list[str]  # materials whose VNM contribution is unknown
    unknown_fc_non: list[str]  # non-originating materials of unknown value (FC)
    sub_steps: list[Step]
    indirect_deemed: bool
    shift: ShiftRecord | None = None
    # The last tariff-shift rule evaluated, with its failing lines and whether any line's
    # shift was unclear: a plugin that re-reads them (e.g. CPTPP's Annex 3-C) need not walk
    # the BOM again.
    last_shift: tuple[TariffShift, list[int], bool] | None = None

    def value_of(self, index: int) -> Decimal | None:
        line = self.special.get(index)
        return line.value if line is not None else self.case.materials[index].value

    def unadjusted_value_of(self, index: int) -> Decimal | None:
        """The value before adjustments that the law allows only for RVC (e.g. r 38(1))."""
        line = self.special.get(index)
        return line.unadjusted if line is not None else self.case.materials[index].value

    def originating(self, index: int) -> bool:
        line = self.special.get(index)
        if line is not None:
            return line.originating
        return self.case.materials[index].status is OriginStatus.ORIGINATING

    def special_lines(self) -> list[Line]:
        return list(self.special.values())

    def row(self, index: int) -> MaterialRow:
        return _row(self, index)

    def rows(self) -> MaterialTable:
        return MaterialTable(self)


@attrs.frozen
class _RegimeOfRows:
    """What a material row reads of its regime (the regime itself holds compiled
    formulas, which do not travel to another process)."""

    valuation: Citation
    accumulation: Citation | None
    accumulation_into: tuple[str, ...]
    parties: tuple[str, ...]


@attrs.frozen
class RowSource:
    """What :func:`_row` reads to build a material row, and no more: a material table sent
    to another process travels as this (the case's lines, shared with the case sent beside
    it, and the few special ones), and its rows are built there when read, as here."""

    case: Case
    regime: _RegimeOfRows
    special: dict[int, Line]
    shift: ShiftRecord | None

    @classmethod
    def of(cls, a: Assessment) -> RowSource:
        r, record = a.regime, a.shift
        if record is not None:  # outcomes by object identity mean nothing elsewhere
            record = ShiftRecord(record.rule, record.by_code, record.rescued)
        kept = _RegimeOfRows(r.valuation, r.accumulation, r.accumulation_into, r.parties)
        return cls(a.case, kept, a.special, record)

    def row(self, index: int) -> MaterialRow:
        return _row(self, index)


def _row(source: Assessment | RowSource, index: int) -> MaterialRow:
    """Material row ``index`` of an assessment (or of what was kept of one)."""
    m = source.case.materials[index]
    line = source.special.get(index)
    regime = source.regime
    if line is None:
        # A plain line: everything follows from the material and its status. Its tuples
        # are shared by every plain row (a row's every allocation wakes the collector
        # sooner, which then walks the whole table).
        originating = m.status is _ORIGINATING
        value = m.value
        relevant = not originating
        row_citations: tuple[Citation, ...] = _alone(regime.valuation)
        row_notes: tuple[str, ...] = (
            _UNDETERMINED_NOTES if m.status is _UNDETERMINED_STATUS else ()
        )
        vom_part: Decimal | None
        vnm_part: Decimal | None
        if originating:
            counted_as, vom_part, vnm_part = "VOM", value, ZERO
        else:
            counted_as, vom_part, vnm_part = "VNM", ZERO, value
    else:
        originating, value, counted_as = line.originating, line.value, line.counted_as
        row_citations, row_notes = tuple(line.citations), tuple(line.notes)
        relevant = line.shift_relevant
        vom_part, vnm_part = line.vom_part, line.vnm_part
    if originating and regime.accumulation is not None and m.origin_country is not None:
        producer = source.case.good.last_process_in
        if (
            producer is not None
            and m.origin_country != producer
            and m.origin_country in regime.parties
            and (not regime.accumulation_into or producer in regime.accumulation_into)
        ):
            row_citations = (*row_citations, regime.accumulation)
            row_notes = (
                *row_notes,
                f"originating in {m.origin_country}: deemed to originate in {producer}",
            )
    shift = None
    rescued = False
    record = source.shift
    if relevant and record is not None:
        shift = record.by_object.get(id(m.hs))
        if shift is None:
            shift = record.by_code.get(m.hs)
        rescued = shift is FAILS and record.rescued
    hs = m.hs
    return MaterialRow(
        m.id,
        0,
        m.description,
        str(hs) if hs is not None else "",
        "originating" if originating else "non-originating",
        m.status._value_,  # (Enum.value is a property, slow per row)
        value,
        counted_as,
        vom_part,
        vnm_part,
        shift,
        rescued,
        row_citations,
        row_notes,
    )


class MaterialTable(Sequence[MaterialRow]):
    """The per-material table, built row by row when read (a 100k-line BOM stays cheap)."""

    __slots__ = ("_assessment",)

    def __init__(self, assessment: Assessment | RowSource) -> None:
        self._assessment = assessment

    def __len__(self) -> int:
        return len(self._assessment.case.materials)

    @overload
    def __getitem__(self, index: int) -> MaterialRow: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[MaterialRow]: ...
    def __getitem__(self, index: int | slice) -> MaterialRow | Sequence[MaterialRow]:
        if isinstance(index, slice):
            return [self._assessment.row(i) for i in range(len(self))[index]]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._assessment.row(index)

    def __iter__(self) -> Iterator[MaterialRow]:
        row = self._assessment.row
        return (row(i) for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return list(self) == list(other)

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return f"MaterialTable({len(self)} rows)"

    def __reduce__(self) -> tuple[type[MaterialTable], tuple[RowSource]]:
        """Sent to another process as what its rows are built from (:class:`RowSource`,
        not the assessment: that holds compiled formulas, which do not travel), so no row
        is built to be sent, and the other side builds each when read, as here."""
        source = self._assessment
        if isinstance(source, Assessment):
            source = RowSource.of(source)
        return (MaterialTable, (source,))


_UNDETERMINED = "origin undetermined: counted as non-originating"
_UNDETERMINED_NOTES = (_UNDETERMINED,)
_ORIGINATING = OriginStatus.ORIGINATING  # enum members read once (slow off the class)
_UNDETERMINED_STATUS = OriginStatus.UNDETERMINED
_ALONE: dict[int, tuple[Citation]] = {}


def _alone(citation: Citation) -> tuple[Citation]:
    """``(citation,)``, one tuple per citation object (each holding its citation, so that
    its id is not reused while it is kept; citations are few: the law's)."""
    kept = _ALONE.get(id(citation))
    if kept is None or kept[0] is not citation:
        if len(_ALONE) > 4096:
            _ALONE.clear()
        kept = _ALONE[id(citation)] = (citation,)
    return kept


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
    special: dict[int, Line] = {}
    # Plain lines: the non-originating ones are also the ones the tariff shift reads, and the
    # originating ones' VOM is their originating total (the same sums, kept once).
    non_originating: list[int] = []
    sub_steps: list[Step] = []
    vnm = vom = total = ZERO
    tally = _Tally()
    originating_status = OriginStatus.ORIGINATING
    plain_packaging = Packaging.NONE
    accepted = regime.accepted_bases
    for index, m in enumerate(case.materials):
        if (
            m.components
            or m.adjustments
            or m.indirect
            or m.self_produced
            or m.accessory is not None
            or m.packaging is not plain_packaging
            or m.attributes
            or m.value is None
            or (m.basis is not None and accepted is not None and m.basis not in accepted)
        ):
            line = _special(
                case,
                regime,
                m,
                indirect_deemed=indirect_deemed,
                decide_intermediate=decide_intermediate,
                sub_steps=sub_steps,
            )
            special[index] = line
            if line.counted_as != _EXCLUDED:  # excluded lines are not taken into account
                tally.add(index, line)
            continue
        value = m.value
        total += value
        if m.status is originating_status:
            vom += value
        else:
            vnm += value
            non_originating.append(index)
    t = tally
    return Assessment(
        case,
        regime,
        date,
        special,
        _merge(non_originating.copy(), t.relevant),
        vnm + t.vnm,
        vom + t.vom,
        total + t.total,
        vom + t.originating_total,
        _merge(non_originating, t.non_originating),
        t.unknown,
        t.unknown_vom,
        t.unknown_vnm,
        t.unknown_fc_non,
        sub_steps,
        indirect_deemed,
    )


def _merge(plain: list[int], special: list[int]) -> list[int]:
    """Indices in BOM order (sorting only when special lines add any)."""
    return sorted(plain + special) if special else plain


@attrs.define
class _Tally:
    """Sums and lists from the special lines (the plain ones are summed inline)."""

    vnm: Decimal = ZERO
    vom: Decimal = ZERO
    total: Decimal = ZERO
    originating_total: Decimal = ZERO
    relevant: list[int] = attrs.Factory(list)
    non_originating: list[int] = attrs.Factory(list)
    unknown: list[str] = attrs.Factory(list)
    unknown_vom: list[str] = attrs.Factory(list)  # originating, value unknown
    unknown_vnm: list[str] = attrs.Factory(list)  # VNM contribution unknown
    unknown_fc_non: list[str] = attrs.Factory(list)  # non-originating, value unknown

    def add(self, index: int, line: Line) -> None:
        ident = line.material.id
        if not line.originating and not line.treated_originating:
            self.non_originating.append(index)
        if line.shift_relevant:
            self.relevant.append(index)
        value = line.value
        if value is None:  # its own value: needed for factory cost and for VOM
            self.unknown.append(ident)
            (self.unknown_vom if line.originating else self.unknown_fc_non).append(ident)
        else:
            self.total += value
            if line.originating:
                self.originating_total += value
        if line.vom_part is not None:
            self.vom += line.vom_part
        if line.vnm_part is None:
            self.unknown_vnm.append(ident)
            if value is not None:
                self.unknown.append(ident)
        else:
            self.vnm += line.vnm_part


_ROLL_DOWN = "inputs in VNM (roll-down)"
_EXCLUDED = "excluded"  # not taken into account in determining origin (e.g. r 39B(3))


def _special(
    case: Case,
    regime: Regime,
    material: Material,
    *,
    indirect_deemed: bool,
    decide_intermediate: Decide | None,
    sub_steps: list[Step],
) -> Line:
    """The full treatment of one BOM line: sub-BOM, adjustments, packaging, accessories."""
    value = material.value
    citations: list[Citation] = [regime.valuation]
    notes: list[str] = []
    status = material.status
    accepted = regime.accepted_bases
    if regime.bases_only_for_non_originating and status is OriginStatus.ORIGINATING:
        accepted = None
    if material.basis is not None and accepted is not None and material.basis not in accepted:
        # A value on a basis the agreement does not use is no value for its tests.
        notes.append(
            f"value given on a {material.basis.value} basis, which {regime.valuation} does not "
            f"use (accepted: {', '.join(sorted(b.value for b in accepted))}): value needed"
        )
        value = None
    rolled_vnm: Decimal | None = None
    rolls_down = material.self_produced and regime.vnm_excludes_self_produced is not None
    if material.components and (status is OriginStatus.UNDETERMINED or rolls_down):
        decided, rolled_vnm = _bottom_up(material, decide_intermediate, sub_steps, notes)
        if status is OriginStatus.UNDETERMINED:
            status = decided
    originating = status is OriginStatus.ORIGINATING
    deemed = material.indirect and regime.indirect is not None and indirect_deemed
    if status is OriginStatus.UNDETERMINED and not deemed:
        notes.append(_UNDETERMINED)
    unadjusted = value
    if value is not None and material.adjustments:
        value = _adjust(
            material,
            value,
            originating=originating,
            regime=regime,
            citations=citations,
            notes=notes,
        )
    counted_as = "VOM" if originating else "VNM"
    shift_relevant = not originating
    relief = False
    if material.packaging is Packaging.SHIPMENT and regime.shipment_packaging:
        counted_as, shift_relevant = _EXCLUDED, False
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
            relief = _accessory(
                case,
                regime,
                material,
                citations=citations,
                notes=notes,
            )
            # Relieved accessories are treated as originating and leave the tariff shift;
            # in RVC they count by their own status (e.g. r 39(1)(c)).
            shift_relevant = shift_relevant and not relief
        if rolls_down and regime.vnm_excludes_self_produced is not None:
            # r 36(1)-style: a self-produced material is not itself in VNM; the
            # non-originating materials acquired to make it are (roll-down).
            citations.append(regime.vnm_excludes_self_produced)
            shown = "unknown: give its BOM" if rolled_vnm is None else str(rolled_vnm)
            notes.append(
                f"self-produced: not itself in VNM; the non-originating materials acquired "
                f"to make it count instead ({shown})"
            )
            counted_as = "VOM + inputs in VNM" if originating else _ROLL_DOWN
            return Line(
                material,
                value,
                originating,
                counted_as,
                shift_relevant,
                citations,
                notes,
                unadjusted,
                value if originating else ZERO,
                rolled_vnm,
                treated_originating=relief,
            )
    return Line(
        material,
        value,
        originating,
        counted_as,
        shift_relevant,
        citations,
        notes,
        unadjusted,
        value if counted_as == "VOM" else ZERO,
        value if counted_as == "VNM" else ZERO,
        treated_originating=relief,
    )


def _bottom_up(
    material: Material,
    decide_intermediate: Decide | None,
    sub_steps: list[Step],
    notes: list[str],
) -> tuple[OriginStatus, Decimal | None]:
    """Decide an intermediate material from its own BOM: its status and roll-down VNM."""
    if decide_intermediate is None:
        notes.append("has its own BOM but intermediate materials are not decided here")
        return material.status, None
    originating, step, rolled_vnm = decide_intermediate(material)
    sub_steps.append(step)
    status = OriginStatus.ORIGINATING if originating else OriginStatus.NON_ORIGINATING
    if step.outcome is NEEDS_INFO:
        notes.append(
            f"its own BOM leaves its origin open (needs information): counted as "
            f"{status.value} here, and the verdict is checked both ways"
        )
    else:
        notes.append(f"decided bottom-up from its own BOM: {status.value}")
    return status, rolled_vnm


def _accessory(
    case: Case,
    regime: Regime,
    material: Material,
    *,
    citations: list[Citation],
    notes: list[str],
) -> bool:
    """Whether a standard accessory, spare part or tool has the relief of e.g. r 39(1)."""
    fact = regime.accessories_lose_if_raising_fact
    acc = material.accessory
    assert acc is not None and regime.accessories is not None
    if fact and case.facts.get(fact) is True:
        notes.append("accessory added to raise RVC: treated as an ordinary material")
        return False
    if acc.invoiced_separately is False and acc.customary is True:
        citations.append(regime.accessories)
        notes.append(
            "standard accessory: treated as originating and left out of the tariff-shift test; "
            "counted by its own status in RVC"
        )
        return True
    notes.append(
        "accessory not shown to be customary and invoiced with the goods: "
        "treated as an ordinary material"
    )
    return False


def _adjust(
    material: Material,
    value: Decimal,
    *,
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
            notes.append(
                f"adjustment {adjustment.kind} is not available for {side} materials: ignored"
            )
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
        if isinstance(excluded, HSRange) and excluded.contains(material):
            return FAILS, f"{material} is within the exception {excluded}"
    if mine == good.prefix(level):
        return FAILS, f"same {word} as the good ({mine})"
    partly = excepted_goods(rule, material)
    if partly is not None:
        # Only some goods of the code are excepted: whether this material is one of them
        # is a fact about the material, not its code.
        return NEEDS_INFO, f"{material} may be {partly} (excepted)"
    return MEETS, f"{word} changes {mine} → {good.prefix(level)}"


def excepted_goods(rule: TariffShift, material: HSCode) -> GoodsOf | None:
    """The first exception naming only some goods of the material's code, if any."""
    for excluded in rule.exceptions:
        if isinstance(excluded, GoodsOf) and excluded.contains(material):
            return excluded
    return None


def tariff_shift_step(a: Assessment, rule: TariffShift, citation: Citation) -> Step:
    """Every shift-relevant material must change classification; de minimis may rescue.

    The outcome depends only on the material's HS code, so it is computed once per
    distinct code and looked up for each line.
    """
    good = a.case.good.hs
    materials = a.case.materials
    by_code: dict[HSCode | None, Outcome] = {}
    # The same outcomes by code object: HSCode hashes in Python, an object's id in C, and a
    # BOM's lines share their code objects (parsing is cached), so most lines hash nothing.
    by_object: dict[int, Outcome] = {}
    get = by_object.get
    failing: list[int] = []
    unknown: list[str] = []
    for index in a.shift_relevant:
        code = materials[index].hs
        outcome = get(id(code))
        if outcome is None:
            outcome = by_code.get(code)
            if outcome is None:
                outcome = by_code[code] = shift_of(good, code, rule)[0]
            by_object[id(code)] = outcome
        if outcome is FAILS:
            failing.append(index)
        elif outcome is NEEDS_INFO:
            unknown.append(materials[index].id)
    record = ShiftRecord(rule, by_code, by_object=by_object) if a.shift is None else None
    if record is not None:
        a.shift = record
    a.last_shift = (rule, failing, bool(unknown))
    word = _SHIFT_WORD[rule.level]
    checked = len(a.shift_relevant)
    inputs: tuple[tuple[str, Figure], ...] = (
        ("good HS", str(good)),
        ("non-originating materials checked", checked),
        ("failing", len(failing)),
    )
    if not failing and not unknown:
        return Step(
            f"tariff shift {rule}",
            citation,
            MEETS,
            f"all {checked} non-originating materials change {word}",
            inputs,
        )
    children: list[Step] = []
    outcome = NEEDS_INFO if unknown and not failing else FAILS
    missing = tuple(_shift_fact(rule, materials, m, word) for m in unknown)
    if failing:
        ids = [materials[i].id for i in failing[:10]]  # the ten shown, not every id
        summary = f"{len(failing)} material(s) do not change {word}: {', '.join(ids)}" + (
            "…" if len(failing) > 10 else ""
        )
        de_minimis = de_minimis_step(a, failing)
        children.append(de_minimis)
        if de_minimis.outcome is MEETS:
            outcome = MEETS if not unknown else NEEDS_INFO
            summary += "; rescued by de minimis"
            if record is not None:
                record.rescued = True
        elif de_minimis.outcome is NEEDS_INFO:
            outcome = NEEDS_INFO
    else:
        summary = f"classification of {len(unknown)} material(s) not known well enough"
    return Step(
        f"tariff shift {rule}",
        citation,
        outcome,
        summary,
        inputs,
        missing=missing if outcome is NEEDS_INFO else (),
        children=tuple(children),
    )


def _shift_fact(rule: TariffShift, materials: Sequence[Material], ident: str, word: str) -> str:
    """What is missing to decide one material's shift: its code, or which goods it is."""
    if rule.exceptions and any(isinstance(e, GoodsOf) for e in rule.exceptions):
        code = next((m.hs for m in materials if m.id == ident), None)
        partly = excepted_goods(rule, code) if code is not None else None
        if partly is not None:
            return f'whether material {ident} ({code}) is "{partly.goods}" (excepted goods)'
    return f"HS code (to the {word}) of material {ident}"


def de_minimis_step(a: Assessment, failing: Sequence[int]) -> Step:
    """Non-originating materials failing the shift may total at most a share of the base.

    For goods of the regime's weight chapters, a weight test is an alternative: either
    passing suffices (e.g. r 51ZS(b)(i)-(ii))."""
    regime = a.regime
    if regime.de_minimis_weight is None or (
        a.case.good.hs.chapter not in regime.de_minimis_weight_chapters
    ):
        return _de_minimis_by_value(a, failing, regime.de_minimis)
    by_value = _de_minimis_by_value(a, failing, regime.de_minimis_weight_value or regime.de_minimis)
    by_weight = _de_minimis_by_weight(a, failing, regime.de_minimis_weight)
    outcome = by_value.outcome | by_weight.outcome
    return Step(
        "de minimis",
        regime.de_minimis_weight,
        outcome,
        f"by weight: {by_weight.summary}; by value: {by_value.summary}",
        children=(by_weight, by_value),
    )


def _de_minimis_by_weight(a: Assessment, failing: Sequence[int], citation: Citation) -> Step:
    regime = a.regime
    total_weight = a.case.good.weight
    weight = ZERO
    missing: list[str] = []
    for index in failing:
        material = a.case.materials[index]
        if material.weight is None:
            missing.append(f"weight of material {material.id}")
        else:
            weight += material.weight
    if total_weight is None:
        missing.append("total weight of the good")
    share_allowed = _share_text(regime.de_minimis_share)
    inputs: tuple[tuple[str, Figure], ...] = (
        ("weight of non-originating materials failing the shift", weight),
        ("weight of the good", total_weight),
        ("allowed share", share_allowed),
    )
    if total_weight is not None and exact(weight) > exact(total_weight) * regime.de_minimis_share:
        return Step(
            "de minimis by weight",
            citation,
            FAILS,
            f"{weight} exceeds {share_allowed} of the weight {total_weight}",
            inputs,
        )
    if missing or total_weight is None:
        return Step(
            "de minimis by weight",
            citation,
            NEEDS_INFO,
            "cannot total the weights of the materials failing the shift",
            inputs,
            missing=tuple(missing),
        )
    share = exact(weight) / exact(total_weight) if total_weight else Fraction(0)
    return Step(
        "de minimis by weight",
        citation,
        MEETS,
        f"{weight} is {percent(share * 100)} of the weight {total_weight} "
        f"(within the {share_allowed} allowed)",
        inputs,
        value=share * 100,
        threshold=regime.de_minimis_share * 100,
        margin=(regime.de_minimis_share - share) * 100,
    )


def _de_minimis_by_value(a: Assessment, failing: Sequence[int], citation: Citation) -> Step:
    """The value test: failing materials total at most a share of the base value."""
    regime = a.regime
    base = getattr(a.case.good, regime.de_minimis_base)
    total = ZERO
    missing: list[str] = []
    special = a.special
    materials = a.case.materials
    for index in failing:
        # The value before RVC-only adjustments (as Assessment.unadjusted_value_of, inline).
        line = special.get(index)
        value = materials[index].value if line is None else line.unadjusted
        if value is None:
            missing.append(f"value of material {materials[index].id}")
        else:
            total += value
    # "FOB value" → "FOB value of the good"; a label naming the good already stays as it is
    label = regime.de_minimis_base_label
    named = label if label.endswith("of the good") else f"{label} of the good"
    if base is None:
        missing.append(named)
    elif base == 0:
        missing.append(f"{named} (it is given as zero)")
    share_allowed = _share_text(regime.de_minimis_share)
    inputs: tuple[tuple[str, Figure], ...] = (
        ("value of non-originating materials failing the shift", total),
        (regime.de_minimis_base_label, base),
        ("allowed share", share_allowed),
    )
    if missing and base is not None and exact(total) > exact(base) * regime.de_minimis_share:
        # The known values alone already exceed the limit; missing ones can only add.
        return Step(
            "de minimis",
            citation,
            FAILS,
            f"the known values alone ({total}) exceed {share_allowed} of the "
            f"{regime.de_minimis_base_label}",
            inputs,
        )
    if missing:
        return Step(
            "de minimis",
            citation,
            NEEDS_INFO,
            "cannot total the materials failing the shift",
            inputs,
            missing=tuple(missing),
        )
    base_exact, total_exact = exact(base), exact(total)  # each made once
    limit = base_exact * regime.de_minimis_share
    share = total_exact / base_exact if base else Fraction(0)
    ok = total_exact <= limit and (base > 0 or total == 0)
    shown = share * 100
    return Step(
        "de minimis",
        citation,
        Outcome.of(ok),
        f"{total} is {percent(shown)} of the {regime.de_minimis_base_label} "
        f"({'within' if ok else 'over'} the {share_allowed} allowed)",
        inputs,
        value=shown,
        threshold=regime.de_minimis_share * 100,
        margin=(regime.de_minimis_share - share) * 100,
    )


# --------------------------------------------------------------------------- RVC


def rvc_result(a: Assessment, method: RVCMethod, threshold: Fraction) -> RVCResult:
    """Evaluate one method exactly, with headroom for each input the method names."""
    formula = method.formula

    def result(
        inputs: Mapping[str, Fraction],
        outcome: Outcome,
        *,
        value: Fraction | None = None,
        headroom: tuple[tuple[str, str, Fraction], ...] = (),
        note: str = "",
        bound: str = "",
    ) -> RVCResult:
        margin = None if value is None else value - threshold
        return RVCResult(
            method.slug,
            method.citation,
            formula.text,
            tuple(inputs.items()),
            value,
            threshold,
            outcome,
            margin,
            headroom,
            note=note,
            latex=formula.latex,
            bound=bound,
        )

    given = method.inputs(a)
    raw = given.values
    missing = [method.missing_names.get(k, k) for k, v in raw.items() if v is None]
    if missing:
        return result({}, NEEDS_INFO, note="missing: " + ", ".join(missing))
    values = {k: exact(v) for k, v in raw.items() if v is not None}
    try:
        value = formula.evaluate(values)
    except FormulaError as error:
        return result(values, NEEDS_INFO, note=f"{error}: a value of the goods is needed")
    if given.unknown:
        # Known figures give a bound; it decides only when the unknowns cannot undo it.
        meets = value >= threshold
        names = ", ".join(given.unknown[:5]) + ("…" if len(given.unknown) > 5 else "")
        side = "" if given.raises is None else ("at least" if given.raises else "at most")
        note = f"{side or 'from known values only'}: values of {names} missing"
        if (given.raises is True and meets) or (given.raises is False and not meets):
            return result(values, Outcome.of(meets), value=value, note=note, bound=side)
        return result(values, NEEDS_INFO, value=value, note=note, bound=side)
    headroom = []
    for symbol in method.headroom_for:
        try:
            edge = formula.headroom(symbol, threshold, values)
        except FormulaError:
            continue
        headroom.append((edge.symbol, edge.direction, edge.value))
    return result(values, Outcome.of(value >= threshold), value=value, headroom=tuple(headroom))


def rvc_step(result: RVCResult, missing_facts: Sequence[str] = ()) -> Step:
    inputs = tuple((name, value) for name, value in result.inputs)
    if result.value is None or result.outcome is NEEDS_INFO:
        return Step(
            f"RVC {result.method}",
            result.citation,
            result.outcome,
            f"RVC ({result.method}) undecided"
            + (f" at {percent(result.value)}" if result.value is not None else "")
            + f": {result.note}",
            inputs,
            threshold=result.threshold,
            missing=tuple(missing_facts) or (result.note,),
        )
    verb = "reaches" if result.outcome is MEETS else "is below"
    return Step(
        f"RVC {result.method}",
        result.citation,
        result.outcome,
        f"{result.formula} = {result.bound + ' ' if result.bound else ''}"
        f"{percent(result.value)} {verb} {law_percent(result.threshold)}"
        + (f" ({result.note})" if result.note else ""),
        inputs,
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
        summary = f"{word}: {rule!s}" + (f" — met by {'; '.join(met)}" if met else "")
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
    return (
        WhollyObtained,
        TariffShift,
        RegionalValueContent,
        MaxNonOriginating,
        Process,
        Condition,
    )


def max_non_originating_step(a: Assessment, rule: MaxNonOriginating, citation: Citation) -> Step:
    """VNM at most a share of the good's ex-works (or FOB) price, compared exactly.

    Missing material values make the known VNM a lower bound: it decides only a failure.
    """
    basis = rule.basis or "EXW"
    price = a.case.good.fob if basis == "FOB" else a.case.good.ex_works
    label = "FOB value of the good" if basis == "FOB" else "ex-works price of the good"
    title = f"maximum non-originating materials {rule}"
    if price is None or price <= 0:
        return Step(
            title,
            citation,
            NEEDS_INFO,
            f"the {label} is not stated",
            missing=(label,),
        )
    share = exact(a.vnm) / exact(price) * 100
    limit = rule.threshold
    inputs: tuple[tuple[str, Figure], ...] = (
        ("VNM" + (" (known part)" if a.unknown_vnm else ""), a.vnm),
        (label, price),
    )
    if share > limit:
        outcome = FAILS
    elif a.unknown_vnm:
        outcome = NEEDS_INFO
    else:
        outcome = MEETS
    bound = " at least" if a.unknown_vnm else ""
    return Step(
        title,
        citation,
        outcome,
        f"non-originating materials are{bound} {percent(share)} of the {label} "
        f"(at most {law_percent(limit)} allowed)",
        inputs,
        value=share,
        threshold=limit,
        margin=limit - share,
        missing=tuple(f"value of material {m}" for m in a.unknown_vnm)
        if outcome is NEEDS_INFO
        else (),
    )


def unverifiable_step(rule: Process | Condition, citation: Citation) -> Step:
    """A process or condition a BOM cannot show: it needs the person's information, named."""
    if isinstance(rule, Process):
        fact = f'whether the good underwent the process "{rule.name}" in the parties'
        summary = f'the rule requires the process "{rule.name}"; a bill of materials cannot show it'
    else:
        fact = f'whether "{rule.text}"'
        summary = f'the rule requires that "{rule.text}"; a bill of materials cannot show it'
    return Step(f"rule {rule}", citation, NEEDS_INFO, summary, missing=(fact,))


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
            f"production goes beyond minimal operations: {', '.join(beyond)} "
            "(not among the agreement's listed minimal operations)",
            inputs,
        )
    cited = "; ".join(f"{op}: {minimal[op].reference}" for op in operations)
    return Step(
        "minimal operations",
        citation,
        FAILS,
        f"only minimal operations were performed ({cited or 'none'})",
        inputs,
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
            "transhipment",
            citation,
            FAILS,
            "operations outside the parties beyond those allowed: " + "; ".join(problems),
            inputs,
        )
    if missing:
        return Step(
            "transhipment",
            citation,
            NEEDS_INFO,
            "transit facts missing",
            inputs,
            missing=tuple(missing),
        )
    return Step(
        "transhipment",
        citation,
        MEETS,
        "only allowed operations outside the parties",
        inputs,
    )
