"""Importers for two real PSR schedules, into :class:`~hs_data.schedule.Schedule`.

- NZ–UK FTA Annex 3A (HS 2017), compact notation: ``CTSH; or RVC40``, ``CC; or refining``.
  One CSV row per chapter, heading or subheading (``chapter,hs2017,description,psr``).
- CPTPP Annex 3-D (HS 2012), prose: "A change to a good of heading 0101 to heading 0106 from
  any other chapter." One CSV row per rule (``heading_or_range,uk_min,uk_max,rule_no,
  rule_text``); an RVC alternative's methods continue on rows "- b) ...", "- c) ...".

Every input row is accounted for in an :class:`ImportReport`: a rule entry (parsed or kept
unparsed with its words and the reason), a title row without a rule of its own, or a note.
A row whose codes the schedule loader would refuse (a range too long, a tariff item, a code
the annex's HS edition lacks) is no entry: it is reported unparsed with its row and why, and
kept in the schedule's notes, so an importer never writes a file its loader refuses.

Provenance is what was read: the file, its SHA-256 and the importer. The official document
is named only when the file's checksum is that of the reference file whose provenance is
known (:data:`NZ_UK_SHA256`, :data:`CPTPP_SHA256`); any other file is a user-supplied file
in the annex's layout, not verified as the official text (decision 0010, 10).
The sentence framing of the prose ("A change to <goods> from any other heading", "No change
in tariff classification required for <goods>, provided ...") is matched here; what remains
(shifts, exception lists, RVC, MaxNOM, processes, conditions) is read by the PSR grammar.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.metadata
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

from hs_data._io import read_bytes, text_of
from hs_data.editions import Nomenclature
from hs_data.schedule import (
    Entry,
    Schedule,
    Source,
    Status,
    codes_problem,
    edition_codes,
    rule_codes_problem,
)
from origin.errors import InputError
from origin.hs import HSCodeError, HSRange
from origin.psr import AnyOf, Process, PSRSyntaxError, Rule, canonical, parse_rule

__all__ = [
    "CPTPP_SHA256",
    "CPTPP_SOURCE",
    "NZ_UK_SHA256",
    "NZ_UK_SOURCE",
    "AnnexFileError",
    "ImportReport",
    "RowOutcome",
    "import_cptpp",
    "import_nz_uk",
]

NZ_UK_SOURCE = Source(
    agreement="nz-uk",
    title="NZ–UK Free Trade Agreement, Annex 3A Product Specific Rules",
    document="New Zealand Origin Reference Document, Annex 3A (Product Specific Rules)",
    version="1.0",
    date="2023-02-20",
    hs_edition=2017,
    reference=(
        "trade-tariff/rules-of-origin-builder-uk resources/source/New-Zealand PSR.docx "
        "(commit 80d6ff13), flattened to nz_uk_annex3A_psr_hs2017.csv"
    ),
)
CPTPP_SOURCE = Source(
    agreement="cptpp",
    title="CPTPP, Annex 3-D Product-Specific Rules of Origin",
    document="CPTPP Origin Reference Document, Annex 3-D (UK restatement)",
    version="1.1",
    date="2024-09-30",
    hs_edition=2012,
    reference=(
        "trade-tariff/trade-tariff-backend lib/rules_of_origin/roo_schemes_uk/rule_sets/"
        "cptpp.json (commit fa0adb62), flattened to cptpp_annex3D_psr_flat.csv"
    ),
)

# SHA-256 of ../shared/reference/psr/nz-uk/nz_uk_annex3A_psr_hs2017.csv, the CSV flattened
# from New-Zealand PSR.docx (its SOURCE.md): only this file is named as NZ_UK_SOURCE.
NZ_UK_SHA256 = "cd50b9d72a7f5795fce784ac5291f11c2fb9a7b0003df73d5eb761f9668d0b20"
# SHA-256 of ../shared/reference/psr/cptpp/cptpp_annex3D_psr_flat.csv, the CSV flattened
# from the UK's cptpp.json rule set (its SOURCE.md): only this file is named as CPTPP_SOURCE.
CPTPP_SHA256 = "b8c42649d02d7fafb29d00976022f18cbe3bc35ba6ee815400adf102e95871ef"


class AnnexFileError(InputError):
    """A source file whose layout is not the one expected (missing columns, bad codes)."""


@attrs.frozen
class RowOutcome:
    """What became of one input row."""

    line: int  # record ("row") number in the CSV, the header being row 1
    key: str  # the codes as written
    kind: str  # "parsed", "unparsed", "title", "note"
    entry_id: str | None
    text: str
    problem: str | None = None


@attrs.frozen
class ImportReport:
    """Every input row, and the parse rate over rows that carry rule text."""

    source_file: str
    rows: tuple[RowOutcome, ...]
    codes_checked: str = ""  # what the rows' codes were checked against

    @property
    def rule_rows(self) -> tuple[RowOutcome, ...]:
        return tuple(r for r in self.rows if r.kind in ("parsed", "unparsed"))

    @property
    def unparsed(self) -> tuple[RowOutcome, ...]:
        return tuple(r for r in self.rows if r.kind == "unparsed")

    @property
    def parse_rate(self) -> float:
        """Share of rule rows parsed (display only; counts are exact in the report)."""
        rules = self.rule_rows
        return (len(rules) - len(self.unparsed)) / len(rules) if rules else 1.0

    def summary(self) -> str:
        kinds: dict[str, int] = {}
        for row in self.rows:
            kinds[row.kind] = kinds.get(row.kind, 0) + 1
        rules = len(self.rule_rows)
        parsed = rules - len(self.unparsed)
        lines = [
            f"{self.source_file}: {len(self.rows)} rows: "
            + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())),
            f"parse rate: {parsed}/{rules} rule rows = {100 * self.parse_rate:.2f}%",
        ]
        if self.codes_checked:
            lines.append(self.codes_checked)
        for row in self.unparsed:
            lines.append(
                f"  unparsed row {row.line} [{row.key}] "
                + (f"entry {row.entry_id}" if row.entry_id else "kept in the schedule's notes")
                + f": {row.problem}"
            )
            lines.append(f"    text: {' '.join(row.text.split())[:300]}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- NZ–UK Annex 3A

# Specific processes named in the annex's PSR column (see its chapter notes and the
# "Process Rule" of chapters 27–40), kept in the annex's own words.
_NZ_PROCESS = re.compile(r"^[A-Za-z][A-Za-z /\-]*$")
_RULE_WORDS = re.compile(r"\b(?:CC|CTH|CTSH|RVC|WO|except|MaxNOM)\b", re.IGNORECASE)


def import_nz_uk(
    path: Path, source: Source | None = None, *, codes: Nomenclature | None = None
) -> tuple[Schedule, ImportReport]:
    """Read the Annex 3A CSV (``chapter,hs2017,description,psr``).

    ``codes``: the HS 2017 nomenclature each row's codes are checked against (without it,
    only their form, range and chapter are). ``source``: the provenance to record; by
    default the official Annex 3A when the file is the known one, else a user-supplied file.
    """
    rows, digest = _read_csv(path, ("chapter", "hs2017", "description", "psr"))
    source = _provenance(path, digest, source, NZ_UK, "import_nz_uk")
    edition = source.hs_edition
    known = edition_codes(edition, codes)
    entries: list[Entry] = []
    outcomes: list[RowOutcome] = []
    notes: list[str] = []
    process_chapters, process_note = _process_rule_chapters(rows)
    see = f"see the schedule's note of row {process_note}"
    for line, row in rows:
        key = row["hs2017"].strip().rstrip(".")
        text = row["psr"].strip()
        description = " ".join(row["description"].split())
        hs_range, refused = _row_codes(key, text, edition, known)
        if refused is not None:
            # A rule whose code cannot be read ("ex 0201", "0401.1") or that the loader
            # would refuse ("0101.10-9706.00", "99.99.99"): not an entry (it has no code to
            # be found by), but kept with its words and counted as unparsed.
            why, mark = refused
            notes.append(f"row {line} [{key}] {mark} ({why}): {description}: {text}")
            outcomes.append(RowOutcome(line, key, "unparsed", None, text, why))
            continue
        if hs_range is None:
            # Section titles with their notes (e.g. Section II's note on plants grown from
            # imported seed): kept as schedule notes, they may give an alternative rule.
            notes.append(f"row {line}: {description}")
            outcomes.append(RowOutcome(line, key, "note", None, description))
            continue
        if not text:
            if _IS_NOTE.search(description):
                notes.append(f"row {line} ({key}): {description}")
            outcomes.append(RowOutcome(line, key, "title", None, description))
            continue
        entry_id = f"row {line}"
        rule, problem = _nz_rule(text)
        if rule is not None:
            problem = rule_codes_problem(_tree(rule), edition, known)
            rule = None if problem is not None else rule
        # "Process Rule" is defined by the note to chapters 27-40 (kept in schedule notes).
        notes_here = (
            (f"Process Rule: the processes listed in the note to chapters 27 through 40 ({see})",)
            if "process rule" in text.lower()
            else ()
        )
        if rule is not None and _in(hs_range, process_chapters) and not notes_here:
            # The chapter note applies "notwithstanding the applicable product-specific
            # rules": a row that does not repeat the Process Rule still has it.
            rule = canonical(AnyOf.of(_tree(rule), Process("Process Rule")))
            notes_here = (
                "Process Rule added: the note to chapters 27 through 40 makes a good of those "
                "chapters that is the product of a listed process originating, notwithstanding "
                f"the row's rule (which does not repeat it); {see}",
            )
        if rule is not None:
            entry = Entry(entry_id, hs_range, Status.RULE, rule, text, notes=notes_here)
            outcomes.append(RowOutcome(line, key, "parsed", entry_id, text))
        else:
            entry = Entry(entry_id, hs_range, Status.UNPARSED, None, text, problem=problem)
            outcomes.append(RowOutcome(line, key, "unparsed", entry_id, text, problem))
        entries.append(entry)
    schedule = _as_loaded(Schedule.of(source, entries, notes=notes), path, known)
    return schedule, ImportReport(str(path), tuple(outcomes), _checked_against(edition, known))


_PROCESS_NOTE = re.compile(
    r"Notwithstanding the applicable product-specific rules of origin, a good of chapters "
    r"(\d+) through (\d+) that is the product of",
    re.IGNORECASE,
)


def _process_rule_chapters(rows: Sequence[tuple[int, dict[str, str]]]) -> tuple[range, int]:
    """The chapters the annex's Process Rule note covers (27 through 40), read from the
    note itself, and the row holding it; no chapters when the file has no such note."""
    for line, row in rows:
        found = _PROCESS_NOTE.search(" ".join(row["description"].split()))
        if found:
            return range(int(found[1]), int(found[2]) + 1), line
    return range(0), 0


# A title row holding a note ("Section Note: ...", "Notwithstanding ..."), not a title that
# merely mentions one ("... specified in Note 9 (C) to this Chapter", 84.86).
_IS_NOTE = re.compile(r"\bnotes?\s*:|\bnotwithstanding\b", re.IGNORECASE)
# A rule abbreviation, never a process: "CTHS" is a typo, not a process named "CTHS".
_ABBREVIATION = re.compile(r"\b[A-Z]{2,}\b")


def _row_codes(
    key: str, text: str, edition: int, known: Nomenclature | None
) -> tuple[HSRange | None, tuple[str, str] | None]:
    """A row's codes, or None for a title without a code; and, for a rule row whose codes
    cannot key an entry, why and its mark in the notes (UNREAD CODE / REFUSED CODE)."""
    try:
        codes = HSRange.parse(key, validate=False) if key else None
    except HSCodeError:
        codes = None
    if not text:
        return codes, None
    if not key:  # rule words without codes were a note holding only the description
        return None, ("no code: a rule row needs the codes it covers", "UNREAD CODE")
    if codes is None:
        return None, (f"code {key!r} not read: {_code_problem(key)}", "UNREAD CODE")
    refused = codes_problem(codes, edition, known)
    if refused is not None:
        return None, (f"code {key!r} refused: {refused}", "REFUSED CODE")
    return codes, None


def _in(codes: HSRange, chapters: range) -> bool:
    return int(codes.start.digits[:2]) in chapters and int(codes.end.digits[:2]) in chapters


def _tree(rule: str) -> Rule:
    return parse_rule(rule, validate=False)


def _code_problem(key: str) -> str:
    try:
        HSRange.parse(key, validate=False)
    except HSCodeError as error:
        return str(error)
    return "not an HS code"  # pragma: no cover - only called after a failure


def _nz_rule(text: str) -> tuple[str | None, str | None]:
    """Annex 3A notation -> canonical rule, or (None, why not)."""
    alternatives = [a.strip() for a in re.split(r";\s*(?:or\b)?", text) if a.strip()]
    terms: list[str] = []
    for alternative in alternatives:
        term, problem = _nz_alternative(" ".join(alternative.split()))
        if term is None:
            return None, problem
        terms.append(term)
    joined = " or ".join(f"({t})" for t in terms)
    try:
        return canonical(parse_rule(joined, validate=False)), None
    except PSRSyntaxError as error:  # pragma: no cover - each term parsed on its own
        return None, str(error)


def _nz_alternative(text: str) -> tuple[str | None, str | None]:
    try:
        return canonical(parse_rule(text, validate=False)), None
    except PSRSyntaxError as error:
        first_error = str(error)
    # "CTH provided that the good is cooked in the territory of the Parties"
    provided = re.fullmatch(r"(.+?)\s+provided that\s+(.+)", text, re.IGNORECASE)
    if provided and '"' not in provided[2]:
        head, problem = _nz_alternative(provided[1])
        if head is None:
            return None, problem
        return f'{head} provided that "{provided[2].rstrip(".")}"', None
    # "RVC40 or change from the wet state", "RVC40 or glazing": a rule or a process
    tail = re.fullmatch(r"(.+?)\s+or\s+([A-Za-z][A-Za-z /\-]*)", text)
    if tail and not _RULE_WORDS.search(tail[2]) and not _ABBREVIATION.search(tail[2]):
        head, problem = _nz_alternative(tail[1])
        if head is not None:
            return f'{head} or process "{tail[2]}"', None
    # a process on its own: "refining", "crushing / grinding", "Process Rule"
    if _NZ_PROCESS.fullmatch(text) and not _RULE_WORDS.search(text):
        if (abbreviation := _ABBREVIATION.search(text)) is not None:
            return None, (
                f"{abbreviation.group()!r} looks like a rule abbreviation (CC, CTH, CTSH, RVC, "
                "WO), not a process; kept for review"
            )
        return f'process "{text}"', None
    if re.search(r"\bRVC\s*\d+\s+except\b", text, re.IGNORECASE):
        return None, (
            "an exception list after an RVC: Annex 3A headnote 5 gives exclusions a meaning "
            "only for changes in tariff classification; kept for review"
        )
    return None, first_error


# --------------------------------------------------------------------------- CPTPP Annex 3-D

_CHANGE = re.compile(
    r"A change to (?P<goods>.+?) from any other (?P<level>chapter|heading|subheading)"
    r"(?P<rest>.*)",
    re.IGNORECASE | re.DOTALL,
)
_NO_CHANGE = re.compile(
    r"No change in tariff classification (?:is )?required for (?P<goods>.+?),?\s+"
    r"provided (?:that )?(?P<rest>.*)",
    re.IGNORECASE | re.DOTALL,
)
_RVC_ONE = re.compile(
    r"there is a regional value content of not less than (?P<n>\d+(?:\.\d+)?)\s*%\s*"
    r"under the (?P<method>.+?) method",
    re.IGNORECASE,
)
_RVC_LIST = re.compile(r"there is a regional value content of not less than\s*:", re.IGNORECASE)
_RVC_ITEM = re.compile(
    r"-?\s*\(?[a-e]\)\s*(?P<n>\d+(?:\.\d+)?)\s*%\s*under the (?P<method>[a-z\- ]+?) method"
    r"(?:\s+taking into account only the non-originating materials of (?P<of>.+?))?\s*[.;]?"
    r"\s*(?:or\s*)?$",
    re.IGNORECASE | re.DOTALL,
)
_CONTINUATION = re.compile(r"^-?\s*\(?[b-e]\)\s*\d")
_GENERIC_GOODS = re.compile(
    r"(?:a good|goods) of (?:(?:sub)?headings?|chapters?) [\d.\s]+"
    r"(?:(?:to|through|-)\s*(?:(?:sub)?headings?\s*)?[\d.]+)?$",
    re.IGNORECASE,
)


@attrs.frozen
class _Rule:
    """One CPTPP rule after its continuation rows are joined."""

    key: str
    numbers: tuple[str, ...]
    lines: tuple[int, ...]
    text: str  # the rows' words, joined


def _joined(rows: Sequence[tuple[int, dict[str, str]]]) -> list[_Rule]:
    """Rows with their continuation rows ("- b) 40% under the build-down method.") joined."""
    rules: list[_Rule] = []
    for line, row in rows:
        key = row["heading_or_range"].strip()
        text = _clean(row["rule_text"])
        number = row["rule_no"].strip()
        last = rules[-1] if rules else None
        if last is not None and last.key == key and _CONTINUATION.match(text):
            rules[-1] = attrs.evolve(
                last,
                numbers=(*last.numbers, number),
                lines=(*last.lines, line),
                text=f"{last.text}\n{text}",
            )
        else:
            rules.append(_Rule(key, (number,), (line,), text))
    return rules


def import_cptpp(
    path: Path, source: Source | None = None, *, codes: Nomenclature | None = None
) -> tuple[Schedule, ImportReport]:
    """Read the Annex 3-D CSV (``heading_or_range,uk_min,uk_max,rule_no,rule_text``).

    ``codes`` and ``source`` as for :func:`import_nz_uk` (the edition being HS 2012).
    """
    rows, digest = _read_csv(path, ("heading_or_range", "rule_no", "rule_text"))
    source = _provenance(path, digest, source, CPTPP, "import_cptpp")
    edition = source.hs_edition
    known = edition_codes(edition, codes)
    rules = [part for rule in _joined(rows) for part in _by_goods(rule)]
    entries: list[Entry] = []
    outcomes: list[RowOutcome] = []
    unread: list[str] = []
    taken: dict[str, int] = {}  # entry id -> the first row of its entry
    for (key, _), members in _grouped(rules).items():
        # The group's goods are its first rule's: a later "No change ... required for a good
        # in the dry state of ..." narrows only its own alternative (a condition there), so
        # it must not label the whole entry (4106.40, review finding 7).
        goods = _scope(members[0][0].text.splitlines()[0])
        entry_id = f"{key}#{'+'.join(n for m in members for n in m[0].numbers)}"
        text = "\n".join(m[0].text for m in members)
        notes = tuple(n for m in members for n in _notes(m[0].text))
        problems = [p for _, t, p in members if t is None]
        hs_range, refused = _group_codes(key, entry_id, edition, known, taken)
        if refused is not None:
            problems = [refused[0]]
        rule_text: str | None = None
        if not problems:
            joined = " or ".join(f"({t})" for _, t, _ in members)
            try:
                rule_text = canonical(parse_rule(joined, validate=False))
            except PSRSyntaxError as error:  # pragma: no cover - each term parsed alone
                problems = [str(error)]
        if rule_text is not None:
            named = rule_codes_problem(_tree(rule_text), edition, known)
            if named is not None:
                rule_text, problems = None, [named]
        kind = "parsed" if rule_text is not None else "unparsed"
        problem = "; ".join(dict.fromkeys(p for p in problems if p)) or None
        if hs_range is None:
            # No code to key an entry by: the rows are kept as schedule notes, flagged.
            mark = refused[1] if refused is not None else "UNREAD CODE"
            unread.append(f"{entry_id} [{key}] {mark} ({problem}): {text}")
            entry_id = ""
        else:
            taken[entry_id] = members[0][0].lines[0]
            entries.append(
                Entry(
                    entry_id,
                    hs_range,
                    Status.RULE if rule_text else Status.UNPARSED,
                    rule_text,
                    text,
                    goods=None if goods is None else goods,
                    notes=notes,
                    problem=problem,
                )
            )
        for member, _, _ in members:
            for line in member.lines:
                outcomes.append(RowOutcome(line, key, kind, entry_id or None, member.text, problem))
    outcomes = _one_per_row(outcomes)
    entries = _each_applicable(entries)
    schedule = _as_loaded(Schedule.of(source, entries, notes=unread), path, known)
    return schedule, ImportReport(str(path), tuple(outcomes), _checked_against(edition, known))


_Member = tuple[_Rule, str | None, str | None]  # a rule, its grammar text, its problem


def _grouped(rules: Sequence[_Rule]) -> dict[tuple[str, str | None], list[_Member]]:
    """Rules by codes and goods, in order. Rules of one row group for the same goods are
    alternatives ("...; or No change in tariff classification required for ..."); rules
    for other goods are separate entries."""
    groups: dict[tuple[str, str | None], list[_Member]] = {}
    previous: tuple[_Rule, tuple[str, str | None]] | None = None
    for rule in rules:
        goods, term, problem = _cptpp_rule(rule.text)
        group = (rule.key, _same_goods(goods))
        if (
            previous is not None
            and previous[0].key == rule.key
            and rule.text.startswith("No change")
            and previous[0].text.startswith("A change")
            and (goods is None or previous[1][1] is None or group == previous[1])
        ):
            # "A change to X ...; or No change ... required for X, provided ...": the
            # annex's alternative, even when it names X in other words ("mucilage and
            # thickener" / "mucilage or thickener") or narrows it ("in the dry state").
            if goods is not None and previous[1][1] is None and term is not None:
                term = f'provided that "the good is {goods}" and ({term})'
            group = previous[1]
        groups.setdefault(group, []).append((rule, term, problem))
        previous = (rule, group)
    return groups


def _group_codes(
    key: str, entry_id: str, edition: int, known: Nomenclature | None, taken: dict[str, int]
) -> tuple[HSRange | None, tuple[str, str] | None]:
    """A group's codes; or None with why and its mark in the notes, when they cannot key
    an entry: unread, refused by the loader's rules (issue 12), or the entry's id is
    another entry's (the same heading and rule number, for other goods)."""
    try:
        hs_range = _cptpp_codes(key)
    except HSCodeError as error:
        return None, (f"codes {key!r}: {error}", "UNREAD CODE")
    refused = codes_problem(hs_range, edition, known)
    if refused is not None:
        return None, (f"codes {key!r} refused: {refused}", "REFUSED CODE")
    if entry_id in taken:
        return None, (
            f"entry id {entry_id!r} is also row {taken[entry_id]}'s; each rule of the codes "
            "needs its own rule_no",
            "REFUSED ID",
        )
    return hs_range, None


