"""``origin declarations check REGISTER [--as-of DATE] [--within 60d] [FOLDER|WORKBOOK ...]``.

For schedulers: exit 3 when anything needs action (a declaration lapsed or lapsing with no
successor, a reference used twice, valid declarations disagreeing, a material naming a
declaration the register lacks), 0 when nothing does, 2 for bad input (a register or
workbook that cannot be read, with its located problems on standard error).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from origin import strict_json
from origin.cli import date_argument
from origin.errors import InputError

NEEDS_ACTION = 3


def within_argument(text: str) -> int:
    """``60d``, ``8w`` or ``60``: a number of days."""
    match = re.fullmatch(r"\s*([0-9]{1,5})\s*([dw]?)\s*", text)
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a period (expected e.g. 60d or 8w)")
    return int(match[1]) * (7 if match[2] == "w" else 1)


class _Intermixed(argparse.ArgumentParser):
    """Options among the positionals (``REGISTER --as-of D FOLDER``): argparse would
    otherwise take the folders after an option as unrecognised."""

    _inside = False

    def parse_known_args(  # type: ignore[override]
        self, args: Any = None, namespace: Any = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self._inside:
            return super().parse_known_args(args, namespace)
        self._inside = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._inside = False


def register(subparsers: Any) -> None:
    declarations = subparsers.add_parser(
        "declarations",
        help="supplier declarations register: lapsing, duplicate or conflicting declarations "
        "and the materials relying on them",
    )
    sub = declarations.add_subparsers(dest="action", required=True, parser_class=_Intermixed)
    check = sub.add_parser("check", help="what in the register needs action (exit 3 if any)")
    check.add_argument("register", type=Path, help="the register (.csv, .xlsx or .json)")
    check.add_argument(
        "targets",
        type=Path,
        nargs="*",
        help="workbooks, folders of workbooks or case files (.json) whose materials rely on it",
    )
    check.add_argument(
        "--as-of", type=date_argument, default=None, help="the day to check on (default: today)"
    )
    check.add_argument(
        "--within",
        type=within_argument,
        default=60,
        help="a declaration ending within this period is expiring (default 60d; e.g. 8w)",
    )
    check.add_argument("--format", choices=("text", "json"), default="text")
    declarations.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    from origin.declarations import check as checking  # noqa: PLC0415
    from origin.declarations.reader import read  # noqa: PLC0415

    result = read(args.register)
    for problem in result.problems:
        print(f"origin: {problem}", file=sys.stderr)
    if result.problems:
        raise InputError(
            f"{result.file}: {len(result.problems)} problem(s); nothing checked (fix the register)"
        )
    bad: list[str] = []
    report = checking.check(
        result.register,
        args.as_of or dt.date.today(),
        args.within,
        _products(args.targets, bad),
    )
    if args.format == "json":
        data = report.to_json() | {"register": result.file, "unread": bad}
        print(strict_json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print("\n".join(checking.text(report)))
    for line in bad:
        print(f"origin: {line}", file=sys.stderr)
    if bad:
        return 2
    return NEEDS_ACTION if report.needs_action else 0


def _products(targets: list[Path], bad: list[str]) -> Iterator[tuple[str, Any]]:
    """(source, case) for every product read from ``targets``; what could not be read goes
    into ``bad`` (one located line each), never silently."""
    from origin.caseio import load_case_or_worked  # noqa: PLC0415
    from origin.workbook import batch  # noqa: PLC0415
    from origin.workbook.problems import display_name  # noqa: PLC0415
    from origin.workbook.reader import import_workbook  # noqa: PLC0415

    for target in targets:
        if not target.exists():
            bad.append(f"{target}: no such file or folder")
            continue
        if target.is_file() and target.suffix.lower() == ".json":
            try:
                case, _ = load_case_or_worked(target)
            except (InputError, ValueError) as error:
                bad.append(f"{target}: {error}")
                continue
            yield display_name(target), case
            continue
        for path in batch.workbooks(target):
            try:
                imported = import_workbook(path)
            except InputError as error:
                bad.append(str(error))
                continue
            for issue in imported.errors:
                bad.append(str(issue))
            for product in imported.products:
                if product.case is not None:
                    yield product.workbook, product.case
