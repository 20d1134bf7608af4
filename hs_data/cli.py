"""``origin psr ...``: import schedules, transpose them, look rules up, report coverage.

Registered through ``origin.cli.COMMAND_MODULES`` ("hs_data.cli"):

- ``origin psr import nz-uk|cptpp SOURCE.csv --out FILE [--nomenclature PATH]
  [--correlation DIR]`` reads an annex, checking every row's codes against the annex's HS
  edition (its codes from the nomenclature file or the correlation table), prints the parse
  rate, every row it could not read or refused, and the provenance it records, and writes
  the schedule (transposed to HS 2022 when a correlation directory is given, with its
  coverage);
- ``origin psr transpose FILE --correlation DIR --out FILE2`` moves a schedule to HS 2022;
- ``origin psr coverage FILE [--nomenclature PATH]`` sorts every subheading of the
  schedule's edition by what it gets (rule / needs review / no rule);
- ``origin psr lookup CODE --schedule FILE`` prints the rule with its provenance;
- ``origin psr parse TEXT`` prints a rule in canonical notation (or the syntax error);
- ``origin psr determine CASE --agreement X --schedule FILE`` decides a case with its rule
  taken from the schedule, citing the schedule in the determination's notes.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from hs_data.apply import determine_with_schedule
from hs_data.correlation import Correlation, correlation_file
from hs_data.editions import Nomenclature, nomenclature
from hs_data.importers import CPTPP_SOURCE, NZ_UK_SOURCE, import_cptpp, import_nz_uk
from hs_data.schedule import Schedule
from hs_data.transpose import coverage, transpose, unknown_codes
from origin.errors import InputError
from origin.psr import PSRSyntaxError, canonical, parse_rule

__all__ = ["register"]

_IMPORTERS = {"nz-uk": import_nz_uk, "cptpp": import_cptpp}
_EDITION = {"nz-uk": NZ_UK_SOURCE.hs_edition, "cptpp": CPTPP_SOURCE.hs_edition}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``origin psr`` and its subcommands."""
    psr = subparsers.add_parser("psr", help="product-specific rule schedules (HS data)")
    sub = psr.add_subparsers(dest="psr_command", required=True)

    imp = sub.add_parser("import", help="read an annex CSV into a schedule; print the parse rate")
    imp.add_argument("kind", choices=sorted(_IMPORTERS))
    imp.add_argument("source", type=Path)
    imp.add_argument("--out", type=Path, required=True, help="schedule file to write (JSON)")
    imp.add_argument(
        "--correlation",
        type=Path,
        help="directory of UN correlation tables: transpose the schedule to HS 2022 (the "
        "annex's codes are checked against the older column of its table)",
    )
    imp.add_argument(
        "--nomenclature",
        type=Path,
        help="the codes of the annex's HS edition (a harmonized-system CSV or a correlation "
        "table listing them), to check every row's codes against",
    )
    imp.set_defaults(run=_import)

    tra = sub.add_parser("transpose", help="move a schedule to HS 2022 via a correlation table")
    tra.add_argument("schedule", type=Path)
    tra.add_argument("--correlation", type=Path, required=True, help="directory of UN tables")
    tra.add_argument("--out", type=Path, required=True)
    tra.set_defaults(run=_transpose)

    cov = sub.add_parser("coverage", help="how every subheading of the edition resolves")
    cov.add_argument("schedule", type=Path)
    cov.add_argument(
        "--nomenclature",
        type=Path,
        help="codes of an older edition: harmonized-system CSV or a correlation table",
    )
    cov.add_argument("--list", action="store_true", help="list the subheadings needing review")
    cov.set_defaults(run=_coverage)

    look = sub.add_parser("lookup", help="the rule for a code, with its provenance")
    look.add_argument("code", help="HS code, NZ tariff item or statistical key")
    look.add_argument("--schedule", type=Path, required=True)
    look.set_defaults(run=_lookup)

    par = sub.add_parser("parse", help="print a rule in canonical notation")
    par.add_argument("text")
    par.set_defaults(run=_parse)

    det = sub.add_parser("determine", help="decide a case with its rule from a schedule")
    det.add_argument("case", type=Path)
    det.add_argument("--agreement", required=True)
    det.add_argument("--schedule", type=Path, required=True)
    det.add_argument("--date", type=dt.date.fromisoformat, default=None)
    det.add_argument(
        "--goods",
        action="append",
        help="words of the goods description when rules differ by goods; repeat it where the "
        "annex says a good must meet each applicable rule (CPTPP 1901.90)",
    )
    det.add_argument(
        "--any-agreement",
        action="store_true",
        help="allow a schedule of another agreement (for trying rules out, not for claims)",
    )
    det.add_argument("--format", choices=("text", "json"), default="text")
    det.set_defaults(run=_determine)


def _writable(path: Path) -> None:
    """Refuse an output path whose folder is missing before the work, not after it."""
    if not path.parent.is_dir():
        raise InputError(f"{path}: cannot be written (no folder {path.parent})")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; expected a file name for the schedule")