EACH_APPLICABLE = re.compile(r"must satisfy the requirements of each applicable", re.IGNORECASE)


def _each_applicable(entries: list[Entry]) -> list[Entry]:
    """The annex's note "Where more than one product-specific rule is applicable to a good
    of subheading 190190, the good must satisfy the requirements of each applicable rule"
    sits in the last rule's text, but it governs every rule of the codes: each entry of
    those codes carries it, so a person choosing one goods-specific entry sees it."""
    by_codes: dict[str, list[str]] = {}
    for entry in entries:
        for note in entry.notes:
            if EACH_APPLICABLE.search(note):
                by_codes.setdefault(str(entry.codes), []).append(note)
    return [
        attrs.evolve(
            entry,
            notes=(
                *entry.notes,
                *(n for n in by_codes.get(str(entry.codes), ()) if n not in entry.notes),
            ),
        )
        for entry in entries
    ]


def _by_goods(rule: _Rule) -> list[_Rule]:
    """One rule per sentence when a row's sentences are for different goods.

    CPTPP 9619 rule 1 holds two sentences: "A change to a good of heading 9619, other than a
    good of textile material, from any other heading." and "A change to a good of textile
    wadding of heading 9619 from any other heading, except from ...". They are rules for two
    goods, not alternatives for one (joining them with "or" lost the wadding's exceptions).
    Parts are numbered 1a, 1b; the row is still one row of the report.
    """
    lines = rule.text.splitlines()
    notes = [line for line in lines if line.startswith(("Note:", "See also"))]
    body = [line for line in lines if line not in notes]
    sentences = _sentences(body)
    changes = [s for s in sentences if s[0].startswith("A change")]
    scopes = {_same_goods(_scope(s)) for s, _ in changes}
    if len(changes) < 2 or len(changes) != len(sentences) or None in scopes or len(scopes) < 2:
        return [rule]
    return [
        attrs.evolve(
            rule,
            numbers=tuple(f"{n}{chr(ord('a') + i)}" for n in rule.numbers),
            text="\n".join([sentence, *items, *notes]),
        )
        for i, (sentence, items) in enumerate(sentences)
    ]


