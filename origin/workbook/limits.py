"""Refuse hostile or unreadable files before a reader touches them.

The fast reader (python-calamine) aborts the whole process when an allocation fails: with a
zip bomb, or with one cell far out at XFD1048576, since it allocates the full rectangle of
used cells (measured on this machine, ``/work/shared/notes/measured-findings.md``). A Python
``try`` cannot catch that, so an ``.xlsx`` is checked here first, cheaply: the zip's entries and
declared sizes, the compression ratio, DTDs (XML entity bombs), and the rectangle each sheet's
cells span. ``.xls``/``.ods`` have no such cheap check and are read in a child process with a
memory limit instead (:mod:`origin.workbook.cells`).
"""

from __future__ import annotations

import codecs
import enum
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

import attrs
from defusedxml import ElementTree as SafeTree

from origin.workbook.problems import WorkbookError, column_index, column_letter

MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_ENTRIES = 5_000
MAX_MEMBER_BYTES = 1024 * 1024 * 1024  # one XML part, uncompressed
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
MAX_RATIO = 100  # XML compresses ~10:1; bombs do ~1000:1
RATIO_FLOOR = 4 * 1024 * 1024  # small parts may compress as well as they like
MAX_CELLS = 25_000_000  # rows × columns of a sheet's used rectangle (≈ 0.8 GB in calamine)
_CHUNK = 1 << 22
# The zip methods an Office Open XML or OpenDocument package may use (ECMA-376 Part 2,
# ODF 1.2 Part 3): zipfile decompresses the others (bzip2, LZMA) without a bound, so a part
# read here (the XML parts, for a DTD; a small workbook's every part) must use one of them.
_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
_XML_PARTS = (".xml", ".rels", ".vml")

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

# Cheap "is anything unusual here" probes, each a single pass of the C regex engine.
_NO_REF = re.compile(rb"<c(?:>| (?!r=))|<row(?:>| (?!r=))")
_ROW_NO_REF = re.compile(rb"<row(?:>| (?!r=))")
_ROW = re.compile(rb'<row r="([0-9]{1,9})"')
_REF = re.compile(rb'<c r="([A-Z]{1,4})([0-9]{1,9})"')
_FORMULA = re.compile(rb"<f[ >/]")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# A sheet may bind the main namespace to a prefix (<x:c r="A1"><x:f>…): valid OOXML, which
# calamine reads; the probes above expect unprefixed tags, so such a sheet is unprefixed first.
_PREFIXED_MAIN = re.compile(
    rb'xmlns:([A-Za-z_][A-Za-z0-9_.-]*)="(?:http://schemas\.openxmlformats\.org/'
    rb'spreadsheetml/2006/main|http://purl\.oclc\.org/ooxml/spreadsheetml/main)"'
)
_ROOT = re.compile(rb"<(?:([A-Za-z_][A-Za-z0-9_.-]*):)?worksheet[ >/]")
_ERROR_TAG = re.compile(rb'<c [^>]*?\bt="e"[^>]*>')
_CELL_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_HIDDEN_ROW = re.compile(rb'<row [^>]*?\bhidden="(?:1|true)"[^>]*>')
_ROW_NUMBER = re.compile(rb'\br="([0-9]+)"')


class Kind(enum.Enum):
    XLSX = "xlsx"  # Office Open XML (xlsx, xlsm): checked here, read in-process
    OTHER = "other"  # xls, xlsb, ods: read in a memory-limited child process


@attrs.frozen
class SheetScan:
    """What the check learned about one worksheet part."""

    name: str
    rows: int
    columns: int
    formulas_without_value: tuple[str, ...] = ()  # cell references, e.g. "E14"
    errors: tuple[str, ...] = ()  # cells holding an Excel error value (#DIV/0!, #N/A …)
    hidden_rows: tuple[int, ...] = ()  # rows hidden in Excel (read like any other)
    # At most how many cells hold a value (a <v> or <is> element): if the reader finds as
    # many non-empty cells, no two of them were given at one place (see given_twice).
    values: int = 0


