"""A supplier's declaration of origin, and the register that holds them (``origin-declarations/1``).

A material counts as originating only because someone said so: a supplier's declaration,
given for an agreement, covering a period. The register keeps those declarations as data, so
a determination can say which one backed each material, and a scheduler can ask which are
about to lapse. Values are checked by the rules every case reader uses (:mod:`origin.fields`),
so a bad date in a register reads as a bad date in a case.

>>> d = Declaration.of(reference="D-1", supplier="Acme", supplier_part="A-7",
...     agreements=["anzcerta"], status="originating",
...     valid_from="2025-01-01", valid_to="2025-12-31")
>>> d.valid_on(dt.date(2025, 12, 31)), d.valid_on(dt.date(2026, 1, 1))
(True, False)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from origin import fields
from origin.errors import InputError
from origin.hs import HSCode
from origin.model import OriginStatus

FORMAT = "origin-declarations/1"

#: The fields of a declaration, in the order a register's columns are written.
FIELDS: tuple[str, ...] = (
    "reference",
    "supplier",
    "supplier_part",
    "material",
    "hs",
    "origin_country",
    "agreements",
    "status",
    "valid_from",
    "valid_to",
    "document",
    "kept_at",
)
REQUIRED: frozenset[str] = frozenset(
    ("reference", "agreements", "status", "valid_from", "valid_to")
)


class RegisterError(InputError):
    """A register that cannot be read at all (hostile, too large, not a register)."""


class DeclarationError(fields.FieldError):
    """A value a declaration's field does not take: ``field`` names it, the text says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def __reduce__(self) -> tuple[type[DeclarationError], tuple[str, str]]:
        return type(self), (self.field, self.message)


@attrs.frozen
class Declaration:
    """One supplier's declaration: who declared what, for which agreements, for which days
    (``valid_from`` to ``valid_to``, both inclusive), and where the document is kept.

    It names its material by the supplier's part (``supplier`` + ``supplier_part``), by our
    material id (``material``), or both. Built by :meth:`of` (which checks each field) or
    by a reader that has checked them already."""

    reference: str
    agreements: tuple[str, ...]
    status: OriginStatus
    valid_from: dt.date
    valid_to: dt.date
    supplier: str = ""
    supplier_part: str = ""
    material: str = ""
    hs: HSCode | None = None
    origin_country: str | None = None
    document: str = ""
    kept_at: str = ""

    @classmethod
    def of(cls, **values: Any) -> Declaration:
        """A declaration from its fields' values (text, dates, words, lists), each checked as
        the register reader checks it; raises :class:`DeclarationError` naming the field."""
        unknown = sorted(set(values) - set(FIELDS))
        if unknown:
            raise DeclarationError(
                unknown[0], f"not a field of a declaration ({', '.join(FIELDS)})"
            )
        return cls(**convert(values, known=registered_agreements()))

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_to

    def covers(self, agreement: str) -> bool:
        return agreement in self.agreements

    @property
    def part(self) -> tuple[str, str] | None:
        """(supplier, supplier's part number), where both are given."""
        return (self.supplier, self.supplier_part) if self.supplier and self.supplier_part else None

    def to_json(self) -> dict[str, Any]:
        """The register's JSON form of this declaration (empty fields left out)."""
        data: dict[str, Any] = {
            "reference": self.reference,
            "supplier": self.supplier or None,
            "supplier_part": self.supplier_part or None,
            "material": self.material or None,
            "hs": str(self.hs) if self.hs is not None else None,
            "origin_country": self.origin_country,
            "agreements": list(self.agreements),
            "status": self.status.value,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat(),
            "document": self.document or None,
            "kept_at": self.kept_at or None,
        }
        return {k: v for k, v in data.items() if v is not None}


def registered_agreements() -> frozenset[str]:
    """The agreement names ``origin agreements`` lists (built-ins and plugins), unloaded."""
    from origin import registry  # noqa: PLC0415 - the registry loads plugins' metadata

    return frozenset(registry.names())