def _one_per_row(outcomes: list[RowOutcome]) -> list[RowOutcome]:
    """A row split into several entries (:func:`_by_goods`) is reported once: unparsed if
    any part is, naming every entry."""
    by_line: dict[int, RowOutcome] = {}
    for outcome in outcomes:
        seen = by_line.get(outcome.line)
        if seen is None:
            by_line[outcome.line] = outcome
            continue
        worse = seen if seen.kind == "unparsed" else outcome
        by_line[outcome.line] = attrs.evolve(
            worse,
            entry_id=f"{seen.entry_id}, {outcome.entry_id}",
            text=f"{seen.text}\n{outcome.text}",
        )
    return sorted(by_line.values(), key=lambda o: o.line)


def _same_goods(goods: str | None) -> str | None:
    """Goods descriptions compared as the annex means them ("and"/"or" alike)."""
    return None if goods is None else goods.casefold().replace(" and ", " or ")


def _clean(text: str) -> str:
    """Markdown leftovers out, whitespace kept only as line breaks between paragraphs."""
    text = text.replace("**", "").replace("*or*", "\n*OR*\n").replace("\u00a0", " ")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def _notes(text: str) -> list[str]:
    return [
        line
        for line in text.splitlines()
        if line.startswith(("Note:", "See also")) or "imported from" in line
    ]


