"""Moving a schedule from an older HS edition to a newer one through a correlation table.

For each subheading of the new edition we look up, in the old schedule, every old
subheading the correlation table relates it to. If all of them give the same entries (same
rule, same words, same goods), the new subheading gets those entries. If they differ, or an
old code has no rule, the new subheading gets one *needs-review* entry listing every
candidate: which rule applies then depends on what the goods were classified as before,
which only a person can say. Nothing is picked silently.

The result has one or more entries for every subheading of the new edition, so every
subheading resolves to a rule or to an explicit *needs review* (:class:`Coverage`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import attrs

from hs_data.correlation import Correlation
from hs_data.editions import Nomenclature
from hs_data.schedule import Candidate, Entry, Schedule, Status, Transposition
from origin.hs import HSCode, HSRange
from origin.psr import (
    AllOf,
    AnyOf,
    Excepted,
    GoodsOf,
    RegionalValueContent,
    Rule,
    TariffShift,
    canonical,
    leaves,
    parse_rule,
)

__all__ = ["Coverage", "coverage", "transpose", "unknown_codes"]


def transpose(schedule: Schedule, table: Correlation, target: Nomenclature) -> Schedule:
    """The schedule keyed by ``target``'s subheadings, with needs-review where rules differ."""
    if table.old_edition != schedule.edition or table.new_edition != target.edition:
        raise ValueError(
            f"correlation HS {table.new_edition}<-HS {table.old_edition} does not take a "
            f"HS {schedule.edition} schedule to HS {target.edition}"
        )
    inside = _RuleCodes(table, target)
    entries: list[Entry] = []
    for subheading in target.subheadings:
        entries.extend(inside.moved(e) for e in _transposed(schedule, table, subheading))
    return Schedule.of(
        schedule.source,
        entries,
        edition=target.edition,
        notes=schedule.notes,
        transposition=Transposition(schedule.edition, target.edition, table.file),
    )


def _transposed(schedule: Schedule, table: Correlation, subheading: str) -> list[Entry]:
    code = HSRange.from_codes(HSCode(subheading), HSCode(subheading))
    olds = table.sources_of(subheading)
    if not olds:
        return [
            Entry(
                f"{subheading}<-none",
                code,
                Status.NEEDS_REVIEW,
                None,
                "",
                problem=f"HS {table.new_edition} {code} is not in the correlation table",
            )
        ]
    rulings: dict[str, tuple[Entry, ...]] = {}
    for old in olds:
        found = schedule.lookup(HSCode(old))
        rulings[old] = found.entries if found.status != "no-rule" else ()
    distinct = {_key(entries) for entries in rulings.values()}
    first = rulings[olds[0]]
    if len(distinct) == 1 and first:
        return [
            attrs.evolve(
                entry,
                id=f"{subheading}<-{entry.id}",
                codes=code,
                from_codes=olds,
            )
            for entry in first
        ]
    # One candidate per distinct ruling, with the older codes and entries giving it.
    Ruling = tuple[tuple[str, str, str, str], ...]
    by_ruling: dict[Ruling, tuple[list[str], list[Entry]]] = {}
    for old in olds:
        keyed: list[tuple[Ruling, tuple[Entry, ...]]] = [
            (_key((e,)), (e,)) for e in rulings[old]
        ] or [((), ())]
        for key, given in keyed:
            codes, sources = by_ruling.setdefault(key, ([], []))
            codes.append(old)
            sources.extend(e for e in given if e not in sources)
    candidates = tuple(
        Candidate(
            tuple(codes),
            tuple(e.id for e in sources),
            sources[0].rule if sources else None,
            sources[0].text if sources else "",
            sources[0].goods if sources else None,
        )
        for codes, sources in by_ruling.values()
    )
    if len(distinct) == 1:
        problem = f"no rule in the HS {schedule.edition} schedule for " + ", ".join(
            str(HSCode(o)) for o in olds
        )
    else:
        problem = (
            f"HS {table.new_edition} {code} correlates with {len(olds)} HS {schedule.edition} "
            f"code(s) carrying {len(distinct)} different rulings: review which applies"
        )
    return [
        Entry(
            f"{subheading}<-review",
            code,
            Status.NEEDS_REVIEW,
            None,
            "",
            problem=problem,
            candidates=candidates,
            from_codes=olds,
        )
    ]


