"""The ``origin`` command: list agreements, decide case files, run the bundled demo.

Exit codes: 0 decided (whatever the verdict), 2 bad input or a date the law does not
cover (message on stderr, no traceback), 1 an internal error (a bug: please report it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

import origin
from origin import registry, strict_json
from origin.agreement import Agreement, FactError
from origin.caseio import (
    CaseFormatError,
    case_from_json,
    determination_to_json,
    load_case_or_worked,
)
from origin.errors import CaseError, InputError
from origin.groups import Membership
from origin.law import LawNotEncoded, law_summary, law_to_json
from origin.trees import preorder

if TYPE_CHECKING:
    from origin.comparison import Comparison
    from origin.determination import Determination

# Subcommands that live beside their own subject (HS data, workbooks, levies). Each module
# exposes ``register(subparsers)``, which adds its parsers and sets ``run=`` to a function
# taking the parsed arguments and returning the exit code. Listed, not discovered, so that
# a missing module is an error rather than a silently absent command.
COMMAND_MODULES: tuple[str, ...] = (
    "hs_data.cli",
    "levies.cli",
    "origin.workbook.cli",
    "origin.report",
    "origin.declarations.cli",
)

# Each command of those modules with its one-line help, so that ``origin --help`` lists them
# without importing them (they load openpyxl, sympy and lark); a command's own module is
# imported only when it is run. tests/test_cli_formats.py keeps this table in step.
COMMANDS: dict[str, tuple[str, str]] = {
    "psr": ("hs_data.cli", "product-specific rule schedules (HS data)"),
    "levy": (
        "levies.cli",
        "border levies and transaction fees per entry (file, or one entry from options)",
    ),
    "levy-rates": ("levies.cli", "the encoded levy and fee rates with citations"),
    "duty-threshold": (
        "levies.cli",
        "reg 70: is duty collected on goods of this Customs value?",
    ),
    "ses": ("levies.cli", "Secure Exports Scheme: checklist, gap report, seal register"),
    "template": (
        "origin.workbook.cli",
        "write a ready-to-fill workbook (product, BOM, costs, consignment, facts)",
    ),
    "check": ("origin.workbook.cli", "decide every product in a workbook or a folder of workbooks"),
    "report": ("origin.report", "write a printable HTML origin report per product, for signing"),
    "declarations": (
        "origin.declarations.cli",
        "supplier declarations register: lapsing, duplicate or conflicting declarations and "
        "the materials relying on them",
    ),
}

DEMO = "demo_case.json"
DEMO_AGREEMENT = "anzcerta"
DEMO_DATE = dt.date(2025, 6, 1)  # the demo consignment's importation date


DECLARATIONS_HELP = (
    "a supplier declarations register (.csv, .xlsx, .json; docs/declarations.md): a material "
    "counts as originating only when a declaration for the agreement valid on the "
    "importation date backs it"
)


def with_declarations(agreements: Sequence[Agreement], path: Path | None) -> list[Agreement]:
    """The agreements deciding against the register at ``path`` (as they are without one)."""
    if path is None:
        return list(agreements)
    from origin.declarations import load  # noqa: PLC0415 - only with --declarations

    register = load(path)
    return [a.with_declarations(register) for a in agreements]


def date_argument(text: str) -> dt.date:
    """``--date YYYY-MM-DD`` for every command (argparse's type)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (expected YYYY-MM-DD)") from None


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; of the other modules' commands, only ``command``'s module is imported
    (None: every module, for tests and completeness); the others are listed by name."""
    parser = argparse.ArgumentParser(
        prog="origin",
        description="Decide whether goods are originating under New Zealand's trade agreements.",
    )
    parser.add_argument("--version", action="version", version=f"origin {origin.__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser(
        "agreements", help="list the agreements and the regulations they encode"
    )
    listing.add_argument("--format", choices=("text", "json"), default="text")
    law = sub.add_parser(
        "law", help="an agreement's encoded law: coverage, dated values, and the words a case uses"
    )
    law.add_argument("agreement", help="e.g. anzcerta")
    law.add_argument("--format", choices=("text", "json"), default="text")
    determine = sub.add_parser("determine", help="decide a case file (JSON, origin-case/1)")
    determine.add_argument("case", type=Path)
    determine.add_argument("--agreement", required=True, help="e.g. anzcerta")
    determine.add_argument(
        "--date",
        type=date_argument,
        default=None,
        help="date whose law applies (default: the goods' importation date, "
        "consignment.imported_on, else today)",
    )
    determine.add_argument("--format", choices=("text", "json"), default="text")
    determine.add_argument(
        "--membership",
        type=Path,
        default=None,
        help="a newer list of the group's countries (TOML, as agreements/groups/*.toml) "
        "for the group agreements (ldc, lldc, fic)",
    )
    determine.add_argument(
        "--schedule",
        type=Path,
        default=None,
        help="take the product-specific rule from a loaded PSR schedule (docs/psr-schedule-"
        "format.md) instead of the case's 'psr'; the explanation cites the schedule",
    )
    determine.add_argument(
        "--goods", default=None, help="with --schedule: which goods-specific rule applies"
    )
    determine.add_argument("--declarations", type=Path, default=None, help=DECLARATIONS_HELP)
    qualify = sub.add_parser(
        "qualify",
        help="decide a case under every agreement and rank the claims (origin-comparison/1)",
    )
    qualify.add_argument("case", type=Path)
    qualify.add_argument("--declarations", type=Path, default=None, help=DECLARATIONS_HELP)
    qualify.add_argument(
        "--date",
        type=date_argument,
        default=None,
        help="date whose law applies (default: consignment.imported_on, else today)",
    )
    qualify.add_argument("--format", choices=("text", "json"), default="text")
    qualify.add_argument(
        "--agreement",
        action="append",
        default=None,
        help="only these agreements (repeatable; default: every installed agreement)",
    )
    qualify.add_argument(
        "--schedule",
        type=Path,
        action="append",
        default=[],
        help="a loaded PSR schedule (repeatable, one per agreement; each knows its agreement)",
    )
    qualify.add_argument("--goods", default=None, help="with --schedule: which goods-specific rule")
    qualify.add_argument(
        "--rates",
        type=Path,
        default=None,
        help="NZ tariff rates (CSV: tariff_item, normal, preferential; docs/tariff-rates.md) "
        "for the duty each claim saves",
    )
    qualify.add_argument(
        "--rates-as-at",
        type=date_argument,
        default=None,
        help="the rate table's date (default: a YYYY-MM-DD in its file name)",
    )
    demo = sub.add_parser("demo", help="decide the bundled example case and explain it")
    demo.add_argument("--format", choices=("text", "json"), default="text")
    demo.add_argument(
        "--qualify",
        action="store_true",
        help="decide it under every agreement and rank the claims, as 'origin qualify' does",
    )
    wanted = COMMANDS.get(command or "", ("", ""))[0]
    modules = COMMAND_MODULES if command is None else (wanted,) if wanted else ()
    for name in modules:
        importlib.import_module(name).register(sub)
    for name, (module, text) in COMMANDS.items():
        if module not in modules:
            sub.add_parser(name, help=text)  # listed; run, it is parsed by its own module
    return parser


def _agreements(fmt: str = "text") -> int:
    if fmt == "json":
        listed = [law_summary(a) for a in registry.all_agreements()]
        print(strict_json.dumps({"agreements": listed}, indent=2, ensure_ascii=False))
        return 0
    for agreement in registry.all_agreements():
        law = agreement.law
        print(f"{agreement.name:<12} {agreement.title}")
        print(
            f"{'':<12} {law.instrument}, {agreement.regulations}; text as at "
            f"{law.text_version.isoformat()}; dates {law.coverage}"
        )
    return 0


def _law(name: str, fmt: str = "text") -> int:
    """Print the law file as a reader needs it to fill in a case."""
    agreement = registry.get(name)
    if fmt == "json":
        print(strict_json.dumps(law_to_json(agreement), indent=2, ensure_ascii=False))
        return 0
    law = agreement.law
    print(f"{law.title}")
    print(f"{law.instrument}, {law.regulations}; text as at {law.text_version.isoformat()}")
    print(f"Dates covered: {law.coverage} ({law.coverage_reference})")
    print(f"Parties: {', '.join(law.parties)}")
    membership = agreement.membership
    if membership is not None:  # the countries are a dated list kept beside the law file
        print(f"  and the countries of {membership.describe()} (--membership FILE replaces it):")
        for member in membership.members:
            note = f"; {member.note}" if member.note else ""
            window = f" {member.window}" if member.window.start or member.window.end else ""
            print(f"    {member.code} {member.name}{window}{note}")
    print(f"Tariff preference: {', '.join(law.preference_codes)} ({law.preference_reference})")
    if law.parameters:
        print("\nValues")
        for parameter in law.parameters.values():
            for dated in parameter.values:
                print(
                    f"  {parameter.name} = {dated.value} {parameter.unit} [{dated.reference}] "
                    f"{dated.window}: {parameter.description}"
                )
    for vocabulary, terms in law.vocabularies.items():
        if not terms:
            continue
        print(f"\n{vocabulary}")
        for term in terms.values():
            group = f" ({term.group})" if term.group else ""
            print(f"  {term.key}{group} [{term.reference}] {term.text}")
    return 0


_PRETTY_DEPTH = 64  # deeper step trees are written on one line (see docs/determination.md)


def emit(determination: Determination, fmt: str) -> None:
    """Print the determination; JSON is indented unless its steps nest very deep, where
    indenting each line by its depth would make the output grow with the square of it."""
    from origin.explain import explain  # noqa: PLC0415 - loads the engine

    if fmt == "json":
        deep = any(
            level >= _PRETTY_DEPTH
            for step in determination.steps
            for level, _ in preorder([step], lambda s: s.children)
        )
        data = determination_to_json(determination)
        print(strict_json.dumps(data, indent=None if deep else 2, ensure_ascii=False))
    else:
        print(explain(determination))


def _demo(fmt: str, every: bool = False) -> int:
    """Decide the bundled office-chair case under ANZCERTA (or every agreement) and explain it."""
    from origin.comparison import qualify  # noqa: PLC0415 - loads the engine

    text = resources.files("origin").joinpath("data").joinpath(DEMO).read_text(encoding="utf-8")
    case = case_from_json(strict_json.loads(text), f"bundled {DEMO}")
    if every:
        _print_comparison(qualify(case), fmt)  # on the importation date, as qualify does
        return 0
    emit(registry.get(DEMO_AGREEMENT).determine(case, DEMO_DATE), fmt)
    return 0


def _print_comparison(comparison: Comparison, fmt: str) -> None:
    from origin.comparison import comparison_to_json  # noqa: PLC0415
    from origin.explain import explain_comparison  # noqa: PLC0415

    if fmt == "json":
        print(strict_json.dumps(comparison_to_json(comparison), indent=2, ensure_ascii=False))
    else:
        print(explain_comparison(comparison, comparison.currency))


def _qualify(args: argparse.Namespace) -> int:
    """Every agreement's answer for one case, ranked; exit 0 whatever the verdicts."""
    from origin.comparison import qualify  # noqa: PLC0415 - loads the engine

    case, case_date = load_case_or_worked(args.case)
    chosen = None if not args.agreement else [registry.get(n) for n in args.agreement]
    if args.declarations is not None:
        chosen = with_declarations(chosen or registry.all_agreements(), args.declarations)
    schedules = []
    if args.schedule:
        from hs_data.schedule import Schedule  # noqa: PLC0415 - only with --schedule

        schedules = [Schedule.load(path) for path in args.schedule]
    rates = None
    if args.rates is not None:
        from hs_data.tariff_rates import TariffRates  # noqa: PLC0415 - only with --rates

        rates = TariffRates.load(args.rates, args.rates_as_at)
    comparison = qualify(
        case,
        args.date or case_date,
        agreements=chosen,
        schedules=schedules,
        rates=rates,
        goods=args.goods,
    )
    _print_comparison(comparison, args.format)
    return 0


def _command_parser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    for action in parser._subparsers._group_actions if parser._subparsers else ():
        choices = getattr(action, "choices", None)
        if isinstance(choices, dict) and command in choices:
            found: argparse.ArgumentParser = choices[command]
            return found
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader went away (e.g. `origin law x | head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


def _main(argv: Sequence[str] | None) -> int:

    given = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in given if not a.startswith("-")), "")
    parser = _parser(command)
    args, extra = parser.parse_known_args(given)
    if extra:  # told with the usage of the command that was given, not the top level's
        _command_parser(parser, args.command).error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        if hasattr(args, "run"):
            code: int = args.run(args)
            return code
        if args.command == "agreements":
            return _agreements(args.format)
        if args.command == "law":
            return _law(args.agreement, args.format)
        if args.command == "demo":
            return _demo(args.format, args.qualify)
        if args.command == "qualify":
            return _qualify(args)
        agreement = registry.get(args.agreement)
        if args.membership is not None:
            agreement = agreement.with_membership(Membership.load(args.membership))
        (agreement,) = with_declarations([agreement], args.declarations)
        from origin.comparison import dated_note, law_date  # noqa: PLC0415 - loads the engine

        case, case_date = load_case_or_worked(args.case)
        date, why = law_date(case, args.date, worked=case_date)
        dated = dated_note(date, why)
        if args.schedule is None:
            determination = agreement.determine(case, date)
            emit(attrs.evolve(determination, notes=(dated, *determination.notes)), args.format)
            return 0
        from hs_data.apply import apply_schedule  # noqa: PLC0415 - only with --schedule
        from hs_data.schedule import Schedule  # noqa: PLC0415

        ruled, provenance = apply_schedule(
            case, Schedule.load(args.schedule), goods=args.goods, agreement=agreement.name
        )
        determination = agreement.determine(ruled, date)
        notes = (dated, *(p.note() for p in provenance), *determination.notes)
        emit(attrs.evolve(determination, notes=notes), args.format)
        return 0
    except CaseFormatError as error:
        print(f"origin: {error}", file=sys.stderr)
    except (CaseError, FactError) as error:
        print(f"origin: {args.case if hasattr(args, 'case') else 'case'}: {error}", file=sys.stderr)
    except LawNotEncoded as error:
        print(f"origin: {error}", file=sys.stderr)
    except registry.RegistryError as error:
        print(f"origin: {error}", file=sys.stderr)
    except InputError as error:
        print(f"origin: {error}", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