def _cptpp_codes(key: str) -> HSRange:
    """'0101-0106', '030431-030439', '0405', '030444' (HS 2012, not validated here)."""
    return HSRange.parse(key, validate=False)


def _cptpp_rule(text: str) -> tuple[str | None, str | None, str | None]:
    """(goods scope or None for all goods of the codes, rule text, problem)."""
    body_lines = [line for line in text.splitlines() if not line.startswith(("Note:", "See also"))]
    if any("imported from" in line for line in body_lines):
        return (
            _scope(body_lines[0]) if body_lines else None,
            None,
            "a rule that differs by the exporting party (goods imported from one Party); "
            "kept for review",
        )
    sentences = _sentences(body_lines)
    goods: str | None = None
    terms: list[str] = []
    for sentence, items in sentences:
        scope, term, problem = _sentence(sentence, items)
        if term is None:
            return scope, None, problem
        goods = scope if goods is None else goods
        terms.append(term)
    if not terms:
        return None, None, "no rule sentence found"
    return goods, " or ".join(f"({t})" for t in terms), None


def _sentences(lines: Sequence[str]) -> list[tuple[str, list[str]]]:
    """Sentences split at "*or*", each with the RVC list items that follow it."""
    out: list[tuple[str, list[str]]] = []
    for line in lines:
        if line == "*OR*":
            continue
        starts = re.match(r"^(A change|No change)", line) is not None
        item = re.match(r"^-?\s*\(?[a-e]\)|^\([ivx]+\)", line) is not None
        if not out or starts:
            out.append((line, []))
        elif item or out[-1][1]:
            out[-1][1].append(line)  # an RVC list item, or its wrapped continuation
        else:
            out[-1] = (f"{out[-1][0]} {line}", out[-1][1])  # a wrapped sentence
    return out


