"""Determinations and comparisons as HTML, for Jupyter (``_repr_html_``).

Percentages are shown as percentages and amounts as amounts; the exact figure (``327/5``)
is one hover away in the cell's ``title``. The steps are a tree of ``<details>``, each with
its citation, so a reader opens only what they need. All user text is escaped; no script,
no external resource.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from html import escape
from typing import TYPE_CHECKING

from origin.determination import Determination, Outcome, Step, Verdict
from origin.engine import percent

if TYPE_CHECKING:
    from origin.comparison import Comparison

_COLOUR = {
    "originating": "#1e7b34",
    "not originating": "#b3261e",
    "needs information": "#8a6d00",
    "error": "#6b3fa0",
    "not applicable": "#5f6368",
}
_MARK = {Outcome.MEETS: "✓", Outcome.FAILS: "✗", Outcome.NEEDS_INFO: "?"}
_STYLE = (
    "<style>.origin-d table{border-collapse:collapse;margin:4px 0}"
    ".origin-d td,.origin-d th{border:1px solid #ddd;padding:2px 6px;text-align:left;"
    "vertical-align:top}.origin-d .badge{color:#fff;padding:2px 8px;border-radius:4px;"
    "font-weight:bold}.origin-d details{margin-left:1em}</style>"
)


def _badge(word: str) -> str:
    colour = _COLOUR.get(word, "#5f6368")
    return f'<span class="badge" style="background:{colour}">{escape(word)}</span>'


def _figure(value: Fraction | None, points: bool = False) -> str:
    """A percentage as text, the exact fraction in the title."""
    if value is None:
        return ""
    shown = percent(value)
    if points:
        shown = f"{'+' if value >= 0 else ''}{shown.removesuffix('%')} points"
    return f'<span title="{value.numerator}/{value.denominator}">{escape(shown)}</span>'


def _money(value: Fraction) -> str:
    """An amount to the cent for reading (``…`` where it was rounded), exact in the title."""
    shown = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"))
    mark = "" if Fraction(shown) == value else "…"
    return f'<span title="{value.numerator}/{value.denominator}">{shown}{mark}</span>'


def _table(head: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def _steps(steps: Iterable[Step]) -> str:
    """Nested <details>, built without recursion (a BOM may be thousands of levels deep)."""
    out: list[str] = []
    stack: list[tuple[Step, bool]] = [(s, False) for s in reversed(tuple(steps))]
    while stack:
        step, closing = stack.pop()
        if closing:
            out.append("</details>")
            continue
        margin = f" — margin {_figure(step.margin, points=True)}" if step.margin is not None else ""
        missing = (
            "<br>needs: " + "; ".join(escape(m) for m in step.missing)
            if step.outcome is Outcome.NEEDS_INFO and step.missing
            else ""
        )
        out.append(
            f"<details><summary>{_MARK[step.outcome]} [{escape(str(step.citation))}] "
            f"{escape(step.test)}</summary>{escape(step.summary)}{margin}{missing}"
        )
        stack.append((step, True))
        stack.extend((child, False) for child in reversed(step.children))
    return "".join(out)


def determination_html(d: Determination, materials: int = 200) -> str:
    """Verdict badge, basis, every RVC method, the steps as a tree, the materials table."""
    parts = [
        _STYLE,
        '<div class="origin-d">',
        f"<p><b>{escape(d.agreement_title)}</b><br>Good {escape(d.good_id)} (HS "
        f"{escape(d.hs)}) on {d.date.isoformat()}, law as at {d.law_version.isoformat()}</p>",
        f"<p>{_badge(d.verdict.value)}</p>",
    ]
    if d.basis:
        parts.append("<p>Basis: " + "; ".join(escape(b) for b in d.basis) + "</p>")
    if d.verdict is Verdict.NEEDS_INFORMATION and d.missing:
        parts.append(
            "<p>Missing facts:</p><ul>" + "".join(f"<li>{escape(m)}</li>" for m in d.missing)
        )
        parts.append("</ul>")
    if d.psr:
        parts.append(f"<p>Product-specific rule: {escape(d.psr)}</p>")
    if d.rvc:
        rows = [
            [
                escape(r.method),
                escape(str(r.citation)),
                escape(r.formula),
                _figure(r.value),
                _figure(r.threshold),
                _figure(r.margin, points=True),
                _MARK[r.outcome],
                "; ".join(f"{escape(s)} {escape(w)} {_money(b)}" for s, w, b in r.headroom),
            ]
            for r in d.rvc
        ]
        head = ("method", "citation", "formula", "RVC", "threshold", "margin", "", "headroom")
        parts.append("<p>Regional value content:</p>" + _table(head, rows))
    parts.append("<p>Steps:</p>" + _steps(d.steps))
    if d.materials:
        shown = list(d.materials[:materials])
        rows = [
            [
                "&nbsp;" * 2 * row.depth + escape(row.id),
                escape(row.hs),
                escape("" if row.value is None else str(row.value)),
                escape(row.status),
                escape(row.counted_as),
                "" if row.tariff_shift is None else _MARK[row.tariff_shift],
                "yes" if row.de_minimis else "",
                escape("; ".join(str(c) for c in row.citations)),
            ]
            for row in shown
        ]
        head = ("material", "HS", "value", "status", "counted as", "shift", "de minimis", "cited")
        more = len(d.materials) - len(shown)
        tail = f"<p>… {more} more rows (materials_frame() has them all)</p>" if more else ""
        parts.append(f"<p>Materials ({len(d.materials)}):</p>" + _table(head, rows) + tail)
    if d.costs:
        rows = [
            [
                escape(c.id),
                escape(c.category),
                escape(str(c.amount)),
                escape(c.place or ""),
                escape(c.status),
                escape(str(c.citation)),
                escape(c.note),
            ]
            for c in d.costs
        ]
        names = ("cost", "category", "amount", "place", "status", "cited", "note")
        parts.append(f"<p>Cost lines ({len(d.costs)}):</p>" + _table(names, rows))
    if d.obligations:
        items = "".join(
            f"<li>[{escape(str(o.citation))}] {escape(o.text)}"
            + (f" (until {o.until.isoformat()})" if o.until else "")
            + "</li>"
            for o in d.obligations
        )
        parts.append(f"<p>Obligations:</p><ul>{items}</ul>")
    if d.notes:
        parts.append("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in d.notes) + "</ul>")
    parts.append("</div>")
    return "".join(parts)


def comparison_html(c: Comparison) -> str:
    """The ranked rows: agreement, status badge, decisive RVC and margin, code, duty saved."""
    rows = []
    for rank, row in enumerate(c.rows, 1):
        decisive = row.decisive
        duty = row.duty
        saved = "" if duty is None else (str(duty.saved) if duty.saved is not None else "review")
        rows.append(
            [
                str(rank),
                escape(row.agreement),
                _badge(row.status),
                "" if decisive is None else f"{escape(decisive.method)} {_figure(decisive.value)}",
                "" if decisive is None else _figure(decisive.margin, points=True),
                escape("/".join(row.preference_codes)),
                escape(saved),
                escape(row.reason or "; ".join(row.missing[:3])),
            ]
        )
    head = ("#", "agreement", "status", "decisive RVC", "margin", "code", "saved", "why")
    best = c.best
    claim = (
        f"claim {escape(best.agreement)} ({escape('/'.join(best.preference_codes))})"
        if best is not None
        else "no agreement decides the good originating"
    )
    return (
        f'{_STYLE}<div class="origin-d"><p>Good {escape(c.good_id)} (HS {escape(c.hs)}) on '
        f"{c.date.isoformat()}: {escape(c.date_reason)}</p><p><b>{claim}</b></p>"
        f"{_table(head, rows)}<p>Ranked {escape(c.ranking)}.</p></div>"
    )
