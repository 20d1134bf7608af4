"""``origin template`` and ``origin check``: workbooks in, results workbook and broker export out.

Exit codes of ``check``: 0 every product decided (whatever the verdicts), 1 some file or
product could not be read or decided (each listed with where and why), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from origin import registry
from origin.errors import InputError
from origin.workbook import batch as batch_module
from origin.workbook import export
from origin.workbook.mapping import load_layout
from origin.workbook.results import write_results
from origin.workbook.template import write_template

PROGRESS_FROM = 2  # files; a single large file shows its own phases instead


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (expected YYYY-MM-DD)") from None


def register(subparsers: Any) -> None:
    template = subparsers.add_parser(
        "template", help="write a ready-to-fill workbook (product, BOM, costs, consignment, facts)"
    )
    template.add_argument("out", type=Path, help="the .xlsx file to write")
    template.add_argument("--agreement", help="fill dropdowns and the example for this agreement")
    template.set_defaults(run=_template)
    check = subparsers.add_parser(
        "check", help="decide every product in a workbook or a folder of workbooks"
    )
    check.add_argument("target", type=Path, help="a workbook (.xlsx/.xlsm/.xls/.ods) or a folder")
    check.add_argument("--agreement", required=True, help="e.g. anzcerta")
    check.add_argument("--date", type=_date, help="date whose law applies (default: today)")
    check.add_argument("--out", type=Path, help="write the results workbook here (.xlsx)")
    check.add_argument(
        "--export", choices=("csv", "jsonl"), help="broker export (schema origin-broker/1)"
    )
    check.add_argument(
        "--export-file", type=Path, help="write the export here instead of standard output"
    )
    check.add_argument("--mapping", type=Path, help="column mapping for a foreign layout (TOML)")
    check.set_defaults(run=_check)


def _template(args: argparse.Namespace) -> int:
    agreement = registry.get(args.agreement) if args.agreement else None
    try:
        write_template(args.out, agreement)
    except OSError as error:
        raise InputError(f"cannot write {error.filename or args.out}: {error.strerror}") from None
    print(f"origin: wrote {args.out}", file=sys.stderr)
    return 0


def _check(args: argparse.Namespace) -> int:
    agreement = registry.get(args.agreement)
    layout = load_layout(args.mapping) if args.mapping else None
    date = args.date or dt.date.today()
    agreement.law.check_date(date)
    target: Path = args.target
    if not target.exists():
        raise InputError(f"{target}: no such file or folder")
    paths = batch_module.workbooks(target)
    if not paths:
        raise InputError(f"{target}: no workbooks (.xlsx, .xlsm, .xls, .xlsb, .ods) in the folder")
    bar = _progress(len(paths))
    try:
        result = batch_module.check(paths, agreement, date, layout, bar)
    finally:
        if hasattr(bar, "close"):
            bar.close()
    report = sys.stderr if args.export and not args.export_file else sys.stdout
    for item in result.decided:
        d = item.determination
        shown = d.verdict.value if d else "NOT DECIDED"
        basis = f" — {'; '.join(d.basis)}" if d and d.basis else ""
        print(f"{item.workbook} {item.product}: {shown}{basis}", file=report)
    for issue in result.issues:
        print(f"origin: {issue}", file=sys.stderr)
    try:
        if args.out:
            write_results(args.out, result.decided, result.issues, result.ledger)
            print(f"origin: wrote {args.out}", file=sys.stderr)
        if args.export:
            if args.export_file:
                with args.export_file.open("w", encoding="utf-8", newline="") as handle:
                    export.write(result.decided, args.export, handle)
            else:
                export.write(result.decided, args.export, sys.stdout)
    except OSError as error:  # e.g. the results file is open in Excel, or a missing folder
        raise InputError(f"cannot write {error.filename}: {error.strerror}") from None
    return 1 if result.failed else 0


class _Bar:
    """tqdm over files when there are several and stderr is a terminal."""

    def __init__(self, total: int) -> None:
        from tqdm import tqdm  # noqa: PLC0415 - only for long runs

        self.bar = tqdm(total=total, unit="file", file=sys.stderr, disable=None)

    def __call__(self, path: Path) -> None:
        self.bar.set_postfix_str(path.name, refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def _progress(total: int) -> Any:
    if total < PROGRESS_FROM:
        return None
    try:
        return _Bar(total)
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return lambda path: print(f"origin: {path.name}", file=sys.stderr)
