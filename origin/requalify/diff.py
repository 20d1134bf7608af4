"""What changed between two runs, product by product, and why.

A product is *changed* when its verdict, its decisive RVC (method, reading or figure) or
its inputs' fingerprint differ; the causes are then looked for in what both sources show:
the materials (added, removed, a field changed), the declaration each relied on, the rule
(PSR), the date and law version, the toolkit version, the good's HS code and values. What
the old source does not show is said, not guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from origin.requalify.states import (
    AMOUNT_FIELDS,
    MATERIAL_FIELDS,
    Key,
    MaterialState,
    ProductState,
    Snapshot,
    same_amount,
)

_LABEL = dict(MATERIAL_FIELDS)
_BACKING = (None, "", "backed", "not needed")  # uses that leave the status as declared


@attrs.frozen
class Cause:
    """One reason a product changed: ``kind`` is ``material``, ``declaration``, ``rule``,
    ``date``, ``law``, ``toolkit``, ``good``, ``workbook`` or ``unknown``."""

    kind: str
    text: str
    material: str = ""
    change: str = ""  # for materials: "added", "removed", "changed"
    field: str = ""
    old: str | None = None
    new: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "text": self.text}
        for name in ("material", "change", "field"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        if self.field:
            data["old"], data["new"] = self.old, self.new
        return data


@attrs.frozen
class ProductChange:
    """A product in either run: ``status`` is ``changed``, ``new`` (not in the old run),
    ``gone`` (not in this one) or ``unchanged``; ``what`` lists what differs (``verdict``,
    ``rvc``, ``fingerprint``)."""

    status: str
    old: ProductState | None
    new: ProductState | None
    what: tuple[str, ...] = ()
    causes: tuple[Cause, ...] = ()

    @property
    def state(self) -> ProductState:
        found = self.new if self.new is not None else self.old
        assert found is not None
        return found


@attrs.frozen
class Requalification:
    """The comparison of an earlier run (``old``) with a later one (``new``)."""

    old: Snapshot
    new: Snapshot
    products: tuple[ProductChange, ...]  # every product, the changed ones first

    def of(self, status: str) -> list[ProductChange]:
        return [p for p in self.products if p.status == status]

    @property
    def changed(self) -> bool:
        """Anything a scheduler should act on: a changed, new or gone product."""
        return any(p.status != "unchanged" for p in self.products)

    def counts(self) -> dict[str, int]:
        found = dict.fromkeys(("changed", "new", "gone", "unchanged"), 0)
        for p in self.products:
            found[p.status] += 1
        return found

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        from html import escape  # noqa: PLC0415

        from origin.requalify.render import text  # noqa: PLC0415

        return f"<pre>{escape(text(self))}</pre>"

    def __str__(self) -> str:
        from origin.requalify.render import text  # noqa: PLC0415

        return text(self)


def compare_snapshots(old: Snapshot, new: Snapshot) -> Requalification:
    """Match the products (by workbook, product and agreement; then, for the ones left, by
    product and agreement where that is unique on both sides: a renamed workbook), and say
    what changed in each and why."""
    pairs: list[tuple[ProductState | None, ProductState | None]] = []
    left_old = dict(old.products)
    left_new: dict[Key, ProductState] = {}
    for key, state in new.products.items():
        if key in left_old:
            pairs.append((left_old.pop(key), state))
        else:
            left_new[key] = state
    by_old = _unique({(s.product, s.agreement): k for k, s in left_old.items()}, left_old)
    by_new = _unique({(s.product, s.agreement): k for k, s in left_new.items()}, left_new)
    for pk, new_key in by_new.items():
        old_key = by_old.get(pk)
        if old_key is not None:
            pairs.append((left_old.pop(old_key), left_new.pop(new_key)))
    pairs += [(None, s) for s in left_new.values()]
    pairs += [(s, None) for s in left_old.values()]
    changes = [_change(old, new, a, b) for a, b in pairs]
    order = {"changed": 0, "new": 1, "gone": 2, "unchanged": 3}
    changes.sort(
        key=lambda c: (order[c.status], c.state.workbook, c.state.product, c.state.agreement)
    )
    return Requalification(old, new, tuple(changes))


def _unique(
    index: dict[tuple[str, str], Key], states: dict[Key, ProductState]
) -> dict[tuple[str, str], Key]:
    counts: dict[tuple[str, str], int] = {}
    for s in states.values():
        counts[(s.product, s.agreement)] = counts.get((s.product, s.agreement), 0) + 1
    return {pk: key for pk, key in index.items() if counts[pk] == 1 and pk[0]}


def _change(
    old_run: Snapshot, new_run: Snapshot, old: ProductState | None, new: ProductState | None
) -> ProductChange:
    if old is None:
        assert new is not None
        return ProductChange("new", None, new, (), ())
    if new is None:
        why = new_run.unread.get(old.workbook)
        causes = (
            (Cause("workbook", f"workbook {old.workbook} could not be read this time: {why}"),)
            if why is not None
            else ()
        )
        return ProductChange("gone", old, None, (), causes)
    what = []
    if old.verdict != new.verdict:
        what.append("verdict")
    if _rvc_differs(old, new):
        what.append("rvc")
    if old.fingerprint and new.fingerprint and old.fingerprint != new.fingerprint:
        what.append("fingerprint")
    if not what:
        return ProductChange("unchanged", old, new)
    return ProductChange(
        "changed", old, new, tuple(what), tuple(_causes(old_run, new_run, old, new))
    )


def _rvc_differs(old: ProductState, new: ProductState) -> bool:
    if (
        old.rvc_method is not None
        and new.rvc_method is not None
        and old.rvc_method != new.rvc_method
    ):
        return True
    if (
        old.rvc_reading is not None
        and new.rvc_reading is not None
        and old.rvc_reading != new.rvc_reading
    ):
        return True
    if old.rvc is not None and new.rvc is not None:
        return old.rvc != new.rvc
    # The old figure is known to two places only: compared at that precision.
    return old.rvc_text is not None and new.rvc_text is not None and old.rvc_text != new.rvc_text


def _causes(
    old_run: Snapshot, new_run: Snapshot, old: ProductState, new: ProductState
) -> list[Cause]:
    causes: list[Cause] = []
    if old.workbook != new.workbook:
        causes.append(
            Cause(
                "workbook",
                f"workbook {old.workbook} → {new.workbook}",
                field="workbook",
                old=old.workbook,
                new=new.workbook,
            )
        )
    if new.verdict == "error" and new.error:
        causes.append(Cause("unknown", f"not decided this time: {new.error}"))
    doubles = old_run.amounts_as_doubles
    if old.materials is not None and new.materials is not None:
        causes += _material_causes(old.materials, new.materials, doubles)
    causes += _evidence(old, new, causes)
    causes += _declaration_now(old, new, causes)
    for kind, field, label in (
        ("rule", "psr", "rule (PSR)"),
        ("date", "date", "date whose law applies"),
        ("law", "law_version", "law version"),
        ("good", "hs", "the good's HS code"),
        ("good", "tariff_item", "the good's tariff item"),
        ("good", "currency", "currency"),
    ):
        before, after = getattr(old, field), getattr(new, field)
        if before is not None and after is not None and before != after:
            causes.append(
                Cause(
                    kind,
                    f"{label}: {_shown(before)} → {_shown(after)}",
                    field=field,
                    old=before,
                    new=after,
                )
            )
    if old.values is not None and new.values is not None:
        now = dict(new.values)
        for label, value in old.values:
            later = now.get(label, "")
            if not same_amount(value, later, doubles):
                causes.append(
                    Cause(
                        "good",
                        f"the good's {label}: {_shown(value)} → {_shown(later)}",
                        field=label,
                        old=value,
                        new=later,
                    )
                )
    if (
        "fingerprint" in _what(old, new)
        and old_run.toolkit
        and new_run.toolkit
        and old_run.toolkit != new_run.toolkit
    ):
        causes.append(
            Cause(
                "toolkit",
                f"toolkit: origin {old_run.toolkit} → {new_run.toolkit} (part of the fingerprint)",
                field="toolkit",
                old=old_run.toolkit,
                new=new_run.toolkit,
            )
        )
    if not [c for c in causes if c.kind != "workbook"]:
        causes.append(Cause("unknown", _unexplained(old, new)))
    return causes


def _what(old: ProductState, new: ProductState) -> tuple[str, ...]:
    return (
        ("fingerprint",)
        if old.fingerprint and new.fingerprint and old.fingerprint != new.fingerprint
        else ()
    )


def _unexplained(old: ProductState, new: ProductState) -> str:
    if "fingerprint" in _what(old, new):
        if old.materials is None:
            why = old.materials_note or "the old file does not list materials"
            return f"inputs changed (fingerprint); {why}"
        return (
            "inputs changed (fingerprint) in what the old file does not show: a cost line, "
            "the consignment, a fact, or a field of a material the Materials sheet leaves out"
        )
    return (
        "the inputs are the same (fingerprint): the change comes from outside the product's "
        "inputs (a declarations register, the law or the toolkit)"
    )


def _keyed(materials: Sequence[MaterialState]) -> dict[tuple[str, int], MaterialState]:
    """Each line by its id and, for an id given twice, which of them it is."""
    seen: dict[str, int] = {}
    keyed = {}
    for m in materials:
        seen[m.id] = seen.get(m.id, 0) + 1
        keyed[(m.id, seen[m.id])] = m
    return keyed


def _name(key: tuple[str, int]) -> str:
    return key[0] if key[1] == 1 else f"{key[0]} (#{key[1]})"


def _material_causes(
    old: Sequence[MaterialState], new: Sequence[MaterialState], doubles: bool
) -> list[Cause]:
    before, after = _keyed(old), _keyed(new)
    causes = []
    for key, m in after.items():
        if key not in before:
            causes.append(
                Cause(
                    "material",
                    f"material {_name(key)} added{_about(m)}",
                    material=_name(key),
                    change="added",
                )
            )
    for key, m in before.items():
        if key not in after:
            causes.append(
                Cause(
                    "material",
                    f"material {_name(key)} removed{_about(m)}",
                    material=_name(key),
                    change="removed",
                )
            )
    for key, m in before.items():
        n = after.get(key)
        if n is None:
            continue
        for field, label in MATERIAL_FIELDS:
            a, b = getattr(m, field), getattr(n, field)
            if a is None or b is None:
                continue  # one side does not say
            same = same_amount(a, b, doubles) if field in AMOUNT_FIELDS and a and b else a == b
            if same:
                continue
            kind = "declaration" if field.startswith("declaration") else "material"
            text = f"material {_name(key)}: {label} {_shown(a)} → {_shown(b)}"
            if field == "declaration_use" and n.declaration_reason:
                text += f" ({n.declaration_reason})"
            elif field == "status" and n.declaration_use not in _BACKING:
                # The status the engine was given: the register's pass leaves a material
                # no declaration backs undetermined, whatever the BOM line says.
                text += f" (declaration {n.declaration_use}: the register's, not the BOM's)"
            causes.append(
                Cause(kind, text, material=_name(key), change="changed", field=label, old=a, new=b)
            )
    return causes


def _evidence(old: ProductState, new: ProductState, found: list[Cause]) -> list[Cause]:
    """The declarations each material relied on, where the Materials lines did not say
    (a broker export's ``declarations`` fields)."""
    if old.declarations is None or new.declarations is None:
        return []
    if any(c.kind == "declaration" for c in found):
        return []
    before = {m: (use, ref) for m, use, ref in old.declarations}
    after = {m: (use, ref) for m, use, ref in new.declarations}
    causes = []
    for material in dict.fromkeys([*before, *after]):
        a, b = before.get(material), after.get(material)
        if a == b:
            continue
        shown = [" ".join(filter(None, x)) if x else "(none)" for x in (a, b)]
        causes.append(
            Cause(
                "declaration",
                f"material {material}: declaration {shown[0]} → {shown[1]}",
                material=material,
                change="changed",
                field="declaration",
                old=shown[0],
                new=shown[1],
            )
        )
    return causes


def _declaration_now(old: ProductState, new: ProductState, found: list[Cause]) -> list[Cause]:
    """Where the old file does not show the declarations, the ones that do not back their
    material now: the likely cause, named as such."""
    if new.materials is None or any(c.kind == "declaration" for c in found):
        return []
    shown = old.materials is not None and any(m.declaration_use is not None for m in old.materials)
    if shown or old.declarations is not None:
        return []
    causes = []
    for m in new.materials:
        if m.declaration_use and m.declaration_use not in ("backed", "not needed"):
            ref = f" {m.declaration}" if m.declaration else ""
            causes.append(
                Cause(
                    "declaration",
                    f"material {m.id}: declaration{ref} {m.declaration_use} now"
                    + (f" ({m.declaration_reason})" if m.declaration_reason else "")
                    + "; the old file does not show the declarations then",
                    material=m.id,
                    field="declaration use",
                    old=None,
                    new=m.declaration_use,
                )
            )
    return causes


def _about(m: MaterialState) -> str:
    parts = [
        f"{label} {_shown(getattr(m, field))}"
        for field, label in MATERIAL_FIELDS
        if field in ("value", "status", "origin_country", "supplier", "declaration")
        and getattr(m, field)
    ]
    return f" ({', '.join(parts)})" if parts else ""


def _shown(value: str | None) -> str:
    if value is None:
        return "(not shown)"
    return value if value else "(blank)"
