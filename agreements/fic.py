"""Forum Island Countries: Customs and Excise Regulations 1996, regs 44–51.

Source: Customs and Excise Regulations 1996 (NZ), Part 6, "Provisions relating to Forum Island
Countries", regs 44–51, version as at 28 November 2025. The law file ``fic.toml`` holds the
shares (50%, 45%, 25%, 48%), the goods read against 45%, the cost categories of r 46 and the
words a case uses for r 47, r 49 and r 50, each with its reference. The Forum Island Countries
— those other than New Zealand and Australia for which SPARTECA is in force (r 44) — are the
dated list ``groups/fic.toml``, which a user may replace (``--membership FILE``).

Goods are the produce or manufacture of Forum Island Countries when wholly obtained in one of
them (r 45(1)(a)), or when the last process of manufacture was performed in one and the
manufacturer's *qualifying area content* — labour and factory overheads incurred in a Forum
Island Country or New Zealand, qualifying materials (r 47, r 49) and qualifying inner
containers (r 48) — is at least 50% of the factory or works cost of the finished goods (r 46);
45% for the goods listed in r 45(2)(b); a lower share the chief executive determined
(r 45(2)(a)); 48% under a determination for an unforeseen circumstance (r 51). When Australian
qualifying materials are counted, at least 25% must also be Forum Island content (r 45(3)).
The goods may come by any route (r 45(4)).

A material last processed in a Forum Island Country counts in full if it would qualify in its
own right, and otherwise by its own qualifying area content (r 47(d)): the material's own cost
sheet (its ``components`` and ``costs``) is decided the same way, to any depth.

r 45(2)(b)(i) names tariff items (3926.20.22, .31, .41, .61) the Tariff no longer has; goods or
materials at a current item that may hold their goods (law file ``listed_goods_successors``)
need review, both codes named, unless the case records the reviewed answer. A r 51
determination covers a later shipment only of similar goods (r 51(4)) and ends when revoked
(r 51(3)). Every determination names the list of Forum Island Countries it used (title,
source, date) in a step citing r 44, and lists what it takes on trust (r 46(4), r 51(3)) as
obligations (decision record 0008).

>>> import datetime as dt
>>> from origin.caseio import case_from_json
>>> case = case_from_json({
...     "schema": "origin-case/1", "currency": "FJD",
...     "good": {"id": "tee", "hs": "6109.10", "tariff_item": "6109.10.00",
...              "produced_in": ["FJ"], "last_process_in": "FJ"},
...     "materials": [{"id": "fabric", "hs": "6006.21", "value": "550.00",
...                    "origin_country": "CN"}],
...     "costs": [{"id": "W", "category": "wages_benefits", "amount": "450.00"}],
...     "consignment": {"exported_from": "FJ", "transit": []}})
>>> d = AGREEMENT.determine(case, dt.date(2025, 6, 1))
>>> d.verdict.value, d.rvc[0].value, d.rvc[0].threshold  # 450 / 1000, heading 61.09: 45%
('originating', Fraction(45, 1), Fraction(45, 1))
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import attrs

from origin.agreement import Agreement, FactError
from origin.citation import Citation, cite
from origin.determination import (
    FAILS,
    MEETS,
    NEEDS_INFO,
    CostRow,
    Determination,
    MaterialRow,
    Obligation,
    Outcome,
    RVCResult,
    Step,
    Verdict,
    missing_of,
)
from origin.engine import CaseError, percent, rvc_step
from origin.formulas import Formula, FormulaError
from origin.groups import Membership
from origin.law import LawBook, Term
from origin.model import Case, Cost, Material, OriginStatus, Packaging
from origin.works_cost import lower_share

LAW = LawBook.load(Path(__file__).with_suffix(".toml"))
MEMBERSHIP = Membership.load(Path(__file__).parent / "groups" / "fic.toml")
AUSTRALIA_NZ = frozenset({"AU", "NZ"})
# r 44 "Forum Island Country", the group whose dated list every determination names.
FORUM_ISLAND_COUNTRY = (
    "Forum Island Country: a country (other than New Zealand or Australia) for which the South "
    "Pacific Regional Trade and Economic Co-operation Agreement is for the time being in force"
)


@attrs.frozen
class Successors:
    """Where the current tariff items that may hold the goods of the items r 45(2)(b)(i)
    names come from (law file ``[listed_goods_successors]``)."""

    as_at: dt.date
    source: str
    basis: str


def _successors() -> Successors:
    with Path(__file__).with_suffix(".toml").open("rb") as handle:
        spec = tomllib.load(handle)["listed_goods_successors"]
    return Successors(spec["as_at"], spec["source"], spec["basis"])


SUCCESSORS = _successors()
# Cost categories that include depreciation of plant, equipment or buildings (r 46(4)).
DEPRECIATION = frozenset({"tooling_plant", "premises"})

QAC_METHOD = "qualifying-area-content"
FIC_METHOD = "forum-island-content"
QAC = Formula.define(
    QAC_METHOD,
    "QAC / FWC * 100",
    {
        "QAC": "qualifying area content: labour and overheads in a Forum Island Country or New "
        "Zealand, qualifying materials and qualifying inner containers (r 45(1)(b)(ii))",
        "FWC": "factory or works cost of the goods in their finished state (r 46)",
    },
)
FIC_CONTENT = Formula.define(
    FIC_METHOD,
    "FC / FWC * 100",
    {
        "FC": "labour and overheads in a Forum Island Country, materials of r 47(a)(iii) and "
        "(vi), inner containers made there (r 45(3)(d)-(g))",
        "FWC": "factory or works cost of the goods in their finished state (r 46)",
    },
)
ONE = Fraction(1)
ZERO = Fraction(0)
READINGS = ("former-rules", "full", "none")


@attrs.frozen
class Span:
    """A share known to lie in ``[lo, hi]`` (a point when they are equal)."""

    lo: Fraction
    hi: Fraction

    @property
    def exact(self) -> bool:
        return self.lo == self.hi

    def __str__(self) -> str:
        if self.exact:
            return percent(self.lo * 100)
        return f"between {percent(self.lo * 100)} and {percent(self.hi * 100)}"


NONE_SHARE = Span(ZERO, ZERO)
FULL_SHARE = Span(ONE, ONE)
UNKNOWN_SHARE = Span(ZERO, ONE)


@attrs.frozen
class Line:
    """One line of a factory or works cost: its amount (None: not known) and the shares of
    it that are qualifying area content and Forum Island content."""

    amount: Fraction | None
    qac: Span
    fic: Span


@attrs.frozen
class Option:
    """One paragraph a material may qualify under: the shares of its expenditure that are
    qualifying area content and Forum Island content, the provision, and whether it brings in
    r 45(3) (MEETS yes, NEEDS_INFO perhaps, FAILS no)."""

    qac: Span
    fic: Span
    citation: str
    label: str
    australian: Outcome = Outcome.FAILS
    step: Step | None = None  # the material's own cost sheet, where it was decided
    missing: tuple[str, ...] = ()


@attrs.frozen
class Listed:
    """Whether goods are among those r 45(2)(b) reads against 45% (MEETS yes, FAILS no,
    NEEDS_INFO open: a less precise code, or an item needing review), why, the provision,
    the facts that would settle it, and the codes compared (for the step's inputs)."""

    outcome: Outcome
    why: str
    citation: Citation
    missing: tuple[str, ...] = ()
    inputs: tuple[tuple[str, str | dt.date], ...] = ()


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


@attrs.frozen
class Sheet:
    """A factory or works cost sorted into lines, with the rows that explain it."""

    lines: tuple[Line, ...]
    materials: tuple[MaterialRow, ...]
    costs: tuple[CostRow, ...]
    steps: tuple[Step, ...]  # materials decided from their own cost sheets (r 47(d))
    australian: tuple[str, ...]  # qualifying materials that bring in r 45(3)
    australian_perhaps: tuple[str, ...]  # materials that may, when a fact is supplied
    missing: tuple[str, ...]

    def ratio(self, part: Callable[[Line], Span]) -> Ratio:
        return Ratio.of(self.lines, part)


def _decimal(value: Fraction | None) -> Decimal | None:
    """A Fraction shown as a Decimal: exact when it terminates, else to 10 places."""
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact if exact * value.denominator == value.numerator else round(exact, 10)


# How one material counts: its line of the cost, its row, its steps, whether it brings in
# r 45(3), and the facts it still needs.
_Decided = tuple["Line | None", MaterialRow, tuple[Step, ...], Outcome, tuple[str, ...]]


class _Run:
    """One Forum Island Countries determination, at one date, with one list of countries."""

    def __init__(self, case: Case, date: dt.date, membership: Membership) -> None:
        self.case = case
        self.date = date
        self.membership = membership
        fics = membership.on(date)
        self.fics = fics
        self.area = fics | {"NZ"}  # where labour and overheads count (r 45(1)(b)(ii)(A))
        reading = case.facts.get("cross_references", "former-rules")
        if reading not in READINGS:
            raise CaseError(
                f"facts.cross_references: {reading!r} is not one of {', '.join(READINGS)}"
            )
        self.reading = str(reading)
        self.categories = LAW.vocabulary("cost_categories")
        # material() for (material, depth): its answer does not depend on who asks, and
        # determine() fills this deepest first, so that a cost sheet's materials are
        # already decided when it is drawn up (no recursion, however deep the BOM).
        self.decided: dict[tuple[int, int], _Decided | CaseError | FactError] = {}

    # ----- shares and thresholds

    def value(self, name: str) -> Fraction:
        return LAW.value(name, self.date).value

    def listed(self, code: str, tariff_item: str | None, whose: str) -> Listed:
        """Whether goods are in the r 45(2)(b) list. Headings, the subheading and tariff items
        are compared digit by digit; a code less precise than a listed entry within it (a
        heading 42.03 for subheading 4203.10, a subheading 3926.20 for item 3926.20.22)
        leaves the answer open.

        r 45(2)(b)(i) names "3926.20.22, 3926.20.31, 3926.20.41, 3926.20.61", items the Tariff
        no longer has. A current item that may hold their goods (``listed_goods_successors``)
        is neither listed nor unlisted by itself: it needs review, naming both codes, unless
        the case records the reviewed answer (``facts.successor_item_listed``).
        """
        digits = (tariff_item or code).replace(".", "")
        shown = tariff_item or code
        possible = []
        successors = LAW.vocabulary("listed_goods_successors")
        gone = {term.group for term in successors.values()}
        for key, term in LAW.vocabulary("listed_goods").items():
            listed = key.replace(".", "")
            if digits.startswith(listed):
                why = f"{term.text} ({term.reference})"
                if key in gone:
                    why += (
                        f"; the Working Tariff Document of {_long_date(SUCCESSORS.as_at)} "
                        "no longer has this item"
                    )
                return Listed(MEETS, why, term.reference)
            if listed.startswith(digits):
                possible.append(key)
        for key, term in successors.items():
            current = key.replace(".", "")
            if digits.startswith(current):
                return self.successor(key, term, whose)
            if current.startswith(digits):
                possible.append(f"{key}, which may succeed {term.group}")
        if possible:
            why = f"{shown} holds listed goods ({', '.join(possible)})"
            return Listed(
                NEEDS_INFO,
                why,
                cite("r 45(2)(b)"),
                (f"NZ tariff item of {whose} ({why})",),
            )
        return Listed(FAILS, f"{shown} is not among the goods of r 45(2)(b)", cite("r 45(2)(b)"))

    def successor(self, key: str, term: Term, whose: str) -> Listed:
        """A current tariff item that may hold the goods of an item r 45(2)(b)(i) names."""
        named = term.group
        why = (
            f"tariff item {key} ({term.text}) is not named in {term.reference}, which names "
            f"{named}, an item the Tariff no longer has; {key} may hold its goods "
            f"({SUCCESSORS.source}; {SUCCESSORS.basis})"
        )
        inputs: tuple[tuple[str, str | dt.date], ...] = (
            ("tariff item", key),
            (f"item named in {term.reference}", named),
            ("source", SUCCESSORS.source),
            ("source as at", SUCCESSORS.as_at),
        )
        answer = self.case.facts.get("successor_item_listed")
        if answer is True:
            return Listed(MEETS, f"{why}: reviewed, read as {named}", term.reference, (), inputs)
        if answer is False:
            return Listed(
                FAILS, f"{why}: reviewed, not read as {named}", term.reference, (), inputs
            )
        fact = (
            f"review: whether {whose}, at tariff item {key}, are goods of tariff item "
            f"{named} named in {term.reference} (facts.successor_item_listed)"
        )
        return Listed(NEEDS_INFO, f"{why}: needs review", term.reference, (fact,), inputs)

    # ----- r 46: the factory or works cost

    def sheet(
        self,
        materials: Sequence[Material],
        costs: Sequence[Cost],
        factory: str | None,
        depth: int = 0,
        area: frozenset[str] | None = None,
    ) -> Sheet:
        """Sort materials (r 47-r 50) and cost lines (r 46) into lines of the cost."""
        lines: list[Line] = []
        rows: list[MaterialRow] = []
        steps: list[Step] = []
        australian: list[str] = []
        perhaps: list[str] = []
        missing: list[str] = []
        for material in materials:
            line, row, sub, aus, needs = self.material(material, depth)
            rows.append(row)
            missing.extend(needs)
            steps.extend(sub)
            if line is not None:
                lines.append(line)
                if aus is MEETS:
                    australian.append(material.id)
                elif aus is NEEDS_INFO:
                    perhaps.append(material.id)
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
            tuple(rows),
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

    def container(
        self, cost: Cost, amount: Fraction, row: Callable[..., CostRow]
    ) -> tuple[Line, CostRow, tuple[str, ...]]:
        """r 48: an inner container qualifies when its last process was in a Forum Island
        Country or New Zealand (``incurred_in``) and it holds at least 50% qualifying area
        content (``originating``); r 45(3)(f) counts those made in a Forum Island Country."""
        place = cost.incurred_in
        needs: list[str] = []
        made = Outcome.of(place in self.area) if place else NEEDS_INFO
        if place is None:
            needs.append(f"where inner containers {cost.id} were last processed (r 48(a))")
        content = NEEDS_INFO if cost.originating is None else Outcome.of(cost.originating)
        if cost.originating is None:
            needs.append(
                f"whether inner containers {cost.id} hold at least 50% qualifying area "
                "content (r 48(b))"
            )
        qualifies = made & content
        share = {MEETS: FULL_SHARE, FAILS: NONE_SHARE}.get(qualifies, UNKNOWN_SHARE)
        fic = share if place in self.fics else (UNKNOWN_SHARE if place is None else NONE_SHARE)
        if qualifies is NEEDS_INFO:
            fic = Span(ZERO, fic.hi)
        status = {MEETS: "qualifying", FAILS: "non-qualifying"}.get(qualifies, "counted")
        note = "" if qualifies is not FAILS else "not a qualifying inner container (r 48)"
        return Line(amount, share, fic), row(status, place, note), tuple(needs)

    # ----- r 47, r 49, r 50: materials

    def expenditure(
        self, material: Material
    ) -> tuple[Fraction | None, list[str], list[str], list[Citation]]:
        """r 46(1)(a) with r 50: the cost of bringing the material into the factory, the
        notes and facts it needs, and the provisions of r 50 it was valued under.

        r 50(1): a material "supplied free of charge or at a reduced cost" is valued "in
        accordance with clause 7(b)(iii) of Schedule 4 of the Act" (the value the case states)
        "and by adding thereto the costs of freight, insurance, packing, and all other costs
        incurred in transporting the materials into the factory or works, whether or not those
        costs have been incurred by the manufacturer" (``transport_to_factory``). r 50(2)(a)-(b):
        a supply by a person "not the buyer of the goods in their finished state" is "treated
        as if it were a supply by such a buyer", so r 50(1) applies whoever supplied it.
        r 50(2)(c): the chief executive "may apply those provisions to any earlier supply of
        any material on a free of charge or reduced cost basis" (``earlier_supply_revalued``).
        r 50(4): the excess over normal market value the chief executive determined is
        taken off (``excess_over_market_value``).
        """
        notes: list[str] = []
        needs: list[str] = []
        cited: list[Citation] = []
        if material.value is None:
            needs.append(f"cost of material {material.id} brought into the factory (r 46(1)(a))")
            return None, notes, needs, cited
        amount = Fraction(material.value)
        transport = [a for a in material.adjustments if a.kind == "transport_to_factory"]
        free = "supplied_free_or_reduced" in material.attributes
        earlier = "earlier_supply_revalued" in material.attributes
        if free or earlier:
            cited.append(cite("r 50(1)"))
            if free:
                cited.append(cite("r 50(2)"))
            if earlier:
                cited.append(cite("r 50(2)(c)"))
            if not transport:
                needs.append(
                    f"transport of material {material.id} into the factory, "
                    + (
                        "supplied free or at a reduced cost"
                        if free
                        else "whose earlier supply the chief executive revalued (r 50(2)(c))"
                    )
                    + " (r 50(1)(b))"
                )
                return None, notes, needs, cited
            if free:
                notes.append(
                    "supplied free or at a reduced cost: valued under r 50(1), whoever supplied "
                    "it (r 50(2))"
                )
            if earlier:
                notes.append(
                    "an earlier free or reduced-cost supply, to which the chief executive "
                    "applied r 50(1) (r 50(2)(c)): valued under r 50(1)"
                )
        amount += sum((Fraction(a.amount) for a in transport), ZERO)
        for adjustment in material.adjustments:
            if adjustment.kind == "excess_over_market_value":
                amount -= Fraction(adjustment.amount)
                cited.append(cite("r 50(4)"))
                notes.append(f"{adjustment.amount} above market value taken off (r 50(4))")
        if amount < 0:
            raise CaseError(f"material {material.id!r}: r 50(4) takes off more than its cost")
        return amount, notes, needs, cited

    def material(self, m: Material, depth: int) -> _Decided:
        """:meth:`decide_material`, once per material and depth (see ``self.decided``)."""
        found = self.decided.get((id(m), depth))
        if found is None:
            found = self.decided[id(m), depth] = self.decide_material(m, depth)
        if isinstance(found, CaseError | FactError):
            raise found
        return found

    def decide_deepest_first(self) -> None:
        """Decide every material that has a cost sheet of its own, deepest first.

        A material whose sheet is never drawn up keeps any error it raised until asked.
        """
        for depth, m in reversed(list(self.case.walk())):
            if m.components or m.costs:
                try:
                    self.material(m, depth)
                except (CaseError, FactError) as error:
                    self.decided[id(m), depth] = error

    def decide_material(self, m: Material, depth: int) -> _Decided:
        """Which paragraph of r 47 (or r 49) the material qualifies under, and how much;
        whether it brings in r 45(3) (MEETS yes, NEEDS_INFO perhaps, FAILS no)."""
        amount, notes, needs, valued = self.expenditure(m)
        hs = str(m.hs) if m.hs else ""

        def row(status: str, counted: str, citation: str, note: str, part: Fraction) -> MaterialRow:
            value = None if amount is None else amount * part
            rest = None if amount is None or value is None else amount - value
            return MaterialRow(
                m.id,
                depth,
                m.description,
                hs,
                status,
                m.status.value,
                m.value,
                counted,
                _decimal(value),
                _decimal(rest),
                None,
                False,
                tuple(dict.fromkeys((cite(citation), *valued))),
                (*notes, note) if note else tuple(notes),
            )

        if "excluded_by_chief_executive" in m.attributes:
            note = "excluded from the factory or works cost by the chief executive"
            return None, row("excluded", "excluded (r 50(3))", "r 50(3)", note, ZERO), (), FAILS, ()
        if m.packaging is Packaging.SHIPMENT:
            note = "shipping container or packing into it: not in the factory or works cost"
            out = row("excluded", "excluded (r 46(2)(c))", "r 46(2)(c)", note, ZERO)
            return None, out, (), FAILS, ()
        if m.indirect:
            # r 44: materials exclude "materials treated as overheads"; r 46(1)(c)(viii) counts
            # supplies not incorporated in the goods as an overhead of the factory, "without
            # regard to whether such items originate in a Forum Island Country".
            factory = self.case.good.last_process_in
            share = FULL_SHARE if factory in self.area else NONE_SHARE
            fic = FULL_SHARE if factory in self.fics else NONE_SHARE
            status = "qualifying" if share is FULL_SHARE else "non-qualifying"
            note = f"overhead of the factory in {factory}"
            out = row(
                status, f"{status} overhead r 46(1)(c)(viii)", "r 46(1)(c)(viii)", note, share.lo
            )
            return Line(amount, share, fic), out, (), FAILS, tuple(needs)
        options = list(self.paragraphs(m, depth))
        best = max(options, key=lambda o: (o.qac.lo, o.qac.hi))
        qac = Span(max(o.qac.lo for o in options), max(o.qac.hi for o in options))
        fic = Span(max(o.fic.lo for o in options), max(o.fic.hi for o in options))
        steps: tuple[Step, ...]
        if qac.exact:
            steps = () if best.step is None else (best.step,)
            australian = best.australian if qac.lo > 0 else FAILS
        else:
            steps = tuple(o.step for o in options if o.step is not None)
            needs.extend(fact for o in options for fact in o.missing)
            australian = Outcome.any(o.australian for o in options if o.qac.hi > 0)
        if qac.lo == ONE:
            status = "qualifying"
        elif qac.hi == ZERO:
            status = "non-qualifying"
        else:
            status = "partly qualifying" if qac.exact else "undetermined"
        counted = (
            best.label if qac.exact and qac.lo in (ZERO, ONE) else f"{best.label}: {qac} counts"
        )
        part = qac.lo if qac.exact else ZERO
        out = row(status, counted, best.citation, "", part)
        if not qac.exact:
            out = attrs.evolve(out, vom_value=None, vnm_value=None)
        return Line(amount, qac, fic), out, steps, australian, tuple(needs)

    def paragraphs(self, m: Material, depth: int) -> Iterable[Option]:
        """Every paragraph the material may qualify under. A paragraph claimed by an
        attribute whose country is not stated leaves the share open and asks for it."""
        words, origin, made = m.attributes, m.origin_country, m.produced_in
        yield Option(NONE_SHARE, NONE_SHARE, "r 47(a)", "non-qualifying")

        def needs_country(paragraph: str, what: str) -> Option:
            fact = f"{what} of material {m.id} ({paragraph})"
            return Option(
                UNKNOWN_SHARE, UNKNOWN_SHARE, paragraph, paragraph, NEEDS_INFO, missing=(fact,)
            )

        if "unmanufactured_raw_product" in words:
            # r 47(a)(i): a raw product of Australia or New Zealand; r 45(3)(a) for Australia's.
            if origin is None:
                yield needs_country("r 47(a)(i)", "country of origin")
            elif origin in AUSTRALIA_NZ:
                yield Option(
                    FULL_SHARE,
                    NONE_SHARE,
                    "r 47(a)(i)",
                    "qualifying r 47(a)(i)",
                    Outcome.of(origin == "AU"),
                )
        if "wholly_manufactured_from_raw_products" in words:
            # r 47(a)(ii); r 45(3)(b) when manufactured in Australia.
            where = made or origin
            if where is None:
                yield needs_country("r 47(a)(ii)", "country of manufacture")
            elif where in AUSTRALIA_NZ:
                yield Option(
                    FULL_SHARE,
                    NONE_SHARE,
                    "r 47(a)(ii)",
                    "qualifying r 47(a)(ii)",
                    Outcome.of(where == "AU"),
                )
        if "wholly_obtained" in words:
            # r 47(a)(iii), counted in full (r 47(b)) and as Forum Island content (r 45(3)(e)).
            if origin is None:
                yield needs_country("r 47(a)(iii)", "country where obtained")
            elif origin in self.fics:
                yield Option(FULL_SHARE, FULL_SHARE, "r 47(a)(iii)", "qualifying r 47(a)(iii)")
        for word, paragraph in (
            ("waste_scrap", "r 49(a)"),
            ("used_articles", "r 49(b)"),
            ("recovered_raw_materials", "r 49(c)"),
        ):
            if word not in words:
                continue
            # r 49: as if wholly obtained in a Forum Island Country — for r 45(1)(b)(ii)(B)
            # only; in the 25% test it counts when it arose in one (r 45(1)(a)(viii)-(x)).
            if origin is None:
                yield needs_country(paragraph, "country where it arose or was collected")
            elif origin in self.fics | AUSTRALIA_NZ:
                fic = FULL_SHARE if origin in self.fics else NONE_SHARE
                yield Option(FULL_SHARE, fic, paragraph, f"qualifying {paragraph}")
        if words & {"anzcerta_qualifying_full", "anzcerta_qualifying_partial"}:
            yield from self.former_rules(m, depth)
        if m.packaging is Packaging.RETAIL:
            yield self.container_material(m, depth)
            return
        last = made or (origin if origin in self.fics else None)
        if last in self.fics:
            yield self.own_right(m, depth, last)
        elif last is None and (m.components or m.costs):
            yield needs_country("r 47(a)(vi)", "country of the last process")

    def former_rules(self, m: Material, depth: int) -> Iterable[Option]:
        """r 47(a)(iv)-(v) with r 47(b)-(c), which refer to former regs 33(1)(c) and 35
        (decision record 0008). Both need the last process in Australia or New Zealand."""
        if self.reading == "none":
            return
        made = m.produced_in
        full = "anzcerta_qualifying_full" in m.attributes
        paragraph = "r 47(a)(iv)" if full else "r 47(a)(v)"
        if made is None:
            fact = f"country of the last process of material {m.id} ({paragraph})"
            yield Option(
                UNKNOWN_SHARE, NONE_SHARE, paragraph, paragraph, NEEDS_INFO, missing=(fact,)
            )
            return
        if full and made in AUSTRALIA_NZ:
            # r 45(3)(c) when last processed in Australia.
            yield Option(
                FULL_SHARE,
                NONE_SHARE,
                paragraph,
                "qualifying r 47(a)(iv)",
                Outcome.of(made == "AU"),
            )
        elif not full and made == "NZ":
            yield self.former_partial(m)

    def former_partial(self, m: Material) -> Option:
        """r 47(a)(v) with r 47(c): "treated as expenditure on qualifying materials under
        regulation 35(c)(ii)", a provision that no longer exists. Read as the former rule
        was: the share of the material's own factory cost spent in Australia or New Zealand
        counts; ``full`` counts all of it."""
        citation = "r 47(c)"
        if self.reading == "full":
            return Option(FULL_SHARE, NONE_SHARE, citation, "qualifying r 47(a)(v), read in full")
        if not (m.components or m.costs):
            fact = f"cost sheet (components and costs) of material {m.id} (r 47(c))"
            step = Step(
                f"own cost sheet of {m.id}",
                cite(citation),
                NEEDS_INFO,
                f"{m.id} counts by its own Australian/New Zealand content; no cost sheet given",
                missing=(fact,),
            )
            return Option(
                UNKNOWN_SHARE, NONE_SHARE, citation, "r 47(a)(v) share", step=step, missing=(fact,)
            )
        sheet = self.anz_sheet(m)
        ratio = sheet.ratio(lambda line: line.qac)
        step = self.own_step(m, sheet, ratio, cite(citation), "Australian/New Zealand content")
        return Option(
            _share(ratio),
            NONE_SHARE,
            citation,
            "partly qualifying r 47(a)(v)",
            step=step,
            missing=step.missing,
        )

    def anz_sheet(self, m: Material) -> Sheet:
        """The former rule's content of an Australian/New Zealand-made material: its own
        materials of Australian or New Zealand origin and its factory items incurred there."""
        lines: list[Line] = []
        rows: list[MaterialRow] = []
        missing: list[str] = []
        for c in m.components:
            amount, _, wanted, _ = self.expenditure(c)
            missing.extend(wanted)
            anz = c.status is OriginStatus.ORIGINATING and c.origin_country in AUSTRALIA_NZ
            anz |= bool(
                c.attributes
                & {"unmanufactured_raw_product", "wholly_manufactured_from_raw_products"}
                and (c.produced_in or c.origin_country) in AUSTRALIA_NZ
            )
            share = FULL_SHARE if anz else NONE_SHARE
            lines.append(Line(amount, share, NONE_SHARE))
        cost_rows = []
        for cost in m.costs:
            line, cost_row, asked = self.cost(cost, m.produced_in, AUSTRALIA_NZ)
            cost_rows.append(cost_row)
            missing.extend(asked)
            if line is not None:
                lines.append(line)
        return Sheet(tuple(lines), tuple(rows), tuple(cost_rows), (), (), (), tuple(missing))

    def container_material(self, m: Material, depth: int) -> Option:
        """A BOM line of retail packaging is an inner container (r 44): r 48 asks for its
        last process in a Forum Island Country or New Zealand and at least 50% qualifying
        area content, from its own cost sheet or stated by its ``status`` (originating)."""
        made = m.produced_in or m.origin_country
        if made is None:
            fact = f"where inner container {m.id} was last processed (r 48(a))"
            return Option(UNKNOWN_SHARE, UNKNOWN_SHARE, "r 48", "r 48", missing=(fact,))
        if made not in self.area:
            return Option(NONE_SHARE, NONE_SHARE, "r 48", "not a qualifying inner container")
        fic = FULL_SHARE if made in self.fics else NONE_SHARE
        if m.components or m.costs:
            sheet = self.sheet(m.components, m.costs, made, depth + 1)
            ratio = sheet.ratio(lambda line: line.qac)
            own = _share(ratio)
            step = self.own_step(m, sheet, ratio, cite("r 48(b)"), "qualifying area content")
            needed = self.value("container_share") / 100
            if own.lo >= needed:
                return Option(FULL_SHARE, fic, "r 48", "qualifying inner container r 48", step=step)
            if own.hi < needed:
                return Option(
                    NONE_SHARE, NONE_SHARE, "r 48", "not a qualifying inner container", step=step
                )
            return Option(
                UNKNOWN_SHARE, Span(ZERO, fic.hi), "r 48", "r 48", step=step, missing=step.missing
            )
        if m.status is OriginStatus.ORIGINATING:
            return Option(FULL_SHARE, fic, "r 48", "qualifying inner container r 48")
        fact = (
            f"whether inner container {m.id} holds at least 50% qualifying area content "
            "(r 48(b)): its cost sheet, or status originating"
        )
        return Option(UNKNOWN_SHARE, Span(ZERO, fic.hi), "r 48", "r 48", missing=(fact,))

    def own_right(self, m: Material, depth: int, made: str) -> Option:
        """r 47(a)(vi) with r 47(d): in full if the material would qualify in its own right
        under r 45(1)(b)(ii), otherwise by its own qualifying area content."""
        if not (m.components or m.costs):
            fact = f"cost sheet (components and costs) of material {m.id} made in {made} (r 47(d))"
            step = Step(
                f"own cost sheet of {m.id}",
                cite("r 47(d)"),
                NEEDS_INFO,
                f"{m.id} was made in {made}: whether it qualifies in its own right, or by how "
                "much, needs its cost sheet",
                missing=(fact,),
            )
            return Option(
                UNKNOWN_SHARE,
                UNKNOWN_SHARE,
                "r 47(a)(vi)",
                "r 47(a)(vi)",
                step=step,
                missing=(fact,),
            )
        sheet = self.sheet(m.components, m.costs, made, depth + 1)
        ratio = sheet.ratio(lambda line: line.qac)
        own = _share(ratio)
        found = (
            self.listed(str(m.hs), None, f"material {m.id}")
            if m.hs
            else Listed(FAILS, "", cite("r 45(2)(b)"))
        )
        listed = found.outcome
        full_t = self.value("qualifying_share") / 100
        listed_t = self.value("listed_goods_share") / 100
        low_t = listed_t if listed is not FAILS else full_t
        high_t = listed_t if listed is MEETS else full_t
        missing = list(sheet.missing)
        if own.lo >= high_t:
            span, citation, label = (
                FULL_SHARE,
                "r 47(d)(i)",
                "qualifying in its own right r 47(d)(i)",
            )
        elif own.hi < low_t:
            span, citation, label = own, "r 47(d)(ii)", "partly qualifying r 47(d)(ii)"
        else:
            span, citation, label = Span(own.lo, ONE), "r 47(d)", "r 47(d)(i) or (ii)"
            if listed is NEEDS_INFO:
                missing.extend(found.missing)
        step = self.own_step(m, sheet, ratio, cite(citation), "qualifying area content")
        if listed is not FAILS:
            # Its own-right share is 45% (or may be): the listing provision is relied on.
            share = Step(
                f"{m.id} listed in r 45(2)(b)",
                found.citation,
                listed,
                found.why,
                found.inputs,
                missing=found.missing if citation == "r 47(d)" else (),  # only if it decides
            )
            step = attrs.evolve(step, children=(share, *step.children))
        return Option(span, span, citation, label, step=step, missing=tuple(missing))

    def own_step(
        self, m: Material, sheet: Sheet, ratio: Ratio, citation: Citation, what: str
    ) -> Step:
        """The material's own figures, shown under the good's steps."""
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

    # ----- r 45: the classes and tests

    def wholly_obtained(self) -> Step:
        """r 45(1)(a): wholly obtained in one Forum Island Country (from its own products,
        r 45(1)(a)(x)); r 45(5): inner containers take the goods' origin."""
        citation = cite("r 45(1)(a)")
        title = "class 45(1)(a) wholly obtained in a Forum Island Country"
        key = self.case.good.wholly_obtained
        if key is None:
            return Step(title, citation, FAILS, "not claimed wholly obtained")
        categories = LAW.vocabulary("wholly_obtained")
        if key not in categories:
            raise CaseError(
                f"good: unknown wholly-obtained category {key!r} "
                f"(known: {', '.join(sorted(categories))})"
            )
        where = set(self.case.good.produced_in)
        children: list[Step] = []
        if not where:
            children.append(
                Step(
                    "obtained in one Forum Island Country",
                    citation,
                    NEEDS_INFO,
                    "where the goods were obtained is not stated",
                    missing=("country where the goods were obtained (good.produced_in)",),
                )
            )
        else:
            one = len(where) == 1 and where <= self.fics
            children.append(
                Step(
                    "obtained in one Forum Island Country",
                    citation,
                    Outcome.of(one),
                    f"obtained in {', '.join(sorted(where))}",
                )
            )
        # r 45(5): inner containers (packaging) take the origin of the goods they contain.
        foreign = [
            m.id
            for m in self.case.materials
            if m.packaging is Packaging.NONE
            and not ("wholly_obtained" in m.attributes and m.origin_country in where)
        ]
        if foreign:
            children.append(
                Step(
                    "only products wholly obtained there",
                    cite("r 45(1)(a)(x)"),
                    FAILS,
                    f"the BOM lists other materials: {', '.join(foreign[:10])}",
                )
            )
        term = categories[key]
        summary = f"wholly obtained: {term.text} ({term.reference})"
        children.insert(0, Step("wholly obtained category", term.reference, MEETS, term.text))
        containers = [
            c.id
            for c in self.case.costs
            if self.categories.get(c.category) is not None
            and self.categories[c.category].group == "inner_containers"
        ] + [m.id for m in self.case.materials if m.packaging is Packaging.RETAIL]
        if containers:
            summary += "; inner containers take the goods' origin (r 45(5))"
            children.append(
                Step(
                    "inner containers take the goods' origin",
                    cite("r 45(5)"),
                    MEETS,
                    f"{_ids(containers)}: inner containers of goods wholly obtained in a "
                    "particular Forum Island Country are regarded as having the goods' origin",
                )
            )
        outcome = Outcome.all(c.outcome for c in children)
        return Step(
            title,
            citation,
            outcome,
            summary,
            (("category", key),),
            children=tuple(children),
            missing=missing_of(children),
        )

    def threshold(self) -> tuple[Span, list[str], list[Step]]:
        """The share r 45(1)(b)(ii) asks, as modified by r 45(2) and r 51 (lowest applies)."""
        good = self.case.good
        base = self.value("qualifying_share")
        notes: list[str] = []
        steps: list[Step] = []
        listed = self.listed(str(good.hs), good.tariff_item, "the goods")
        listed_share = self.value("listed_goods_share")
        # Goods not listed are read against 50% with no step to show, unless a reviewed
        # answer about a renumbered item was relied on.
        if listed.outcome is not FAILS or listed.inputs:
            missing = (
                listed.missing or (f"NZ tariff item of the goods (good.tariff_item): {listed.why}",)
                if listed.outcome is NEEDS_INFO
                else ()
            )
            paragraph = listed.citation != cite("r 45(2)(b)")
            summary = (
                {
                    MEETS: "listed: the reference to 50% is read as 45%",
                    FAILS: "not listed: 50% applies",
                    NEEDS_INFO: "whether the goods are listed needs review",
                }[listed.outcome]
                if paragraph
                else listed.why
            )
            step = Step(
                "goods listed in r 45(2)(b)",
                cite("r 45(2)(b)"),
                listed.outcome,
                summary,
                () if paragraph else listed.inputs,
                missing=() if paragraph else missing,
            )
            if paragraph:
                # The paragraph that lists the goods (or the renumbered item), as its own step.
                child = Step(
                    f"listed in {listed.citation}",
                    listed.citation,
                    listed.outcome,
                    listed.why,
                    listed.inputs,
                    missing=missing,
                )
                step = attrs.evolve(step, children=(child,), missing=missing)
            steps.append(step)
        low = high = base
        if listed.outcome is MEETS:
            low = high = listed_share
            notes.append(f"{percent(listed_share)} for {listed.why}")
        elif listed.outcome is NEEDS_INFO:
            low = listed_share
        lower = self.case.facts.get("lower_share")
        if isinstance(lower, str):
            share, reference = lower_share(lower)
            low, high = min(low, share), min(high, share)
            said = f"{percent(share)} determined by the chief executive" + (
                f": {reference}" if reference else ""
            )
            steps.append(
                Step(
                    "share determined by the chief executive",
                    cite("r 45(2)(a)"),
                    MEETS,
                    f"{said}, instead of 50% (r 45(2)(a))",
                    (("share", share), ("determination", reference or "not stated")),
                )
            )
            notes.append(f"{said} (r 45(2)(a))")
        tolerance = self.tolerance()
        if tolerance is not None:
            steps.append(tolerance)
            share = self.value("tolerance_share")
            if tolerance.outcome is MEETS:
                low, high = min(low, share), min(high, share)
                covered = tolerance.children[0].citation
                notes.append(
                    f"{percent(share)} under the chief executive's determination ({covered})"
                )
            elif tolerance.outcome is NEEDS_INFO:
                low = min(low, share)
        return Span(low, high), notes, steps

    def tolerance(self) -> Step | None:
        """r 51: a determination for an unforeseen circumstance (r 51(1)).

        r 51(2): 45(1)(b) applies "as if the reference ... to 50% were a reference to 48%",
        "(a) for the purpose of the shipment of goods that is affected by the unforeseen
        circumstance; and (b) for the purpose of any subsequent shipment of similar goods that
        is so affected during the period determined ...". r 51(4): "similar goods ... means
        goods that (a) are contained in another shipment that is imported by the same importer
        from the same manufacturer; and (b) contain the same materials and undergo the same
        process or processes of manufacture". r 51(3): "The chief executive may at any time
        amend or revoke any determination".

        The determination is ``facts.tolerance_determination`` (as amended, with its period:
        the last two dates); the shipment it was made for says so
        (``facts.tolerance_for_this_shipment``); a later shipment is covered within the period
        when it is of similar goods (``facts.tolerance_similar_goods``; not stated: open); a
        revocation (``facts.tolerance_revoked``, its date first) ends it for goods imported on
        or after that date.
        """
        fact = self.case.facts.get("tolerance_determination")
        if not isinstance(fact, str):
            return None
        dates = re.findall(r"\d{4}-\d{2}-\d{2}", fact)
        if len(dates) < 2:
            raise CaseError(
                f"facts.tolerance_determination: {fact!r} should give the determination and its "
                "period, e.g. 'CE 2026/4; 2026-01-01 to 2026-06-30'"
            )
        try:
            start, end = (dt.date.fromisoformat(d) for d in dates[-2:])
        except ValueError as error:
            raise CaseError(f"facts.tolerance_determination: {error}") from None
        if end < start:
            raise CaseError(
                f"facts.tolerance_determination: the period ends ({end}) before it starts ({start})"
            )
        consignment = self.case.consignment
        day = consignment.imported_on if consignment and consignment.imported_on else self.date
        children: list[Step] = []
        if self.case.facts.get("tolerance_for_this_shipment") is True:
            children.append(
                Step(
                    "made for this shipment",
                    cite("r 51(2)(a)"),
                    MEETS,
                    "the determination was made for this shipment, affected by the unforeseen "
                    "circumstance",
                )
            )
        else:
            inside = start <= day <= end
            children.append(
                Step(
                    "a later shipment within its period",
                    cite("r 51(2)(b)"),
                    Outcome.of(inside),
                    f"its period {start.isoformat()} to {end.isoformat()} "
                    f"{'covers' if inside else 'does not cover'} {day.isoformat()}",
                )
            )
            similar = self.case.facts.get("tolerance_similar_goods")
            outcome = MEETS if similar is True else FAILS if similar is False else NEEDS_INFO
            children.append(
                Step(
                    "similar goods",
                    cite("r 51(4)"),
                    outcome,
                    {
                        MEETS: "stated to be similar goods: same importer, same manufacturer, "
                        "same materials and processes, affected by the same circumstance",
                        FAILS: "stated not to be similar goods to those the determination "
                        "was made for",
                        NEEDS_INFO: "whether these are similar goods (same importer and "
                        "manufacturer, same materials and processes) is not stated",
                    }[outcome],
                    missing=(
                        "whether the goods are similar goods to those the r 51 determination "
                        "was made for: same importer, same manufacturer, same materials and "
                        "processes (r 51(4); facts.tolerance_similar_goods)",
                    )
                    if outcome is NEEDS_INFO
                    else (),
                )
            )
        revoked = self.case.facts.get("tolerance_revoked")
        if isinstance(revoked, str):
            found = re.search(r"\d{4}-\d{2}-\d{2}", revoked)
            if found is None:
                raise CaseError(
                    f"facts.tolerance_revoked: {revoked!r} should give the date the revocation "
                    "took effect, e.g. '2025-05-01; CE 2025/15'"
                )
            try:
                when = dt.date.fromisoformat(found[0])
            except ValueError as error:
                raise CaseError(f"facts.tolerance_revoked: {error}") from None
            standing = day < when
            children.append(
                Step(
                    "not revoked",
                    cite("r 51(3)"),
                    Outcome.of(standing),
                    f"revoked ({revoked}) with effect from {when.isoformat()}: "
                    + ("still in force" if standing else "no longer in force")
                    + f" on {day.isoformat()}",
                )
            )
        outcome = Outcome.all(c.outcome for c in children)
        return Step(
            "determination under r 51(1)",
            cite("r 51(1)"),
            outcome,
            f"{fact}: "
            + {
                MEETS: "applies, 48% instead of 50%",
                FAILS: "does not apply",
                NEEDS_INFO: "may apply",
            }[outcome],
            children=tuple(children),
            missing=missing_of(children),
        )

    def result(
        self,
        ratio: Ratio,
        threshold: Fraction,
        *,
        formula: Formula,
        method: str,
        citation: Citation,
        symbols: tuple[str, str],
    ) -> RVCResult:
        """An RVC-style result: exact with headroom, or the bound that decides, or undecided."""

        def make(
            outcome: Outcome,
            value: Fraction | None,
            *,
            inputs: tuple[tuple[str, Fraction], ...] = (),
            headroom: tuple[tuple[str, str, Fraction], ...] = (),
            note: str = "",
            bound: str = "",
        ) -> RVCResult:
            return RVCResult(
                method,
                citation,
                formula.text,
                inputs,
                value,
                threshold,
                outcome,
                None if value is None else value - threshold,
                headroom,
                note,
                formula.latex,
                bound,
            )

        if ratio.lo is None or ratio.hi is None:
            return make(NEEDS_INFO, None, note="no factory or works cost: a cost sheet is needed")
        if ratio.qualifying is not None and ratio.total is not None:
            values = {symbols[0]: ratio.qualifying, symbols[1]: ratio.total}
            try:
                value = formula.evaluate(values)
            except FormulaError:
                return make(NEEDS_INFO, None, note="the factory or works cost is zero")
            headroom = []
            for symbol in symbols:
                try:
                    edge = formula.headroom(symbol, threshold, values)
                except FormulaError:
                    continue
                headroom.append((edge.symbol, edge.direction, edge.value))
            return make(
                Outcome.of(value >= threshold),
                value,
                inputs=tuple(values.items()),
                headroom=tuple(headroom),
            )
        note = (
            f"between {percent(ratio.lo)} and {percent(ratio.hi)}: some amounts or shares unknown"
        )
        if ratio.lo >= threshold:
            return make(MEETS, ratio.lo, note=note, bound="at least")
        if ratio.hi < threshold:
            return make(FAILS, ratio.hi, note=note, bound="at most")
        return make(NEEDS_INFO, None, note=note)

    def partly_manufactured(self, sheet: Sheet) -> tuple[Step, list[RVCResult], list[str]]:
        """r 45(1)(b) with r 45(2), r 45(3) and r 51."""
        good = self.case.good
        last = good.last_process_in
        last_step = Step(
            "last process in a Forum Island Country",
            cite("r 45(1)(b)(i)"),
            NEEDS_INFO if last is None else Outcome.of(last in self.fics),
            f"last process in {last}" if last else "place of the last process not stated",
            missing=("country of the last process of manufacture",) if last is None else (),
        )
        threshold, notes, threshold_steps = self.threshold()
        ratio = sheet.ratio(lambda line: line.qac)
        results = []
        shares = sorted({threshold.lo, threshold.hi}, reverse=True)
        outcomes = []
        for share in shares:
            result = self.result(
                ratio,
                share,
                formula=QAC,
                method=QAC_METHOD,
                citation=cite("r 45(1)(b)(ii)"),
                symbols=("QAC", "FWC"),
            )
            results.append(result)
            outcomes.append(result.outcome)
        # With the share itself unknown (tariff item not given), the test meets only if it
        # meets at the higher share and fails only if it fails at the lower one.
        qac_outcome = (
            outcomes[0]
            if len(outcomes) == 1
            else (MEETS if outcomes[0] is MEETS else FAILS if outcomes[-1] is FAILS else NEEDS_INFO)
        )
        qac_step = rvc_step(results[0], sheet.missing)
        if len(results) > 1:
            qac_step = attrs.evolve(
                qac_step,
                outcome=qac_outcome,
                summary=f"{qac_step.summary}; at {percent(shares[-1])}: "
                f"{results[-1].outcome.value}",
            )
        if notes:
            qac_step = attrs.evolve(
                qac_step, summary=f"{qac_step.summary} (share: {'; '.join(notes)})"
            )
        qac_step = attrs.evolve(
            qac_step,
            children=(*threshold_steps, *self.sheet_steps(sheet), *sheet.steps),
            missing=qac_step.missing if qac_outcome is NEEDS_INFO else (),
        )
        children = [last_step, qac_step]
        extra = self.forum_island_test(sheet)
        if extra is not None:
            step, fic_result = extra
            children.append(step)
            if fic_result is not None:
                results.append(fic_result)
        outcome = Outcome.all(c.outcome for c in children)
        return (
            Step(
                "class 45(1)(b) partly manufactured in a Forum Island Country",
                cite("r 45(1)(b)"),
                outcome,
                qac_step.summary,
                children=tuple(children),
                missing=missing_of(children),
            ),
            results,
            notes,
        )

    def sheet_steps(self, sheet: Sheet) -> tuple[Step, ...]:
        """The goods' materials by the provisions they were counted under, with the reading
        of the former-rules references where a material relies on them."""
        received = [
            row.id
            for row in sheet.costs
            if row.category in self.categories
            and self.categories[row.category].group == "contracting_out"
            and row.status == "non-qualifying"
        ]
        step = materials_step(sheet.materials, received, self.readings())
        containers = _by_provision(
            ((cite("r 48"),), row.status, row.id)
            for row in sheet.costs
            if self.categories[row.category].group == "inner_containers"
        )
        return (*((step,) if step else ()), *containers)

    def former_paragraphs(self) -> dict[Citation, list[str]]:
        """The paragraphs referring to the former rules (r 47(a)(iv), r 47(a)(v) with
        r 47(c)) that materials of the case are claimed under, with the materials."""
        found: dict[Citation, list[str]] = {}
        for _, m in self.case.walk():
            if "anzcerta_qualifying_full" in m.attributes:
                found.setdefault(cite("r 47(a)(iv)"), []).append(m.id)
            if "anzcerta_qualifying_partial" in m.attributes:
                found.setdefault(cite("r 47(a)(v)"), []).append(m.id)
                found.setdefault(cite("r 47(c)"), []).append(m.id)
        return found

    def readings(self) -> tuple[Step, ...]:
        """How the references to former regs 33(1)(c) and 35 were read, per paragraph."""
        return tuple(
            Step(
                "reference to the former rules",
                paragraph,
                MEETS,
                f"{_ids(ids)}: {paragraph} refers to former regs 33(1)(c) and 35; read as "
                f"'{self.reading}' (decision record 0008; case fact cross_references)",
                (("reading", self.reading),),
            )
            for paragraph, ids in self.former_paragraphs().items()
        )

    def obligations(self, steps: Iterable[Step]) -> tuple[Obligation, ...]:
        """What the determination takes on trust and the law leaves to the chief executive or
        the manufacturer, listed where it applies.

        r 46(4): "Depreciation of plant, equipment, and buildings shall be calculated in
        accordance with generally accepted accounting principles, as applied by the
        manufacturer." The toolkit takes depreciation as stated in the cost lines; it cannot
        recompute it, so it is listed for every cost line (at any depth) whose category
        includes depreciation (r 46(1)(c)(iii), (vi)).

        r 51(3): "The chief executive may at any time amend or revoke any determination made
        under subclause (1) to reflect changed circumstances." A revocation the case states
        is applied (``facts.tolerance_revoked``); that none was made, and that the
        determination is stated as amended, is the case's word, listed wherever r 51 is
        relied on.
        """
        found: list[Obligation] = []
        depreciation = [
            cost.id
            for cost in (
                *self.case.costs,
                *(c for _, m in self.case.walk() for c in m.costs),
            )
            if cost.category in DEPRECIATION
        ]
        if depreciation:
            found.append(
                Obligation(
                    cite("r 46(4)"),
                    "depreciation of plant, equipment and buildings in cost line(s) "
                    f"{_ids(depreciation)} must be calculated in accordance with generally "
                    "accepted accounting principles, as applied by the manufacturer; this "
                    "determination takes the amounts as stated",
                )
            )
        tolerance = next((s for s in steps if s.citation == cite("r 51(1)")), None)
        if tolerance is not None and tolerance.outcome is not FAILS:
            found.append(
                Obligation(
                    cite("r 51(3)"),
                    "the chief executive may at any time amend or revoke the determination "
                    "made under r 51(1) to reflect changed circumstances; this determination "
                    "relies on it as stated in the case (facts.tolerance_determination, as "
                    "amended) and unrevoked unless facts.tolerance_revoked says otherwise",
                )
            )
        return tuple(found)

    def forum_island_test(self, sheet: Sheet) -> tuple[Step, RVCResult | None] | None:
        """r 45(3): with Australian qualifying materials counted, at least 25% of the factory
        or works cost must be Forum Island content — unless the chief executive permits.
        When only a missing fact could make a material Australian, a failing test needs
        that fact rather than failing."""
        if not (sheet.australian or sheet.australian_perhaps):
            return None
        citation = cite("r 45(3)")
        title = "Forum Island content with Australian materials"
        permitted = self.case.facts.get("australian_content_permitted")
        if isinstance(permitted, str):
            summary = f"not required: the chief executive permitted otherwise ({permitted})"
            return Step(title, citation, MEETS, summary), None
        share = self.value("forum_island_share")
        ratio = sheet.ratio(lambda line: line.fic)
        result = self.result(
            ratio,
            share,
            formula=FIC_CONTENT,
            method=FIC_METHOD,
            citation=citation,
            symbols=("FC", "FWC"),
        )
        step = rvc_step(result, sheet.missing)
        which = sheet.australian or sheet.australian_perhaps
        summary = (
            f"Australian qualifying materials counted ({', '.join(which)}): {step.summary}"
            if sheet.australian
            else f"if {', '.join(which)} are Australian (r 45(3), paragraphs (a) to (c)): "
            f"{step.summary}"
        )
        step = attrs.evolve(step, test=title, summary=summary)
        if not sheet.australian and step.outcome is FAILS:
            step = attrs.evolve(step, outcome=NEEDS_INFO, missing=sheet.missing)
        return step, result

    def exported(self) -> Step:
        """r 45(4): goods exported from a Forum Island Country, directly or not."""
        consignment = self.case.consignment
        citation = cite("r 45(4)")
        exported = consignment.exported_from if consignment else None
        if exported is None:
            return Step(
                "exported from a Forum Island Country",
                citation,
                NEEDS_INFO,
                "the country of exportation is not stated",
                missing=("country of exportation (consignment.exported_from)",),
            )
        return Step(
            "exported from a Forum Island Country",
            citation,
            Outcome.of(exported in self.fics),
            f"exported from {exported}, by any route and whether or not through another "
            "country's commerce",
        )

    def determine(self) -> Determination:
        good = self.case.good
        self.decide_deepest_first()
        sheet = self.sheet(self.case.materials, self.case.costs, good.last_process_in)
        a_step = self.wholly_obtained()
        b_step, results, _ = self.partly_manufactured(sheet)
        shipped = self.exported()
        countries = self.membership.step(self.date, cite("r 44"), FORUM_ISLAND_COUNTRY)
        steps = (a_step, b_step, shipped, countries)
        origin = (a_step.outcome | b_step.outcome) & shipped.outcome
        verdict = Verdict.from_outcome(origin)
        basis = [str(s.citation) for s in (a_step, b_step) if s.outcome is MEETS]
        notes = []
        former = self.former_paragraphs()
        if former:
            notes.append(
                f"{', '.join(map(str, former))} refer to former regs 33(1)(c) and 35 (as do "
                f"paragraphs (b) and (c) of the 25% test); read as '{self.reading}' (decision "
                "record 0008; case fact cross_references)"
            )
        return Determination(
            agreement=LAW.name,
            agreement_title=LAW.title,
            date=self.date,
            law_version=LAW.text_version,
            good_id=good.id,
            hs=str(good.hs),
            verdict=verdict,
            basis=tuple(basis) if verdict is Verdict.ORIGINATING else (),
            steps=steps,
            materials=sheet.materials,
            rvc=tuple(results),
            missing=missing_of(steps) if verdict is Verdict.NEEDS_INFORMATION else (),
            obligations=self.obligations(b_step.walk()),
            notes=tuple(notes),
            costs=sheet.costs,
        )


def _long_date(day: dt.date) -> str:
    """1 January 2022."""
    return f"{day.day} {day:%B %Y}"


def _ids(ids: Sequence[str]) -> str:
    """Ids for a summary: the first ten, then how many more."""
    more = f" and {len(ids) - 10} more" if len(ids) > 10 else ""
    return ", ".join(ids[:10]) + more


def _by_provision(
    entries: Iterable[tuple[Iterable[Citation], str, str]],
) -> list[Step]:
    """One step per provision lines were counted under, naming the lines by how they were
    counted: the provisions of a cost sheet as structured citations, not only row text."""
    grouped: dict[Citation, dict[str, list[str]]] = {}
    for citations, status, line in entries:
        for citation in citations:
            grouped.setdefault(citation, {}).setdefault(status, []).append(line)
    return [
        Step(
            f"counted under {citation}",
            citation,
            NEEDS_INFO if "undetermined" in statuses else MEETS,
            "; ".join(f"{status}: {_ids(ids)}" for status, ids in statuses.items()),
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
    children = _by_provision((row.citations, row.status, row.id) for row in rows)
    summary = (
        f"{len(rows)} material(s) at the cost to the manufacturer of bringing them into the "
        "factory, freight included and duties excluded, qualifying as regs 47 to 50 provide"
    )
    if received:
        summary += f"; work contracted out abroad counted as material received: {_ids(received)}"
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
    children = _by_provision(
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


def _share(ratio: Ratio) -> Span:
    """A percent ratio as a share in [0, 1]; no cost at all tells nothing."""
    if ratio.lo is None or ratio.hi is None:
        return UNKNOWN_SHARE
    return Span(ratio.lo / 100, ratio.hi / 100)


def bind(membership: Membership) -> Callable[[Case, dt.date], Determination]:
    """``decide`` with another list of Forum Island Countries (never New Zealand or
    Australia, which r 44 leaves out)."""
    named = sorted({m.code for m in membership.members} & AUSTRALIA_NZ)
    if named:
        raise FactError(
            f"{membership.title}: lists {', '.join(named)}; a Forum Island Country is a country "
            "other than New Zealand or Australia (r 44)"
        )

    def decide(case: Case, date: dt.date) -> Determination:
        return _Run(case, date, membership).determine()

    return decide


decide = bind(MEMBERSHIP)

AGREEMENT = Agreement(
    name="fic",
    title=LAW.title,
    regulations=LAW.regulations,
    law=LAW,
    decide=decide,
    cases=Path(__file__).parent / "cases" / "fic",
    membership=MEMBERSHIP,
    bind_membership=bind,
)
