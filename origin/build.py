"""One case builder: the located records every reader makes become one :class:`Case`.

The data flow (decision 0014, issue 14)::

    JSON file ─ origin.caseio ─┐                      ┌─ field rules (origin.fields)
                               ├─ located records ─▶ origin.build ─┼─ Materials, BOM trees
    workbook ─ origin.workbook ┘                      └─ costs, consignments, ids ─▶ Case

A *located record* is the values of one good, BOM line, cost line, transit stop or
consignment, with a way to say where each came from: the JSON path (``materials[2].value``)
or the workbook cell (``BOM!I14``). Each reader keeps what is particular to its input (JSON
types; the workbook's blank cells, Excel errors, dates, number formats, currencies, merged
cells, orphan rows); everything that makes model objects out of values is here, once:

* :class:`Build` collects the problems found, as data: ``(where, message)`` pairs in the
  order found, ``where`` being whatever the reader locates a value by;
* :func:`good`, :func:`material` (and :func:`materials_by_column` for blocks of plain lines),
  :func:`cost`, :func:`stop`, :func:`consignment` and :func:`case` build the model objects;
* :meth:`Build.nested` builds BOM trees given with their components (JSON), and
  :func:`flat_tree` / :func:`assemble` BOM trees given as lines linked by parent ids or
  levels (workbooks) — both iteratively, so a BOM of any depth is built (see
  :mod:`origin.trees`) — and :func:`unique_ids`, :func:`unique_parts` and
  :func:`unique_costs` check that ids are used once.

>>> b = Build()
>>> b.rule(fields.amount, "1O0", "good.adjusted_value") is None
True
>>> b.problems
[('good.adjusted_value', "'1O0' is not a number (expected a decimal amount such as 1234.50)")]
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from itertools import repeat
from operator import is_
from typing import Any, Protocol, TypeVar

import attrs

from origin import fields
from origin.hs import HSCode
from origin.model import (
    Accessory,
    AccessoryKind,
    Adjustment,
    Case,
    Consignment,
    Cost,
    Good,
    Material,
    OriginStatus,
    Packaging,
    TransitStop,
    ValueBasis,
    from_columns,
)
from origin.trees import preorder, rebuild

N = TypeVar("N")
R = TypeVar("R")
T = TypeVar("T")


class Located(Protocol):
    """A flat record: its values by field key, and where each came from."""

    @property
    def values(self) -> Mapping[str, Any]: ...

    @property
    def place(self) -> str:
        """The record's own place in words, for "first at …" (e.g. ``row 14``)."""
        ...

    def at(self, key: str) -> object:
        """Where the value of ``key`` came from (a JSON path, a workbook cell)."""
        ...


class Build:
    """The problems found while building one case, as ``(where, message)`` in the order
    found; the reader turns ``where`` into its own words (a path, a cell)."""

    def __init__(self) -> None:
        self.problems: list[tuple[Any, str]] = []

    def fail(self, where: object, message: str) -> None:
        self.problems.append((where, message))

    def rule(self, rule: Callable[..., T], value: object, where: object, *args: Any) -> T | None:
        """``rule(value, *args)`` from :mod:`origin.fields`, its refusal a located problem."""
        try:
            return rule(value, *args)
        except fields.FieldError as error:
            self.fail(where, str(error))
            return None

    def nested(
        self,
        roots: Iterable[N],
        children: Callable[[N], Sequence[N]],
        make: Callable[[N, tuple[Material, ...]], Material | None],
    ) -> list[Material | None]:
        """Lines given with their components, built children first on an explicit stack
        (any depth). Each line's own problems come before its components', in BOM order,
        as a reader reading top-down would find them; a line that is not made is left out
        of its parent's components."""

        def build(
            node: N, kids: list[tuple[Material | None, list[tuple[Any, str]]]]
        ) -> tuple[Material | None, list[tuple[Any, str]]]:
            outer, self.problems = self.problems, []
            made = make(node, tuple(m for m, _ in kids if m is not None))
            own, self.problems = self.problems, outer
            return made, own + [p for _, problems in kids for p in problems]

        built = rebuild(roots, children, build)
        for _, problems in built:
            self.problems.extend(problems)
        return [made for made, _ in built]