def _text(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise fields.FieldError(f"{fields.shown(value)} is not text")
    return value.strip()


def _agreement_names(value: object, known: frozenset[str]) -> tuple[str, ...]:
    """A list of agreement names (JSON), or text with names separated by ';', ',' or spaces."""
    if isinstance(value, str):
        names = value.replace(";", " ").replace(",", " ").split()
    elif isinstance(value, list | tuple):
        names = []
        for item in value:
            if not isinstance(item, str):
                raise fields.FieldError(f"{fields.shown(item)} is not an agreement name")
            names.append(item.strip())
    else:
        raise fields.FieldError(f"{fields.shown(value)} is not a list of agreement names")
    if not names:
        raise fields.FieldError("no agreement named (expected e.g. anzcerta)")
    for name in names:
        if name not in known:
            raise fields.not_one_of(name, sorted(known))
    return tuple(dict.fromkeys(names))


def _day(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise fields.FieldError(f"{value!s} is a date and time (expected a date)")
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise fields.FieldError(f"{fields.shown(value)} is not a date (expected YYYY-MM-DD)")
    return fields.date(value.strip())


def _status(value: object) -> OriginStatus:
    if isinstance(value, OriginStatus):
        return value
    if not isinstance(value, str):
        raise fields.not_one_of(value, (s.value for s in OriginStatus))
    return fields.choice(value.strip(), OriginStatus)


def convert(values: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any]:
    """The checked values of one declaration (keys as :data:`FIELDS`; blank is not given).
    Raises :class:`DeclarationError` for the first field in error; :func:`problems_of`
    gives every one."""
    converted, errors = convert_all(values, known)
    if errors:
        raise errors[0]
    return converted


def convert_all(
    values: Mapping[str, Any], known: frozenset[str]
) -> tuple[dict[str, Any], list[DeclarationError]]:
    """Every field converted, and every field's error (none lost to the first)."""
    out: dict[str, Any] = {}
    errors: list[DeclarationError] = []
    for name in FIELDS:
        value = values.get(name)
        if isinstance(value, str) and not value.strip():
            value = None
        if value is None:
            if name in REQUIRED:
                errors.append(DeclarationError(name, "required (no value given)"))
            continue
        try:
            out[name] = _CONVERT[name](value, known)
        except fields.FieldError as error:
            errors.append(DeclarationError(name, str(error)))
    if not errors and out["valid_to"] < out["valid_from"]:
        errors.append(
            DeclarationError(
                "valid_to",
                f"{out['valid_to'].isoformat()} is before valid_from "
                f"{out['valid_from'].isoformat()} (expected the last day the declaration covers)",
            )
        )
    if (
        not errors
        and not out.get("material")
        and not (out.get("supplier") and out.get("supplier_part"))
    ):
        errors.append(
            DeclarationError(
                "material",
                "names no material (expected our material id, or supplier and supplier_part)",
            )
        )
    return out, errors


def _hs_text(value: object) -> HSCode:
    if isinstance(value, HSCode):
        return value
    return fields.hs(value.strip() if isinstance(value, str) else value)


def _country_text(value: object) -> str:
    return fields.country(value.strip() if isinstance(value, str) else value)


_CONVERT: dict[str, Any] = {
    "reference": lambda v, k: _text(v),
    "supplier": lambda v, k: _text(v),
    "supplier_part": lambda v, k: _text(v),
    "material": lambda v, k: _text(v),
    "hs": lambda v, k: _hs_text(v),
    "origin_country": lambda v, k: _country_text(v),
    "agreements": _agreement_names,
    "status": lambda v, k: _status(v),
    "valid_from": lambda v, k: _day(v),
    "valid_to": lambda v, k: _day(v),
    "document": lambda v, k: _text(v),
    "kept_at": lambda v, k: _text(v),
}


@attrs.frozen
class Register:
    """Declarations in the order read, with look-ups by reference, by (supplier, part) and
    by material id, built once on first use (a register of 100,000 lines is indexed once,
    not once per product)."""

    declarations: tuple[Declaration, ...] = ()
    source: str = attrs.field(default="", eq=False)  # where it was read from, if anywhere
    _index: dict[str, Any] = attrs.field(factory=dict, init=False, eq=False, repr=False)

    @classmethod
    def of(cls, declarations: Iterable[Declaration], source: str = "") -> Register:
        return cls(tuple(declarations), source)

    def __len__(self) -> int:
        return len(self.declarations)

    def __iter__(self) -> Any:
        return iter(self.declarations)

    def _indexes(self) -> dict[str, Any]:
        if not self._index:
            by_reference: dict[str, list[Declaration]] = {}
            by_part: dict[tuple[str, str], list[Declaration]] = {}
            by_material: dict[str, list[Declaration]] = {}
            for d in self.declarations:
                by_reference.setdefault(d.reference, []).append(d)
                if d.supplier and d.supplier_part:
                    by_part.setdefault((d.supplier, d.supplier_part), []).append(d)
                if d.material:
                    by_material.setdefault(d.material, []).append(d)
            self._index.update(reference=by_reference, part=by_part, material=by_material)
        return self._index

    def indexes(
        self,
    ) -> tuple[
        Mapping[str, Sequence[Declaration]],
        Mapping[tuple[str, str], Sequence[Declaration]],
        Mapping[str, Sequence[Declaration]],
    ]:
        """The declarations by reference, by (supplier, part) and by material id (built once),
        for callers that look up many materials."""
        index = self._indexes()
        return index["reference"], index["part"], index["material"]

    def named(self, reference: str) -> Sequence[Declaration]:
        """The declarations with this reference (more than one is a duplicate)."""
        return self._indexes()["reference"].get(reference, ())  # type: ignore[no-any-return]

    def for_part(self, supplier: str, part: str) -> Sequence[Declaration]:
        return self._indexes()["part"].get((supplier, part), ())  # type: ignore[no-any-return]

    def for_material(self, material: str) -> Sequence[Declaration]:
        return self._indexes()["material"].get(material, ())  # type: ignore[no-any-return]

    def get(self, reference: str) -> Declaration:
        found = self.named(reference)
        if not found:
            raise KeyError(f"no declaration {reference!r} in the register")
        return found[0]

    # ----- what-if: each returns a new register

    def without(self, *references: str) -> Register:
        """This register without the declarations ``references``."""
        for reference in references:
            self.get(reference)  # an unknown reference is an error, not a no-op
        gone = set(references)
        return Register(tuple(d for d in self.declarations if d.reference not in gone), self.source)

    def lapsed(self, reference: str, on: dt.date) -> Register:
        """This register as if declaration ``reference`` lapsed on ``on``: it covers the days
        before ``on`` only (none, if it had not started by then)."""
        self.get(reference)
        last = on - dt.timedelta(days=1)
        kept = []
        for d in self.declarations:
            if d.reference == reference and d.valid_to >= on:
                if last >= d.valid_from:
                    kept.append(attrs.evolve(d, valid_to=last))
                continue
            kept.append(d)
        return Register(tuple(kept), self.source)

    def adding(self, *declarations: Declaration) -> Register:
        return Register((*self.declarations, *declarations), self.source)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "declarations": [d.to_json() for d in self.declarations]}