@attrs.frozen
class Checked:
    """A file that passed the cheap checks; ``parts`` maps xlsx sheet names to zip parts."""

    kind: Kind
    parts: tuple[tuple[str, str], ...] = ()
    # Every part's bytes, when the caller asked to keep a small workbook's (``check_file``'s
    # ``keep``): read once, for the checks here, the scan and the reader, not three times.
    contents: tuple[tuple[str, bytes], ...] = attrs.field(default=(), eq=False, repr=False)


def check_file(path: Path, keep: tuple[int, int] | None = None) -> Checked:
    """One-line :class:`WorkbookError` for anything that is not a safe, readable workbook.

    ``keep`` (file bytes, expanded bytes): an .xlsx within both, whose parts are named once
    each and can all be read (each decompressed a piece at a time up to its declared size,
    no further, and its CRC checked), is checked from its parts read whole, which are kept
    (``Checked.contents``)."""
    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as error:
        raise WorkbookError(f"{name}: cannot be read ({error.strerror or error})") from None
    if size == 0:
        raise WorkbookError(f"{name}: is empty (0 bytes), not a workbook")
    if size > MAX_FILE_BYTES:
        raise WorkbookError(
            f"{name}: is {size // (1024 * 1024)} MiB; files over "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MiB are refused"
        )
    suffix = path.suffix.lower()
    if head.startswith(_OLE):
        data = path.read_bytes()
        if _ENCRYPTED in data:
            raise WorkbookError(
                f"{name}: is password-protected (encrypted); save an unprotected copy and "
                "check that"
            )
        if suffix in (".xlsx", ".xlsm"):
            raise WorkbookError(
                f"{name}: is an old-format Excel (.xls) file named {suffix}; rename it to "
                ".xls or save it as .xlsx"
            )
        return Checked(Kind.OTHER)
    if not head.startswith(_ZIP):
        raise WorkbookError(f"{name}: {_not_a_workbook(path, head)}")
    if suffix == ".xls":
        raise WorkbookError(f"{name}: is a zip-based workbook named .xls; rename it to .xlsx")
    try:
        with zipfile.ZipFile(path) as archive:
            most = keep[1] if keep is not None and size <= keep[0] else None
            return _check_zip(name, archive, most)
    except zipfile.BadZipFile as error:
        raise WorkbookError(f"{name}: is damaged: not a readable zip archive ({error})") from None
    except (zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as error:
        raise WorkbookError(
            f"{name}: is damaged or uses an unsupported zip feature ({error})"
        ) from None


def _not_a_workbook(path: Path, head: bytes) -> str:
    with path.open("rb") as handle:
        sample = handle.read(4096)
    text = sample.replace(b"\r", b"").replace(b"\n", b"").replace(b"\t", b"")
    if head.startswith(b"%PDF"):
        return "is a PDF document, not a workbook"
    if sample.lstrip().lower().startswith((b"<html", b"<!doctype html")):
        return "is a web page (HTML), not a workbook; save it from Excel as .xlsx"
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError:
        decoded = ""
    if decoded and decoded.isprintable():
        kind = "CSV" if b"," in sample or b";" in sample else "plain-text"
        return (
            f"is a {kind} text file, not an Excel workbook; open it in Excel and save it "
            "as .xlsx (a renamed file is not converted)"
        )
    return "is not an Excel workbook (.xlsx, .xlsm, .xls or .ods): unrecognised content"


def _check_zip(name: str, archive: zipfile.ZipFile, most: int | None = None) -> Checked:
    """The archive's checks; ``most``: its parts are kept if they expand to at most that
    many bytes (see :func:`check_file`)."""
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise WorkbookError(f"{name}: holds {len(entries)} zip entries (limit {MAX_ENTRIES})")
    total = 0
    for entry in entries:
        read_here = entry.filename.endswith(_XML_PARTS) or entry.filename == "mimetype"
        if entry.compress_type not in _METHODS and read_here:
            raise WorkbookError(
                f"{name}: part {entry.filename} is compressed with a method Office files do "
                f"not use (zip method {entry.compress_type}; only stored and deflated parts "
                "are read)"
            )
        if entry.flag_bits & 0x1:
            raise WorkbookError(
                f"{name}: is password-protected (encrypted zip entries); save an unprotected copy"
            )
        total += entry.file_size
        too_big = entry.file_size > MAX_MEMBER_BYTES
        ratio = entry.file_size / max(entry.compress_size, 1)
        if too_big or (entry.file_size > RATIO_FLOOR and ratio > MAX_RATIO):
            raise WorkbookError(
                f"{name}: refused as a zip bomb: part {entry.filename} expands "
                f"{entry.compress_size:,} bytes to {entry.file_size:,} (ratio {ratio:.0f}; "
                f"limits {MAX_RATIO}:1 and {MAX_MEMBER_BYTES // (1024 * 1024)} MiB)"
            )
    if total > MAX_TOTAL_BYTES:
        raise WorkbookError(
            f"{name}: refused as a zip bomb: it expands to {total:,} bytes "
            f"(limit {MAX_TOTAL_BYTES:,})"
        )
    names = set(archive.namelist())
    if "mimetype" in names and _head(archive, "mimetype").startswith(
        b"application/vnd.oasis.opendocument.spreadsheet"
    ):
        for part in ("content.xml", "styles.xml", "settings.xml"):
            if part in names:
                _refuse_dtd(name, archive, part)
        return Checked(Kind.OTHER)
    if "xl/workbook.xml" not in names:
        if "xl/workbook.bin" in names:
            return Checked(Kind.OTHER)
        if "word/document.xml" in names:
            raise WorkbookError(f"{name}: is a Word document, not a workbook")
        raise WorkbookError(
            f"{name}: is a zip archive but not an Excel workbook (no xl/workbook.xml)"
        )
    kept = _kept(archive, entries, most) if most is not None else None
    for entry in entries:
        if entry.filename.endswith(_XML_PARTS):
            if kept is None:
                _refuse_dtd(name, archive, entry.filename)
            elif _prolog_declares_dtd(io.BytesIO(kept[entry.filename])):
                raise _dtd_refused(name, entry.filename)
    sheets = _sheet_parts(name, kept.__getitem__ if kept is not None else partial(_read, archive))
    found = tuple((sheet, part) for sheet, part in sheets if part in names)
    return Checked(Kind.XLSX, found, tuple(kept.items()) if kept is not None else ())


def _kept(
    archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], most: int
) -> dict[str, bytes] | None:
    """Every part of a small workbook read whole, or None (checked part by part as any
    other): parts named twice, expanding past ``most`` bytes, compressed otherwise than
    stored or deflated, or any that cannot be read (the reader's own read then reports it,
    as for any other file)."""
    items = [entry for entry in entries if not entry.is_dir()]
    if sum(entry.file_size for entry in items) > most:
        return None
    if any(entry.compress_type not in _METHODS for entry in items):
        return None
    try:
        kept = {entry.filename: _read(archive, entry) for entry in items}
    except Exception:  # a bad CRC, a damaged stream: see above
        return None
    return kept if len(kept) == len(items) else None


