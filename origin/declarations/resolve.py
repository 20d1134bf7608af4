"""Materials relying on declarations: the pass that runs before the engine decides.

Given a register, a material counts as originating under agreement A on day D only when a
declaration for A, valid on D, backs it. This pass gives the engine an evolved case (each
material's status as the evidence allows) and returns one :class:`DeclarationUse` per BOM
line saying which declaration was used, how it was found, and why a material was not
backed. The engine then counts a material of undetermined origin as non-originating, as the
law does (e.g. r 32 "non-originating materials", r 51ZC(1), r 51ZP(b)); intermediates with
their own BOM are still decided by the engine from their components.

The day is the goods' importation date where the case states it (the claim is made at
entry), else the determination's date; the record says which (decision 0026).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
from collections.abc import Sequence
from typing import Any

import attrs

from origin.citation import Citation, cite
from origin.declarations.register import Declaration, Register
from origin.model import Case, Material, OriginStatus
from origin.trees import rebuild


class Use(enum.Enum):
    """What the register said of one material."""

    BACKED = "backed"  # a declaration for the agreement, valid on the day
    EXPIRED = "expired"  # declarations for the agreement, all ended before the day
    NOT_YET_VALID = "not yet valid"  # declarations for the agreement, all starting after it
    OTHER_AGREEMENT = "other agreement"  # declarations, none given for this agreement
    CONFLICTING = "conflicting"  # valid declarations that declare different statuses
    MISMATCH = "does not match"  # its HS code or country differ from the material's
    MISSING = "missing"  # no declaration for the material (or the named one is not there)
    NOT_NEEDED = "not needed"  # non-originating, indirect, or decided from its components


class Match(enum.Enum):
    """How the declaration was found for the material."""

    NAMED = "named"  # the material names it (``declaration``)
    SUPPLIER_PART = "supplier part"  # by (supplier, supplier's part number)
    MATERIAL_ID = "material id"  # by our material id
    NONE = ""


@attrs.frozen
class DeclarationUse:
    """The evidence for one BOM line: the declaration relied on (or why none), as data that
    compares equal between runs when nothing changed (for requalification)."""

    material: str
    use: Use
    status: OriginStatus  # the status the engine was given
    declared_status: OriginStatus  # the material's own status, as typed
    on: dt.date  # the day the declaration had to be valid on
    declaration: str = ""  # the reference relied on or found
    matched_by: Match = Match.NONE
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    document: str = ""
    kept_at: str = ""
    others: tuple[str, ...] = ()  # other declarations found (overlapping, renewed, duplicated)
    reason: str = ""
    citations: tuple[Citation, ...] = ()

    @property
    def originating(self) -> bool:
        return self.status is OriginStatus.ORIGINATING

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "material": self.material,
            "use": self.use.value,
            "status": self.status.value,
            "declared_status": self.declared_status.value,
            "on": self.on.isoformat(),
            "declaration": self.declaration or None,
            "matched_by": self.matched_by.value or None,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "document": self.document or None,
            "kept_at": self.kept_at or None,
            "others": list(self.others) or None,
            "reason": self.reason,
            "citations": [c.to_json() for c in self.citations],
        }
        return {k: v for k, v in data.items() if v is not None}


# The provisions of Part 6 saying what a material not shown to be originating counts as
# (read in shared/seeds/004_*.txt, version as at 28 November 2025). Agreements not listed
# here take the law file's record-keeping provision alone (see decision 0026).
UNKNOWN_ORIGIN: dict[str, tuple[str, ...]] = {
    "anzcerta": ("r 32 non-originating materials", "r 32 originating materials"),
    "tpsep": ("r 51N non-originating goods or non-originating materials",),
    "china": ("r 51ZC(1)", "r 51ZL(a)"),
    "aanzfta": ("r 51ZP(b)",),
}
# Where Part 6 itself makes the importer keep the records that show the goods qualify.
RECORDS: dict[str, str] = {"anzcerta": "r 39E(2)", "tpsep": "r 51W(1)"}


def citations_for(agreement: Any, day: dt.date) -> tuple[Citation, ...]:
    """The provisions a declaration's use rests on under ``agreement`` on ``day``."""
    found = [cite(text) for text in UNKNOWN_ORIGIN.get(agreement.name, ())]
    record = RECORDS.get(agreement.name)
    if record is not None:
        found.append(cite(record))
    else:
        parameter = agreement.law.parameters.get("record_years")
        with contextlib.suppress(LookupError):  # not encoded for the day
            if parameter is not None:
                found.append(parameter.at(day).reference)
    return tuple(dict.fromkeys(found))


def day_of(case: Case, date: dt.date) -> dt.date:
    """The day a declaration must be valid on: importation, else the determination's date."""
    consignment = case.consignment
    return consignment.imported_on if consignment and consignment.imported_on else date


