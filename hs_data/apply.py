"""Taking a case's product-specific rule from a loaded schedule, with its provenance.

Instead of typing the rule into the case, the person names a schedule; the rule for the
good's HS code is looked up and put into the case, and the determination's notes cite the
schedule's source document, version and date, the entry and its original words, so a reader
can check the rule against the annex. A lookup that does not give exactly one parsed rule
(needs review, unparsed words, several goods, no rule) is refused with every candidate
listed: the engine never picks a rule silently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs

from hs_data.importers import EACH_APPLICABLE
from hs_data.schedule import Entry, Lookup, Schedule, ScheduleError
from origin.determination import Determination
from origin.model import Case, Material
from origin.psr import AllOf, PSRSyntaxError, Rule, canonical, parse_rule
from origin.trees import rebuild

__all__ = ["Provenance", "apply_schedule", "determine_with_schedule", "rule_for", "rules_for"]


@attrs.frozen
class Provenance:
    """Where a rule came from: schedule source, entry and the annex's words."""

    item: str  # "good G1" or "material M3"
    code: str
    rule: str
    entry: Entry
    schedule: Schedule
    also: tuple[Entry, ...] = ()  # further entries whose rules are all required

    def note(self) -> str:
        s = self.schedule
        t = s.transposition
        transposed = (
            f"; transposed from HS {t.from_edition} to HS {t.to_edition} "
            f"(correlation {t.correlation.rsplit('/', 1)[-1]})"
            if t
            else ""
        )
        cited = "; ".join(_cited(e) for e in (self.entry, *self.also))
        note = (
            f"product-specific rule for {self.item} (HS {self.code}) taken from {s.source.title}: "
            f"{s.source.cite()}{transposed}; {cited}: {self.rule}"
        )
        each = next((n for n in self.entry.notes if EACH_APPLICABLE.search(n)), None)
        if each is not None:
            others = [
                e.goods
                for e in self.schedule.lookup(self.code).entries
                if e.goods and e not in (self.entry, *self.also)
            ]
            note += f" — annex note: “{each}”"
            if others:
                note += (
                    " If the good is also "
                    + "; or ".join(f"“{g}”" for g in others)
                    + ", name those goods too (--goods, repeated): each applicable rule must "
                    "be met."
                )
        return note


def _cited(entry: Entry) -> str:
    goods = f" for {entry.goods}" if entry.goods else ""
    words = " ".join(entry.text.split())
    return f"entry {entry.id} ({entry.codes}{goods}), annex text: “{words}”"


def rule_for(
    schedule: Schedule, code: str, *, goods: str | Sequence[str] | None = None
) -> tuple[str, Entry]:
    """The one parsed rule for a code, choosing among goods-specific entries by ``goods``
    (words of the entry's goods description, or its id); otherwise a ScheduleError that
    lists what a person must choose from or review."""
    rule, entries = rules_for(schedule, code, goods=goods)
    if len(entries) != 1:
        raise ScheduleError(
            f"{len(entries)} entries chosen for HS {code}; rule_for gives one (use rules_for)"
        )
    return rule, entries[0]


def rules_for(
    schedule: Schedule, code: str, *, goods: str | Sequence[str] | None = None
) -> tuple[str, tuple[Entry, ...]]:
    """The rule for a code and the entries it comes from.

    ``goods`` names one goods-specific entry, or several where the annex says a good
    covered by more than one rule "must satisfy the requirements of each applicable
    product-specific rule" (CPTPP 1901.20, 1901.90, 2106.90, 2202.90, 2309.90): their rules
    are then all required ("and"). Anything else is a ScheduleError listing what to choose.
    """
    found = schedule.lookup(code)
    entries = found.entries
    wanted = [goods] if isinstance(goods, str) else list(goods or ())
    if wanted and len(entries) > 1:
        chosen: list[Entry] = []
        for words in wanted:
            folded = words.casefold()
            matching = [e for e in entries if e.id == words or folded in (e.goods or "").casefold()]
            if len(matching) != 1:
                raise ScheduleError(
                    _refusal(found, f"{len(matching)} entries match goods {words!r}")
                )
            if matching[0] not in chosen:
                chosen.append(matching[0])
        entries = tuple(chosen)
    elif found.status != "rule":
        raise ScheduleError(_refusal(found, found.reason or found.status))
    for entry in entries:
        if entry.rule is None:
            raise ScheduleError(_refusal(found, entry.problem or entry.status.value))
    if len(entries) > 1:
        if not all(_each_applicable(e) for e in entries):
            raise ScheduleError(
                _refusal(
                    found,
                    "several goods chosen, but the annex does not say that each applicable "
                    "rule must be met; choose one",
                )
            )
        tree = AllOf.of(*(_parsed(e.rule or "") for e in entries))
        return canonical(tree), entries
    entry = entries[0]
    assert entry.rule is not None
    return entry.rule, entries