def _scope(sentence: str) -> str | None:
    change = _CHANGE.match(sentence) or _NO_CHANGE.match(sentence)
    if change is None:
        return None
    goods = " ".join(change["goods"].split()).rstrip(",; ")
    return None if _GENERIC_GOODS.fullmatch(goods) else goods


def _sentence(sentence: str, items: list[str]) -> tuple[str | None, str | None, str | None]:
    scope = _scope(sentence)
    if (change := _CHANGE.fullmatch(sentence)) is not None:
        head = f"change from any other {change['level'].lower()}"
        rest = change["rest"].strip().rstrip(".,;").strip()
        provided: str | None = None
        split = re.split(r",?\s*provided (?:that )?", rest, maxsplit=1)
        if len(split) == 2:
            rest, provided = split[0].strip(), split[1].strip()
        if rest:
            exceptions = re.fullmatch(r",?\s*except from:?\s*(.+)", rest, re.DOTALL)
            if exceptions is None:
                return scope, None, f"unexpected words after the change: {rest!r}"
            listed = _listed(exceptions[1].strip().rstrip(","))
            head = f"{head} except from {listed}"
        term = _try(head)
        if term is None:
            return scope, None, _why(head)
        if provided is not None:
            extra, problem = _provided(provided, items)
            if extra is None:
                return scope, None, problem
            term = f"{term} and ({extra})"
        elif items:
            return scope, None, "RVC list items without an RVC sentence"
        return _checked(scope, term)
    if (none := _NO_CHANGE.fullmatch(sentence)) is not None:
        extra, problem = _provided(none["rest"].strip(), items)
        if extra is None:
            return scope, None, problem
        return _checked(scope, extra)
    return scope, None, "not a CPTPP rule sentence ('A change to ...' / 'No change ...')"