def resolve(
    case: Case, register: Register, agreement: Any, date: dt.date
) -> tuple[Case, tuple[DeclarationUse, ...]]:
    """The case as the register backs it under ``agreement``, and the evidence per line
    (BOM order, parents first)."""
    day = day_of(case, date)
    name: str = agreement.name
    parties = agreement.parties_on(date)
    cited = citations_for(agreement, date)
    uses: dict[int, DeclarationUse] = {}

    def build(material: Material, kids: list[Material]) -> Material:
        use = _use(material, register, name, day, parties, cited)
        uses[id(material)] = use
        changes: dict[str, Any] = {}
        if use.status is not material.status:
            changes["status"] = use.status
        if use.use is Use.BACKED:
            d = register.named(use.declaration)[0] if use.declaration else None
            if d is not None and material.origin_country is None and d.origin_country:
                changes["origin_country"] = d.origin_country
            if d is not None and material.hs is None and d.hs is not None:
                changes["hs"] = d.hs
        same = len(kids) == len(material.components) and all(
            a is b for a, b in zip(kids, material.components, strict=True)
        )
        if not same:
            changes["components"] = tuple(kids)
        return attrs.evolve(material, **changes) if changes else material

    materials = rebuild(case.materials, _components, build)
    evidence = tuple(uses[id(m)] for _, m in case.walk())
    return attrs.evolve(case, materials=tuple(materials)), evidence


def _components(material: Material) -> tuple[Material, ...]:
    return material.components


def _found(material: Material, register: Register) -> tuple[Sequence[Declaration], Match]:
    if material.declaration:
        return register.named(material.declaration), Match.NAMED
    if material.supplier and material.supplier_part:
        found = register.for_part(material.supplier, material.supplier_part)
        if found:
            return found, Match.SUPPLIER_PART
    found = register.for_material(material.id)
    return (found, Match.MATERIAL_ID) if found else ((), Match.NONE)


def _use(  # noqa: PLR0917 - one answer per case the law distinguishes
    material: Material,
    register: Register,
    agreement: str,
    day: dt.date,
    parties: frozenset[str],
    cited: tuple[Citation, ...],
) -> DeclarationUse:
    typed = material.status
    found, how = _found(material, register)
    base = DeclarationUse(
        material.id, Use.MISSING, typed, typed, day, matched_by=how, citations=cited
    )
    non_originating = typed is OriginStatus.NON_ORIGINATING
    fallback = OriginStatus.NON_ORIGINATING if non_originating else OriginStatus.UNDETERMINED
    if not found and (non_originating or material.indirect):
        why = "declared non-originating" if non_originating else "an indirect material"
        return attrs.evolve(base, use=Use.NOT_NEEDED, reason=f"{why}: no declaration needed")
    if not found and material.components:
        status = OriginStatus.UNDETERMINED
        return attrs.evolve(
            base,
            use=Use.NOT_NEEDED,
            status=status,
            reason="decided from its components (it has a BOM of its own), each relying on "
            "its own declaration",
        )
    if not found:
        if how is Match.NAMED or material.declaration:
            reason = f"declaration {material.declaration!r} is not in the register"
            named = material.declaration or ""
            base = attrs.evolve(base, declaration=named, matched_by=Match.NAMED)
        else:
            reason = "no declaration in the register for this material"
        return attrs.evolve(base, status=fallback, reason=_counted(reason, fallback))
    references = tuple(dict.fromkeys(d.reference for d in found))
    mine = [d for d in found if d.covers(agreement)]
    if not mine:
        first = found[0]
        given = ", ".join(sorted({a for d in found for a in d.agreements}))
        return _with(
            base,
            first,
            references,
            Use.OTHER_AGREEMENT,
            fallback,
            f"declaration(s) {', '.join(references)} are given for {given}, not {agreement}",
        )
    valid = [d for d in mine if d.valid_on(day)]
    if not valid:
        ended = [d for d in mine if d.valid_to < day]
        if ended:
            last = max(ended, key=lambda d: d.valid_to)
            return _with(
                base,
                last,
                references,
                Use.EXPIRED,
                fallback,
                f"declaration {last.reference} expired on {last.valid_to.isoformat()}, before "
                f"{day.isoformat()}",
            )
        soon = min(mine, key=lambda d: d.valid_from)
        return _with(
            base,
            soon,
            references,
            Use.NOT_YET_VALID,
            fallback,
            f"declaration {soon.reference} is valid from {soon.valid_from.isoformat()}, after "
            f"{day.isoformat()}",
        )
    statuses = {d.status for d in valid}
    if len(statuses) > 1:
        listed = "; ".join(f"{d.reference} {d.status.value}" for d in valid)
        return _with(
            base,
            valid[0],
            references,
            Use.CONFLICTING,
            fallback,
            f"declarations valid on {day.isoformat()} disagree ({listed})",
        )
    chosen = max(valid, key=lambda d: (d.valid_from, d.reference))  # the latest given
    mismatch = _mismatch(material, chosen, parties, agreement)
    if mismatch:
        return _with(base, chosen, references, Use.MISMATCH, fallback, mismatch)
    status = fallback if non_originating else chosen.status
    reason = (
        f"declaration {chosen.reference} ({chosen.status.value}) for {agreement}, valid "
        f"{chosen.valid_from.isoformat()} to {chosen.valid_to.isoformat()}"
    )
    if non_originating and chosen.status is not OriginStatus.NON_ORIGINATING:
        reason += "; the material is declared non-originating in the case, and counted so"
    if len(valid) > 1:
        reason += f"; overlapping: {', '.join(d.reference for d in valid if d is not chosen)}"
    return _with(base, chosen, references, Use.BACKED, status, reason)