def _head(archive: zipfile.ZipFile, part: str) -> bytes:
    """A part's first bytes, no more decompressed than that (for naming what it is)."""
    with archive.open(part) as handle:
        return handle.read(128)


def _read(archive: zipfile.ZipFile, part: str | zipfile.ZipInfo) -> bytes:
    """A part's bytes, decompressed a piece at a time up to its declared size and no
    further (``ZipFile.read`` decompresses a whole stream first: a part that says it is
    small and holds gigabytes would be inflated before its CRC failed); the CRC is checked
    at the end (``zipfile.BadZipFile``). KeyError: no such part."""
    entry = part if isinstance(part, zipfile.ZipInfo) else archive.getinfo(part)
    with archive.open(entry) as handle:
        data = handle.read(entry.file_size)
        handle.read(1)  # reaches the end, where the CRC is checked (a part of size 0 too)
        return data


def scan(path: Path, checked: Checked, extent: bool = True) -> tuple[SheetScan, ...]:
    """Each xlsx sheet's used rectangle (refused when too large; skipped without ``extent``,
    once the reader has survived the file) and its formulas without value and error cells."""
    if checked.contents:  # read once already (see Checked.contents)
        kept = dict(checked.contents)
        return tuple(
            _scan_data(path.name, s, _unprefixed(kept[p]), extent) for s, p in checked.parts
        )
    try:
        with zipfile.ZipFile(path) as archive:
            return tuple(_scan_sheet(path.name, archive, s, p, extent) for s, p in checked.parts)
    except zipfile.BadZipFile as error:
        raise WorkbookError(f"{path.name}: is damaged: {error}") from None