def _provided(text: str, items: list[str]) -> tuple[str | None, str | None]:
    """The "provided ..." part: an RVC (one method or a list of them) or a condition."""
    text = text.strip()
    if _RVC_LIST.fullmatch(text.rstrip()) or (_RVC_LIST.match(text) and items):
        rest = _RVC_LIST.sub("", text, count=1).strip()
        listed = ([rest] if rest else []) + items
        terms = []
        for item in listed:
            rvc = _rvc_item(item)
            if rvc is None:
                return None, f"RVC method not read: {item!r}"
            terms.append(rvc)
        if not terms:
            return None, "an RVC list without its methods"
        return " or ".join(terms), None
    one = _RVC_ONE.fullmatch(text.rstrip("."))
    if one is not None:
        method = _method(one["method"])
        if method is None:
            return None, f"RVC method not read: {one['method']!r}"
        return f"RVC{one['n']} ({method})", None
    if items:
        return None, "RVC list items after a condition"
    condition = text.rstrip(".").strip()
    if '"' in condition:
        return None, "a condition containing quotation marks"
    return f'provided that "{condition}"', None


def _rvc_item(item: str) -> str | None:
    match = _RVC_ITEM.fullmatch(item.strip())
    if match is None:
        return None
    method = _method(match["method"])
    if method is None:
        return None
    if match["of"]:
        if method != "focused-value":
            return None
        return f"RVC{match['n']} (focused value of {_listed(match['of'].strip().rstrip('.'))})"
    return f"RVC{match['n']} ({method})"