class _RuleCodes:
    """Moves the codes *inside* a rule (exception lists, focused-value lists, goods of a
    code) to the new edition, as the entry keys are moved.

    An older code (or range) names a set S of older subheadings. The correlation relates S
    to a set N of new subheadings. When every code of N comes only from S, the same goods
    are named by N, and the rule is rewritten with N (whole headings and chapters written as
    such): "8112.92" (HS 2012) becomes "8112.31, 8112.41, 8112.92".
    When a code of N also holds goods from outside S, only some of its goods are the old
    ones: it is named as goods of a code (``"goods of HS 2012 88.03" of 8524.11``), so a
    material of that code *needs information* (decision 0010 #3) instead of silently
    matching or missing. An old code that its own edition lacks makes the entry
    *needs-review* with the reason and its old rule as the candidate. Nothing is guessed.
    """

    def __init__(self, table: Correlation, target: Nomenclature) -> None:
        self.table = table
        self.target = target
        olds = {code for sources in table.sources.values() for code in sources}
        self.old = Nomenclature.of(table.old_edition, olds, table.file)
        reverse: dict[str, list[str]] = {}
        for new, sources in table.sources.items():
            for code in sources:
                reverse.setdefault(code, []).append(new)
        self.reverse = reverse
        self.cache: dict[str, tuple[str | None, tuple[str, ...], str | None]] = {}

    def moved(self, entry: Entry) -> Entry:
        """The entry with its rule's codes in the new edition, or needs-review saying why."""
        if entry.status is not Status.RULE or entry.rule is None:
            return entry
        if entry.rule not in self.cache:
            self.cache[entry.rule] = self._rule(entry.rule)
        rule, changes, problem = self.cache[entry.rule]
        t = self.table
        if problem is not None:
            return attrs.evolve(
                entry,
                status=Status.NEEDS_REVIEW,
                rule=None,
                problem=problem,
                candidates=(
                    Candidate(entry.from_codes, (entry.id,), entry.rule, entry.text, entry.goods),
                ),
            )
        if not changes:
            return entry
        note = (
            f"codes in the rule moved from HS {t.old_edition} to HS {t.new_edition} through "
            f"the correlation: {'; '.join(changes)} (HS {t.old_edition} rule: {entry.rule})"
        )
        return attrs.evolve(entry, rule=rule, notes=(*entry.notes, note))

    def _rule(self, text: str) -> tuple[str | None, tuple[str, ...], str | None]:
        """(new rule, what changed, problem)."""
        changes: list[str] = []
        problems: list[str] = []

        def codes(named: Excepted) -> tuple[Excepted, ...]:
            hs_range = named.codes if isinstance(named, GoodsOf) else named
            goods = named.goods if isinstance(named, GoodsOf) else None
            new, problem = self._codes(hs_range, goods)
            if problem is not None:
                problems.append(problem)
                return (named,)
            if new == (named,):
                return (named,)
            changes.append(f"{named} -> {', '.join(map(str, new))}")
            return new

        tree = _map_codes(parse_rule(text, validate=False), codes)
        if problems:
            return (None, (), "; ".join(dict.fromkeys(problems)))
        return canonical(tree), tuple(dict.fromkeys(changes)), None

    def _codes(
        self, hs_range: HSRange, goods: str | None
    ) -> tuple[tuple[Excepted, ...], str | None]:
        """New-edition codes naming the same goods as an old code or range: whole new codes
        where they hold only the old goods, goods-of-a-code where they also hold others."""
        t = self.table
        olds = set(self.old.subheadings_in(hs_range))
        if not olds:
            return (), (
                f"the rule names {hs_range}, which is not in HS {t.old_edition}: "
                "review the annex's text"
            )
        news = sorted({n for o in olds for n in self.reverse.get(o, ())})
        whole = [n for n in news if set(t.sources_of(n)) <= olds]
        part = [n for n in news if n not in whole]
        described: Excepted = hs_range if goods is None else GoodsOf(goods, hs_range)
        ends_exist = self.target.exists(hs_range.start.digits) and self.target.exists(
            hs_range.end.digits
        )
        if not part and ends_exist and list(self.target.subheadings_in(hs_range)) == news:
            return (described,), None
        words = f"goods of HS {t.old_edition} {hs_range}"
        if goods is not None:
            words = f"{goods} (of HS {t.old_edition} {hs_range})"
        if '"' in words or "“" in words or "”" in words:
            return (), f"the rule's goods {words!r} cannot be quoted; review"
        out: list[Excepted] = []
        for code in _compressed(whole, self.target):
            out.append(code if goods is None else GoodsOf(goods, code))
        out.extend(GoodsOf(words, HSRange.from_codes(HSCode(n), HSCode(n))) for n in part)
        return tuple(out), None


