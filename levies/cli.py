"""Command line: ``origin levy``, ``levy-rates``, ``duty-threshold`` and ``ses``.

Listed in ``origin.cli.COMMAND_MODULES`` as ``"levies.cli"``. Exit codes follow ``origin``:
0 done, 2 bad input (message on stderr, no traceback). A batch with some bad rows still writes
every row (bad ones as error rows), then exits 2 so that scripts notice; ``ses gaps`` and
``ses seals`` exit 3 when they find gaps or findings needing action and ``--strict`` is given.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from levies import headers, output, values
from levies.batch import BatchResult, BatchRow, compute_file
from levies.calculator import compute
from levies.model import COLUMNS, Entry, RowError
from levies.profiles import load_profiles, resolve_ses, ses_effect, ses_hint
from levies.seals import check_register, check_text, findings_rows, read_stock_count
from levies.ses import (
    STANDARDS,
    checklist_rows,
    checklist_text,
    gap_report,
    report_rows,
    report_text,
)
from levies.tables import LAW
from levies.threshold import Circumstance, duty_threshold
from origin.errors import InputError
from origin.law import LawNotEncoded, Window

# Options of the single-entry form: every entry column except the batch-only ones.
SINGLE = tuple(c for c in COLUMNS if c not in ("id", "document_id", "payer"))


def _date(text: str) -> dt.date:
    """A date option, by the rule of every date column (levies.values.date)."""
    try:
        day = values.date(text)
    except values.BadValue as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if day is None:
        raise argparse.ArgumentTypeError("empty; expected a date YYYY-MM-DD")
    return day


def _amount(text: str) -> Decimal:
    """An amount option, by the rule of every amount column (levies.values.amount)."""
    try:
        amount = values.amount(text)
    except values.BadValue as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if amount is None:
        raise argparse.ArgumentTypeError("empty; expected an amount, e.g. 1000.00")
    return amount


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    levy = subparsers.add_parser(
        "levy",
        help="border levies and transaction fees per entry (file, or one entry from options)",
        description="Compute the levy (Goods Management Levies Order 2025, from 2026-04-01) or "
        "transaction fee (regs 13A, 24A, 28A, 29A, before then) for each document in a CSV, "
        ".xlsx or JSON file, or for one document given as options.",
    )
    levy.add_argument("file", nargs="?", type=Path, help="entries (.csv, .xlsx, .json)")
    levy.add_argument("--sheet", help="worksheet name (default: the first)")
    levy.add_argument(
        "--columns",
        type=Path,
        metavar="FILE.toml",
        help='your own headers: a [columns] table of "YOUR HEADER" = "COLUMN"',
    )
    levy.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="'YOUR HEADER=COLUMN'",
        help="map one of your headers to a column (repeatable; wins over --columns)",
    )
    levy.add_argument("--profiles", type=Path, help="exporter profiles with SES status")
    levy.add_argument("--format", choices=("text", "csv", "json"), default="text")
    levy.add_argument("--output", type=Path, help="write results here instead of stdout")
    single = levy.add_argument_group("one entry (instead of a file)")
    for column in SINGLE:
        single.add_argument(
            f"--{column.replace('_', '-')}", dest=f"entry_{column}", help=COLUMNS[column]
        )
    levy.set_defaults(run=_levy)

    rates = subparsers.add_parser(
        "levy-rates", help="the encoded levy and fee rates with citations"
    )
    rates.add_argument("--date", type=_date, help="only the rates in force on this date")
    rates.add_argument("--format", choices=("text", "json"), default="text")
    rates.set_defaults(run=_rates)

    threshold = subparsers.add_parser(
        "duty-threshold", help="reg 70: is duty collected on goods of this Customs value?"
    )
    threshold.add_argument("value", type=_amount, help="Customs value in NZD")
    threshold.add_argument("--date", type=_date, required=True)
    threshold.add_argument(
        "--heading", help="Excise and Excise-equivalent Duties Table heading, e.g. 22.04"
    )
    threshold.add_argument(
        "--circumstance", choices=[c.value for c in Circumstance], default=Circumstance.ENTRY.value
    )
    threshold.add_argument(
        "--forfeiture", action="store_true", help="a cause of forfeiture has arisen"
    )
    threshold.add_argument(
        "--anti-dumping", action="store_true", help="anti-dumping/countervailing determination"
    )
    threshold.add_argument("--minister-permission", action="store_true")
    threshold.add_argument("--format", choices=("text", "json"), default="text")
    threshold.set_defaults(run=_threshold)

    ses = subparsers.add_parser(
        "ses", help="Secure Exports Scheme: checklist, gap report, seal register"
    )
    ses_sub = ses.add_subparsers(dest="ses_command", required=True)
    checklist = ses_sub.add_parser(
        "checklist", help="the self-check questionnaire (clauses 1.1–7.1)"
    )
    checklist.add_argument("--format", choices=("text", "csv", "json"), default="text")
    checklist.add_argument("--output", type=Path)
    checklist.set_defaults(run=_checklist)
    gaps = ses_sub.add_parser("gaps", help="gap report from a filled-in checklist")
    gaps.add_argument("answers", type=Path)
    gaps.add_argument("--format", choices=("text", "csv", "json"), default="text")
    gaps.add_argument("--output", type=Path)
    gaps.add_argument("--strict", action="store_true", help="exit 3 when there are gaps")
    gaps.set_defaults(run=_gaps)
    seals = ses_sub.add_parser("seals", help="check a seal register against clauses 2.6–2.12")
    seals.add_argument("register", type=Path)
    seals.add_argument("--sheet")
    seals.add_argument(
        "--count", type=Path, help="stock count: seal numbers held (.txt/.csv/.xlsx)"
    )
    seals.add_argument("--as-of", type=_date, help="date of the check (default: today)")
    seals.add_argument("--format", choices=("text", "csv", "json"), default="text")
    seals.add_argument("--output", type=Path)
    seals.add_argument("--strict", action="store_true", help="exit 3 when action is needed")
    seals.set_defaults(run=_seals)
    effect = ses_sub.add_parser("effect", help="what SES membership saves per export entry")
    effect.add_argument("--date", type=_date, required=True)
    effect.add_argument("--format", choices=("text", "json"), default="text")
    effect.set_defaults(run=_effect)


def _write(args: argparse.Namespace, text: str) -> None:
    """Write the whole output. Control characters other than tab and line breaks, and lone
    surrogates, are written as escapes (the writers escape them already: this is for text from
    any other source, e.g. a seal number in a .txt stock count). The text is encoded before the
    file is opened, so nothing in it can fail the write half-way and leave an empty or cut file
    (issue 12: a lone surrogate in an id did)."""
    text = values.printable(text)
    if not text.endswith("\n"):
        text += "\n"
    if getattr(args, "output", None):
        data = text.encode("utf-8", "backslashreplace")
        try:
            args.output.write_bytes(data)
        except OSError as error:
            raise InputError(f"{args.output}: cannot write ({error.strerror})") from None
    else:
        encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
        sys.stdout.write(text.encode(encoding, "backslashreplace").decode(encoding))


def _csv_text(rows: Iterable[Mapping[str, str]], columns: Iterable[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: output.safe_cell(v) for k, v in row.items()} for row in rows)
    return buffer.getvalue()


def _json_text(data: Any) -> str:
    return output.json_text(data)


def _levy(args: argparse.Namespace) -> int:
    given = {
        c: getattr(args, f"entry_{c}") for c in SINGLE if getattr(args, f"entry_{c}") is not None
    }
    profiles = load_profiles(args.profiles) if args.profiles else {}
    if args.file is None:
        if args.columns or args.column:
            raise InputError("levy: --columns and --column map the headers of an entries file")
        if not given:
            raise InputError("levy: give an entries file, or --document and --date for one entry")
        return _single(args, given, profiles)
    if given:
        raise InputError(
            f"levy: give either a file or entry options, not both (got {', '.join(sorted(given))})"
        )
    columns = headers.mapping(tuple(COLUMNS), args.columns, args.column)
    batch = compute_file(args.file, sheet=args.sheet, profiles=profiles, columns=columns)
    if args.format == "csv":
        _write(args, output.to_csv(batch))
    elif args.format == "json":
        _write(args, _json_text(output.to_json(batch)))
    else:
        _write(args, output.to_text(batch))
    return _batch_exit(batch)


def _batch_exit(batch: BatchResult) -> int:
    bad = [row for row in batch.rows if row.result is None]
    if bad:
        print(
            f"origin: {len(bad)} of {len(batch.rows)} rows have errors; first: "
            + values.printable(bad[0].error, breaks=True),
            file=sys.stderr,
        )
        return 2
    return 0


def _single(args: argparse.Namespace, given: dict[str, str], profiles: Mapping[str, Any]) -> int:
    try:
        entry = Entry.from_row(given, default_id="entry")
        ses = resolve_ses(entry.ses, entry.exporter, entry.original_date or entry.date, profiles)
        if ses is not entry.ses:
            entry = attrs.evolve(entry, ses=ses)
        result = compute(entry)
    except RowError as error:
        detail = error.detail
        if error.column == "ses" and "exporter" in given:
            detail += ses_hint(given["exporter"], _entry_day(given), profiles)
        raise InputError(f"option --{error.column.replace('_', '-')}: {detail}") from None
    except LawNotEncoded as error:
        raise InputError(str(error)) from None
    batch = BatchResult("command line", (BatchRow(1, "command line", result),))
    if args.format == "json":
        _write(args, _json_text(output.result_json(result)))
    elif args.format == "csv":
        _write(args, output.to_csv(batch))
    else:
        _write(args, output.explain(result))
    return 0


def _entry_day(given: Mapping[str, str]) -> dt.date:
    """The date the exporter's SES status is read on (already checked by Entry.from_row)."""
    day = values.date(given.get("original_date") or given["date"])
    assert day is not None
    return day