def _with(  # noqa: PLR0917 - the record and what it says
    base: DeclarationUse,
    d: Declaration,
    references: tuple[str, ...],
    use: Use,
    status: OriginStatus,
    reason: str,
) -> DeclarationUse:
    if use is not Use.BACKED:
        reason = _counted(reason, status)
    return attrs.evolve(
        base,
        use=use,
        status=status,
        declaration=d.reference,
        valid_from=d.valid_from,
        valid_to=d.valid_to,
        document=d.document,
        kept_at=d.kept_at,
        others=tuple(r for r in references if r != d.reference),
        reason=reason,
    )


def _counted(reason: str, status: OriginStatus) -> str:
    if status is OriginStatus.NON_ORIGINATING:
        return f"{reason}: counted as non-originating (as declared in the case)"
    return f"{reason}: origin undetermined, counted as non-originating"


def _mismatch(material: Material, d: Declaration, parties: frozenset[str], agreement: str) -> str:
    if d.hs is not None and material.hs is not None:
        a, b = str(d.hs).replace(".", ""), str(material.hs).replace(".", "")
        if not (a.startswith(b) or b.startswith(a)):
            return f"declaration {d.reference} is for HS {d.hs}, the material is {material.hs}"
    country = d.origin_country
    if country and material.origin_country and country != material.origin_country:
        return (
            f"declaration {d.reference} declares origin {country}, the material is of "
            f"{material.origin_country}"
        )
    if d.status is OriginStatus.ORIGINATING and country and country not in parties:
        return (
            f"declaration {d.reference} declares origin {country}, not a party to {agreement} "
            "on the day"
        )
    return ""


def explained(uses: Sequence[DeclarationUse], limit: int = 20) -> list[str]:
    """The explanation's lines: what backed each material, the ones not backed first (they
    are what a reviewer acts on), then the backed ones, up to ``limit`` lines."""
    shown = [u for u in uses if u.use is not Use.NOT_NEEDED]
    needed = [u for u in shown if u.use is not Use.BACKED] + [
        u for u in shown if u.use is Use.BACKED
    ]
    backed = sum(u.use is Use.BACKED for u in uses)
    out = [
        f"Supplier declarations (on {uses[0].on.isoformat()}: {backed} material(s) backed, "
        f"{len(shown) - backed} not backed, {len(uses) - len(shown)} needing none):"
    ]
    for u in needed[:limit]:
        found = f" {u.declaration}" if u.declaration else ""
        how = f" (by {u.matched_by.value})" if u.matched_by is not Match.NONE else ""
        out.append(f"  {u.material:<14} {u.use.value:<16}{found}{how}: {u.reason}")
        if u.use is Use.BACKED and (u.document or u.kept_at):
            out.append(f"      document {u.document or '—'}, kept at {u.kept_at or '—'}")
    if len(needed) > limit:
        out.append(f"  … {len(needed) - limit} more (use --format json for all)")
    if uses and uses[0].citations:
        out.append(f"  [{'; '.join(str(c) for c in uses[0].citations)}]")
    return out


def broker_fields(uses: Sequence[DeclarationUse]) -> dict[str, str]:
    """The broker export's ``declarations`` (``material=reference`` for each backed
    material) and ``declarations_not_backed`` (``material: use reference``), ``;``-joined."""
    backed = [f"{u.material}={u.declaration}" for u in uses if u.use is Use.BACKED]
    lacking = [
        f"{u.material}: {u.use.value}" + (f" {u.declaration}" if u.declaration else "")
        for u in uses
        if u.use not in (Use.BACKED, Use.NOT_NEEDED)
    ]
    return {"declarations": "; ".join(backed), "declarations_not_backed": "; ".join(lacking)}