def _refuse_dtd(name: str, archive: zipfile.ZipFile, part: str) -> None:
    """Entities can only be declared in a DTD, which precedes the root element: the prolog
    (XML declaration, comments, processing instructions, white space — of any length) is
    read up to the root element's start tag, and a ``<!DOCTYPE`` or ``<!ENTITY`` in it is
    refused."""
    with archive.open(part) as handle:
        found = _prolog_declares_dtd(handle)
    if found:
        raise _dtd_refused(name, part)


def _dtd_refused(name: str, part: str) -> WorkbookError:
    return WorkbookError(
        f"{name}: refused: part {part} declares a DTD or entities (XML entity expansion "
        "is a known attack; Excel never writes them)"
    )


def _prolog_declares_dtd(handle: Any) -> bool:
    data = b""
    at = 0
    first = True
    decoder: Any = None  # for a UTF-16 part, looked at as UTF-8

    def more() -> bool:
        nonlocal data, first, decoder
        chunk = handle.read(65536)
        if not chunk:
            return False
        if first:
            first = False
            if chunk.startswith((b"\xff\xfe", b"\xfe\xff")):
                decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
            elif chunk.startswith(b"\xef\xbb\xbf"):
                chunk = chunk[3:]
        if decoder is not None:  # pragma: no cover - Excel writes UTF-8
            chunk = decoder.decode(chunk).encode("utf-8")
        data = data[at:] + chunk
        return True

    if not more():
        return False
    while True:
        while at < len(data) and data[at : at + 1] in b" \t\r\n":
            at += 1
        if at >= len(data):
            data, at = b"", 0
            if not more():
                return False
            continue
        if len(data) - at < 9 and more():
            at = 0
            continue
        rest = data[at:]
        if rest.startswith((b"<?", b"<!--")):
            close = b"?>" if rest.startswith(b"<?") else b"-->"
            end = data.find(close, at + 2)
            while end < 0:
                keep = len(data) - at
                if not more():
                    return False
                at = 0
                end = data.find(close, max(keep - len(close), 2))
            at = end + len(close)
            continue
        return bool(_DTD.match(rest))  # the root element, or a DTD before it


def _sheet_parts(name: str, read: Callable[[str], bytes]) -> list[tuple[str, str]]:
    """(sheet name, zip part) in workbook order, parsed with defusedxml; ``read`` gives a
    part's bytes (KeyError: no such part)."""
    try:
        book = SafeTree.fromstring(_part(name, read, "xl/workbook.xml"))
        rels = SafeTree.fromstring(_part(name, read, "xl/_rels/workbook.xml.rels"))
    except WorkbookError:
        raise
    except Exception as error:  # defusedxml's and ElementTree's parse errors
        raise WorkbookError(f"{name}: is damaged: unreadable workbook part ({error})") from None
    targets = {}
    for rel in rels.iter(f"{_PKG_REL}Relationship"):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        targets[rel.get("Id")] = _normal(path)
    found = []
    for sheet in book.iter(f"{_MAIN}sheet"):
        part = targets.get(sheet.get(f"{_REL}id"))
        if part is not None:
            found.append((sheet.get("name", ""), part))
    return found


def _part(name: str, read: Callable[[str], bytes], part: str) -> bytes:
    """A part the workbook cannot be read without, named when it is missing (the same words
    whether the parts were kept or are read from the archive)."""
    try:
        return read(part)
    except KeyError:
        raise WorkbookError(f"{name}: is damaged: missing part {part}") from None


def _normal(path: str) -> str:
    parts: list[str] = []
    for piece in path.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def _scan_sheet(
    name: str, archive: zipfile.ZipFile, sheet: str, part: str, extent: bool = True
) -> SheetScan:
    """The used rectangle from the cells' references, proven small before calamine sees it.

    Fast path: when no reference has two column letters or more digits than the largest
    ``<row r=…>`` tag, the rectangle is at most 26 columns by the largest row seen. Anything
    unusual sends the sheet to the exact (slower) scan of every reference.
    """
    return _scan_data(name, sheet, _read_part(name, archive, sheet, part), extent)