def _check_codes(schedule: Schedule, entry: Entry, rule: str) -> None:
    """A rule naming codes HS 2022 lacks is the schedule's fault, not the case's: say so
    here, before the engine (which reads HS 2022 codes) blames the case file's ``psr``."""
    where = f"schedule {schedule.source.title!r} ({schedule.source.cite()})"
    if schedule.edition != 2022:
        raise ScheduleError(
            f"{where}: its entries are keyed in HS {schedule.edition}, but goods are classified "
            "in HS 2022; transpose it first (origin psr transpose)"
        )
    try:
        parse_rule(rule)
    except PSRSyntaxError as error:
        raise ScheduleError(
            f"{where}: entry {entry.id} ({entry.codes}) gives the rule {rule!r}, which names "
            f"a code that is not in HS 2022 ({error.args[0] if error.args else error}); "
            "the schedule needs correcting or transposing, not the case"
        ) from None


def _each_applicable(entry: Entry) -> bool:
    return any(EACH_APPLICABLE.search(note) for note in entry.notes)


def _parsed(rule: str) -> Rule:
    return parse_rule(rule, validate=False)


def _refusal(found: Lookup, why: str) -> str:
    lines = [f"schedule gives no single rule for HS {found.code}: {why}"]
    lines.extend(
        f"  entry {e.id} ({e.status.value})"
        + (f" for {e.goods}" if e.goods else "")
        + f": {e.rule or ' '.join(e.text.split())[:200] or e.problem}"
        for e in found.entries
    )
    for entry in found.entries:
        lines.extend(
            f"  candidate {c.rule or 'unparsed / no rule'} from {len(c.from_codes)} code(s)"
            for c in entry.candidates
        )
    lines.append("give the rule in the case ('psr'), or choose the goods (--goods)")
    return "\n".join(lines)


def apply_schedule(
    case: Case,
    schedule: Schedule,
    *,
    goods: str | Sequence[str] | None = None,
    agreement: str | None = None,
) -> tuple[Case, tuple[Provenance, ...]]:
    """The case with its PSR (and those of intermediate materials with their own BOM and no
    rule of their own) taken from the schedule, and where each rule came from.

    ``agreement``, when given, must be the schedule's: a rule of one agreement does not
    decide origin under another. A rule the case already states must agree with the
    schedule's, since two sources for one rule would leave the reader guessing.
    """
    if agreement is not None and agreement != schedule.source.agreement:
        raise ScheduleError(
            f"the schedule is for agreement {schedule.source.agreement!r}, not {agreement!r}"
        )
    rule, entries = rules_for(schedule, str(case.good.hs), goods=goods)
    entry = entries[0]
    _check_codes(schedule, entry, rule)
    if case.psr is not None and case.psr.strip() and _same(case.psr, rule) is False:
        raise ScheduleError(
            f"the case states the rule {case.psr!r} but the schedule gives {rule!r} "
            f"(entry {entry.id}); remove one"
        )
    provenance = [
        Provenance(f"good {case.good.id}", str(case.good.hs), rule, entry, schedule, entries[1:])
    ]
    materials = rebuild(
        case.materials,
        lambda m: m.components,
        lambda m, kids: _material(m, tuple(kids), schedule, provenance),
    )
    return attrs.evolve(case, psr=rule, materials=tuple(materials)), tuple(provenance)


def _material(
    material: Material,
    components: tuple[Material, ...],
    schedule: Schedule,
    provenance: list[Provenance],
) -> Material:
    """An intermediate material (its components already done, at any depth) with the
    schedule's rule for its own code, unless it states one."""
    if not material.components:
        return material
    if material.psr is not None or material.hs is None:
        return attrs.evolve(material, components=components)
    found = schedule.lookup(material.hs)
    if found.status != "rule" or found.entries[0].rule is None:
        # Left without a rule: the plugin then says the intermediate needs one.
        return attrs.evolve(material, components=components)
    entry = found.entries[0]
    rule = entry.rule
    assert rule is not None
    _check_codes(schedule, entry, rule)
    item = f"material {material.id}"
    provenance.append(Provenance(item, str(material.hs), rule, entry, schedule))
    return attrs.evolve(material, psr=rule, components=components)


def _same(text: str, rule: str) -> bool | None:
    try:
        return canonical(parse_rule(text, validate=False)) == rule
    except PSRSyntaxError:
        return None  # the case's own text is bad: the plugin reports it if used


def determine_with_schedule(
    agreement_name: str,
    case: Case,
    date: dt.date,
    schedule: Schedule,
    *,
    goods: str | Sequence[str] | None = None,
    check_agreement: bool = True,
) -> Determination:
    """Decide a case under an agreement with its PSR from the schedule; the determination's
    notes cite where each rule came from."""
    from origin import registry  # noqa: PLC0415 - keeps hs_data importable without plugins

    agreement = registry.get(agreement_name)
    ruled, provenance = apply_schedule(
        case, schedule, goods=goods, agreement=agreement_name if check_agreement else None
    )
    determination = agreement.determine(ruled, date)
    notes = tuple(p.note() for p in provenance)
    return attrs.evolve(determination, notes=(*notes, *determination.notes))