def tariff_item(
    b: Build, text: str | None, hs: HSCode | None, where: object, label: str = ""
) -> str | None:
    """The good's NZ tariff item, within its HS code (``label`` starts the message where the
    reader's location does not name the field)."""
    if text is None:
        return None
    try:
        return fields.tariff_item(text, hs)
    except fields.FieldError as error:
        b.fail(where, f"{label}{error}")
        return None


# --------------------------------------------------------------------------- the good


def good(ident: str, hs: HSCode, values: Mapping[str, Any], tariff: str | None) -> Good:
    """The good from its converted values (keys as :class:`~origin.model.Good`'s fields)."""
    get = values.get
    return Good(
        id=ident,
        hs=hs,
        description=get("description") or "",
        adjusted_value=get("adjusted_value"),
        fob=get("fob"),
        ex_works=get("ex_works"),
        transaction_value=get("transaction_value"),
        produced_in=get("produced_in") or (),
        last_process_in=get("last_process_in"),
        operations=get("operations"),
        wholly_obtained=get("wholly_obtained"),
        weight=get("weight"),
        tariff_item=tariff,
        customs_value=get("customs_value"),
    )


# --------------------------------------------------------------------------- materials

_ATTRIBUTES: tuple[Any, ...] = tuple(attrs.fields(Material))
_AT = {field.name: i for i, field in enumerate(_ATTRIBUTES)}
_NAMES = [field.name for field in _ATTRIBUTES]


def _default(field: Any) -> Any:
    default = field.default
    return default.factory() if hasattr(default, "factory") else default


#: Material's arguments in order, each at its default (derived from the model, so a new
#: field keeps its default): positional arguments into a copy are a third cheaper than
#: keywords for 100,000 lines.
DEFAULTS: list[Any] = [_default(f) for f in _ATTRIBUTES]
(_ID, _DESCRIPTION, _HS, _QUANTITY, _UNIT, _VALUE, _BASIS, _ORIGIN) = (
    _AT[name]
    for name in ("id", "description", "hs", "quantity", "unit", "value", "basis", "origin_country")
)
(_STATUS, _SELF, _INDIRECT, _PACKAGING, _ACCESSORY, _WEIGHT) = (
    _AT[name]
    for name in ("status", "self_produced", "indirect", "packaging", "accessory", "weight")
)
(_ADJUSTMENTS, _ATTRS, _COMPONENTS, _COSTS, _PSR, _PRODUCED, _OPERATIONS) = (
    _AT[name]
    for name in (
        "adjustments",
        "attributes",
        "components",
        "costs",
        "psr",
        "produced_in",
        "operations",
    )
)
_SUPPLIED = ("supplier", "supplier_part", "declaration")
# A choice is given as its word (a workbook's checked cell) or as the member itself.
BASES: Mapping[Any, ValueBasis] = {**{b.value: b for b in ValueBasis}, **{b: b for b in ValueBasis}}
STATUSES: Mapping[Any, OriginStatus] = {
    **{s.value: s for s in OriginStatus},
    **{s: s for s in OriginStatus},
}
PACKAGINGS: Mapping[Any, Packaging] = {
    **{p.value: p for p in Packaging},
    **{p: p for p in Packaging},
}
_KINDS: Mapping[Any, AccessoryKind] = {
    **{k.value: k for k in AccessoryKind},
    **{k: k for k in AccessoryKind},
}
# Values taken as they are, by the key a record gives them under.
_PLAIN = {
    "description": _DESCRIPTION,
    "hs": _HS,
    "quantity": _QUANTITY,
    "unit": _UNIT,
    "value": _VALUE,
    "origin_country": _ORIGIN,
    "weight": _WEIGHT,
    "psr": _PSR,
    "produced_in": _PRODUCED,
    "operations": _OPERATIONS,
    **{key: _AT[key] for key in _SUPPLIED},
}
_CHOICES: tuple[tuple[str, int, Mapping[Any, Any]], ...] = tuple(
    (key, at, {None: DEFAULTS[at], **table})
    for key, at, table in (
        ("basis", _BASIS, BASES),
        ("status", _STATUS, STATUSES),
        ("packaging", _PACKAGING, PACKAGINGS),
    )
)
#: The keys :func:`materials_by_column` cannot take as columns (they need a line's own
#: look: a currency to convert by, adjustments, an accessory with its flags).
NOT_BY_COLUMN = frozenset(("currency", "adjustments", "accessory"))


