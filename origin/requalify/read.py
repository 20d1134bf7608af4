"""Read an earlier run's results: a results workbook (``--out``) or a broker export.

The results workbook is read through the workbook reader's guarded path
(:func:`origin.workbook.cells.read`: hostile files refused); an export through
:mod:`origin.strict_json` (JSON lines) or the ``csv`` module, each within
:data:`MAX_BYTES`. A file that is neither is refused with one located message
(:class:`origin.errors.InputError`: exit 2 before any work); a row that cannot be used is
named in the snapshot's ``problems`` and left out of the comparison, never dropped silently.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from origin import strict_json
from origin.errors import InputError
from origin.requalify.states import (
    AMOUNT_FIELDS,
    MATERIAL_FIELDS,
    Key,
    MaterialState,
    ProductState,
    Snapshot,
    amount,
    cell_text,
    date_text,
    rvc_text,
)
from origin.workbook.problems import WorkbookError, display_name

MAX_BYTES = 256 * 1024 * 1024
EXPORT_SCHEMAS = ("origin-broker/2", "origin-broker/3", "origin-broker/4", "origin-broker/5")
_SUMMARY_NEEDS = ("workbook", "product", "agreement", "verdict", "fingerprint")
_EXPORT_NEEDS = ("schema", "workbook", "product_id", "agreement", "verdict", "fingerprint")
_WANTED = ("Summary", "Materials", "RVC", "Comparison")
_SPAN = re.compile(r"([0-9]{1,7})(?:[–-]([0-9]{1,7}))?")
_FRACTION = re.compile(r"\((-?[0-9]+)/([0-9]+)\)")
_INTEGER = re.compile(r"-?[0-9]+")
_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"


def load(path: Path | str) -> Snapshot:
    """The products of an earlier run, from its results workbook or broker export."""
    path = Path(path)
    name = display_name(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as error:
        raise InputError(f"{name}: cannot be read ({error.strerror or error})") from None
    if head.startswith((_ZIP, _OLE)):
        try:
            return _results_workbook(path, name)
        except WorkbookError as error:
            raise InputError(str(error)) from None
    if size > MAX_BYTES:
        raise InputError(f"{name}: is over {MAX_BYTES // (1024 * 1024)} MiB; refused")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{name}: is neither a results workbook nor a broker export (byte "
            f"{error.start}: not UTF-8 text)"
        ) from None
    if text.lstrip()[:1] in ("{", "["):
        return _export(name, _json_records(name, text))
    return _export(name, _csv_records(name, text))


# --------------------------------------------------------------------------- the export


def _json_records(name: str, text: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """JSON lines (as ``--export jsonl`` writes), or one JSON array of records."""
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            data = strict_json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(f"{name}: line {error.lineno}: {error.msg}") from None
        for number, record in enumerate(data if isinstance(data, list) else [data], 1):
            yield f"record {number}", _object(name, f"record {number}", record)
        return
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = strict_json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(f"{name}: line {number}: {error.msg} (column {error.colno})") from None
        yield f"line {number}", _object(name, f"line {number}", record)


def _object(name: str, where: str, record: Any) -> Mapping[str, Any]:
    if not isinstance(record, dict):
        raise InputError(f"{name}: {where}: not a broker export record (a JSON object)")
    return record


def _csv_records(name: str, text: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames or []
        missing = [f for f in _EXPORT_NEEDS if f not in header]
        if missing:
            raise InputError(
                f"{name}: is neither a results workbook (.xlsx) nor a broker export: its first "
                f"line has no {', '.join(missing)} column(s) (docs/broker-export.md)"
            )
        for record in reader:
            if None in record:  # more cells than the header has columns
                raise InputError(
                    f"{name}: line {reader.line_num}: more cells than the header's "
                    f"{len(header)} columns"
                )
            yield f"line {reader.line_num}", record
    except csv.Error as error:
        raise InputError(f"{name}: line {reader.line_num}: {error}") from None


def _export(name: str, records: Iterator[tuple[str, Mapping[str, Any]]]) -> Snapshot:
    """A broker export (``origin-broker/2`` to ``/4``): no materials, the RVC to two
    places; each record's fields are read by name."""
    products: dict[Key, ProductState] = {}
    problems: list[str] = []
    unread: dict[str, str] = {}
    toolkits: list[str] = []
    count = 0
    for where, record in records:
        count += 1
        fields = {k: "" if v is None else str(v) for k, v in record.items()}
        missing = [f for f in _EXPORT_NEEDS if f not in fields]
        if missing:
            raise InputError(f"{name}: {where}: no {', '.join(missing)} field(s)")
        schema = fields["schema"]
        if schema not in EXPORT_SCHEMAS:
            raise InputError(
                f"{name}: {where}: schema {schema!r}: requalification reads "
                f"{', '.join(EXPORT_SCHEMAS)}"
            )
        fields = {k: v[1:] if v.startswith("'") and k != "schema" else v for k, v in fields.items()}
        if fields.get("toolkit_version"):
            toolkits.append(fields["toolkit_version"])
        if not fields["product_id"] and fields["verdict"] == "error":
            unread[fields["workbook"]] = fields.get("missing", "")
            continue
        state = _export_state(fields)
        if state.key in products:
            problems.append(
                f"{name}: {where}: {state.workbook} {state.product} under "
                f"{state.agreement or 'no agreement'} given again; the first is compared"
            )
            continue
        products[state.key] = state
    if count == 0:
        raise InputError(f"{name}: holds no records (an empty broker export)")
    return Snapshot(name, "broker export", products, _one(toolkits), unread, tuple(problems))