def _scan_data(name: str, sheet: str, data: bytes, extent: bool = True) -> SheetScan:
    """:func:`_scan_sheet` of the sheet's XML, its main namespace's prefix removed."""
    if not extent:
        return SheetScan(sheet, 0, 0, *_flags(data), _values(data))
    max_row = max((int(n) for n in _ROW.findall(data)), default=0)
    # One pass (sharing the literal prefix '<c ', which the regex engine scans for fast) finds
    # references with two letters or more digits than the largest row tag, cells without a
    # reference, and references in the top range of rows (to compare with the largest tag).
    digits = len(str(max_row)) if max_row else 1
    probe = re.compile(
        rb'<c (?:r="[A-Z](?:[A-Z]|[0-9]{%d}|(%s)")|(?!r="))' % (digits + 1, _top_rows(max_row))
    )
    unusual = b"<c>" in data or bool(_ROW_NO_REF.search(data))
    rows, columns = max_row, 26
    for match in probe.finditer(data):
        if match.group(1) is None:
            unusual = True
            break
        rows = max(rows, int(match.group(1)))
    if unusual:
        rows, columns = _exact_without_refs(data) if _NO_REF.search(data) else _exact(data, max_row)
    if rows * columns > MAX_CELLS:
        raise WorkbookError(
            f"{name}: refused: sheet {sheet!r} spans {rows:,} rows × {columns:,} columns "
            f"(limit {MAX_CELLS:,} cells); delete the stray cells far from the data"
        )
    return SheetScan(sheet, rows, columns, *_flags(data), _values(data))


def _read_part(name: str, archive: zipfile.ZipFile, sheet: str, part: str) -> bytes:
    """A sheet's XML, within the size limit, with the main namespace's prefix removed."""
    return _unprefixed(_read_raw(name, archive, sheet, part))


def _read_raw(name: str, archive: zipfile.ZipFile, sheet: str, part: str) -> bytes:
    """A sheet's XML as stored, within the size limit."""
    try:
        with archive.open(part) as handle:
            chunks = []
            read = 0
            while chunk := handle.read(_CHUNK):
                read += len(chunk)
                if read > MAX_MEMBER_BYTES:
                    raise WorkbookError(
                        f"{name}: refused as a zip bomb: sheet {sheet!r} is too large"
                    )
                chunks.append(chunk)
    except zipfile.BadZipFile as error:
        raise WorkbookError(f"{name}: is damaged: sheet {sheet!r}: {error}") from None
    return b"".join(chunks)


# --------------------------------------------------------------------------- cells given twice
# A sheet's XML may give one cell twice (two <row r="2"> elements, or one reference in two
# <c> elements); the reader keeps the later value without a word. Finding that exactly costs
# a pass over every cell reference (≈ 0.45 s per 100,000 BOM lines), so it is done only when
# a cheap count says it may have happened: every value is a <v> or <is> element of its cell,
# so when the reader finds as many non-empty cells as the sheet has such elements, each came
# from a cell of its own. Fewer (a value given twice, or an empty one: an empty string, an
# error cell) and the references are checked one by one.

_PREFIXED_VALUE = re.compile(rb":(?:v|is)[\s/>]")  # <x:v>, <x:is …
# A cell with a value in the shapes spreadsheet programs write: its reference (upper case, no
# leading zero), attributes without "/" or ">", an optional formula, then <v> or <is>.
_VALUE_CELL = re.compile(
    rb'<c r="([A-Z]{1,3}[1-9][0-9]{0,6})"[^>/]*>(?:<f[^>/]*/>|<f[^>/]*>[^<]*</f>)?<(?:v|is)>'
)
_TAG = re.compile(
    rb"<(/?)(?:[A-Za-z_][\w.\-]*:)?(row|c|v|is)(?=[\s/>])((?:[^>\"']++|\"[^\"]*+\"|'[^']*+')*+)>"
)
_R_ATTRIBUTE = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REFERENCE = re.compile(rb"([A-Za-z]+)([0-9]+)")
_NOT_MARKUP = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", re.DOTALL)


