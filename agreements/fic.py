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

    def __init__(self, case: Case, date: dt.date, fics: frozenset[str]) -> None:
        self.case = case
        self.date = date
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

    def listed(self, code: str, tariff_item: str | None) -> tuple[Outcome, str]:
        """Whether goods are in the r 45(2)(b) list. Headings, the subheading and tariff items
        are compared digit by digit; a code less precise than a listed entry within it (a
        heading 42.03 for subheading 4203.10, a subheading 3926.20 for item 3926.20.22)
        leaves the answer open."""
        digits = (tariff_item or code).replace(".", "")
        shown = tariff_item or code
        possible = []
        for key, term in LAW.vocabulary("listed_goods").items():
            listed = key.replace(".", "")
            if digits.startswith(listed):
                return MEETS, f"{term.text} ({term.reference})"
            if listed.startswith(digits):
                possible.append(key)
        if possible:
            return NEEDS_INFO, f"{shown} holds listed goods ({', '.join(possible)})"
        return FAILS, f"{shown} is not among the goods of r 45(2)(b)"

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

    def expenditure(self, material: Material) -> tuple[Fraction | None, list[str], list[str]]:
        """r 46(1)(a) with r 50: the cost of bringing the material into the factory."""
        notes: list[str] = []
        needs: list[str] = []
        if material.value is None:
            needs.append(f"cost of material {material.id} brought into the factory (r 46(1)(a))")
            return None, notes, needs
        amount = Fraction(material.value)
        transport = [a for a in material.adjustments if a.kind == "transport_to_factory"]
        if "supplied_free_or_reduced" in material.attributes:
            if not transport:
                needs.append(
                    f"transport of material {material.id} into the factory, supplied free or "
                    "at a reduced cost (r 50(1)(b))"
                )
                return None, notes, needs
            notes.append("supplied free or at a reduced cost: valued under r 50(1)")
        amount += sum((Fraction(a.amount) for a in transport), ZERO)
        for adjustment in material.adjustments:
            if adjustment.kind == "excess_over_market_value":
                amount -= Fraction(adjustment.amount)
                notes.append(f"{adjustment.amount} above market value taken off (r 50(4))")
        if amount < 0:
            raise CaseError(f"material {material.id!r}: r 50(4) takes off more than its cost")
        return amount, notes, needs

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
        amount, notes, needs = self.expenditure(m)
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
                (cite(citation),),
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
            amount, _, wanted = self.expenditure(c)
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
        listed, why = self.listed(str(m.hs), None) if m.hs else (FAILS, "")
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
                missing.append(f"NZ tariff item of material {m.id} (r 45(2)(b): {why})")
        step = self.own_step(m, sheet, ratio, cite(citation), "qualifying area content")
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
            children=sheet.steps,
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
        if self.case.costs and any(
            self.categories.get(c.category) is not None
            and self.categories[c.category].group == "inner_containers"
            for c in self.case.costs
        ):
            summary += "; inner containers take the goods' origin (r 45(5))"
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
        listed, why = self.listed(str(good.hs), good.tariff_item)
        listed_share = self.value("listed_goods_share")
        if listed is not FAILS:  # goods not listed are read against 50%: no step to show
            steps.append(
                Step(
                    "goods listed in r 45(2)(b)",
                    cite("r 45(2)(b)"),
                    listed,
                    why,
                    missing=(f"NZ tariff item of the goods (good.tariff_item), {why}",)
                    if listed is NEEDS_INFO
                    else (),
                )
            )
        low = high = base
        if listed is MEETS:
            low = high = listed_share
            notes.append(f"{percent(listed_share)} for {why}")
        elif listed is NEEDS_INFO:
            low = listed_share
        lower = self.case.facts.get("lower_share")
        if isinstance(lower, str):
            share, reference = lower_share(lower)
            low, high = min(low, share), min(high, share)
            notes.append(
                f"{percent(share)} determined by the chief executive (r 45(2)(a))"
                + (f": {reference}" if reference else "")
            )
        tolerance = self.tolerance()
        if tolerance is not None:
            steps.append(tolerance)
            if tolerance.outcome is MEETS:
                share = self.value("tolerance_share")
                low, high = min(low, share), min(high, share)
                notes.append(
                    f"{percent(share)} under the chief executive's determination (r 51(2))"
                )
        return Span(low, high), notes, steps

    def tolerance(self) -> Step | None:
        """r 51: a determination for an unforeseen circumstance. It covers the shipment it
        was made for (r 51(2)(a), ``facts.tolerance_for_this_shipment``) and similar goods
        shipped within its period (r 51(2)(b)): the last two dates of the fact."""
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
        if self.case.facts.get("tolerance_for_this_shipment") is True:
            return Step(
                "determination under r 51",
                cite("r 51(2)(a)"),
                MEETS,
                f"{fact}: made for this shipment",
            )
        consignment = self.case.consignment
        day = consignment.imported_on if consignment and consignment.imported_on else self.date
        inside = start <= day <= end
        return Step(
            "determination under r 51",
            cite("r 51(2)(b)"),
            Outcome.of(inside),
            f"{fact}: {'covers' if inside else 'does not cover'} {day.isoformat()}",
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
            children=(*threshold_steps, *sheet.steps),
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
            else f"if {', '.join(which)} are Australian (r 45(3)(a)-(c)): {step.summary}"
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
        steps = (a_step, b_step, shipped)
        origin = (a_step.outcome | b_step.outcome) & shipped.outcome
        verdict = Verdict.from_outcome(origin)
        basis = [str(s.citation) for s in (a_step, b_step) if s.outcome is MEETS]
        notes = []
        if any(
            m.attributes & {"anzcerta_qualifying_full", "anzcerta_qualifying_partial"}
            for _, m in self.case.walk()
        ):
            notes.append(
                f"r 47(a)(iv)-(v) and r 45(3)(b)-(c) refer to former regs 33(1)(c) and 35; read "
                f"as '{self.reading}' (decision record 0008; case fact cross_references)"
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
            obligations=(),
            notes=tuple(notes),
            costs=sheet.costs,
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
        return _Run(case, date, membership.on(date)).determine()

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