def _export_state(f: Mapping[str, str]) -> ProductState:
    reading = f.get("rvc_bound") or ("exact" if f.get("rvc_percent") else "")
    figure = f.get("rvc_percent") or f.get("rvc_bound_percent") or ""
    shown = "" if not figure else figure if reading == "exact" else f"{reading} {figure}"
    verdict = f["verdict"]
    error = f.get("missing", "") if verdict in ("error", "not applicable") else ""
    values = ((f["value_basis"], amount(f["value"]) or ""),) if f.get("value_basis") else None
    tariff = f.get("tariff_item")
    return ProductState(
        workbook=f["workbook"],
        product=f["product_id"],
        agreement=f["agreement"],
        verdict=verdict,
        fingerprint=f["fingerprint"],
        rvc_method=f.get("rvc_method"),
        rvc_reading=reading,
        rvc_text=shown,
        psr=f.get("psr"),
        hs=None if tariff else f.get("hs"),
        tariff_item=tariff,
        date=f.get("determination_date") or None,
        law_version=f.get("law_version") or None,
        currency=f.get("currency"),
        values=values,
        basis=f.get("basis"),
        missing=f.get("missing") if verdict not in ("error", "not applicable") else None,
        error=error,
        materials=None,
        materials_note="the old file (a broker export) does not list materials",
        declarations=_evidence(f) if "declarations" in f else None,
    )


def _evidence(f: Mapping[str, str]) -> tuple[tuple[str, str, str], ...]:
    """``origin-broker/5``'s ``declarations`` (``GLUE=D-17; …``) and
    ``declarations_not_backed`` (``GLUE: expired D-17; …``) as (material, use, reference)."""
    found = []
    for part in filter(None, (p.strip() for p in f.get("declarations", "").split("; "))):
        material, _, reference = part.partition("=")
        found.append((material, "backed", reference))
    uses = ("not yet valid", "other agreement", "does not match", "expired", "conflicting")
    for part in filter(None, (p.strip() for p in f.get("declarations_not_backed", "").split("; "))):
        material, _, rest = part.partition(": ")
        use = next((u for u in (*uses, "missing") if rest == u or rest.startswith(u + " ")), rest)
        found.append((material, use, rest[len(use) :].strip()))
    return tuple(found)


def _one(values: Sequence[str]) -> str | None:
    found = list(dict.fromkeys(values))
    return found[0] if len(found) == 1 else ", ".join(found) if found else None


# --------------------------------------------------------------------- the results workbook


def _results_workbook(path: Path, name: str) -> Snapshot:
    from origin.workbook import cells  # noqa: PLC0415 - only for a workbook

    sheets: dict[str, list[list[Any]]] = {}
    for sheet in cells.read(path):
        if sheet.name in _WANTED and sheet.first_column == 0:
            sheets[sheet.name] = [row for chunk in sheet.chunks for row in chunk]
        else:
            for _chunk in sheet.chunks:  # consumed (the reader needs it), not kept
                pass
    summary = sheets.get("Summary")
    if not summary:
        raise InputError(
            f"{name}: is not a results workbook of origin check (no Summary sheet) nor a "
            "broker export"
        )
    head = [cell_text(c).strip() for c in summary[0]]
    missing = [h for h in _SUMMARY_NEEDS if h not in head]
    if missing:
        raise InputError(
            f"{name}: is not a results workbook of origin check: its Summary sheet has no "
            f"{', '.join(missing)} column(s) in row 1"
        )
    col = {h: i for i, h in reversed(list(enumerate(head))) if h}
    body: list[list[Any]] = []
    for row in summary[1:]:
        if not any(cell_text(c).strip() for c in row):
            break  # the title block is below the table, after a blank row
        body.append(row)
    toolkit = None
    for row in summary[len(body) + 1 :]:
        if row and cell_text(row[0]).strip() == "toolkit" and len(row) > 1:
            toolkit = cell_text(row[1]).strip().removeprefix("origin ").strip() or None
    places = _Places(name, sheets, col, body)
    products: dict[Key, ProductState] = {}
    problems: list[str] = list(places.problems)
    for number, row in enumerate(body, start=2):
        state = _summary_state(row, col, places.lines(number, row))
        if state.key in products:
            problems.append(
                f"{name}: Summary row {number}: {state.workbook} {state.product} under "
                f"{state.agreement} given again; the first is compared"
            )
            continue
        products[state.key] = state
    for state in _not_applicable(name, sheets.get("Comparison"), problems):
        products.setdefault(state.key, state)
    return Snapshot(
        name, "results workbook", products, toolkit, {}, tuple(problems), amounts_as_doubles=True
    )