def _values(data: bytes) -> int:
    """At most how many cells of the sheet hold a value: its <v> and <is> elements, also
    with a namespace prefix (over-counting only ever leads to the exact check)."""
    start = data.find(b"sheetData")
    if start < 0:
        return 0
    stop = data.rfind(b"sheetData")
    count = data.count(b"<v", start, stop) + data.count(b"<is", start, stop)
    if data.find(b":", start, stop) >= 0:  # a fast byte search; Excel writes few colons
        count += len(_PREFIXED_VALUE.findall(data, start, stop))
    return count


def given_twice(path: Path, checked: Checked, sheet: str) -> None:
    """Refuse the file if sheet ``sheet`` gives one cell's value twice (the later would
    silently replace the earlier), naming the cell."""
    part = dict(checked.parts).get(sheet)
    if part is None:
        return
    try:
        with zipfile.ZipFile(path) as archive:
            data = _read_part(path.name, archive, sheet, part)
    except zipfile.BadZipFile as error:
        raise WorkbookError(f"{path.name}: is damaged: {error}") from None
    found = _given_twice(data)
    if found is None:
        return
    (row, column), how = found
    shown = sheet if sheet.replace("_", "").isalnum() else f"'{sheet}'"
    raise WorkbookError(
        f"{path.name}: refused: {shown}!{column_letter(column)}{row + 1} is given twice in "
        f"the sheet's XML ({how}), and the later value would silently replace the earlier; "
        "the file is damaged or was not written by a spreadsheet program"
    )


def _given_twice(data: bytes) -> tuple[tuple[int, int], str] | None:
    """The first (row, column), 0-based, where two cells with a value are placed, and how;
    None when there is none. Cells are placed as the reader places them."""
    start = data.find(b"sheetData")
    if start < 0:
        return None
    stop = data.rfind(b"sheetData")
    refs = _VALUE_CELL.findall(data, start, stop)
    if len(refs) == _values(data) and len(set(refs)) == len(refs):
        return None  # every value is in a cell of the plain shape, each in its own place
    return _placed_twice(data[start:stop])  # (also to say where and how, when one is twice)


def _placed_twice(body: bytes) -> tuple[tuple[int, int], str] | None:
    """The first place given a value twice (see _placements), and how."""
    seen: dict[tuple[int, int], tuple[int, int]] = {}  # place → (row element, its number)
    for place, element, number in _placements(body):
        if place in seen:
            first, first_number = seen[place]
            if first == element:
                how = "twice in one row"
            elif number and number == first_number:
                how = f"two rows numbered {number}"
            else:
                how = "by cells of two rows"
            return place, how
        seen[place] = (element, number)
    return None


def _placements(body: bytes) -> Iterator[tuple[tuple[int, int], int, int]]:
    """Each cell with a value (a <v> or <is> element, any namespace prefix) as (row, column)
    0-based, with its <row> element (1, 2, … in order) and that element's ``r`` (0: none).
    Placed as the reader (python-calamine) places them: a row without ``r`` follows the
    previous one, a cell without ``r`` follows the previous cell of its row, a self-closing
    element opens and closes (tests/test_workbook_properties.py compares the two)."""
    if b"<!" in body or b"<?" in body:
        body = _NOT_MARKUP.sub(b" ", body)
    row = column = 0
    element = number = 0
    cell: tuple[int, int] | None = None  # the open cell's place …
    valued = False  # … and whether it holds a value
    for closing, name, attributes in _TAG.findall(body):
        empty = attributes.rstrip().endswith(b"/")
        if name in (b"v", b"is"):
            valued = valued or (cell is not None and not closing)
            continue
        if name == b"row":
            if not closing:
                element, number = element + 1, 0
                found = _attribute_r(attributes)
                if found is not None and found.isdigit() and int(found) >= 1:
                    row = number = int(found)
                    row -= 1
            if closing or empty:
                row, column = row + 1, 0
            continue
        if not closing:
            found = _attribute_r(attributes)
            place: tuple[int, int] | None = (row, column)
            if found is not None:
                ref = _REFERENCE.fullmatch(found)
                place = None  # a reference the reader refuses: so is the file
                if ref is not None and int(ref[2]) >= 1:
                    place = (int(ref[2]) - 1, column_index(ref[1].upper().decode()))
            if place is not None:
                column = place[1]
            cell, valued = place, False
        if closing or empty:
            column += 1
            if cell is not None and valued:
                yield cell, element, number
            cell, valued = None, False


