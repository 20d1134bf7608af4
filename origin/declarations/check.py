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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from origin.declarations.register import Declaration, Register
from origin.model import Case

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
    by_reference, by_part, by_material = register.indexes()
    for reference, same in by_reference.items():
        if len(same) > 1:
            findings.append(
                Finding(
                    Kind.DUPLICATE,
                    (reference,),
                    f"reference {reference} is used by {len(same)} declarations",
                )
            )
    # One material's declarations: by its supplier part where they give one, else by our id.
    covered = [*by_part.values(), *_without_part(by_material)]
    for declared in covered:
        for agreement, group in _by_agreement(declared).items():
            findings.extend(_group(group, agreement, as_of, horizon))
    reliance, missing, count = _reliance(register, products)
    out = [
        attrs.evolve(f, relied_on_by=relying)
        if (relying := tuple(r for ref in f.references for r in reliance.get(ref, ())))
        else f
        for f in findings
    ]
    for reference, relying_on in sorted(missing.items()):
        out.append(
            Finding(
                Kind.MISSING,
                (reference,),
                f"declaration {reference} is named by a material and is not in the register",
                relied_on_by=tuple(relying_on),
            )
        )
    order = {kind: i for i, kind in enumerate(Kind)}
    out.sort(key=lambda f: (order[f.kind], f.references))
    return Report(as_of, within, len(register), tuple(out), count)


def _without_part(
    by_material: Mapping[str, Sequence[Declaration]],
) -> Iterator[list[Declaration]]:
    for declared in by_material.values():
        alone = [d for d in declared if not (d.supplier and d.supplier_part)]
        if alone:
            yield alone


def _by_agreement(declared: Sequence[Declaration]) -> dict[str, list[Declaration]]:
    if len(declared) == 1 and len(declared[0].agreements) == 1:  # the common case, cheaply
        return {declared[0].agreements[0]: list(declared)}
    groups: dict[str, list[Declaration]] = defaultdict(list)
    for d in declared:
        for agreement in d.agreements:
            groups[agreement].append(d)
    return groups


def _group(
    group: Sequence[Declaration], agreement: str, as_of: dt.date, horizon: dt.date
) -> list[Finding]:
    """One material's declarations for one agreement: lapsed or lapsing without a successor,
    and overlaps."""
    found: list[Finding] = []
    if len(group) == 1:  # most materials: one declaration, nothing to order or overlap
        only = group[0]
        if only.valid_to >= as_of and (only.valid_from > as_of or only.valid_to > horizon):
            return found
        ordered: Sequence[Declaration] = group
        latest = only
    else:
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
    """Reference → the materials relying on it (found as determinations find them: named,
    by supplier part, by material id); the references named by materials that the register
    does not hold, with those materials; how many products were read."""
    relying: dict[str, list[Reliance]] = defaultdict(list)
    missing: dict[str, list[Reliance]] = defaultdict(list)
    by_reference, by_part, by_material = register.indexes()
    count = 0
    for source, case in products:
        count += 1
        product = case.good.id
        for _, material in case.walk():
            named = material.declaration
            if named:
                place = missing if named not in by_reference else relying
                place[named].append(Reliance(source, product, material.id))
                continue
            found: Sequence[Declaration] = ()
            if material.supplier and material.supplier_part:
                found = by_part.get((material.supplier, material.supplier_part), ())
            if not found:
                found = by_material.get(material.id, ())
            if len(found) == 1:
                relying[found[0].reference].append(Reliance(source, product, material.id))
            elif found:
                relied = Reliance(source, product, material.id)
                for reference in dict.fromkeys(d.reference for d in found):
                    relying[reference].append(relied)
    return relying, missing, count


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