def _window_json(window: Window) -> dict[str, str | None]:
    """``[from, until)``: ``until`` is the first day it no longer applies; null: unbounded."""
    return {
        "from": window.start.isoformat() if window.start else None,
        "until": window.end.isoformat() if window.end else None,
    }


def _rates(args: argparse.Namespace) -> int:
    day: dt.date | None = args.date
    if day is not None:
        LAW.check_date(day)
    lines = []
    groups: dict[str, list[dict[str, Any]]] = {"levies": [], "fees": []}
    for key, title, tables in (
        ("levies", "Levies (the order)", LAW.levies),
        ("fees", "Transaction fees (the regulations)", LAW.fees),
    ):
        lines.append(title)
        for table in tables.values():
            for rate in table.rates:
                if day is not None and not rate.window.contains(day):
                    continue
                gst = (
                    f"GST inclusive [{table.gst_inclusive}]"
                    if table.gst_inclusive
                    else "plus GST, if any"
                )
                lines.append(
                    f"  {table.name} ({table.clause}) {rate.basis}: ${rate.amount} {table.unit}; "
                    f"{gst} [{rate.reference}] {rate.window}"
                )
                groups[key].append(
                    {
                        "key": table.key,
                        "name": table.name,
                        "clause": table.clause.to_json(),
                        "basis": rate.basis,
                        "amount": str(rate.amount),
                        "unit": table.unit,
                        "gst": "inclusive" if table.gst_inclusive else "plus GST, if any",
                        "gst_reference": table.gst_inclusive.to_json()
                        if table.gst_inclusive
                        else None,
                        "reference": rate.reference.to_json(),
                        "text": rate.text,
                        "window": _window_json(rate.window),
                    }
                )
    gst_rate = LAW.gst_rate(day or dt.date.today())
    lines.append(
        f"GST: default treatment {LAW.gst_default_treatment!r}; rate {gst_rate.value} "
        f"[{gst_rate.reference}, {gst_rate.reference.instrument}] {gst_rate.window}"
    )
    if args.format == "json":
        data = {
            "schema": "origin-levy-rates/1",
            "date": day.isoformat() if day else None,
            **groups,
            "gst": {
                "default_treatment": LAW.gst_default_treatment,
                "default_reference": LAW.gst_default_reference.to_json(),
                "rate": str(gst_rate.value),
                "reference": gst_rate.reference.to_json(),
                "window": _window_json(gst_rate.window),
                "on": (day or dt.date.today()).isoformat(),
            },
        }
        _write(args, _json_text(data))
    else:
        print("\n".join(lines))
    return 0