def _attribute_r(attributes: bytes) -> bytes | None:
    found = _R_ATTRIBUTE.search(attributes)
    if found is None:
        return None
    return found[1] if found[1] is not None else found[2]


def _unprefixed(data: bytes) -> bytes:
    """The sheet with the main namespace's prefix (if it uses one) removed from its tags."""
    root = _ROOT.search(data)  # the root start tag, near the beginning: no pass over the sheet
    if root is None or root.group(1) is None:
        return data
    found = _PREFIXED_MAIN.search(data, root.start(), data.find(b">", root.start()))
    if found is None or found.group(1) != root.group(1):
        return data
    prefix = found.group(1)
    return data.replace(b"<" + prefix + b":", b"<").replace(b"</" + prefix + b":", b"</")


def _flags(data: bytes) -> tuple[tuple[str, ...], tuple[str, ...], tuple[int, ...]]:
    """Cells with a formula but no saved result, cells holding an Excel error value, and
    hidden rows."""
    formulas = _formulas_without_value(data) if _FORMULA.search(data) else ()
    errors: tuple[str, ...] = ()
    if b't="e"' in data:  # attributes in any order
        refs = (_CELL_REF.search(tag) for tag in _ERROR_TAG.findall(data))
        errors = tuple(ref.group(1).decode() for ref in refs if ref is not None)
    hidden: tuple[int, ...] = ()
    # (not every row's hidden="false"; one search first, as most sheets have no hidden="…")
    if b'hidden="' in data and (b'hidden="1"' in data or b'hidden="true"' in data):
        tags = _HIDDEN_ROW.findall(data)
        numbers = (_ROW_NUMBER.search(tag) for tag in tags)
        hidden = tuple(int(n.group(1)) for n in numbers if n is not None)
    return formulas, errors, hidden


def _top_rows(max_row: int) -> bytes:
    """A pattern for row numbers as long as ``max_row`` and not below its first two digits,
    so that in the common case only the last rows' references match."""
    text = str(max(max_row, 10))
    first, second, rest = int(text[0]), int(text[1]), len(text) - 2
    pattern = rb"%d[%d-9][0-9]{%d}" % (first, second, rest)
    if first < 9:
        pattern = rb"[%d-9][0-9]{%d}|%s" % (first + 1, rest + 1, pattern)
    return b"(?:" + pattern + b")"


def _exact(data: bytes, max_row: int) -> tuple[int, int]:
    """The furthest row and column any cell reference names (at least ``max_row``): each
    distinct row number and column's letters read once, not once per cell (a sheet has
    thousands of cells but a few dozen columns)."""
    refs = _REF.findall(data)
    rows = max(max_row, max(map(int, {digits for _, digits in refs}), default=0))
    letters = {letters for letters, _ in refs}
    columns = max((column_index(name.decode()) + 1 for name in letters), default=0)
    return rows, columns


def _exact_without_refs(data: bytes) -> tuple[int, int]:
    """Cells or rows without references follow the previous one; bound them by counting."""
    rows, columns = _exact(data, 0)
    pieces = data.split(b"<row")
    widest = max((piece.count(b"<c") for piece in pieces), default=0)
    return rows + len(pieces), columns + widest


def _formulas_without_value(data: bytes) -> tuple[str, ...]:
    """Cells holding a formula but no cached result: a reader sees them as empty."""
    missing = []
    for match in _FORMULA.finditer(data):
        start = data.rfind(b"<c ", 0, match.start())
        end = data.find(b"</c>", match.start())
        if start < 0 or end < 0:
            continue
        cell = data[start:end]
        ref = _CELL_REF.search(cell[: cell.find(b">") + 1])
        value = re.search(rb"<v>([^<]*)</v>", cell)
        if ref and (value is None or not value.group(1)):
            missing.append(ref.group(1).decode())
    return tuple(missing)