def _get(row: Sequence[Any], col: Mapping[str, int], header: str) -> Any:
    index = col.get(header)
    if index is None:
        return None
    return row[index] if index < len(row) else ""


def _summary_state(
    row: Sequence[Any],
    col: Mapping[str, int],
    lines: tuple[tuple[MaterialState, ...] | None, str, Fraction | None],
) -> ProductState:
    def text(header: str) -> str | None:
        value = _get(row, col, header)
        return None if value is None else cell_text(value).strip()

    materials, note, exact = lines
    verdict = text("verdict") or ""
    error = text("error") or ""
    if not verdict:
        verdict = "error"
    reading = text("RVC reading")
    method = text("RVC method")
    shown = rvc_text(exact, reading or "") if exact is not None and reading is not None else None
    if shown is None and reading:  # no exact figure: two places of the cell's double
        figure = _get(row, col, "RVC %")
        if isinstance(figure, (int, float)):
            shown = rvc_text(Fraction(repr(float(figure))), reading)
    value_as, value = text("value as"), _get(row, col, "value of the good")
    return ProductState(
        workbook=text("workbook") or "",
        product=text("product") or "",
        agreement=text("agreement") or "",
        verdict=verdict,
        fingerprint=text("fingerprint"),
        rvc_method=method,
        rvc=exact,
        rvc_reading=reading,
        rvc_text=shown,
        psr=text("PSR"),
        hs=text("HS"),
        date=date_text(_get(row, col, "date")),
        law_version=date_text(_get(row, col, "law as at")),
        currency=text("currency"),
        values=((value_as, amount(value) or ""),) if value_as else None,
        basis=text("basis"),
        missing=text("missing facts") if verdict != "error" else None,
        error=error,
        materials=materials if verdict != "error" else None,
        materials_note=note,
    )


class _Places:
    """Which Materials and RVC rows are each Summary row's: by the Summary's ``materials
    rows`` and ``RVC rows`` columns; in a workbook written before them, by order, where
    no two products in a row have the same id (else the lines cannot be told apart)."""

    def __init__(
        self,
        name: str,
        sheets: Mapping[str, list[list[Any]]],
        col: Mapping[str, int],
        body: Sequence[Sequence[Any]],
    ) -> None:
        self.name, self.col = name, col
        self.problems: list[str] = []
        self.materials = sheets.get("Materials") or []
        self.rvc = sheets.get("RVC") or []
        self.mcol = _columns(self.materials)
        self.plan = _plan(self.mcol)
        self.rcol = _columns(self.rvc)
        self.by_order: dict[int, tuple[range, range]] | None = None
        if "materials rows" not in col or "RVC rows" not in col:
            self.by_order = self._by_order(body)

    def _by_order(self, body: Sequence[Sequence[Any]]) -> dict[int, tuple[range, range]] | None:
        decided = [
            (number, cell_text(_get(row, self.col, "product")))
            for number, row in enumerate(body, start=2)
            if cell_text(_get(row, self.col, "verdict"))
        ]
        if any(a[1] == b[1] for a, b in itertools.pairwise(decided)):
            return None
        places: dict[int, tuple[range, range]] = {}
        cursor = [2, 2]
        for number, product in decided:
            spans = []
            for index, sheet in enumerate((self.materials, self.rvc)):
                start = cursor[index]
                end = start
                while end - 1 < len(sheet) and sheet[end - 1][:1] == [product]:
                    end += 1
                spans.append(range(start, end))
                cursor[index] = end
            places[number] = (spans[0], spans[1])
        return places

    def lines(
        self, number: int, row: Sequence[Any]
    ) -> tuple[tuple[MaterialState, ...] | None, str, Fraction | None]:
        product = cell_text(_get(row, self.col, "product")).strip()
        materials: range | None
        rvc: range | None
        if self.by_order is not None:
            materials, rvc = self.by_order.get(number, (range(0), range(0)))
        elif "materials rows" in self.col:
            materials = self._span(_get(row, self.col, "materials rows"), number, "materials rows")
            rvc = self._span(_get(row, self.col, "RVC rows"), number, "RVC rows")
        else:
            return None, self._unplaced(), None
        if materials is None or rvc is None:
            return (
                None,
                f"the old file's Summary row {number} does not say where its lines are",
                None,
            )
        return self._materials(product, materials, number), "", self._rvc(product, rvc, row)

    def _unplaced(self) -> str:
        return (
            "the old file does not say which Materials rows are this product's (two products "
            "in a row have this id, and the workbook predates its 'materials rows' column)"
        )

    def _span(self, value: Any, number: int, header: str) -> range | None:
        text = cell_text(value).strip()
        if not text:
            return range(0)
        found = _SPAN.fullmatch(text)
        if found is None:
            self.problems.append(f"{self.name}: Summary row {number}: {header} {text!r} unread")
            return None
        first = int(found.group(1))
        last = int(found.group(2) or first)
        return range(first, last + 1)

    def _materials(
        self, product: str, rows: range, number: int
    ) -> tuple[MaterialState, ...] | None:
        if not self.mcol or "id" not in self.mcol:
            return None
        states = []
        for at in rows:
            line = self.materials[at - 1] if 0 < at <= len(self.materials) else None
            if line is None or cell_text(_get(line, self.mcol, "product")).strip() != product:
                self.problems.append(
                    f"{self.name}: Summary row {number}: Materials row {at} is not {product}'s;"
                    " its materials are not compared"
                )
                return None
            states.append(_material(line, self.mcol, self.plan))
        return tuple(states)

    def _rvc(self, product: str, rows: range, row: Sequence[Any]) -> Fraction | None:
        method = cell_text(_get(row, self.col, "RVC method")).strip()
        if not method or not self.rcol:
            return None
        for at in rows:
            line = self.rvc[at - 1] if 0 < at <= len(self.rvc) else None
            if line is None or cell_text(_get(line, self.rcol, "product")).strip() != product:
                return None
            if cell_text(_get(line, self.rcol, "method")).strip() == method:
                return exact_figure(cell_text(_get(line, self.rcol, "RVC % (exact, engine)")))
        return None