def _edition_codes(args: argparse.Namespace, edition: int) -> Nomenclature:
    """The codes each row is checked against (issue 12): from --nomenclature, else the
    older column of the correlation table; HS 2017 and HS 2012 are not bundled."""
    if args.nomenclature is not None:
        return nomenclature(edition, args.nomenclature)
    if args.correlation is not None:
        return nomenclature(edition, correlation_file(args.correlation, 2022, edition))
    if edition == 2022:  # pragma: no cover - both annexes are older
        return nomenclature(2022)
    raise InputError(
        f"HS {edition} codes are not bundled, and every row's codes are checked against "
        f"them: give --nomenclature FILE (a harmonized-system CSV, or a correlation table "
        f"listing HS {edition} codes) or --correlation DIR"
    )


def _import(args: argparse.Namespace) -> int:
    _writable(args.out)
    codes = _edition_codes(args, _EDITION[args.kind])
    schedule, report = _IMPORTERS[args.kind](args.source, codes=codes)
    print(report.summary())
    source = schedule.source
    print(f"source: {source.title}; {source.cite()}")
    print(f"  read {source.file} (SHA-256 {source.sha256}) with {source.importer}")
    if source.reference:
        print(f"  reference: {source.reference}")
    if args.correlation is not None:
        # Keys are checked on import; codes inside rules too, so this is 0 (a check).
        unknown = unknown_codes(schedule, codes)
        print(f"codes not in HS {schedule.edition}: {len(unknown)}")
        for problem in unknown:
            print(f"  {problem}")
        schedule = _to_2022(schedule, args.correlation)
        _print_unknown(schedule)
        print(coverage(schedule, nomenclature(2022)).summary())
    schedule.save(args.out)
    print(f"wrote {args.out}: {len(schedule.entries)} entries, HS {schedule.edition}")
    return 0


def _to_2022(schedule: Schedule, directory: Path) -> Schedule:
    table = Correlation.load(correlation_file(directory, 2022, schedule.edition))
    return transpose(schedule, table, nomenclature(2022))


def _print_unknown(schedule: Schedule) -> None:
    """Codes the transposed schedule names (keys and codes inside rules) that HS 2022 lacks;
    transposition moves both, so this is 0 unless the correlation table misses a code."""
    unknown = unknown_codes(schedule, nomenclature(2022))
    print(f"codes not in HS 2022 after transposition: {len(unknown)}")
    for problem in unknown:
        print(f"  {problem}")


def _transpose(args: argparse.Namespace) -> int:
    _writable(args.out)
    schedule = Schedule.load(args.schedule)
    if schedule.edition == 2022:
        raise InputError(f"{args.schedule}: already in HS 2022")
    # The older edition's codes (the correlation table's older column), checked as the
    # loader checks them when it has them: a key the edition lacks would vanish.
    older = correlation_file(args.correlation, 2022, schedule.edition)
    schedule.check_codes(nomenclature(schedule.edition, older), str(args.schedule))
    moved = _to_2022(schedule, args.correlation)
    _print_unknown(moved)
    print(coverage(moved, nomenclature(2022)).summary())
    moved.save(args.out)
    print(f"wrote {args.out}: {len(moved.entries)} entries, HS 2022")
    return 0


def _coverage(args: argparse.Namespace) -> int:
    schedule = Schedule.load(args.schedule)
    codes = nomenclature(schedule.edition, args.nomenclature)
    report = coverage(schedule, codes)
    print(f"{args.schedule}: {schedule.source.title} ({schedule.source.cite()})")
    counts = schedule.parse_counts()
    print("entries: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    print(report.summary())
    if args.list:
        for name, listed in (
            ("several goods", report.several_goods),
            ("unparsed", report.unparsed),
            ("needs review", report.needs_review),
            ("no rule", report.no_rule),
        ):
            for code in listed:
                found = schedule.lookup(code)
                print(f"  {name}: {found.code}: {found.reason}")
    return 0


def _lookup(args: argparse.Namespace) -> int:
    schedule = Schedule.load(args.schedule)
    print(schedule.lookup(args.code).explain())
    return 0


def _parse(args: argparse.Namespace) -> int:
    try:
        print(canonical(parse_rule(args.text)))
    except PSRSyntaxError as error:
        raise InputError(str(error)) from None
    return 0


def _determine(args: argparse.Namespace) -> int:
    from origin.caseio import load_case_or_worked  # noqa: PLC0415
    from origin.cli import emit  # noqa: PLC0415 - origin.cli builds this module's parser

    schedule = Schedule.load(args.schedule)
    case, case_date = load_case_or_worked(args.case)
    date = args.date or case_date or dt.date.today()
    determination = determine_with_schedule(
        args.agreement,
        case,
        date,
        schedule,
        goods=args.goods,
        check_agreement=not args.any_agreement,
    )
    emit(determination, args.format)
    return 0
