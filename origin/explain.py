"""Determinations and comparisons as readable text: verdict first, then why."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from origin.determination import FAILS, MEETS, NEEDS_INFO, Determination, Outcome, Step
from origin.engine import law_percent, percent
from origin.trees import preorder

if TYPE_CHECKING:
    from origin.comparison import Comparison, Row

_MARK = {Outcome.MEETS: "✓", Outcome.FAILS: "✗", Outcome.NEEDS_INFO: "?"}
# The same marks by the member's name: an Enum member hashes in Python, a name in C (a deep
# BOM's explanation marks thousands of steps).
_MARK_BY_NAME = {outcome.name: mark for outcome, mark in _MARK.items()}


def _figure(value: object) -> str:
    if isinstance(value, Fraction):
        return percent(value) if value.denominator != 1 else str(value)
    return str(value)


def _step(top: Step, depth: int, out: list[str]) -> None:
    """The step and everything under it, indented by depth (a BOM of any depth).

    A missing fact is shown under the innermost step that needs it: a step that only
    gathers what its children need would repeat, level after level, what they already say.
    """
    for level, step in preorder([top], lambda s: s.children):
        pad = "  " * (depth + level)
        mark = _MARK_BY_NAME[step.outcome._name_]
        out.append(f"{pad}{mark} [{step.citation}] {step.test}: {step.summary}")
        if step.margin is not None and step.threshold is not None:
            out.append(
                f"{pad}    margin {percent(step.margin)} (threshold {law_percent(step.threshold)})"
            )
        if step.outcome is NEEDS_INFO and step.missing:
            below = {f for c in step.children if c.outcome is NEEDS_INFO for f in c.missing}
            out.extend(f"{pad}    needs: {fact}" for fact in step.missing if fact not in below)


def explain(d: Determination, *, materials: int = 20) -> str:
    """Text a compliance officer can read top to bottom; ``materials`` caps the BOM listing."""
    out = [
        f"{d.agreement_title}",
        f"Good {d.good_id} (HS {d.hs}) on {d.date.isoformat()} "
        f"— law as at {d.law_version.isoformat()}",
        "",
        f"VERDICT: {d.verdict.value.upper()}",
    ]
    if d.basis:
        out.append("Basis: " + "; ".join(d.basis))
    if d.missing:
        out.append("Missing facts:")
        out.extend(f"  - {fact}" for fact in d.missing)
    if d.psr:
        out.append(f"Product-specific rule: {d.psr}")
    if d.rvc:
        out.append("")
        out.append("Regional value content (every method evaluated):")
        for r in d.rvc:
            shown = percent(r.value) if r.value is not None else "not computed"
            mark = _MARK[r.outcome]
            out.append(
                f"  {mark} {r.method} [{r.citation}] {r.formula}: {shown} "
                f"vs {law_percent(r.threshold)}"
                + (f", margin {percent(r.margin)}" if r.margin is not None else "")
            )
            inputs = ", ".join(f"{k} = {_money(v)}" for k, v in r.inputs)
            if inputs:
                out.append(f"      inputs: {inputs}")
            for symbol, direction, bound in r.headroom:
                out.append(f"      headroom: {symbol} {direction} {_money(bound)}")
            if r.note:
                out.append(f"      note: {r.note}")
    out.append("")
    out.append("Steps:")
    for step in d.steps:
        _step(step, 1, out)
    if d.materials:
        out.append("")
        out.append(f"Materials ({len(d.materials)}):")
        out.append(f"  {'id':<14} {'HS':<11} {'value':>12}  {'status':<15} {'counted':<10} shift")
        for row in d.materials[:materials]:
            shift = (
                ""
                if row.tariff_shift is None
                else ("ok" if row.tariff_shift is MEETS else row.tariff_shift.value)
            )
            if row.de_minimis:
                shift += " (de minimis)"
            value = "" if row.value is None else str(row.value)
            out.append(
                f"  {row.id:<14} {row.hs:<11} {value:>12}  {row.status:<15} "
                f"{row.counted_as:<10} {shift}"
            )
            for note in row.notes:
                out.append(f"      {note}")
        if len(d.materials) > materials:
            out.append(f"  … {len(d.materials) - materials} more (use --format json for all)")
    out.extend(_declarations(d, materials))
    if d.costs:
        out.append("")
        out.append(f"Cost lines ({len(d.costs)}):")
        out.append(f"  {'id':<14} {'category':<26} {'amount':>12}  {'place':<5} {'status':<15}")
        for cost in d.costs:
            out.append(
                f"  {cost.id:<14} {cost.category:<26} {cost.amount!s:>12}  "
                f"{cost.place or '':<5} {cost.status:<15} [{cost.citation}]"
                + (f" {cost.note}" if cost.note else "")
            )
    if d.notes:
        out.append("")
        out.extend(f"Note: {n}" for n in d.notes)
    if d.obligations:
        out.append("")
        out.append("Obligations:")
        for o in d.obligations:
            until = f" (until {o.until.isoformat()})" if o.until else ""
            out.append(f"  [{o.citation}] {o.text}{until}")
    return "\n".join(out)


def _declarations(d: Determination, limit: int) -> list[str]:
    """What backed each material, with a declarations register (origin.declarations)."""
    if not d.declarations:
        return []
    from origin.declarations.resolve import explained  # noqa: PLC0415 - with a register

    return ["", *explained(d.declarations, limit)]


def _money(value: object) -> str:
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        shown = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"))
        return f"{value.numerator}/{value.denominator} (≈{shown})"
    return str(value)


def reason(d: Determination, limit: int = 3) -> str:
    """Why, in one line: the basis of an originating good, the failing test and its margin,
    or the facts still needed (the first ``limit``, and how many more)."""
    from origin.determination import Verdict, decisive_rvc  # noqa: PLC0415

    if d.verdict is Verdict.ORIGINATING:
        return "; ".join(d.basis)
    if d.verdict is Verdict.NEEDS_INFORMATION:
        shown = "; ".join(d.missing[:limit])
        more = f" (+{len(d.missing) - limit} more)" if len(d.missing) > limit else ""
        return f"needs {shown}{more}"
    rvc = decisive_rvc(d)
    if rvc is not None and rvc.value is not None and rvc.margin is not None:
        return (
            f"RVC {percent(rvc.value)} against {law_percent(rvc.threshold)} ({rvc.method}, "
            f"{rvc.citation}): short by {percent(-rvc.margin).removesuffix('%')} points"
        )
    for step in d.steps:
        if step.outcome is FAILS:
            margin = f", margin {percent(step.margin)}" if step.margin is not None else ""
            return f"{step.test} [{step.citation}]: {step.summary}{margin}"
    return ""


def explain_comparison(c: Comparison, currency: str = "") -> str:
    """One line per agreement, ranked, then what each row still needs or why it failed."""
    money = f" {currency}" if currency else ""
    out = [f"Good {c.good_id} (HS {c.hs}) on {c.date.isoformat()}: {c.date_reason}"]
    best = c.best
    if best is not None:
        saved = best.duty.saved if best.duty is not None else None
        out.append(
            f"CLAIM: {best.agreement} ({', '.join(best.preference_codes) or 'no code'})"
            + (f", duty saved {saved}{money}" if saved is not None else "")
        )
    else:
        out.append("CLAIM: none — no agreement decides the good originating")
    out.append(f"Ranked {c.ranking}.")
    out.append("")
    out.append(
        f"  {'#':>2}  {'agreement':<15} {'status':<18} {'decisive RVC':<26} {'code':<5} saved"
    )
    for number, row in enumerate(c.rows, 1):
        out.append(
            f"  {number:>2}  {row.agreement:<15} {row.status:<18} {_decisive(row):<26} "
            f"{'/'.join(row.preference_codes):<5} {_saved(row, money)}"
        )
    details = [row for row in c.rows if row.status != "originating" or row.duty is not None]
    if details:
        out.append("")
    for row in details:
        d = row.determination
        if row.reason:
            out.append(f"{row.agreement}: {row.reason}")
            continue
        lines = [f"needs: {fact}" for fact in row.missing]
        if d is not None and d.basis:
            lines.append("basis: " + "; ".join(d.basis))
        if row.rule_source:
            lines.append(f"rule: {row.rule or '(none)'} — {row.rule_source}")
        if row.duty is not None:
            lines.append(_duty_line(row, money))
        out.append(f"{row.agreement}:")
        out.extend(f"    {line}" for line in lines)
    if best is not None and best.determination is not None and best.determination.obligations:
        out.append("")
        out.append(f"Obligations under {best.agreement}:")
        for o in best.determination.obligations:
            until = f" (until {o.until.isoformat()})" if o.until else ""
            out.append(f"  [{o.citation}] {o.text}{until}")
    out.extend(f"Note: {n}" for n in c.notes)
    return "\n".join(out)


def _decisive(row: Row) -> str:
    r = row.decisive
    if r is None or r.value is None or r.margin is None:
        return ""
    sign = "+" if r.margin >= 0 else "−"
    return f"{percent(r.value)} ({sign}{percent(abs(r.margin))}) {r.method}"[:26]


def _saved(row: Row, money: str) -> str:
    duty = row.duty
    if duty is None:
        return ""
    if duty.saved is None:
        return "needs review"
    text = f"{duty.saved}{money}"
    return text if row.status == "originating" else f"{text} if originating"


def _duty_line(row: Row, money: str) -> str:
    duty = row.duty
    assert duty is not None
    rates = duty.rates
    how = f" ({rates.how})" if rates is not None and rates.how else ""
    if duty.saved is None:
        return f"duty: needs review — {duty.review}{how}"
    return (
        f"duty on {duty.customs_value}{money}: normal {duty.normal}, preferential "
        f"{duty.preferential} ({duty.code}), saved {duty.saved}{how}; {duty.source}"
    )