def _threshold(args: argparse.Namespace) -> int:
    try:
        result = duty_threshold(
            args.value,
            args.date,
            heading=args.heading,
            circumstance=Circumstance(args.circumstance),
            forfeiture=args.forfeiture,
            anti_dumping=args.anti_dumping,
            minister_permission=args.minister_permission,
        )
    except LawNotEncoded as error:
        raise InputError(str(error)) from None
    if args.format == "json":
        data = {
            "schema": "origin-duty-threshold/1",
            "value": str(args.value),
            "date": args.date.isoformat(),
            "heading": args.heading,
            "circumstance": args.circumstance,
            "need_not_collect": result.need_not_collect,
            "preference_matters": result.preference_matters,
            "steps": [{"text": s.text, "citation": s.citation.to_json()} for s in result.steps],
        }
        _write(args, _json_text(data))
        return 0
    for step in result.steps:
        print(f"[{step.citation}] {step.text}")
    verdict = "need not be collected" if result.need_not_collect else "is collected"
    print(
        f"Duty {verdict}; a preference claim "
        f"{'can' if result.preference_matters else 'cannot'} change the duty."
    )
    return 0


def _checklist(args: argparse.Namespace) -> int:
    rows = checklist_rows()
    if args.format == "csv":
        _write(
            args,
            _csv_text(
                rows, ("id", "section", "obligation", "applies", "question", "answer", "evidence")
            ),
        )
    elif args.format == "json":
        _write(
            args,
            _json_text(
                {
                    "title": STANDARDS.title,
                    "source": STANDARDS.source,
                    "background": STANDARDS.background,
                    "questions": rows,
                }
            ),
        )
    else:
        _write(args, checklist_text())
    return 0


