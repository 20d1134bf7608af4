"""r 45(1)(b) and r 45(3): goods partly manufactured in a Forum Island Country.

Only what r 45(1)(b) makes unique: the last process in a Forum Island Country
(r 45(1)(b)(i)) and qualifying area content — labour and overheads incurred in a Forum Island
Country or New Zealand, qualifying materials and qualifying inner containers — of at least
the share ``r45_2_shares`` gives, of the factory or works cost (r 45(1)(b)(ii)); with
Australian qualifying materials counted, at least 25% Forum Island content as well, unless
the chief executive permits otherwise (r 45(3)). Both are exact fractions when every amount
is known, else the bounds the known amounts fix: a verdict only when the bounds decide.
"""

from __future__ import annotations

from fractions import Fraction

import attrs

from agreements.fic.r45_2_shares import threshold
from agreements.fic.r46_factory_cost import Ratio, Sheet, by_provision, materials_step
from agreements.fic.r47_qualifying_materials import QualifyingMaterials
from origin.citation import Citation, cite
from origin.determination import FAILS, MEETS, NEEDS_INFO, Outcome, RVCResult, Step, missing_of
from origin.engine import percent, rvc_step
from origin.formulas import Formula, FormulaError

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


class PartlyManufactured(QualifyingMaterials):
    """r 45(1)(b), with r 45(2), r 45(3) and r 51."""

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
        share, notes, threshold_steps = threshold(self)
        ratio = sheet.ratio(lambda line: line.qac)
        shares = sorted({share.lo, share.hi}, reverse=True)
        results = [result(ratio, s, QAC, cite("r 45(1)(b)(ii)"), ("QAC", "FWC")) for s in shares]
        outcomes = [r.outcome for r in results]
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
        containers = by_provision(
            ((cite("r 48"),), row.status, row.id)
            for row in sheet.costs
            if self.categories[row.category].group == "inner_containers"
        )
        return (*((step,) if step else ()), *containers)

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
        fic_result = result(ratio, share, FIC_CONTENT, citation, ("FC", "FWC"))
        step = rvc_step(fic_result, sheet.missing)
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
        return step, fic_result


def result(
    ratio: Ratio,
    threshold: Fraction,
    formula: Formula,
    citation: Citation,
    symbols: tuple[str, str],
) -> RVCResult:
    """QAC / FWC (r 45(1)(b)(ii)) or FC / FWC (r 45(3)) against its share: exact with
    headroom, or the bound that decides, or undecided."""

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
            formula.name,
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
    note = f"between {percent(ratio.lo)} and {percent(ratio.hi)}: some amounts or shares unknown"
    if ratio.lo >= threshold:
        return make(MEETS, ratio.lo, note=note, bound="at least")
    if ratio.hi < threshold:
        return make(FAILS, ratio.hi, note=note, bound="at most")
    return make(NEEDS_INFO, None, note=note)
