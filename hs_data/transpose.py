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

from collections.abc import Iterable

import attrs

from hs_data.correlation import Correlation
from hs_data.editions import Nomenclature
from hs_data.schedule import Candidate, Entry, Schedule, Status, Transposition
from origin.hs import HSCode, HSRange
from origin.psr import Excepted, GoodsOf, RegionalValueContent, TariffShift, leaves

__all__ = ["Coverage", "coverage", "transpose", "unknown_codes"]


def transpose(schedule: Schedule, table: Correlation, target: Nomenclature) -> Schedule:
    """The schedule keyed by ``target``'s subheadings, with needs-review where rules differ."""
    if table.old_edition != schedule.edition or table.new_edition != target.edition:
        raise ValueError(
            f"correlation HS {table.new_edition}<-HS {table.old_edition} does not take a "
            f"HS {schedule.edition} schedule to HS {target.edition}"
        )
    entries: list[Entry] = []
    for subheading in target.subheadings:
        entries.extend(_transposed(schedule, table, subheading))
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