def _gaps(args: argparse.Namespace) -> int:
    report = gap_report(args.answers)
    rows = report_rows(report)
    if args.format == "csv":
        _write(args, _csv_text(rows, rows[0].keys()))
    elif args.format == "json":
        scope = dict(report.scope)
        _write(
            args,
            _json_text(
                {
                    "source": report.source,
                    "scope": scope,
                    "items": rows,
                    "problems": list(report.problems),
                }
            ),
        )
    else:
        _write(args, report_text(report))
    if report.problems:
        print(f"origin: {report.problems[0]}", file=sys.stderr)
        return 2
    return 3 if args.strict and report.count("gap") else 0


def _seals(args: argparse.Namespace) -> int:
    count = read_stock_count(args.count) if args.count else None
    check = check_register(args.register, sheet=args.sheet, stock_count=count, as_of=args.as_of)
    rows = findings_rows(check)
    columns = ("severity", "clause", "seal", "location", "message")
    if args.format == "csv":
        _write(args, _csv_text(rows, columns))
    elif args.format == "json":
        _write(
            args,
            _json_text(
                {
                    "source": check.source,
                    "seals": check.seals,
                    "in_stock": list(check.in_stock),
                    "counted": check.counted,
                    "findings": rows,
                }
            ),
        )
    else:
        _write(args, check_text(check))
    return 3 if args.strict and check.errors() else 0


def _effect(args: argparse.Namespace) -> int:
    try:
        effects = ses_effect(args.date)
    except LawNotEncoded as error:
        raise InputError(str(error)) from None
    if args.format == "json":
        data = {
            "schema": "origin-ses-effect/1",
            "date": args.date.isoformat(),
            "effects": [
                {
                    "charge": e.charge,
                    "applies_to": e.applies_to,
                    "without_ses": str(e.without_ses),
                    "reference_without": e.reference_without.to_json(),
                    "with_ses": str(e.with_ses),
                    "reference_with": e.reference_with.to_json(),
                    "gst_rate": str(e.gst_rate),
                    "saving": str(e.saving),
                }
                for e in effects
            ],
            "note": "Every other levy and fee is the same with or without SES.",
        }
        _write(args, _json_text(data))
        return 0
    for e in effects:
        gst = f" plus GST at {e.gst_rate}" if e.gst_rate else ""
        print(
            f"{e.charge} — {e.applies_to}: ${e.without_ses} without SES [{e.reference_without}], "
            f"${e.with_ses} with SES [{e.reference_with}]{gst}; saving "
            f"{output.money_text(e.saving)} per entry"
        )
    print("Every other levy and fee is the same with or without SES.")
    return 0
