"""``origin template`` and ``origin check``: workbooks in, results workbook and broker export out.

Exit codes of ``check``: 0 every product decided (whatever the verdicts), 1 some file or
product could not be read or decided (each listed with where and why), 3 (``--previous``)
every product decided and something changed since the earlier run, 2 bad arguments, an
output that cannot or must not be written (checked before any work: see
:mod:`origin.workbook.output`), or a write that failed (one line, no partial file).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

from origin import registry
from origin.cli import DECLARATIONS_HELP, date_argument, with_declarations
from origin.errors import InputError
from origin.explain import reason
from origin.workbook import batch as batch_module
from origin.workbook import export
from origin.workbook.mapping import load_layout
from origin.workbook.output import check_outputs, os_error, replacing, visible
from origin.workbook.results import write_results
from origin.workbook.template import write_template

PROGRESS_FROM = 2  # files; a single large file shows its own phases instead


def register(subparsers: Any) -> None:
    template = subparsers.add_parser(
        "template", help="write a ready-to-fill workbook (product, BOM, costs, consignment, facts)"
    )
    template.add_argument("out", type=Path, help="the .xlsx file to write")
    template.add_argument("--agreement", help="fill dropdowns and the example for this agreement")
    template.add_argument(
        "--example",
        action="store_true",
        help="write the example into the input rows, ready to check (default: empty input "
        "sheets and the example on its own Example sheet, which is not read)",
    )
    template.set_defaults(run=_template)
    check = subparsers.add_parser(
        "check", help="decide every product in a workbook or a folder of workbooks"
    )
    check.add_argument("target", type=Path, help="a workbook (.xlsx/.xlsm/.xls/.ods) or a folder")
    check.add_argument(
        "--agreement",
        required=True,
        help="e.g. anzcerta; 'all': decide every product under every installed agreement and "
        "rank the claims (a Comparison sheet; docs/comparison.md)",
    )
    check.add_argument(
        "--date",
        type=date_argument,
        help="date whose law applies (default: each product's importation date from the "
        "Consignment sheet, else today)",
    )
    check.add_argument("--out", type=Path, help="write the results workbook here (.xlsx)")
    check.add_argument(
        "--export", choices=("csv", "jsonl"), help=f"broker export (schema {export.SCHEMA})"
    )
    check.add_argument(
        "--export-file", type=Path, help="write the export here instead of standard output"
    )
    check.add_argument(
        "--export-best",
        action="store_true",
        help="with --agreement all: export only each product's best claim (else one record "
        "per product and agreement, in rank order)",
    )
    check.add_argument(
        "--rates",
        type=Path,
        help="with --agreement all: NZ tariff rates (CSV, docs/tariff-rates.md) for the duty "
        "each claim saves",
    )
    check.add_argument(
        "--rates-as-at",
        type=date_argument,
        help="the rate table's date (default: from its file name)",
    )
    check.add_argument(
        "--schedule",
        type=Path,
        action="append",
        default=[],
        help="with --agreement all: a PSR schedule (repeatable, one per agreement)",
    )
    check.add_argument("--mapping", type=Path, help="column mapping for a foreign layout (TOML)")
    check.add_argument("--declarations", type=Path, help=DECLARATIONS_HELP)
    check.add_argument(
        "--previous",
        type=Path,
        help="an earlier run's results workbook (--out) or broker export: list instead the "
        "products whose verdict, decisive RVC or inputs changed since, and why, and those new "
        "or gone; exit 3 when any (docs/requalification.md)",
    )
    check.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="with --previous: the requalification as text or JSON (origin-requalification/1)",
    )
    check.add_argument(
        "--workers",
        type=int,
        default=1,
        help="read and decide the workbooks of a folder in this many processes (0: every "
        "core); the output is the same, in the same order",
    )
    check.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="read and decide them on a Dask cluster instead (e.g. tcp://host:8786; "
        'pip install "origin[dask]"); the output is the same, in the same order',
    )
    check.set_defaults(run=_check)


STDOUT = "standard output"


def _template(args: argparse.Namespace) -> int:
    agreement = registry.get(args.agreement) if args.agreement else None
    check_outputs([args.out])
    try:
        with replacing(args.out) as temporary:
            write_template(temporary, agreement, example_in_inputs=args.example)
    except Exception as error:
        _write_failed(error, args.out)
    print(f"origin: wrote {args.out}", file=sys.stderr)
    return 0


def _write_failed(error: Exception, where: Path | str) -> None:
    """A failed write as the one-line message (exit 2); anything else is raised as it is.
    A closed pipe (``| head``) is left to the ``origin`` command, which stops quietly."""
    failure = os_error(error)
    if failure is None or isinstance(failure, BrokenPipeError):
        raise error
    _let_go(error)
    if where == STDOUT:  # what is still buffered cannot be written either: drop it
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    raise InputError(f"cannot write {where}: {failure.strerror or failure}") from None


def _check(args: argparse.Namespace) -> int:
    every = args.agreement.strip().lower() == "all"
    chosen = list(registry.all_agreements()) if every else [registry.get(args.agreement)]
    chosen = with_declarations(chosen, args.declarations)  # as they are without a register
    agreement = tuple(chosen) if every else chosen[0]
    layout = load_layout(args.mapping) if args.mapping else None
    date = args.date
    if date is not None and not every:
        registry.get(args.agreement).law.check_date(date)
    if (args.export_best or args.rates or args.schedule) and not every:
        raise InputError("--export-best, --rates and --schedule need --agreement all")
    compare = _compare_options(args) if every else None
    target: Path = args.target
    if not target.exists():
        raise InputError(f"{target}: no such file or folder")
    paths = batch_module.workbooks(target)
    if not paths:
        raise InputError(f"{target}: no workbooks (.xlsx, .xlsm, .xls, .xlsb, .ods) in the folder")
    if args.export_file and not args.export:
        raise InputError("--export-file needs --export csv or --export jsonl")
    if args.out is not None and args.out.suffix.lower() != ".xlsx":
        raise InputError(
            f"cannot write {args.out}: the results workbook is an .xlsx file; give --out a "
            "name ending in .xlsx (for CSV or JSON lines use --export)"
        )
    previous = _previous(args)  # read (or refused) before any work
    # Every output before any work: never an input, a link, a device or a missing folder.
    check_outputs([args.out, args.export_file], [*paths, args.mapping, args.previous])
    bar = _progress(len(paths))
    try:
        result = batch_module.check(
            paths,
            agreement,
            date,
            layout,
            bar,
            compare,
            workers=args.workers,
            scheduler=args.scheduler,
        )
    finally:
        if hasattr(bar, "close"):
            bar.close()
    _outputs(args, result, every)
    if previous is not None:
        from origin import requalify  # noqa: PLC0415 - only with --previous

        changed = requalify.report(previous, result, args.format, sys.stdout, sys.stderr)
        if changed and not result.failed:
            return requalify.CHANGED
    return 1 if result.failed else 0


def _previous(args: argparse.Namespace) -> Any:
    """The earlier run of ``--previous`` (origin.requalify), read before any work."""
    if args.previous is None:
        if args.format != "text":
            raise InputError("--format is for the requalification: give --previous too")
        return None
    if args.export and not args.export_file:
        raise InputError("--previous writes to standard output: give the export --export-file")
    from origin import requalify  # noqa: PLC0415 - only with --previous

    return requalify.load(args.previous)


def _outputs(args: argparse.Namespace, result: batch_module.Batch, every: bool) -> None:
    """Results on standard output, always: each product's line with its reason, or the
    export when it has no file of its own (then the lines are left out, so that the export
    stays machine-readable); problems and the closing summary on standard error."""
    to_stdout = bool(args.export) and not args.export_file
    writing: Path | str = STDOUT
    written: list[str] = []
    try:
        if every and not to_stdout and not args.previous:
            _print_claims(result, sys.stdout)
        for item in [] if to_stdout or args.previous else result.decided:
            d = item.determination
            if every and item.case is not None:
                continue  # the product's line is its claim, printed above
            shown = f"{d.verdict.value} — {reason(d)}" if d else f"NOT DECIDED — {item.error}"
            # User text (ids, file names) shown, never acted on by the terminal (ESC, CR).
            print(visible(f"{item.workbook} {item.product}: {shown}", line=True))
        sys.stdout.flush()
        for issue in result.issues:
            print(f"origin: {visible(str(issue))}", file=sys.stderr)
        if args.out:
            writing = args.out
            for note in write_results(
                args.out, result.decided, result.issues, result.ledger, result.compared
            ):
                print(f"origin: {note}", file=sys.stderr)
            written.append(str(args.out))
        if args.export:
            # Every input has a record: a file that gave no product is an ``error`` record.
            if every:
                unread = [d for d in result.decided if d.case is None]
                unread += export.unreadable(result, registry.all_agreements()[0])
                records: list[Any] = [
                    *export.compared_rows(result.compared, best=args.export_best),
                    *export.unread_rows(unread),
                ]
            else:
                records = [
                    *result.decided,
                    *export.unreadable(result, registry.get(args.agreement)),
                ]
            if args.export_file:
                writing = args.export_file
                with (
                    replacing(args.export_file) as temporary,
                    temporary.open("w", encoding="utf-8", newline="") as handle,
                ):
                    notes = export.write(records, args.export, handle)
                written.append(str(args.export_file))
            else:
                writing = STDOUT
                notes = export.write(records, args.export, sys.stdout)
                sys.stdout.flush()
                written.append(f"the {args.export} export to standard output")
            for note in notes:
                print(f"origin: {note}", file=sys.stderr)
    except Exception as error:  # disk full, file too large, open in Excel, …
        _write_failed(error, writing)
    print(f"origin: {visible(summary(result, written))}", file=sys.stderr)


def summary(result: batch_module.Batch, written: list[str]) -> str:
    """The closing line: products and files, counts by verdict, problems, what was written."""
    files = result.files or len({i.workbook for i in result.decided} | set(result.failed_files))
    if result.compared:
        claims = Counter(
            "a claim" if c.comparison.best is not None else "no claim" for c in result.compared
        )
        unread = sum(1 for d in result.decided if d.case is None)
        counts = {**claims, **({"not read": unread} if unread else {})}
        products = len(result.compared) + unread
    else:
        counts = Counter(
            d.determination.verdict.value if d.determination else "not decided"
            for d in result.decided
        )
        products = len(result.decided)
    by = ", ".join(f"{n} {word}" for word, n in counts.items()) or "none"
    severities = Counter(issue.severity.value for issue in result.issues)
    problems = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in severities.items())
    wrote = f"; wrote {', '.join(written)}" if written else ""
    return (
        f"{products} product{'s' if products != 1 else ''} in {files} "
        f"workbook{'s' if files != 1 else ''}: {by}; "
        f"{problems or 'no problems'}{wrote}"
    )


def _compare_options(args: argparse.Namespace) -> dict[str, Any]:
    """Schedules and the rate table, read (and refused) before any workbook is."""
    options: dict[str, Any] = {}
    if args.schedule:
        from hs_data.schedule import Schedule  # noqa: PLC0415 - only with --schedule

        options["schedules"] = [Schedule.load(path) for path in args.schedule]
    if args.rates:
        from hs_data.tariff_rates import TariffRates  # noqa: PLC0415 - only with --rates

        options["rates"] = TariffRates.load(args.rates, args.rates_as_at)
    return options


def _print_claims(result: batch_module.Batch, report: Any) -> None:
    """One line per product: the claim to make (or none) and how many agreements apply."""
    for item in result.compared:
        c = item.comparison
        best = c.best
        applying = sum(1 for row in c.rows if row.applies)
        if best is not None:
            codes = "/".join(best.preference_codes) or "no code"
            saved = best.duty.saved if best.duty is not None else None
            shown = f"claim {best.agreement} ({codes})" + (
                f", duty saved {saved} {c.currency}" if saved is not None else ""
            )
        else:
            statuses = sorted({row.status for row in c.rows if row.applies})
            shown = "no claim: " + (", ".join(statuses) or "no agreement applies")
        line = f"{item.workbook} {item.product}: {shown} ({applying} of {len(c.rows)} apply)"
        print(visible(line, line=True), file=report)


def _let_go(error: BaseException) -> None:
    """Drop what a failed write still holds (a half-written zip archive, openpyxl's sheet
    streams) now, with the errors of their finalizers silenced: they try to finish writing to
    the full disk, and left to the garbage collector they would print "Exception ignored in
    …" after the one-line message. The file itself is removed by ``replacing``."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        traceback.clear_frames(error.__traceback__)
        error.__traceback__ = None
        gc.collect()
    finally:
        sys.unraisablehook = hook


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