def material(
    ident: str,
    values: Mapping[str, Any],
    value: Decimal | None,
    adjustments: Iterable[tuple[str, Decimal]] = (),
    *,
    components: tuple[Material, ...] = (),
    costs: tuple[Cost, ...] = (),
) -> Material:
    """One BOM line from its converted values (keys as :class:`~origin.model.Material`'s
    fields; a choice as its word or member; an accessory as its kind beside the
    ``invoiced_separately`` and ``customary`` flags), ``value`` and ``adjustments`` (kind,
    amount) already in the case's currency."""
    get = values.get
    args = DEFAULTS.copy()
    args[_ID] = ident
    args[_DESCRIPTION] = get("description") or ""
    args[_HS] = get("hs")
    args[_QUANTITY] = get("quantity")
    args[_UNIT] = get("unit")
    args[_VALUE] = value
    basis = get("basis")
    if basis is not None:
        args[_BASIS] = BASES[basis]
    args[_ORIGIN] = get("origin_country")
    status = get("status")
    if status is not None:
        args[_STATUS] = STATUSES[status]
    args[_SELF] = get("self_produced") is True
    args[_INDIRECT] = get("indirect") is True
    packaging = get("packaging")
    if packaging is not None:
        args[_PACKAGING] = PACKAGINGS[packaging]
    kind = get("accessory")
    if kind is not None:
        args[_ACCESSORY] = Accessory(_KINDS[kind], get("invoiced_separately"), get("customary"))
    args[_WEIGHT] = get("weight")
    if adjustments:
        args[_ADJUSTMENTS] = tuple(Adjustment(k, amount) for k, amount in adjustments)
    attributes = get("attributes")
    if attributes:
        args[_ATTRS] = frozenset(attributes)
    args[_COMPONENTS] = components
    args[_COSTS] = costs
    args[_PSR] = get("psr")
    args[_PRODUCED] = get("produced_in")
    args[_OPERATIONS] = get("operations")
    for key in _SUPPLIED:  # origin.declarations; left at None when not given
        args[_AT[key]] = get(key)
    return Material(*args)


def materials_by_column(
    columns: Mapping[str, list[Any]], sparse: Iterable[str], count: int, ident: str = "id"
) -> list[Material]:
    """Materials for a block of plain lines (no key of :data:`NOT_BY_COLUMN`), built
    column by column, as :func:`material` builds each: ``columns`` holds each key's values
    line by line (None where a line has none; ``sparse`` names the keys where some do).
    Made by :func:`origin.model.from_columns`: each field's column is checked once, not
    each value (the reader's field rules have converted them already)."""
    given: dict[str, Sequence[Any]] = {}
    for key, at in _PLAIN.items():
        if key in columns:
            given[_NAMES[at]] = columns[key]
    if ident in columns:
        given["id"] = columns[ident]
    if "description" in sparse:
        given["description"] = ["" if v is None else v for v in columns["description"]]
    for key, at, table in _CHOICES:
        if key in columns:
            given[_NAMES[at]] = list(map(table.__getitem__, columns[key]))
    for key in ("self_produced", "indirect"):
        if key in columns:
            given[key] = list(map(is_, columns[key], repeat(True)))  # v is True
    if "attributes" in columns:
        default = DEFAULTS[_ATTRS]
        given["attributes"] = [frozenset(v) if v else default for v in columns["attributes"]]
    return from_columns(Material, given, count)


def unique_ids(
    b: Build,
    materials: Sequence[Material],
    roots: Sequence[object],
    place: Callable[[object, int], object],
    ident: Callable[[object], object],
) -> None:
    """Material ids are unique across all BOM levels (the model needs it); the repeat is
    the one reported, at ``ident(its place)``. ``roots`` are the top lines' places, and
    ``place(a line's place, i)`` is the place of its component ``i``."""
    seen: set[str] = set()
    placed = list(zip(materials, roots, strict=True))

    def components(node: tuple[Material, object]) -> list[tuple[Material, object]]:
        line, here = node
        return [(c, place(here, i)) for i, c in enumerate(line.components)]

    for _, (line, here) in preorder(placed, components):
        if line.id in seen:
            b.fail(ident(here), f"material id {line.id!r} is used twice")
        seen.add(line.id)