def _compressed(news: list[str], target: Nomenclature) -> tuple[HSRange, ...]:
    """Subheadings written as whole chapters or headings where they are whole."""
    wanted = set(news)
    out: list[HSRange] = []
    done: set[str] = set()
    for code in news:
        if code in done:
            continue
        for level in (2, 4, 6):
            prefix = code[:level]
            under = target.subheadings_in(HSRange.parse(str(HSCode(prefix)), validate=False))
            if level == 6 or (under and set(under) <= wanted):
                out.append(HSRange.from_codes(HSCode(prefix), HSCode(prefix)))
                done.update(under if level < 6 else (code,))
                break
    return tuple(out)


def _map_codes(rule: Rule, change: Callable[[Excepted], tuple[Excepted, ...]]) -> Rule:
    """The rule with every code named in exception and focused-value lists replaced."""
    if isinstance(rule, AllOf | AnyOf):
        return type(rule)(tuple(_map_codes(term, change) for term in rule.terms))
    if isinstance(rule, TariffShift) and rule.exceptions:
        listed = tuple(new for old in rule.exceptions for new in change(old))
        return attrs.evolve(rule, exceptions=listed)
    if isinstance(rule, RegionalValueContent) and rule.materials:
        listed = tuple(new for old in rule.materials for new in change(old))
        return attrs.evolve(rule, materials=listed)
    return rule


def _key(entries: Iterable[Entry]) -> tuple[tuple[str, str, str, str], ...]:
    """What makes two rulings the same: rule, words, goods and status of each entry."""
    return tuple(
        sorted(
            (e.rule or "", " ".join(e.text.split()), e.goods or "", e.status.value) for e in entries
        )
    )


@attrs.frozen
class Coverage:
    """How every subheading of an edition resolves in a schedule."""

    edition: int
    total: int
    rule: tuple[str, ...]  # one parsed rule
    several_goods: tuple[str, ...]  # rules for different goods of the subheading
    unparsed: tuple[str, ...]  # the annex's words, not read
    needs_review: tuple[str, ...]  # transposition candidates differ, or no source rule
    no_rule: tuple[str, ...]  # nothing at all (should be empty after transposition)

    def summary(self) -> str:
        def line(name: str, codes: tuple[str, ...]) -> str:
            share = 100 * len(codes) / self.total if self.total else 0.0
            return f"  {name:<28} {len(codes):>5} ({share:.2f}%)"

        resolved = self.total - len(self.no_rule)
        return "\n".join(
            [
                f"HS {self.edition} subheadings: {self.total}; resolved to a rule or an "
                f"explicit needs-review: {resolved}",
                line("rule", self.rule),
                line("needs review: several goods", self.several_goods),
                line("needs review: unparsed text", self.unparsed),
                line("needs review: candidates", self.needs_review),
                line("no rule", self.no_rule),
            ]
        )


def coverage(schedule: Schedule, nomenclature: Nomenclature) -> Coverage:
    """Look up every subheading of the nomenclature and sort them by what they get."""
    groups: dict[str, list[str]] = {
        "rule": [],
        "several": [],
        "unparsed": [],
        "needs-review": [],
        "no-rule": [],
    }
    for subheading in nomenclature.subheadings:
        found = schedule.lookup(HSCode(subheading))
        if found.status == "needs-review" and len(found.entries) > 1:
            groups["several"].append(subheading)
        else:
            groups[found.status].append(subheading)
    return Coverage(
        nomenclature.edition,
        len(nomenclature.subheadings),
        tuple(groups["rule"]),
        tuple(groups["several"]),
        tuple(groups["unparsed"]),
        tuple(groups["needs-review"]),
        tuple(groups["no-rule"]),
    )


def unknown_codes(schedule: Schedule, nomenclature: Nomenclature) -> tuple[str, ...]:
    """Codes a schedule names that its edition does not have: entry keys, exception lists
    and focused-value lists. A typo in an annex (or a code moved between editions) would
    otherwise silently never match a material."""
    if nomenclature.edition != schedule.edition:
        raise ValueError(
            f"HS {nomenclature.edition} codes cannot check a HS {schedule.edition} schedule"
        )
    problems: list[str] = []
    for entry in schedule.entries:
        named: list[tuple[str, HSRange]] = [("codes", entry.codes)]
        tree = entry.tree
        if tree is not None:
            for leaf in leaves(tree):
                if isinstance(leaf, TariffShift):
                    listed: tuple[Excepted, ...] = leaf.exceptions
                elif isinstance(leaf, RegionalValueContent):
                    listed = leaf.materials
                else:
                    continue
                for item in listed:
                    codes = item.codes if isinstance(item, GoodsOf) else item
                    named.append((f"in {leaf}", codes))
        for where, codes in named:
            for end in {codes.start, codes.end}:
                if not nomenclature.exists(end.digits):
                    problems.append(
                        f"entry {entry.id}: {end} ({where}) is not in HS {nomenclature.edition}"
                    )
    return tuple(dict.fromkeys(problems))