# A code as the annex writes it in a list: "heading 0401 to heading 0406", "subheading
# 081120", "1508 to 1510", "chapter 55".
_LISTED_CODE = re.compile(
    r"(?:\b(?:sub)?headings?\s+\d{4,6}|\bchapters?\s+\d{1,2}|\b\d{4}(?:\d{2})?)(?![\d%.])"
    r"(?:\s*(?:to|through|-)\s*(?:(?:sub)?headings?\s+|chapters?\s+)?\d{1,6}\b)?(?!\s*%)"
)
_SEPARATOR = re.compile(r",\s*(?:or|and)\s+|,\s*|\s+or\s+|\s+and\s+")


def _listed(text: str) -> str:
    """An annex's list of excepted (or counted) materials in grammar notation: plain codes
    stay as written; goods described around a code ("control panels of subheading 853710",
    "dairy preparations of subheading 190190 containing more than 10% … milk solids")
    become ``"<the words>" of <code>``, so the rule keeps them and evaluation asks."""
    codes = list(_LISTED_CODE.finditer(text))
    if not codes or '"' in text:
        return text
    items: list[str] = []
    before = text[: codes[0].start()]
    for index, code in enumerate(codes):
        end = codes[index + 1].start() if index + 1 < len(codes) else len(text)
        between = text[code.end() : end]
        if index + 1 < len(codes):
            split = _SEPARATOR.search(between)
            if split is None:
                return text  # two codes without a separator: leave it to the grammar
            after, following = between[: split.start()], between[split.end() :]
        else:
            after, following = between, ""
        if before.strip() or after.strip():
            # "control panels of subheading 853710" -> "control panels" of subheading 853710
            lead = re.sub(r"\s+of(?: the)?\s*$", "", before.strip())
            words = " ".join(f"{lead} {after.strip()}".split())
            if lead == before.strip():  # the words do not end in "of": keep them whole
                words = " ".join(f"{before}{code.group()}{after}".split())
            items.append(f'"{words}" of {code.group()}')
        else:
            items.append(code.group())
        before = following
    return ", ".join(items)