# --------------------------------------------------------------------------- flat BOMs
# Lines linked by a parent id (key "parent") or a level ("level"), each with its own id
# ("part"): children by parent id ('' = the product), checked, then assembled.


def unique_parts(
    b: Build,
    product: str,
    records: Sequence[Located],
    make: Callable[[Located], Material | None],
) -> dict[str, Material] | None:
    """Materials by part id, each part id used twice a located problem (then None)."""
    ok = True
    first: dict[str, Located] = {}
    made: dict[str, Material] = {}
    for record in records:
        part = record.values["part"]
        if part in first:
            b.fail(
                record.at("part"),
                f"part id {part!r} is used twice in product {product} (first at "
                f"{first[part].place})",
            )
            ok = False
            continue
        first[part] = record
        built = make(record)
        if built is None:
            ok = False
        else:
            made[part] = built
    return made if ok else None


def flat_tree(
    b: Build, product: str, records: Sequence[Located], parent: bool, level: bool
) -> dict[str, list[str]] | None:
    """Children by parent part id ('' = the product), from parent ids (``parent``) or
    levels (``level``; with both, they must agree), or all under the product."""
    children: dict[str, list[str]] = defaultdict(list)
    if parent and level and not _levels_agree(b, product, records):
        return None
    if parent:
        ids = {r.values["part"]: r for r in records}
        ok = True
        for record in records:
            above = record.values.get("parent")
            if above is not None and above not in ids:
                b.fail(
                    record.at("parent"),
                    f"parent id {above!r} is not a part of product {product}",
                )
                ok = False
            children[above or ""].append(record.values["part"])
        ok = _acyclic(b, records, ids) and ok
        return children if ok else None
    if level:
        stack: list[tuple[int, str]] = []
        ok = True
        for record in records:
            step = record.values.get("level", 1)
            while stack and stack[-1][0] >= step:
                stack.pop()
            expected = stack[-1][0] + 1 if stack else 1
            if step != expected:
                b.fail(
                    record.at("level"),
                    f"level {step} follows level {expected - 1} (its parent at level "
                    f"{step - 1} is missing)",
                )
                ok = False
                continue
            children[stack[-1][1] if stack else ""].append(record.values["part"])
            stack.append((step, record.values["part"]))
        return children if ok else None
    children[""] = [r.values["part"] for r in records]
    return children


def _acyclic(b: Build, records: Sequence[Located], ids: Mapping[str, Located]) -> bool:
    """No part is its own ancestor through the parent ids. Each part is walked up to once
    (a part known to reach the product, or to reach a cycle, ends the walk): time linear
    in the BOM's size, whatever its depth. Every line on a cycle or below one is named."""
    state: dict[str, str] = {}  # part → "ok" (reaches the product) or a cycle's text
    for record in records:
        path: list[str] = []
        on_path: dict[str, int] = {}
        part: str | None = record.values["part"]
        while part is not None and part in ids and part not in state:
            if part in on_path:  # a cycle: from the part it starts at, round to it again
                cycle = path[on_path[part] :]
                names = [repr(p) for p in (*cycle[:5], part)] if len(cycle) > 6 else []
                text = (
                    " → ".join([*names[:5], "…", names[-1]])
                    if names
                    else " → ".join(map(repr, [*cycle, part]))
                )
                for member in cycle:
                    state[member] = text
                break
            on_path[part] = len(path)
            path.append(part)
            part = ids[part].values.get("parent")
        # Where the walk ended: the product or a missing parent (reported apart), a part
        # already known, or the cycle just found. The lines walked share its outcome.
        outcome = state.get(part, "ok") if part is not None else "ok"
        below = "ok" if outcome == "ok" else "below " + outcome.removeprefix("below ")
        for member in path:
            state.setdefault(member, below)
    ok = True
    for record in records:
        found = state.get(record.values["part"], "ok")
        if found == "ok":
            continue
        part = record.values["part"]
        text = (
            f"part {part!r} is below a cycle of parent ids ({found.removeprefix('below ')})"
            if found.startswith("below ")
            else f"part {part!r} is its own ancestor (a cycle through the parent ids: {found})"
        )
        b.fail(record.at("parent"), text)
        ok = False
    return ok


