"""``origin report``: one self-contained HTML origin report per product, for an auditor to sign.

Each report prints on A4 (CSS ``@page``; tables wrap to the page width, their headers repeat
on each page) and holds the title block, verdict and basis, every step with its citation,
the RVC methods with their exact figures, the materials in BOM order, cost lines,
obligations, notes, the input fingerprint and a declaration with signature lines. All text
from the case is escaped; there is no script and nothing is loaded from elsewhere.
``--pdf`` also writes each report as PDF through WeasyPrint, when it is installed.

Exit codes as ``origin check``: 0 every product reported, 1 some file or product could not
be read or decided (listed in ``index.html`` with why), 2 bad input (one line).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib
import re
import sys
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from html import escape
from pathlib import Path
from typing import Any

import attrs

import origin
from origin import registry
from origin.agreement import Agreement, FactError
from origin.caseio import WORKBOOK_SUFFIXES, load_case_or_worked
from origin.cli import date_argument
from origin.comparison import dated_note, law_date
from origin.determination import Determination, Outcome, RVCResult, Step
from origin.engine import CaseError, percent
from origin.errors import InputError
from origin.explain import reason
from origin.law import LawNotEncoded
from origin.trees import preorder
from origin.workbook.export import Decided, fingerprint
from origin.workbook.output import replacing, visible

NEST = 12  # steps deeper than this stay at this indentation, labelled with their level

CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm;
  @bottom-right { content: "page " counter(page) " of " counter(pages); font-size: 8pt; } }
html { font: 9.5pt/1.35 "DejaVu Sans", Arial, sans-serif; color: #000; }
body { margin: 0; max-width: 100%; }
h1 { font-size: 15pt; margin: 0 0 4pt; }
h2 { font-size: 11.5pt; margin: 12pt 0 4pt; border-bottom: 1px solid #444;
  break-after: avoid; page-break-after: avoid; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; margin: 2pt 0 6pt; }
th, td { border: 1px solid #999; padding: 2pt 3pt; vertical-align: top; text-align: left;
  overflow-wrap: anywhere; }
th { background: #e8e8e8; }
thead { display: table-header-group; }
tr, .block, li.step, .verdict, .signatures { break-inside: avoid; page-break-inside: avoid; }
table.kv th { width: 28%; }
table.materials, table.costs { font-size: 8pt; }
.num { text-align: right; }
.fig { border-bottom: 1px dotted #666; }
.verdict { border: 2px solid #000; padding: 5pt 7pt; margin: 6pt 0; }
.verdict .word { font-size: 14pt; font-weight: bold; text-transform: uppercase; }
ul.steps { margin: 0; padding-left: 12pt; }
li.step { margin: 1pt 0; overflow-wrap: anywhere; }
.meets { color: #155d27; } .fails { color: #9b1c1c; } .needs { color: #8a5300; }
.small { font-size: 8pt; color: #333; }
code, .fingerprint { font-family: "DejaVu Sans Mono", monospace; word-break: break-all;
  overflow-wrap: anywhere; }
.signatures td { height: 26pt; }
"""

_WORD = {Outcome.MEETS: "meets", Outcome.FAILS: "fails", Outcome.NEEDS_INFO: "needs information"}
_CLASS = {Outcome.MEETS: "meets", Outcome.FAILS: "fails", Outcome.NEEDS_INFO: "needs"}
_SAFE = re.compile(r"[^A-Za-z0-9._-]+|\.{2,}")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d|index)(\.|$)", re.IGNORECASE)


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _figure(value: Fraction | None) -> str:
    """A percentage as read, with the exact fraction in its title."""
    if value is None:
        return ""
    exact = f"{value.numerator}/{value.denominator}"
    return f'<span class="fig" title="{exact}">{_e(percent(value, 2))}</span>'