def _method(words: str) -> str | None:
    slug = "-".join(words.lower().replace("-", " ").split())
    return (
        slug
        if slug in ("build-up", "build-down", "net-cost", "focused-value", "transaction-value")
        else None
    )


def _try(text: str) -> str | None:
    try:
        return canonical(parse_rule(text, validate=False))
    except PSRSyntaxError:
        return None


def _why(text: str) -> str:
    try:
        parse_rule(text, validate=False)
    except PSRSyntaxError as error:
        return str(error)
    return ""  # pragma: no cover - only called after a failure


def _checked(scope: str | None, term: str) -> tuple[str | None, str | None, str | None]:
    try:
        return scope, canonical(parse_rule(term, validate=False)), None
    except PSRSyntaxError as error:
        return scope, None, str(error)


# --------------------------------------------------------------------------- shared


@attrs.frozen
class _Layout:
    """An annex layout an importer reads, and the one file of it whose provenance is known."""

    name: str  # "the nz-uk Annex 3A layout"
    official: Source
    sha256: str  # of the reference file
    reference_file: str


NZ_UK = _Layout("nz-uk Annex 3A", NZ_UK_SOURCE, NZ_UK_SHA256, "nz_uk_annex3A_psr_hs2017.csv")
CPTPP = _Layout("cptpp Annex 3-D", CPTPP_SOURCE, CPTPP_SHA256, "cptpp_annex3D_psr_flat.csv")


def _provenance(
    path: Path, digest: str, given: Source | None, layout: _Layout, function: str
) -> Source:
    """What was read (file, SHA-256, importer) and, only when the checksum establishes it,
    the official document; a source the caller gives is kept as the caller's statement."""
    importer = _importer(function)
    if given is not None:
        return attrs.evolve(given, file=str(path), sha256=digest, importer=importer)
    official = layout.official
    if digest == layout.sha256:
        return attrs.evolve(
            official,
            file=str(path),
            sha256=digest,
            importer=importer,
            reference=f"{official.reference}; the file read has that file's SHA-256",
        )
    return Source(
        agreement=official.agreement,
        title=f"User-supplied file in the {layout.name} layout (not the verified official text)",
        document=(
            f"user-supplied file {path.name} in the {layout.name} layout, not verified as the "
            "official text"
        ),
        version="",
        date="",
        hs_edition=official.hs_edition,
        reference=(
            f"not verified: its SHA-256 is not that of {layout.reference_file}, the file "
            "whose provenance the toolkit knows"
        ),
        file=str(path),
        sha256=digest,
        importer=importer,
    )


def _importer(function: str) -> str:
    try:
        version = f" (origin {importlib.metadata.version('origin')})"
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - run from a checkout
        version = ""
    return f"hs_data.importers.{function}{version}"


def _as_loaded(schedule: Schedule, path: Path, known: Nomenclature | None) -> Schedule:
    """The schedule built again through the loader's own reading of the format, so what an
    importer returns (and writes) is what :meth:`Schedule.load` reads back. Each row was
    checked already; an error here is the importer's, and stops the import."""
    return Schedule.from_json(schedule.to_json(), f"{path} (imported)", codes=known)


def _checked_against(edition: int, known: Nomenclature | None) -> str:
    if known is not None:
        return f"codes checked against HS {edition} ({known.source})"
    return (
        f"codes not checked against HS {edition}: no list of its codes was given (only "
        "their form, range and chapter were checked)"
    )


def _read_csv(path: Path, required: Iterable[str]) -> tuple[list[tuple[int, dict[str, str]]], str]:
    """Rows with their record number (header = 1), after checking the columns, and the
    SHA-256 of the bytes read."""
    data = read_bytes(path, AnnexFileError)
    digest = hashlib.sha256(data).hexdigest()
    with text_of(data, path, AnnexFileError) as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        missing = [c for c in required if c not in columns]
        if missing:
            raise AnnexFileError(
                f"{path}: line 1: columns {columns}; expected also {', '.join(missing)}"
            )
        rows = []
        for number, row in enumerate(reader, start=2):
            rows.append((number, {k: (v or "") for k, v in row.items() if k is not None}))
        return rows, digest
