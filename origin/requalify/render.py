"""The requalification as text (one block per product to review) and as JSON
(``origin-requalification/1``, docs/requalification.md and requalification.schema.json)."""

from __future__ import annotations

from typing import Any

from origin.requalify.diff import ProductChange, Requalification
from origin.requalify.states import ProductState, Snapshot
from origin.workbook.export import percent_text

FORMAT = "origin-requalification/1"


def _rvc(state: ProductState | None) -> str:
    if state is None or not state.rvc_reading:
        return "none"
    method = state.rvc_method or "?"
    if state.rvc is not None:
        figure = percent_text(state.rvc, 6) if state.rvc.denominator != 1 else str(state.rvc)
        exact = (
            f" ({state.rvc.numerator}/{state.rvc.denominator})"
            if state.rvc.denominator != 1
            else ""
        )
        reading = "" if state.rvc_reading == "exact" else f"{state.rvc_reading} "
        return f"{method} {reading}{figure}%{exact}"
    return f"{method} {state.rvc_text}%"


def _source(run: Snapshot) -> str:
    toolkit = f", origin {run.toolkit}" if run.toolkit else ""
    return f"{run.source} ({run.kind}{toolkit})"


def _title(p: ProductChange) -> str:
    s = p.state
    agreement = f" under {s.agreement}" if s.agreement else ""
    return f"{s.workbook} {s.product or '(no product)'}{agreement}"


def text(r: Requalification) -> str:
    """One block per changed, new or gone product, then one line of counts."""
    lines: list[str] = []
    for p in r.products:
        if p.status == "unchanged":
            continue
        lines.append(f"{_title(p)}: {p.status.upper()}")
        if p.status in ("new", "gone"):
            shown = f"{p.state.verdict}; RVC: {_rvc(p.state)}"
            lines.append(
                f"  verdict: {shown} (not in the old run)"
                if p.status == "new"
                else f"  was: {shown} (not in this run)"
            )
            if p.state.error:
                lines.append(f"  {'not decided' if p.state.verdict == 'error' else 'why'}: "
                             f"{p.state.error}")  # fmt: skip
        else:
            old, new = p.old, p.new
            assert old is not None and new is not None
            if "verdict" in p.what:
                lines.append(f"  verdict: {old.verdict} → {new.verdict}")
            else:
                lines.append(f"  verdict: {new.verdict} (unchanged)")
            if "rvc" in p.what:
                lines.append(f"  decisive RVC: {_rvc(old)} → {_rvc(new)}")
            if "fingerprint" in p.what:
                lines.append(
                    f"  inputs' fingerprint: {_short(old.fingerprint)} → {_short(new.fingerprint)}"
                )
        if p.causes:
            lines.append("  why:")
            lines.extend(f"    - {c.text}" for c in p.causes)
        lines.append("")
    counts = r.counts()
    summary = ", ".join(f"{n} {word}" for word, n in counts.items())
    lines.append(f"requalification against {_source(r.old)}: {summary}")
    return "\n".join(lines)


def _short(fingerprint: str | None) -> str:
    if not fingerprint:
        return "(none)"
    return fingerprint[:19] + "…" if len(fingerprint) > 20 else fingerprint


def _state(state: ProductState | None) -> dict[str, Any] | None:
    if state is None:
        return None
    rvc: dict[str, Any] | None = None
    if state.rvc_reading:
        rvc = {
            "method": state.rvc_method,
            "reading": state.rvc_reading,
            "percent": state.rvc_text,
            "exact": None
            if state.rvc is None
            else f"{state.rvc.numerator}/{state.rvc.denominator}"
            if state.rvc.denominator != 1
            else str(state.rvc.numerator),
        }
    return {
        "verdict": state.verdict,
        "rvc": rvc,
        "fingerprint": state.fingerprint or None,
        "psr": state.psr,
        "date": state.date,
        "law_version": state.law_version,
        "error": state.error or None,
        "materials_listed": state.materials is not None,
    }


def _run(run: Snapshot) -> dict[str, Any]:
    return {
        "source": run.source,
        "kind": run.kind,
        "toolkit": run.toolkit,
        "products": len(run.products),
        "problems": list(run.problems),
    }


def to_json(r: Requalification) -> dict[str, Any]:
    """The requalification as data: every product that is not unchanged, with what
    differs and why; counts of all of them."""
    products = []
    for p in r.products:
        if p.status == "unchanged":
            continue
        s = p.state
        products.append(
            {
                "workbook": s.workbook,
                "product": s.product,
                "agreement": s.agreement,
                "status": p.status,
                "changed": list(p.what),
                "old": _state(p.old),
                "new": _state(p.new),
                "causes": [c.to_json() for c in p.causes],
            }
        )
    return {
        "format": FORMAT,
        "previous": _run(r.old),
        "current": _run(r.new),
        "counts": r.counts(),
        "products": products,
    }