def _amount(value: Fraction | Decimal | None) -> str:
    """An amount to the cent (≈ when rounded), with the exact value in its title."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return _e(value)
    shown = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"))
    exact = f"{value.numerator}/{value.denominator}"
    mark = "" if Fraction(shown) == value else "≈"
    return f'<span class="fig" title="{exact}">{mark}{shown}</span>'


def _outcome(outcome: Outcome) -> str:
    return f'<span class="{_CLASS[outcome]}">{_WORD[outcome]}</span>'


def _kv(rows: Iterable[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="kv"><tbody>{body}</tbody></table>'


def _table(kind: str, widths: Sequence[tuple[str, int]], rows: Iterable[Sequence[str]]) -> str:
    cols = "".join(f'<col style="width:{w}%">' for _, w in widths)
    head = "".join(f"<th>{_e(h)}</th>" for h, _ in widths)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f'<table class="{kind}"><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def _step_item(step: Step, level: int) -> str:
    parts = [
        f"{_outcome(step.outcome)} <b>[{_e(step.citation)}]</b> {_e(step.test)}: {_e(step.summary)}"
    ]
    if level > NEST:
        parts.insert(0, f'<span class="small">(level {level})</span> ')
    figures = [
        f"{name} {_figure(value)}"
        for name, value in (
            ("value", step.value),
            ("threshold", step.threshold),
            ("margin", step.margin),
        )
        if value is not None
    ]
    if figures:
        parts.append(f'<br><span class="small">{"; ".join(figures)}</span>')
    if step.inputs:
        shown = "; ".join(
            f"{_e(k)} = {_amount(v) if isinstance(v, Fraction) else _e('—' if v is None else v)}"
            for k, v in step.inputs
        )
        parts.append(f'<br><span class="small">inputs: {shown}</span>')
    if step.outcome is Outcome.NEEDS_INFO and step.missing:
        parts.append(f'<br><span class="small">needs: {_e("; ".join(step.missing))}</span>')
    return f'<li class="step">{"".join(parts)}'


def _steps(steps: Sequence[Step]) -> str:
    """The steps as nested lists (any depth: walked, not recursed; indentation capped)."""
    out = ['<ul class="steps">']
    open_levels = 0  # lists opened inside the outer one
    first = True
    for level, step in preorder(steps, lambda s: s.children):
        shown = min(level, NEST)
        if first:
            first = False
        elif shown > open_levels:
            out.append('<ul class="steps">')
        else:
            out.append("</li>")
            while open_levels > shown:
                out.append("</ul></li>")
                open_levels -= 1
        open_levels = shown
        out.append(_step_item(step, level))
    if not first:
        out.append("</li>")
    out.extend("</ul></li>" for _ in range(open_levels))
    out.append("</ul>")
    return "".join(out)


def _rvc(r: RVCResult) -> str:
    rows = [
        ("method", f"{_e(r.method)} [{_e(r.citation)}]"),
        ("formula", f"<code>{_e(r.formula)}</code>"),
        ("inputs", "; ".join(f"{_e(k)} = {_amount(v)}" for k, v in r.inputs) or "—"),
        ("value", (f"{_e(r.bound)} " if r.bound else "") + (_figure(r.value) or "not computed")),
        ("threshold", _figure(r.threshold)),
        ("outcome", _outcome(r.outcome)),
        ("margin", _figure(r.margin) or "—"),
        (
            "headroom",
            "; ".join(f"{_e(s)} {_e(d)} {_amount(b)}" for s, d, b in r.headroom) or "—",
        ),
    ]
    if r.note:
        rows.append(("note", _e(r.note)))
    return f'<div class="block">{_kv(rows)}</div>'


def _verdict(d: Determination) -> str:
    lines = [f'<div class="word">{_e(d.verdict.value)}</div>']
    if d.basis:
        lines.append("<div>Basis: " + "; ".join(_e(b) for b in d.basis) + "</div>")
    elif d.missing:
        facts = "".join(f"<li>{_e(f)}</li>" for f in d.missing)
        lines.append(f"<div>Facts still needed:</div><ul>{facts}</ul>")
    else:
        lines.append(f"<div>Why: {_e(reason(d))}</div>")
    if d.psr:
        lines.append(f"<div>Product-specific rule: {_e(d.psr)}</div>")
    return f'<div class="verdict">{"".join(lines)}</div>'


def _materials(d: Determination) -> str:
    rows = []
    for number, m in enumerate(d.materials, 1):
        pad = min(m.depth, NEST)
        notes = "".join(f'<br><span class="small">{_e(n)}</span>' for n in m.notes)
        shift = "" if m.tariff_shift is None else _outcome(m.tariff_shift)
        rows.append(
            (
                str(number),
                f'<div style="padding-left:{pad * 8}pt"><b>{_e(m.id)}</b>'
                + (f" — {_e(m.description)}" if m.description else "")
                + notes
                + "</div>",
                _e(m.hs),
                f"{_e(m.declared_status)} / {_e(m.status)}",
                f'<div class="num">{_amount(m.value)}</div>',
                _e(m.counted_as),
                shift,
                "yes" if m.de_minimis else "no",
                ", ".join(_e(c) for c in m.citations),
            )
        )
    widths = (
        ("#", 4),
        ("material (indented by BOM level)", 25),
        ("HS", 9),
        ("status declared / counted", 14),
        ("value", 9),
        ("counted as", 10),
        ("tariff shift", 8),
        ("de minimis", 9),
        ("citations", 12),
    )
    return _table("materials", widths, rows)


def render(item: Decided) -> str:
    """The report of one decided product (``item.determination`` is set)."""
    d, case, agreement = item.determination, item.case, item.agreement
    assert d is not None and case is not None
    good = case.good
    law = agreement.law
    print_ = fingerprint(case, agreement.name, d.date)
    title = [
        ("product", _e(good.id)),
        ("description", _e(good.description) or "—"),
        ("HS code", _e(good.hs)),
        ("tariff item", _e(good.tariff_item or "—")),
        ("source", _e(item.workbook)),
        ("reference", _e(case.reference or "—")),
        ("agreement", f"{_e(agreement.title)} ({_e(agreement.name)})"),
        ("regulations", f"{_e(law.instrument)}, {_e(agreement.regulations)}"),
        ("date decided", f"{_e(d.date.isoformat())} — {_e(item.date_reason or 'as given')}"),
        ("law version", f"text as at {_e(d.law_version.isoformat())}"),
        ("toolkit", f"origin {_e(origin.__version__)}"),
        ("currency", _e(case.currency)),
    ]
    parts = [
        f"<h1>Origin report: {_e(good.id)}</h1>",
        _kv(title),
        "<h2>Verdict</h2>",
        _verdict(d),
    ]
    if d.rvc:
        parts.append("<h2>Regional value content (every method evaluated)</h2>")
        parts.extend(_rvc(r) for r in d.rvc)
    parts += ["<h2>Explanation: the tests applied</h2>", _steps(d.steps)]
    if d.materials:
        parts += [f"<h2>Materials ({len(d.materials)}, in BOM order)</h2>", _materials(d)]
    if d.costs:
        rows = [
            (
                _e(c.id),
                _e(c.category),
                f'<div class="num">{_amount(c.amount)}</div>',
                _e(c.place or ""),
                _e(c.status),
                _e(c.citation),
                _e(c.note),
            )
            for c in d.costs
        ]
        widths = (
            ("id", 12),
            ("category", 20),
            ("amount", 11),
            ("place", 7),
            ("status", 13),
            ("citation", 17),
            ("note", 20),
        )
        parts += [f"<h2>Cost lines ({len(d.costs)})</h2>", _table("costs", widths, rows)]
    if d.obligations:
        listed = "".join(
            f'<li class="step"><b>[{_e(o.citation)}]</b> {_e(o.text)}'
            + (f" (until {_e(o.until.isoformat())})" if o.until else "")
            + "</li>"
            for o in d.obligations
        )
        parts += ["<h2>Obligations</h2>", f"<ul>{listed}</ul>"]
    if d.notes:
        listed = "".join(f"<li>{_e(n)}</li>" for n in d.notes)
        parts += ["<h2>Notes</h2>", f"<ul>{listed}</ul>"]
    parts += [
        "<h2>Input fingerprint</h2>",
        '<div class="block"><p class="fingerprint">' + _e(print_) + "</p>"
        '<p class="small">SHA-256 of the case as origin-case/1 JSON, the agreement, the date '
        "and the toolkit version: the same inputs always give the same fingerprint.</p></div>",
        _declaration(item, d, print_),
    ]
    return _page(f"Origin report {good.id}", "".join(parts))


def _declaration(item: Decided, d: Determination, print_: str) -> str:
    agreement = item.agreement
    sentence = (
        f"This determination was made by the origin toolkit, version {origin.__version__}, "
        f"on the inputs identified by the fingerprint {print_} (product {item.product} of "
        f"{item.workbook}), under the {agreement.title} as encoded from "
        f"{agreement.law.instrument}, {agreement.regulations}, text as at "
        f"{d.law_version.isoformat()}, applied as at {d.date.isoformat()}. The signatories "
        "have reviewed the inputs and the explanation above."
    )
    rows = "".join(
        f"<tr><th>{role}</th><td></td><td></td><td></td></tr>"
        for role in ("Prepared by", "Reviewed by")
    )
    return (
        '<div class="signatures"><h2>Declaration</h2>'
        f'<p class="declaration">{_e(sentence)}</p>'
        '<table class="signature"><colgroup><col style="width:18%"><col style="width:32%">'
        '<col style="width:30%"><col style="width:20%"></colgroup>'
        "<thead><tr><th></th><th>name and position</th><th>signature</th><th>date</th></tr>"
        f"</thead><tbody>{rows}</tbody></table></div>"
    )


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>{body}</body></html>\n"
    )


def file_name(workbook: str, product: str, taken: set[str]) -> str:
    """``WORKBOOK--PRODUCT.html`` in letters, digits, ``.``, ``_`` and ``-`` only; a name
    that had to be changed, or that is already taken, gets a short hash of the original."""
    stem = Path(workbook).stem or "case"
    wanted = f"{stem}--{product}"
    safe = _SAFE.sub("_", wanted).strip("._-")[:120] or "product"
    if safe != wanted or _RESERVED.match(safe) or safe.lower() in taken:
        digest = hashlib.sha256(wanted.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        safe = f"{safe}-{digest}"
        while safe.lower() in taken:
            safe += "_"
    taken.add(safe.lower())
    return f"{safe}.html"


def _index(written: Sequence[tuple[Decided, str]], problems: Sequence[str]) -> str:
    rows = [
        (
            _e(item.workbook),
            _e(item.product),
            _e(item.determination.verdict.value if item.determination else "not decided"),
            f'<a href="{_e(name)}">{_e(name)}</a>' if name else _e(item.error),
        )
        for item, name in written
    ]
    widths = (("source", 25), ("product", 20), ("verdict", 15), ("report, or why none", 40))
    body = "<h1>Origin reports</h1>" + _table("index", widths, rows)
    if problems:
        listed = "".join(f"<li>{_e(p)}</li>" for p in problems)
        body += f"<h2>Problems ({len(problems)})</h2><ul>{listed}</ul>"
    return _page("Origin reports", body)


def write_reports(
    items: Sequence[Decided], problems: Sequence[str], out: Path, pdf: bool = False
) -> list[tuple[Decided, str]]:
    """One report per decided product and ``index.html`` listing every product (and each
    product or file not decided, with why); each file written whole or not at all."""
    taken: set[str] = set()
    listed: list[tuple[Decided, str]] = []
    for item in items:
        if item.determination is None or item.case is None:
            listed.append((item, ""))
            continue
        name = file_name(item.workbook, item.product, taken)
        html = render(item)
        _write(out / name, html.encode("utf-8"))
        if pdf:
            target = out / (name.removesuffix(".html") + ".pdf")
            _write(target, _pdf(html))
        listed.append((item, name))
    _write(out / "index.html", _index(listed, problems).encode("utf-8"))
    return listed


def _write(path: Path, data: bytes) -> None:
    try:
        with replacing(path) as temporary:
            temporary.write_bytes(data)
    except OSError as error:
        raise InputError(f"cannot write {path}: {error.strerror or error}") from None


def _weasyprint() -> Any:
    try:
        return importlib.import_module("weasyprint")
    except ImportError:
        raise InputError(
            "--pdf needs WeasyPrint (python3 -m pip install weasyprint; it uses the system's "
            "Pango library); the HTML reports print to PDF from any browser"
        ) from None
    except OSError as error:  # installed, but the system's Pango could not be loaded
        raise InputError(f"--pdf: WeasyPrint cannot run here: {error}") from None


def _pdf(html: str) -> bytes:
    data: bytes = _weasyprint().HTML(string=html).write_pdf()
    return data


# --------------------------------------------------------------------------- command


def register(subparsers: Any) -> None:
    report = subparsers.add_parser(
        "report", help="write a printable HTML origin report per product, for signing"
    )
    report.add_argument("source", type=Path, help="a case (.json), a workbook or a folder")
    report.add_argument("--agreement", required=True, help="e.g. anzcerta")
    report.add_argument(
        "--date",
        type=date_argument,
        help="date whose law applies (default: each product's importation date, else today)",
    )
    report.add_argument("--out", type=Path, required=True, help="folder for the reports")
    report.add_argument(
        "--pdf", action="store_true", help="also write each report as PDF (needs WeasyPrint)"
    )
    report.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    agreement = registry.get(args.agreement)
    if args.date is not None:
        agreement.law.check_date(args.date)
    if args.pdf:
        _weasyprint()
    source: Path = args.source
    if not source.exists():
        raise InputError(f"{source}: no such file or folder")
    out: Path = args.out
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise InputError(f"cannot write {out}: not a folder")
    try:
        out.mkdir(exist_ok=True)
    except OSError as error:
        raise InputError(f"cannot write {out}: {error.strerror or error}") from None
    if source.is_dir() or source.suffix.lower() in WORKBOOK_SUFFIXES:
        from origin.workbook import batch  # noqa: PLC0415 - only for workbooks

        paths = batch.workbooks(source)
        if not paths:
            raise InputError(f"{source}: no workbooks in the folder")
        result = batch.check(paths, agreement, args.date)
        problems = [str(issue) for issue in result.issues]
        items, failed = result.decided, result.failed
    else:
        items, problems, failed = [_decide_case(source, agreement, args.date)], [], False
    listed = write_reports(items, problems, out, args.pdf)
    for item, name in listed:  # results on standard output, as `origin check` prints them
        d = item.determination
        shown = f"{d.verdict.value} → {out / name}" if d else f"NOT DECIDED — {item.error}"
        print(visible(f"{item.workbook} {item.product}: {shown}", line=True))
    for problem in problems:
        print(f"origin: {visible(problem)}", file=sys.stderr)
    done = sum(1 for _, name in listed if name)
    print(
        f"origin: {done} report{'s' if done != 1 else ''} of {len(listed)} "
        f"product{'s' if len(listed) != 1 else ''} written to {visible(str(out))} "
        "(index.html lists them)",
        file=sys.stderr,
    )
    return 1 if failed else 0


def _decide_case(path: Path, agreement: Agreement, date: dt.date | None) -> Decided:
    case, case_date = load_case_or_worked(path)
    day, why = law_date(case, date, worked=case_date)
    try:
        d = agreement.determine(case, day)
    except (CaseError, FactError, LawNotEncoded) as error:
        raise InputError(f"{path}: {error}") from None
    d = attrs.evolve(d, notes=(dated_note(day, why), *d.notes))
    return Decided(path.name, case.good.id, agreement, case, d, date_reason=why)