def _levels_agree(b: Build, product: str, records: Sequence[Located]) -> bool:
    """With both a level and a parent id, the tree is built from the parent ids; a level
    that says otherwise is a problem, not silently ignored."""
    stack: list[tuple[int, str]] = []
    ok = True
    for record in records:
        level = record.values.get("level")
        if level is None:
            continue
        while stack and stack[-1][0] >= level:
            stack.pop()
        by_level = stack[-1][1] if stack and stack[-1][0] == level - 1 else None
        parent = record.values.get("parent")
        if (level == 1 and parent is not None) or (level > 1 and parent != by_level):
            b.fail(
                record.at("level"),
                f"level {level} puts part {record.values['part']!r} "
                + (f"under {by_level!r}" if level > 1 else "directly in the product")
                + f" but its parent id says {parent or 'none'!r}; give one of the two columns",
            )
            ok = False
        stack.append((level, record.values["part"]))
    return ok


def assemble(
    made: dict[str, Material],
    children: Mapping[str, list[str]],
    own_costs: Mapping[str, tuple[Cost, ...]],
) -> tuple[Material, ...]:
    """The product's BOM from its lines by part id and their children by parent id, each
    line with its own cost lines; children first on an explicit stack, so the BOM may be
    as deep as the input is long."""
    for part, lines in own_costs.items():
        if part in made:
            made[part] = attrs.evolve(made[part], costs=lines)
    if len(children) == 1:  # a flat BOM: no intermediate materials
        return tuple(map(made.__getitem__, children.get("", ())))

    def make(part: str, components: list[Material]) -> Material:
        if components:
            return attrs.evolve(made[part], components=tuple(components))
        return made[part]

    return tuple(rebuild(children.get("", ()), lambda part: children.get(part, ()), make))


# --------------------------------------------------------------------------- costs, shipping


def cost(  # noqa: PLR0917 - the cost line's fields, in the model's order
    ident: str,
    category: str,
    amount: Decimal,
    description: str | None,
    incurred_in: str | None,
    originating: bool | None,
) -> Cost:
    """One cost line, its amount in the case's currency."""
    return Cost(ident, category, amount, description or "", incurred_in, originating)


def unique_costs(b: Build, costs: Sequence[Cost], places: Sequence[object]) -> None:
    """Cost line ids are unique in a case's list; the repeat is reported at its place."""
    seen: set[str] = set()
    for line, where in zip(costs, places, strict=True):
        if line.id in seen:
            b.fail(where, f"cost line id {line.id!r} is used twice")
        seen.add(line.id)


def stop(country: str, operations: tuple[str, ...] | None, entered: bool | None) -> TransitStop:
    """A place outside the parties the goods passed through."""
    return TransitStop(country, operations, entered)


def consignment(
    exported_from: str | None,
    imported_on: dt.date | None,
    transit: Iterable[TransitStop] | None,
) -> Consignment:
    """How the goods travelled; ``transit`` None: the route was not stated."""
    return Consignment(exported_from, imported_on, None if transit is None else tuple(transit))


def case(  # noqa: PLR0917 - the case's parts, in the model's order
    good_: Good,
    currency: str,
    materials: tuple[Material, ...],
    costs: tuple[Cost, ...],
    consignment_: Consignment | None,
    facts: Mapping[str, object],
    psr: str | None,
    reference: str,
    psr_by_agreement: Mapping[str, str] | None = None,
) -> Case:
    """The case, from the parts built above."""
    return Case(
        good=good_,
        currency=currency,
        materials=materials,
        costs=costs,
        consignment=consignment_,
        facts=dict(facts),
        psr=psr,
        reference=reference,
        psr_by_agreement=dict(psr_by_agreement or {}),
    )