def _columns(rows: Sequence[Sequence[Any]]) -> dict[str, int]:
    if not rows:
        return {}
    return {h: i for i, h in reversed(list(enumerate(cell_text(c).strip() for c in rows[0]))) if h}


def _plan(col: Mapping[str, int]) -> tuple[tuple[str, int, bool], ...]:
    """The Materials columns read: (field, column, an amount?), once per sheet."""
    return tuple(
        (field, col[header], field in AMOUNT_FIELDS)
        for field, header in MATERIAL_FIELDS
        if header in col  # a column the sheet does not have: not known
    )


def _material(
    line: Sequence[Any], col: Mapping[str, int], plan: Sequence[tuple[str, int, bool]]
) -> MaterialState:
    width = len(line)
    values: dict[str, Any] = {}
    for field, index, is_amount in plan:
        raw = line[index] if index < width else ""
        if is_amount:
            values[field] = amount(raw) or ""
        elif type(raw) is str:
            values[field] = raw.strip()
        else:
            values[field] = cell_text(raw).strip()
    depth = _get(line, col, "depth")
    return MaterialState(
        id=cell_text(_get(line, col, "id")).strip(),
        depth=int(depth) if isinstance(depth, (int, float)) else 0,
        **values,
    )


def exact_figure(text: str) -> Fraction | None:
    """The engine's exact RVC as the RVC sheet writes it: ``42``, ``61.538461… (800/13)``,
    ``at least …``, ``not decided (… on the figures given; see the note)``."""
    text = text.strip()
    for prefix in ("at least ", "at most ", "not decided ("):
        text = text.removeprefix(prefix)
    found = _FRACTION.search(text)
    if found is not None:
        return Fraction(int(found.group(1)), int(found.group(2)))
    whole = _INTEGER.match(text)
    if whole is not None and (whole.end() == len(text) or text[whole.end()] == " "):
        return Fraction(int(whole.group(0)))
    return None


def _not_applicable(
    name: str, rows: list[list[Any]] | None, problems: list[str]
) -> Iterator[ProductState]:
    """``--agreement all``: the Comparison sheet's ``not applicable`` and ``error`` rows
    (the Summary has a row only for the agreements that decided the product)."""
    if not rows:
        return
    col = _columns(rows)
    if not all(h in col for h in ("workbook", "product", "agreement", "status")):
        problems.append(f"{name}: the Comparison sheet's columns are not read (unknown layout)")
        return
    for row in rows[1:]:
        status = cell_text(_get(row, col, "status")).strip()
        if status not in ("not applicable", "error"):
            continue  # decided: its Summary row says more
        yield ProductState(
            workbook=cell_text(_get(row, col, "workbook")).strip(),
            product=cell_text(_get(row, col, "product")).strip(),
            agreement=cell_text(_get(row, col, "agreement")).strip(),
            verdict=status,
            error=cell_text(_get(row, col, "missing facts, or why not")).strip(),
        )
