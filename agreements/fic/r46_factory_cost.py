"""r 46, Calculation of factory or works cost: the lines of the cost, and how they are shown.

Only what r 46 makes unique here: the factory or works cost is the sum of materials
(r 46(1)(a), as regs 47 to 50 qualify them), labour (r 46(1)(b)), factory overheads
(r 46(1)(c)) and inner containers (r 46(1)(d), as r 48 qualifies them), with the items of
r 46(2) left out and each cost counted once (r 46(3)); depreciation is taken as stated and
listed as an obligation (r 46(4)). Labour and overheads qualify where incurred in a Forum
Island Country or New Zealand (r 45(1)(b)(ii)(A)); a line that does not say is taken as
incurred at the factory (r 44). The cost categories are the law file's ``cost_categories``.

A cost sheet's materials are decided by :meth:`FactoryCost.material` and its inner containers
by :meth:`FactoryCost.container`, which the later parts supply (``r47_qualifying_materials``,
``r48_inner_containers``), as r 46(1)(a) and (d) refer to them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import overload

import attrs

from agreements.fic.r44_interpretation import (
    FULL_SHARE,
    LAW,
    NONE_SHARE,
    UNKNOWN_SHARE,
    ZERO,
    Line,
    Run,
    Span,
)
from origin.citation import Citation, cite
from origin.determination import (
    MEETS,
    NEEDS_INFO,
    CostRow,
    MaterialRow,
    Obligation,
    Outcome,
    Step,
)
from origin.engine import CaseError, percent
from origin.law import Term
from origin.model import Case, Cost, Material, OriginStatus, Packaging

# Cost categories that include depreciation of plant, equipment or buildings (r 46(4)).
DEPRECIATION = frozenset({"tooling_plant", "premises"})
# How one material counts: its line of the cost, its row, its steps, whether it brings in
# r 45(3), and the facts it still needs.
Decided = tuple[Line | None, MaterialRow, tuple[Step, ...], Outcome, tuple[str, ...]]


@attrs.frozen
class Ratio:
    """QAC / FWC (or FC / FWC) as far as the known amounts fix it, in percent."""

    lo: Fraction | None
    hi: Fraction | None
    qualifying: Fraction | None  # exact numerator, when everything is known
    total: Fraction | None  # exact denominator, when every amount is known

    @classmethod
    def of(cls, lines: Iterable[Line], part: Callable[[Line], Span]) -> Ratio:
        """A weighted average: known lines fix it, each unknown amount can pull it towards
        its own share, and no further."""
        known = [line for line in lines if line.amount is not None]
        unknown = [part(line) for line in lines if line.amount is None]
        total = sum((line.amount for line in known if line.amount is not None), ZERO)
        low = sum((part(line).lo * line.amount for line in known if line.amount), ZERO)
        high = sum((part(line).hi * line.amount for line in known if line.amount), ZERO)
        ends_lo = [s.lo for s in unknown] + ([low / total] if total else [])
        ends_hi = [s.hi for s in unknown] + ([high / total] if total else [])
        if not ends_lo:
            return cls(None, None, None, None)
        exact = not unknown and low == high
        return cls(
            min(ends_lo) * 100,
            max(ends_hi) * 100,
            low if exact else None,
            total if not unknown else None,
        )

    def share(self) -> Span:
        """The ratio as a share in [0, 1]; no cost at all tells nothing."""
        if self.lo is None or self.hi is None:
            return UNKNOWN_SHARE
        return Span(self.lo / 100, self.hi / 100)


# ----- plain lines: what r 47 makes of a material that claims nothing


def as_decimal(value: Fraction | None) -> Decimal | None:
    """A Fraction shown as a Decimal: exact when it terminates, else to 10 places."""
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact if exact * value.denominator == value.numerator else round(exact, 10)


NON_QUALIFYING = "non-qualifying"
R47A = cite("r 47(a)")
_NO_SHARE = as_decimal(ZERO)
_STATUS_TEXT = {status: status.value for status in OriginStatus}  # Enum.value is slow per row


def plain_row(m: Material, depth: int) -> MaterialRow:
    """The row of a plain material (see :meth:`FactoryCost.sheet`), as ``decide_material``
    builds it: non-qualifying under r 47(a), nothing of its value qualifying area content.
    The value not counted is :func:`as_decimal` of the value, without making a Fraction."""
    value = m.value
    rest = None
    if value is not None:  # always stated for a plain line
        numerator, denominator = value.as_integer_ratio()  # in lowest terms, as Fraction's
        rest = Decimal(numerator) / Decimal(denominator)
        if rest * denominator != numerator:
            rest = round(rest, 10)
    return MaterialRow(
        m.id,
        depth,
        m.description,
        str(m.hs) if m.hs else "",
        NON_QUALIFYING,
        _STATUS_TEXT[m.status],
        value,
        NON_QUALIFYING,
        _NO_SHARE,
        rest,
        None,
        False,
        (R47A,),
        (),
    )


class Rows(Sequence[MaterialRow]):
    """The material rows of a cost sheet, in BOM order: the rows of materials decided one by
    one (``decided``, by index), and those of plain lines (see :meth:`FactoryCost.sheet`)
    built when read, so that a flat BOM of 100,000 plain lines costs no row until the table
    is read."""

    __slots__ = ("_decided", "_depth", "_materials")

    def __init__(
        self, materials: Sequence[Material], depth: int, decided: dict[int, MaterialRow]
    ) -> None:
        self._materials = materials
        self._depth = depth
        self._decided = decided

    def __len__(self) -> int:
        return len(self._materials)

    def _row(self, index: int) -> MaterialRow:
        found = self._decided.get(index)
        return plain_row(self._materials[index], self._depth) if found is None else found

    @overload
    def __getitem__(self, index: int) -> MaterialRow: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[MaterialRow]: ...
    def __getitem__(self, index: int | slice) -> MaterialRow | Sequence[MaterialRow]:
        if isinstance(index, slice):
            return tuple(self._row(i) for i in range(len(self))[index])
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._row(index)

    def __iter__(self) -> Iterator[MaterialRow]:
        return (self._row(i) for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return list(self) == list(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Rows({len(self)} rows)"

    def __reduce__(
        self,
    ) -> tuple[type[Rows], tuple[Sequence[Material], int, dict[int, MaterialRow]]]:
        """Sent to another process as what its rows are built from (as the engine's
        material table is), so no plain row is built to be sent."""
        return (Rows, (self._materials, self._depth, self._decided))

    def provisions(self) -> dict[Citation, dict[str, list[str]]]:
        """:func:`group` of the rows' (citations, status, id), without building the rows of
        plain lines: a run of them between two decided rows goes in at once."""
        grouped: dict[Citation, dict[str, list[str]]] = {}
        materials = self._materials
        start = 0
        for index in (*sorted(self._decided), len(materials)):
            if index > start:
                grouped.setdefault(R47A, {}).setdefault(NON_QUALIFYING, []).extend(
                    m.id for m in materials[start:index]
                )
            if index < len(materials):
                row = self._decided[index]
                for citation in row.citations:
                    grouped.setdefault(citation, {}).setdefault(row.status, []).append(row.id)
            start = index + 1
        return grouped


@attrs.frozen
class Sheet:
    """A factory or works cost sorted into lines, with the rows that explain it."""

    lines: tuple[Line, ...]
    materials: Rows
    costs: tuple[CostRow, ...]
    steps: tuple[Step, ...]  # materials decided from their own cost sheets (r 47(d))
    australian: tuple[str, ...]  # qualifying materials that bring in r 45(3)
    australian_perhaps: tuple[str, ...]  # materials that may, when a fact is supplied
    missing: tuple[str, ...]

    def ratio(self, part: Callable[[Line], Span]) -> Ratio:
        return Ratio.of(self.lines, part)


class FactoryCost(Run):
    """r 46: a factory or works cost drawn up from materials and cost lines."""

    def material(self, m: Material, depth: int) -> Decided:
        """r 46(1)(a), "subject to regulation 50", with r 47: how material ``m`` counts."""
        raise NotImplementedError  # r47_qualifying_materials

    def container(
        self, cost: Cost, amount: Fraction, row: Callable[..., CostRow]
    ) -> tuple[Line, CostRow, tuple[str, ...]]:
        """r 46(1)(d) with r 48: how a cost line of inner containers counts."""
        raise NotImplementedError  # r48_inner_containers

    def sheet(
        self,
        materials: Sequence[Material],
        costs: Sequence[Cost],
        factory: str | None,
        depth: int = 0,
        area: frozenset[str] | None = None,
    ) -> Sheet:
        """Sort materials (r 47-r 50) and cost lines (r 46) into lines of the cost.

        One pass over the materials. A *plain* line claims nothing under regs 47 to 50 and
        has no cost sheet of its own: no attributes, adjustments, components or cost lines,
        neither indirect nor packaging, a stated value, and not last processed in (or, its
        last process not stated, of) a Forum Island Country. Every way regs 46 to 50 count a
        material other than as non-qualifying needs one of these, so a plain line is
        non-qualifying under r 47(a) in full — never partly qualifying: r 47(d)(ii) needs a
        last process in a Forum Island Country and the material's own cost sheet — counted
        at its value (r 46(1)(a)), with no step and no fact asked for, as :meth:`material`
        would decide it. Only its value is taken, added up exactly by denominator; the sheet has
        one line for all of them, and their rows are built when read (:class:`Rows`). Every
        other material is decided by :meth:`material`, in BOM order."""
        lines: list[Line] = []
        rows: dict[int, MaterialRow] = {}
        steps: list[Step] = []
        australian: list[str] = []
        perhaps: list[str] = []
        missing: list[str] = []
        fics = self.fics
        plain_sums: dict[int, int] = {}  # denominator -> sum of numerators, of plain lines
        none = Packaging.NONE
        for index, material in enumerate(materials):
            m = material
            if not (
                m.attributes
                or m.components
                or m.costs
                or m.adjustments
                or m.indirect
                or m.packaging is not none
                or m.value is None
                or (m.produced_in in fics if m.produced_in else m.origin_country in fics)
            ):  # a plain line (this test runs once per line of the BOM)
                numerator, denominator = m.value.as_integer_ratio()
                plain_sums[denominator] = plain_sums.get(denominator, 0) + numerator
                continue
            line, row, sub, aus, needs = self.material(material, depth)
            rows[index] = row
            missing.extend(needs)
            steps.extend(sub)
            if line is not None:
                lines.append(line)
                if aus is MEETS:
                    australian.append(material.id)
                elif aus is NEEDS_INFO:
                    perhaps.append(material.id)
        if len(rows) < len(materials):
            # The plain lines together: none of their value is qualifying area content or
            # Forum Island content (a ratio reads only the sum of such lines).
            total = sum((Fraction(n, d) for d, n in plain_sums.items()), ZERO)
            lines.append(Line(total, NONE_SHARE, NONE_SHARE))
        cost_rows = []
        seen: set[str] = set()
        for cost in costs:
            if cost.id in seen:
                # r 46(3): a cost is included once only in the factory or works cost.
                raise CaseError(f"cost line {cost.id!r} appears twice (r 46(3): once only)")
            seen.add(cost.id)
            line, cost_row, needs = self.cost(cost, factory, area or self.area)
            cost_rows.append(cost_row)
            missing.extend(needs)
            if line is not None:
                lines.append(line)
        return Sheet(
            tuple(lines),
            Rows(materials, depth, rows),
            tuple(cost_rows),
            tuple(steps),
            tuple(australian),
            tuple(perhaps),
            tuple(missing),
        )

    def cost(
        self, cost: Cost, factory: str | None, area: frozenset[str]
    ) -> tuple[Line | None, CostRow, tuple[str, ...]]:
        """A cost line: labour and overheads qualify where incurred in a Forum Island Country
        or New Zealand (r 45(1)(b)(ii)(A)); inner containers by r 48; r 46(2) items are out."""
        term = self.categories.get(cost.category)
        if term is None:
            raise CaseError(
                f"cost line {cost.id!r}: unknown category {cost.category!r} "
                f"(known: {', '.join(sorted(self.categories))})"
            )
        amount = Fraction(cost.amount)

        def row(status: str, place: str | None, note: str = "", why: Term = term) -> CostRow:
            return CostRow(cost.id, cost.category, cost.amount, status, why.reference, place, note)

        if term.group == "excluded":
            return None, row("excluded", cost.incurred_in), ()
        if term.group == "inner_containers":
            return self.container(cost, amount, row)
        place = cost.incurred_in or factory
        note = "" if cost.incurred_in or place is None else "place taken from the factory"
        if term.group == "contracting_out" and place is not None and place not in area:
            # r 46(1)(c)(xiv) names contracting out within a Forum Island Country or New
            # Zealand; work done elsewhere comes back in what the factory receives, a material
            # "in the form in which [it is] received" (r 44, r 46(1)(a)): counted, not
            # qualifying (decision record 0008).
            note = f"contracted out in {place}: counted as material received (r 46(1)(a))"
            return Line(amount, NONE_SHARE, NONE_SHARE), row("non-qualifying", place, note), ()
        if place is None:
            needs = (f"where cost line {cost.id} was incurred",)
            return Line(amount, UNKNOWN_SHARE, UNKNOWN_SHARE), row("counted", None), needs
        in_fic = FULL_SHARE if place in self.fics else NONE_SHARE
        if place in area:
            return Line(amount, FULL_SHARE, in_fic), row("qualifying", place, note), ()
        outside = f"incurred in {place}, outside the Forum Island Countries and New Zealand"
        return Line(amount, NONE_SHARE, in_fic), row("non-qualifying", place, outside), ()


def depreciation(case: Case, nested: Iterable[tuple[int, Material]]) -> Obligation | None:
    """r 46(4): "Depreciation of plant, equipment, and buildings shall be calculated in
    accordance with generally accepted accounting principles, as applied by the
    manufacturer." The toolkit takes depreciation as stated in the cost lines; it cannot
    recompute it, so it is listed for every cost line (at any depth) whose category
    includes depreciation (r 46(1)(c)(iii), (vi)). ``nested`` is ``Run.nested``: every
    material that may have cost lines, parents first."""
    lines = [
        cost.id
        for cost in (*case.costs, *(c for _, m in nested for c in m.costs))
        if cost.category in DEPRECIATION
    ]
    if not lines:
        return None
    return Obligation(
        cite("r 46(4)"),
        "depreciation of plant, equipment and buildings in cost line(s) "
        f"{ids(lines)} must be calculated in accordance with generally "
        "accepted accounting principles, as applied by the manufacturer; this "
        "determination takes the amounts as stated",
    )


# ----- how a factory or works cost is shown: its materials and lines by provision


def ids(names: Sequence[str]) -> str:
    """Ids for a summary: the first ten, then how many more."""
    more = f" and {len(names) - 10} more" if len(names) > 10 else ""
    return ", ".join(names[:10]) + more


def group(
    entries: Iterable[tuple[Iterable[Citation], str, str]],
) -> dict[Citation, dict[str, list[str]]]:
    """Lines by provision and then by how they were counted, in order of first mention."""
    grouped: dict[Citation, dict[str, list[str]]] = {}
    for citations, status, line in entries:
        for citation in citations:
            grouped.setdefault(citation, {}).setdefault(status, []).append(line)
    return grouped


def by_provision(entries: Iterable[tuple[Iterable[Citation], str, str]]) -> list[Step]:
    """One step per provision lines were counted under, naming the lines by how they were
    counted: the provisions of a cost sheet as structured citations, not only row text."""
    return provision_steps(group(entries))


def provision_steps(grouped: dict[Citation, dict[str, list[str]]]) -> list[Step]:
    """:func:`by_provision` of lines already grouped."""
    return [
        Step(
            f"counted under {citation}",
            citation,
            NEEDS_INFO if "undetermined" in statuses else MEETS,
            "; ".join(f"{status}: {ids(names)}" for status, names in statuses.items()),
        )
        for citation, statuses in grouped.items()
    ]


def materials_step(
    rows: Sequence[MaterialRow], received: Sequence[str] = (), extra: Sequence[Step] = ()
) -> Step | None:
    """The materials of a factory or works cost (r 46(1)(a)) and the provisions each was
    counted under (r 46(2)(c), r 47 to r 50), as steps; ``received`` names work contracted
    out elsewhere than in a Forum Island Country or New Zealand, which comes back as
    material received."""
    if not rows and not received:
        return None
    children = provision_steps(
        rows.provisions()
        if isinstance(rows, Rows)
        else group((row.citations, row.status, row.id) for row in rows)
    )
    summary = (
        f"{len(rows)} material(s) at the cost to the manufacturer of bringing them into the "
        "factory, freight included and duties excluded, qualifying as regs 47 to 50 provide"
    )
    if received:
        summary += f"; work contracted out abroad counted as material received: {ids(received)}"
    return Step(
        "materials of the factory or works cost",
        cite("r 46(1)(a)"),
        NEEDS_INFO if any(c.outcome is NEEDS_INFO for c in children) else MEETS,
        summary,
        (("materials", len(rows)),),
        children=(*extra, *children),
    )


def costs_step(owner: str, rows: Sequence[CostRow]) -> Step | None:
    """The cost lines of a material's own cost sheet (r 46), which the determination's cost
    rows (the goods' own lines) do not hold, with their provisions as steps."""
    if not rows:
        return None
    containers = LAW.vocabulary("cost_categories")
    children = by_provision(
        (
            (row.citation, cite("r 48"))
            if containers[row.category].group == "inner_containers"
            else (row.citation,),
            row.status,
            row.id,
        )
        for row in rows
    )
    return Step(
        f"cost lines of {owner}",
        cite("r 46(1)"),
        NEEDS_INFO if any(c.outcome is NEEDS_INFO for c in children) else MEETS,
        f"{len(rows)} cost line(s) of {owner}'s own factory or works cost",
        children=tuple(children),
    )


def own_step(m: Material, sheet: Sheet, ratio: Ratio, citation: Citation, what: str) -> Step:
    """A material's own figures (r 47(c), r 47(d), r 48(b)), shown under the good's steps."""
    inputs: list[tuple[str, Fraction | str]] = []
    if ratio.qualifying is not None and ratio.total is not None:
        inputs = [("QAC", ratio.qualifying), ("FWC", ratio.total)]
    shown = (
        "cannot be computed"
        if ratio.lo is None
        else percent(ratio.lo)
        if ratio.lo == ratio.hi
        else f"between {percent(ratio.lo)} and {percent(ratio.hi or ZERO)}"
    )
    outcome = MEETS if ratio.lo is not None and ratio.lo == ratio.hi else NEEDS_INFO
    return Step(
        f"own {what} of {m.id}",
        citation,
        outcome,
        f"{m.id}'s own {what}: {shown} of its factory or works cost",
        tuple(inputs),
        value=ratio.lo if ratio.lo == ratio.hi else None,
        missing=(sheet.missing or (f"amounts in the cost sheet of material {m.id}",))
        if outcome is NEEDS_INFO
        else (),
        children=(
            *(s for s in (materials_step(sheet.materials), costs_step(m.id, sheet.costs)) if s),
            *sheet.steps,
        ),
    )
