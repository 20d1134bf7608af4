"""A determination as readable text: verdict first, then each step with its provision."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from origin.determination import MEETS, Determination, Outcome, Step
from origin.engine import percent
from origin.trees import preorder

_MARK = {Outcome.MEETS: "✓", Outcome.FAILS: "✗", Outcome.NEEDS_INFO: "?"}


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
        out.append(f"{pad}{_MARK[step.outcome]} [{step.citation}] {step.test}: {step.summary}")
        if step.margin is not None and step.threshold is not None:
            out.append(
                f"{pad}    margin {percent(step.margin)} (threshold {percent(step.threshold)})"
            )
        if step.outcome is Outcome.NEEDS_INFO and step.missing:
            below = {f for c in step.children if c.outcome is Outcome.NEEDS_INFO for f in c.missing}
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
                f"vs {percent(r.threshold)}"
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


def _money(value: object) -> str:
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        shown = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"))
        return f"{value.numerator}/{value.denominator} (≈{shown})"
    return str(value)
