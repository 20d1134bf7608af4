"""What in a declarations register needs action: lapsed, lapsing, duplicated, conflicting.

A declaration needs action when the material it covers is about to lose its evidence: its
period has ended (or ends within the window) and no other declaration for the same material
and agreement takes over; when its reference is used twice (which one is meant?); or when
declarations valid on the same days for the same material and agreement declare different
statuses. Declarations that overlap and agree (a renewal signed before the old one ends)
are reported, but need no action. Each finding lists the materials that rely on it, so the
buyer knows whom to ask (decision 0026).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from origin.declarations.register import Declaration, Register
from origin.model import Case, Material

SCHEMA = "origin-declarations-check/1"


class Kind(enum.Enum):
    EXPIRED = "expired"
    EXPIRING = "expiring"
    DUPLICATE = "duplicate"
    CONFLICTING = "conflicting"  # overlapping, declaring different statuses
    OVERLAPPING = "overlapping"  # overlapping and agreeing: reported, no action needed
    MISSING = "missing"  # a material names a declaration the register does not hold


ACTION = frozenset((Kind.EXPIRED, Kind.EXPIRING, Kind.DUPLICATE, Kind.CONFLICTING, Kind.MISSING))


@attrs.frozen
class Reliance:
    """A material of a product that relies on a declaration (found by name, part or id)."""

    source: str  # the workbook or case file
    product: str
    material: str

    def __str__(self) -> str:
        return f"{self.source} {self.product} {self.material}"


@attrs.frozen
class Finding:
    kind: Kind
    references: tuple[str, ...]
    message: str
    agreement: str = ""
    relied_on_by: tuple[Reliance, ...] = ()

    @property
    def needs_action(self) -> bool:
        return self.kind in ACTION

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "needs_action": self.needs_action,
            "declarations": list(self.references),
            "agreement": self.agreement or None,
            "message": self.message,
            "relied_on_by": [
                {"source": r.source, "product": r.product, "material": r.material}
                for r in self.relied_on_by
            ],
        }


@attrs.frozen
class Report:
    as_of: dt.date
    within: int  # days
    declarations: int
    findings: tuple[Finding, ...]
    products: int = 0

    @property
    def needs_action(self) -> bool:
        return any(f.needs_action for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "as_of": self.as_of.isoformat(),
            "within_days": self.within,
            "declarations": self.declarations,
            "products": self.products,
            "needs_action": self.needs_action,
            "findings": [f.to_json() for f in self.findings],
        }


def _key(d: Declaration) -> tuple[str, ...]:
    """The material a declaration covers: its supplier part where given, else our id."""
    part = d.part
    return ("part", *part) if part is not None else ("material", d.material)


def check(
    register: Register,
    as_of: dt.date,
    within: int = 60,
    products: Iterable[tuple[str, Case]] = (),
) -> Report:
    """The findings of ``register`` on ``as_of`` (expiring: ending within ``within`` days),
    each with the materials of ``products`` (source, case) that rely on it."""
    findings: list[Finding] = []
    horizon = as_of + dt.timedelta(days=within)
    by_reference: dict[str, list[Declaration]] = defaultdict(list)
    groups: dict[tuple[tuple[str, ...], str], list[Declaration]] = defaultdict(list)
    for d in register.declarations:
        by_reference[d.reference].append(d)
        key = _key(d)
        for agreement in d.agreements:
            groups[key, agreement].append(d)
    for reference, same in by_reference.items():
        if len(same) > 1:
            findings.append(
                Finding(
                    Kind.DUPLICATE,
                    (reference,),
                    f"reference {reference} is used by {len(same)} declarations",
                )
            )
    for (_, agreement), group in groups.items():
        findings.extend(_group(group, agreement, as_of, horizon))
    reliance, missing, count = _reliance(register, products)
    out = [
        attrs.evolve(
            f, relied_on_by=tuple(r for ref in f.references for r in reliance.get(ref, ()))
        )
        for f in findings
    ]
    for reference, relying in sorted(missing.items()):
        out.append(
            Finding(
                Kind.MISSING,
                (reference,),
                f"declaration {reference} is named by a material and is not in the register",
                relied_on_by=tuple(relying),
            )
        )
    order = {kind: i for i, kind in enumerate(Kind)}
    out.sort(key=lambda f: (order[f.kind], f.references))
    return Report(as_of, within, len(register), tuple(out), count)


def _group(
    group: Sequence[Declaration], agreement: str, as_of: dt.date, horizon: dt.date
) -> list[Finding]:
    """One material's declarations for one agreement: lapsed or lapsing without a successor,
    and overlaps."""
    found: list[Finding] = []
    ordered = sorted(group, key=lambda d: (d.valid_from, d.valid_to, d.reference))
    latest = max(ordered, key=lambda d: d.valid_to)
    if latest.valid_to < as_of:
        found.append(
            Finding(
                Kind.EXPIRED,
                (latest.reference,),
                f"{_who(latest)}: declaration {latest.reference} for {agreement} expired on "
                f"{latest.valid_to.isoformat()} and none takes over",
                agreement,
            )
        )
    else:
        covering = [d for d in ordered if d.valid_on(as_of)]
        if covering:
            end = _covered_until(ordered, as_of)
            if end <= horizon:  # its last day within the window
                last = max(covering, key=lambda d: d.valid_to)
                found.append(
                    Finding(
                        Kind.EXPIRING,
                        (last.reference,),
                        f"{_who(last)}: declaration {last.reference} for {agreement} ends on "
                        f"{end.isoformat()} ({(end - as_of).days} days), and none takes over",
                        agreement,
                    )
                )
    previous: Declaration | None = None
    for d in ordered:
        if previous is not None and d.valid_from <= previous.valid_to:
            found.append(_overlap(previous, d, agreement))
        if previous is None or d.valid_to > previous.valid_to:
            previous = d
    return found


def _overlap(first: Declaration, then: Declaration, agreement: str) -> Finding:
    differ = then.status is not first.status
    disagree = f" and disagree ({first.status.value}, {then.status.value})" if differ else ""
    return Finding(
        Kind.CONFLICTING if differ else Kind.OVERLAPPING,
        (first.reference, then.reference),
        f"{_who(then)}: declarations {first.reference} and {then.reference} for {agreement} "
        f"both cover {then.valid_from.isoformat()} to "
        f"{min(then.valid_to, first.valid_to).isoformat()}{disagree}",
        agreement,
    )


def _covered_until(ordered: Sequence[Declaration], day: dt.date) -> dt.date:
    """The last day of the unbroken run of cover from ``day`` (declarations sorted by start)."""
    end = day - dt.timedelta(days=1)
    for d in ordered:
        if d.valid_from <= end + dt.timedelta(days=1) and d.valid_to > end:
            end = d.valid_to
    return end


def _who(d: Declaration) -> str:
    return f"{d.supplier} {d.supplier_part}" if d.part is not None else f"material {d.material}"


def _reliance(
    register: Register, products: Iterable[tuple[str, Case]]
) -> tuple[dict[str, list[Reliance]], dict[str, list[Reliance]], int]:
    """Reference → the materials relying on it; the references named by materials that the
    register does not hold, with those materials; how many products were read."""
    relying: dict[str, list[Reliance]] = defaultdict(list)
    missing: dict[str, list[Reliance]] = defaultdict(list)
    count = 0
    for source, case in products:
        count += 1
        for _, material in case.walk():
            for reference in _relied_on(material, register):
                relying[reference].append(Reliance(source, case.good.id, material.id))
            if material.declaration and not register.named(material.declaration):
                missing[material.declaration].append(Reliance(source, case.good.id, material.id))
    return relying, missing, count


def _relied_on(material: Material, register: Register) -> list[str]:
    if material.declaration:
        return [material.declaration]
    found: Sequence[Declaration] = ()
    if material.supplier and material.supplier_part:
        found = register.for_part(material.supplier, material.supplier_part)
    if not found:
        found = register.for_material(material.id)
    return list(dict.fromkeys(d.reference for d in found))


def text(report: Report) -> list[str]:
    """The report for people: one line per finding, then who relies on it."""
    out = [
        f"Declarations register on {report.as_of.isoformat()} (expiring within "
        f"{report.within} days): {report.declarations} declaration(s), "
        f"{sum(f.needs_action for f in report.findings)} finding(s) needing action"
        + (f", {report.products} product(s) read" if report.products else "")
    ]
    for f in report.findings:
        mark = "!" if f.needs_action else " "
        out.append(f"{mark} {f.kind.value:<12} {', '.join(f.references)}: {f.message}")
        for r in f.relied_on_by[:20]:
            out.append(f"      relied on by {r}")
        if len(f.relied_on_by) > 20:
            out.append(f"      … and {len(f.relied_on_by) - 20} more (--format json for all)")
    if not report.findings:
        out.append("  nothing needs action")
    return out
