"""The facts a determination is made from: the good, its bill of materials, costs, shipping.

Frozen attrs classes, money as :class:`~decimal.Decimal` in the case's one currency, no
logic in constructors (checks and conversions live in :mod:`origin.caseio`). Agreement
words (what counts as a minimal operation, which cost categories exist) are *keys* here;
their meaning and citation come from the agreement's law file.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator, Mapping
from decimal import Decimal

import attrs

from origin.hs import HSCode
from origin.trees import preorder


class OriginStatus(enum.Enum):
    """What is known of a material's origin. Undetermined counts as non-originating."""

    ORIGINATING = "originating"
    NON_ORIGINATING = "non-originating"
    UNDETERMINED = "undetermined"


class Packaging(enum.Enum):
    """Whether a BOM line is packaging, and which kind (the agreements treat them apart)."""

    NONE = "none"
    RETAIL = "retail"  # classified with the goods, e.g. r 39B(1)-(2)
    SHIPMENT = "shipment"  # exclusively for transport, e.g. r 39B(3)


class ValueBasis(enum.Enum):
    """How a material's value was established; agreements accept different bases."""

    CUSTOMS_VALUE = "customs-value"  # value for duty where imported (r 38(1)(a))
    ACQUISITION_COST = "acquisition-cost"  # incl. transport to producer (r 38(1)(b))
    PRODUCTION_COST = (
        "production-cost"  # self-produced, incl. general expenses + profit (r 38(1)(c))
    )
    ACCOUNTING_COST = "accounting-cost"  # indirect materials (r 39C(1))
    CIF = "cif"
    FOB = "fob"
    EX_WORKS = "ex-works"
    EARLIEST_PRICE = "earliest-ascertained-price"


class AccessoryKind(enum.Enum):
    ACCESSORY = "accessory"
    SPARE_PART = "spare-part"
    TOOL = "tool"
    INSTRUCTIONS = "instructional-material"


@attrs.frozen
class Accessory:
    """A standard accessory, spare part or tool delivered with the goods (e.g. r 39)."""

    kind: AccessoryKind
    invoiced_separately: bool | None = None
    customary: bool | None = None


@attrs.frozen
class Adjustment:
    """An optional adjustment to a material's value (e.g. r 38(2)-(3)); ``kind`` is a key."""

    kind: str
    amount: Decimal


@attrs.frozen
class Material:
    """A BOM line. ``components`` makes it an intermediate material, decided bottom-up."""

    id: str
    description: str = ""
    hs: HSCode | None = None
    quantity: Decimal | None = None
    unit: str | None = None
    value: Decimal | None = None
    basis: ValueBasis | None = None
    origin_country: str | None = None
    status: OriginStatus = OriginStatus.UNDETERMINED
    self_produced: bool = False
    indirect: bool = False
    packaging: Packaging = Packaging.NONE
    accessory: Accessory | None = None
    weight: Decimal | None = None
    adjustments: tuple[Adjustment, ...] = ()
    attributes: frozenset[str] = frozenset()
    components: tuple[Material, ...] = ()
    # The material's own cost lines, with ``components``: its own factory or works cost,
    # for tests that look into a material made by someone else (e.g. r 47(d)(ii)).
    costs: tuple[Cost, ...] = ()
    psr: str | None = None
    produced_in: str | None = None
    operations: tuple[str, ...] | None = None


@attrs.frozen
class Good:
    """The product whose origin is decided, with the values the agreements measure it by."""

    id: str
    hs: HSCode
    description: str = ""
    adjusted_value: Decimal | None = None
    fob: Decimal | None = None
    ex_works: Decimal | None = None
    transaction_value: Decimal | None = None
    produced_in: tuple[str, ...] = ()
    last_process_in: str | None = None
    operations: tuple[str, ...] | None = None
    wholly_obtained: str | None = None
    weight: Decimal | None = None
    # The NZ 8-digit tariff item (e.g. "3926.20.22"), where a provision names tariff items
    # rather than HS subheadings (r 45(2)(b)); its first six digits are ``hs``.
    tariff_item: str | None = None


@attrs.frozen
class Cost:
    """A line of the producer's cost sheet; ``category`` is a key of the agreement's table."""

    id: str
    category: str
    amount: Decimal
    description: str = ""
    incurred_in: str | None = None
    originating: bool | None = None


@attrs.frozen
class TransitStop:
    """A place outside the parties that the goods passed through on the way to New Zealand."""

    country: str
    operations: tuple[str, ...] | None = None
    entered_commerce: bool | None = None


@attrs.frozen
class Consignment:
    """How the goods travelled. ``transit is None`` means the route was not stated."""

    exported_from: str | None = None
    imported_on: dt.date | None = None
    transit: tuple[TransitStop, ...] | None = None


@attrs.frozen
class Case:
    """Everything a person supplies for one determination."""

    good: Good
    currency: str
    materials: tuple[Material, ...] = ()
    costs: tuple[Cost, ...] = ()
    consignment: Consignment | None = None
    facts: Mapping[str, object] = attrs.field(factory=dict)
    psr: str | None = None
    reference: str = ""

    def walk(self) -> Iterator[tuple[int, Material]]:
        """Every material with its BOM depth (0 = direct input), parents first."""
        return preorder(self.materials, lambda material: material.components)
