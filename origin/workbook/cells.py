"""Read a workbook's sheets as rows of Python values, fast and without risking the process.

python-calamine reads ~10× faster than openpyxl but aborts the process (SIGABRT) when an
allocation fails, which hostile files provoke (measured-findings). On POSIX the read runs in
a forked child with an address-space limit; rows come back through a pipe in pickled
chunks, so the parent parses rows while the child is still sending, and meanwhile scans the
XML itself (:mod:`origin.workbook.limits`) to name the cause precisely. Without ``fork``
the file is read in-process, only after that scan has passed; so is a small ``.xlsx``
(:func:`_small`: a fork costs more than its read), from its parts as the scan read them.

A large sheet is read in pieces (``split``): the child decompresses the sheet's XML as it
cuts its rows into pieces at row boundaries (never holding it whole; each piece with the
part of the shared strings it takes) and parses one piece at a time, so that this process
converts the rows of one piece while the child parses the next (two cores instead of one;
calamine itself has no streaming reader). The pieces are checked to follow each other in
row order; a piece that does not, or that calamine cannot read on its own, stops the pieces
and the caller reads the file again whole (:class:`ReadAgain`), so a sheet is never read
differently for having been cut.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import faulthandler
import fcntl
import io
import itertools
import marshal
import os
import pickle
import queue
import re
import resource
import signal
import struct
import sys
import threading
import zipfile
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

from origin.workbook import limits
from origin.workbook.problems import WorkbookError

CHUNK_ROWS = 4096
CHILD_MEMORY = 3 * 1024 * 1024 * 1024  # address space allowed to the reader, above the parent's
SPLIT_BYTES = 8 * 1024 * 1024  # a sheet whose XML is larger is read in pieces (see above) …
PIECE_BYTES = 4 * 1024 * 1024  # … of about this much XML each, at least …
MAX_PIECES = 32
PARSERS = 2  # pieces parsed at once, in threads of the child
OVERHEAD_PER_PIECE = 1  # … and at least as large as the workbook's other XML (styles …),
# which calamine reads again for every piece (of the shared strings, a part: see _Strings).
_HEADER = struct.Struct("<QB")  # message size; 0 = marshal (4× faster for plain rows), 1 = pickle
_PIPE_BYTES = 1 << 20  # so the child does not wait while this process scans the XML
_ROW_TRIES = 64  # row tags looked at for a cut
_ROW_REF = re.compile(rb"\sr\s*=\s*[\"'][0-9]")  # a row tag's own r="…" (not customr=)
_QUEUED = 2  # message batches the child's writer holds at most (each about a piece)
Row = list[Any]


class ReadAgain(Exception):
    """A sheet's pieces did not follow each other in row order, or one could not be read on
    its own: read the file again without pieces (``split=False``)."""


@attrs.frozen
class SheetRows:
    """One sheet's rows as chunks; ``chunks`` is consumed once, in order."""

    name: str
    chunks: Iterator[list[Row]]
    first_column: int = 0  # index of the column the rows start at (0 = A); rows start at 1


@attrs.define
class Flags:
    """Cells the XML shows and the reader cannot: known once every sheet has been read."""

    formulas_without_value: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    errors: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    hidden_rows: dict[str, tuple[int, ...]] = attrs.field(factory=dict)
    # From the reader itself (every format): sheets Excel does not show ("hidden", or "very
    # hidden": only VBA can show it), and each sheet's merged ranges as 0-based
    # (first row, first column, last row, last column).
    sheet_states: dict[str, str] = attrs.field(factory=dict)
    merged: dict[str, tuple[tuple[int, int, int, int], ...]] = attrs.field(factory=dict)

    # From the XML scan: at most how many cells of each sheet hold a value (see
    # limits.given_twice), to compare with the non-empty cells the reader gives.
    values: dict[str, int] = attrs.field(factory=dict)

    def add(self, scans: Iterable[limits.SheetScan]) -> None:
        for scan in scans:
            self.formulas_without_value[scan.name] = scan.formulas_without_value
            self.errors[scan.name] = scan.errors
            self.hidden_rows[scan.name] = scan.hidden_rows
            self.values[scan.name] = scan.values


def read(
    path: Path, flags: Flags | None = None, split: bool = False
) -> Generator[SheetRows, None, None]:
    """Every sheet in workbook order; ``flags`` is filled in by the end of the iteration.
    Raises :class:`WorkbookError` for unreadable files and, with ``split``,
    :class:`ReadAgain` when the file must be read again without it.

    The caller must consume each sheet's chunks before asking for the next sheet.
    """
    flags = flags if flags is not None else Flags()
    checked = _checked(path)
    if hasattr(os, "fork") and not os.environ.get("ORIGIN_WORKBOOK_IN_PROCESS"):
        small = _small(path, checked)
        if small is not None:
            flags.add(small[1])
            # The parts are in the stored archive now: not held twice while it is read.
            return _read_small(path, attrs.evolve(checked, contents=()), flags, small[0])
        return _read_in_child(path, checked, flags, split)
    if checked.kind is not limits.Kind.XLSX:
        raise WorkbookError(
            f"{path.name}: .xls, .xlsb and .ods files are read only where a child process "
            "can be used (POSIX); save the file as .xlsx"
        )
    flags.add(limits.scan(path, checked))
    return _read_here(path, checked, flags)


# --------------------------------------------------------------------------- in-process

SMALL_FILE_BYTES = 2 * 1024 * 1024  # a workbook this small (as stored) …
SMALL_XML_BYTES = 32 * 1024 * 1024  # … whose parts expand to at most this much …
SMALL_CELLS = 2_000_000  # … and whose sheets span at most this many cells: read in-process


def _checked(path: Path) -> limits.Checked:
    """The file's checks, a small workbook's parts kept (read once: see :func:`_small`)."""
    return limits.check_file(path, keep=(SMALL_FILE_BYTES, SMALL_XML_BYTES))


def _small(path: Path, checked: limits.Checked) -> tuple[io.BytesIO, Any] | None:
    """A small .xlsx, made safe to read in this process: every part read within the size
    limits (``limits.check_file`` kept them: each decompressed up to its declared size, no
    further, and its CRC checked) into an archive of stored parts, which is all calamine
    sees, and each sheet's extent proven small by the full scan; with the scan. None (read
    in the child, as any other file) for anything else: a larger file, a part that cannot
    be read so, names given twice, a scan that finds something to refuse (the child's read
    reports it as it always has)."""
    if checked.kind is not limits.Kind.XLSX or not checked.contents:
        return None
    try:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as stored:
            for name, data in checked.contents:
                stored.writestr(name, data)
        scans = limits.scan(path, checked)
    except Exception:  # whatever it is, the child's read decides
        return None
    if len(scans) != len(checked.parts) or any(
        scan.rows * scan.columns > SMALL_CELLS for scan in scans
    ):
        return None
    buffer.seek(0)
    return buffer, scans


def _read_small(
    path: Path, checked: limits.Checked, flags: Flags, stored: io.BytesIO
) -> Generator[SheetRows, None, None]:
    """A small workbook's sheets read in this process (see _small), as the child would
    send them: rows from row 1 at the first used column, in chunks, the same checks."""
    import python_calamine  # noqa: PLC0415

    def failed(error: Exception) -> WorkbookError:
        return WorkbookError(_calamine_message(path.name, type(error).__name__, str(error)[:500]))

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(stored)
        flags.sheet_states.update(_states(book))
        names = book.sheet_names
    except Exception as error:  # calamine's errors are several unrelated classes
        raise failed(error) from None
    for name in names:
        try:
            sheet = book.get_sheet_by_name(name)
            merged = _merged(sheet)
            first_column = sheet.start[1] if sheet.start else 0
            rows = list(sheet.iter_rows())
        except Exception as error:
            raise failed(error) from None
        if merged:
            flags.merged[name] = merged
        chunks = iter([rows[i : i + CHUNK_ROWS] for i in range(0, len(rows), CHUNK_ROWS)])
        yield SheetRows(name, chunks, first_column)
        _check_values(path, checked, flags, name, _filled(rows))


def _open(path: Path) -> Any:
    import python_calamine  # noqa: PLC0415 - only needed when a workbook is read

    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a name in another encoding: calamine takes only UTF-8 paths
        with path.open("rb") as handle:
            return python_calamine.CalamineWorkbook.from_filelike(handle)
    return python_calamine.CalamineWorkbook.from_path(text)


def _read_here(
    path: Path, checked: limits.Checked, flags: Flags
) -> Generator[SheetRows, None, None]:
    try:
        book = _open(path)
        flags.sheet_states.update(_states(book))
        names = book.sheet_names
    except Exception as error:  # calamine's errors are several unrelated classes
        raise WorkbookError(
            _calamine_message(path.name, type(error).__name__, str(error))
        ) from None
    for name in names:
        try:
            sheet = book.get_sheet_by_name(name)
            merged = _merged(sheet)
            rows = sheet.to_python(skip_empty_area=False)
        except Exception as error:
            raise WorkbookError(
                _calamine_message(path.name, type(error).__name__, str(error))
            ) from None
        if merged:
            flags.merged[name] = merged
        _check_values(path, checked, flags, name, _filled(rows))
        chunks = iter([rows[i : i + CHUNK_ROWS] for i in range(0, len(rows), CHUNK_ROWS)])
        yield SheetRows(name, chunks, 0)


def _filled(rows: list[Row]) -> int:
    """How many cells of ``rows`` hold a value (the reader gives "" for an empty cell)."""
    return sum(map(len, rows)) - sum(map(list.count, rows, itertools.repeat("")))


def _check_values(
    path: Path, checked: limits.Checked, flags: Flags, name: str, filled: int
) -> None:
    """Refuse a sheet that gives a cell's value twice: checked cell by cell only when the
    reader's non-empty cells are fewer (or more) than the cells with a value in the XML."""
    bound = flags.values.get(name)
    if bound is not None and filled != bound:
        limits.given_twice(path, checked, name)


def _states(book: Any) -> dict[str, str]:
    """Sheets Excel does not show: "hidden" or "very hidden" (only VBA can show it)."""
    states = {}
    for sheet in book.sheets_metadata:
        state = str(sheet.visible).rpartition(".")[2]
        if state == "Hidden":
            states[str(sheet.name)] = "hidden"
        elif state == "VeryHidden":
            states[str(sheet.name)] = "very hidden"
    return states


def _merged(sheet: Any) -> tuple[tuple[int, int, int, int], ...]:
    """The sheet's merged ranges, 0-based (first row, first column, last row, last column)."""
    ranges = sheet.merged_cell_ranges or ()
    return tuple((int(start[0]), int(start[1]), int(end[0]), int(end[1])) for start, end in ranges)


def _calamine_message(name: str, kind: str, text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else kind
    if kind == "PasswordError" or "password" in text.lower() or "encrypt" in text.lower():
        return f"{name}: is password-protected (encrypted); save an unprotected copy and check that"
    if kind in ("ZipError", "XmlError"):
        return f"{name}: is damaged: {first}"
    return f"{name}: cannot be read as a workbook: {first}"


# --------------------------------------------------------------------------- child process


def _read_in_child(
    path: Path, checked: limits.Checked, flags: Flags, split: bool
) -> Generator[SheetRows, None, None]:
    xlsx = checked.kind is limits.Kind.XLSX
    read_end, write_end = os.pipe()
    with contextlib.suppress(AttributeError, OSError):  # Linux only; a larger pipe is enough
        fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child; its effects are tested
        os.close(read_end)
        _child(path, write_end, checked, split)
    os.close(write_end)
    stream = os.fdopen(read_end, "rb", buffering=1 << 20)
    finished = False
    try:
        if xlsx:
            # While the child parses (this process has nothing else to do until its rows
            # arrive), find the formulas without a saved result and the cached error cells
            # the reader cannot see: a scan within the same size limits.
            flags.add(limits.scan(path, checked, extent=False))
        yield from _receive(path, stream, pid, flags, checked, split=split)
        finished = True
    finally:
        stream.close()
        if not finished:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _reap(path, pid, finished)


def _reap(path: Path, pid: int, finished: bool) -> None:
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:  # already reaped while reporting how it ended
        return
    if finished and os.WIFSIGNALED(status):  # pragma: no cover - _receive reports it first
        raise WorkbookError(_died(path, os.WTERMSIG(status)))


def _died(path: Path, signal_number: int) -> str:
    return (
        f"{path.name}: refused: the spreadsheet reader stopped (signal {signal_number}) while "
        f"reading it, within a {CHILD_MEMORY // 2**30} GiB memory limit; the file holds far "
        "more cells than its size suggests (a zip bomb or stray far-off cells)"
    )


def _messages(
    path: Path, stream: Any, pid: int, checked: limits.Checked, *, split: bool
) -> Iterator[tuple[str, Any]]:
    def died() -> WorkbookError | ReadAgain:
        """The child ended without finishing (killed, or out of memory mid-message)."""
        _, status = os.waitpid(pid, 0)
        if split:  # reading in pieces takes more memory: the whole read decides
            return ReadAgain("the reader stopped while reading in pieces")
        signal_number = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
        if checked.kind is limits.Kind.XLSX:
            limits.scan(path, checked)  # names a hostile shape precisely, if it can
        return WorkbookError(_died(path, signal_number))

    while True:
        head = stream.read(_HEADER.size)
        if len(head) < _HEADER.size:
            raise died()
        size, form = _HEADER.unpack(head)
        data = stream.read(size)
        if len(data) < size:
            raise died()
        try:
            message: tuple[str, Any] = pickle.loads(data) if form else marshal.loads(data)
        except Exception:  # pragma: no cover - only a broken child writes a bad message
            raise died() from None
        yield message


def _receive(
    path: Path, stream: Any, pid: int, flags: Flags, checked: limits.Checked, *, split: bool
) -> Iterator[SheetRows]:
    incoming = _messages(path, stream, pid, checked, split=split)
    pending: tuple[str, Any] | None = next(incoming)
    while pending is not None:
        kind, payload = pending
        if kind == "error":
            raise WorkbookError(_calamine_message(path.name, payload[0], payload[1]))
        if kind == "end":
            return
        if kind == "again":
            raise ReadAgain(payload)
        if kind == "flags":
            flags.add(payload)
            pending = next(incoming)
            continue
        if kind == "states":
            flags.sheet_states.update(payload)
            pending = next(incoming)
            continue
        if kind == "merged":
            name, ranges = payload
            flags.merged[name] = tuple(map(tuple, ranges))
            pending = next(incoming)
            continue
        if kind != "sheet":  # pragma: no cover - protocol violation
            raise WorkbookError(f"{path.name}: reader protocol error ({kind})")
        box: list[tuple[str, Any] | None] = [None]
        filled = [0]  # cells with a value, for _check_values

        def chunks(
            box: list[tuple[str, Any] | None] = box, filled: list[int] = filled
        ) -> Iterator[list[Row]]:
            count = 0
            for message in incoming:
                if message[0] != "rows":
                    if message[0] == "again":
                        raise ReadAgain(message[1])
                    box[0] = message
                    return
                rows = message[1]
                count += len(rows) * max(len(rows[0]), 1)
                filled[0] += _filled(rows)
                if count > limits.MAX_CELLS:
                    # Within the memory limit but far too wide or long: refuse, precisely.
                    limits.scan(path, checked)
                    raise WorkbookError(
                        f"{path.name}: refused: a sheet spans more than {limits.MAX_CELLS:,} cells"
                    )
                yield rows

        name, first_column = payload
        sheet = SheetRows(name, chunks(), first_column)
        yield sheet
        for _ in sheet.chunks:  # the caller may skip a sheet: drain it
            pass
        _check_values(path, checked, flags, name, filled[0])
        pending = box[0]


def _child(  # pragma: no cover - runs in the child
    path: Path, fd: int, checked: limits.Checked, split: bool
) -> None:
    code = 0
    try:
        # An abort prints Rust's and Python's crash reports; the parent reports it in one line.
        faulthandler.disable()  # (pytest enables it on a duplicate of stderr)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _limit_memory()
        out = _Writer(fd)
        send = out.send
        try:
            try:
                book = _open(path)
                send("states", _states(book))
                parts = dict(checked.parts) if split and checked.kind is limits.Kind.XLSX else {}
                large = _large_parts(path, parts)
                for name in book.sheet_names:
                    if name in large:
                        # Not held while a sheet is read in pieces (its shared strings, as
                        # calamine holds them, are as large as the table and more).
                        book = None
                        if _send_pieces(path, name, parts, send, out):
                            continue
                    if book is None:
                        book = _open(path)
                    _send_whole(book.get_sheet_by_name(name), name, send, out)
                send("end", None)
            except _Stop:
                pass
            except Exception as error:
                send("error", (type(error).__name__, str(error)[:500]))
        finally:
            out.close()
    except BaseException:
        code = 1
    finally:
        sys.stdout.flush()
        os._exit(code)


def _send_whole(sheet: Any, name: str, send: Any, out: Any) -> None:  # pragma: no cover
    """A sheet read whole, in chunks of rows."""
    merged = _merged(sheet)
    if merged:  # before the sheet's rows: they end at the next other message
        send("merged", (name, merged))
    # iter_rows starts at row 1 but at the first used column.
    send("sheet", (name, sheet.start[1] if sheet.start else 0))
    out.flush()  # the parent starts on this sheet while the next is parsed
    chunk: list[Row] = []
    for row in sheet.iter_rows():
        chunk.append(row)
        if len(chunk) >= CHUNK_ROWS:
            send("rows", chunk)
            out.flush()
            chunk = []
    if chunk:
        send("rows", chunk)
    out.flush()


class _Writer:  # pragma: no cover - runs in the child
    """Messages to the parent, written by a thread: the child parses the next piece (calamine
    lets go of the GIL while it parses) while the parent is still reading the last one, so
    a full pipe never holds up the parse."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.pending: list[bytes] = []
        # Bounded, so the child does not read far ahead of the parent (memory).
        self.queue: queue.Queue[bytes | None] = queue.Queue(maxsize=_QUEUED)
        self.thread = threading.Thread(target=self._write, daemon=True)
        self.thread.start()

    def send(self, kind: str, payload: object) -> None:
        try:
            data, form = marshal.dumps((kind, payload)), 0  # type: ignore[arg-type]
        except ValueError:  # dates and times: not plain values
            data, form = pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL), 1
        self.pending.append(_HEADER.pack(len(data), form))
        self.pending.append(data)

    def flush(self) -> None:
        if self.pending:
            self.queue.put(b"".join(self.pending))
            self.pending = []

    def close(self) -> None:
        self.flush()
        self.queue.put(None)
        self.thread.join()

    def _write(self) -> None:
        broken = False  # the parent stopped reading: take the rest, so no sender waits
        while (data := self.queue.get()) is not None:
            view = memoryview(data)
            while view and not broken:
                try:
                    view = view[os.write(self.fd, view) :]
                except OSError:
                    broken = True


class _Stop(Exception):
    """The pieces of a sheet told the parent to read the file again: nothing more to send."""


def _send_pieces(  # pragma: no cover - runs in the child; its effects are tested
    path: Path,
    name: str,
    parts: dict[str, str],
    send: Any,
    out: Any,
) -> bool:
    """Send sheet ``name`` read in pieces (see the module's docstring); False, having sent
    nothing, for a sheet too small to gain from it or whose XML does not start plainly.

    The sheet's XML is decompressed as the pieces are cut from it, never held whole (a
    sheet of a million lines is ~430 MB of XML): each piece is the sheet's text before its
    rows, some rows, and ``</sheetData></worksheet>``. What follows the rows (merged cells
    …) is read last, on its own, and sent after the rows; if it could close a comment,
    CDATA or processing instruction a cut may have opened, or the rows never end, the
    whole read decides (:class:`ReadAgain`)."""
    part = parts[name]
    loaded = _load(path, part, set(parts.values()) - {part})
    if loaded is None:
        return False
    members, pieces, strings_part, size = loaded
    with zipfile.ZipFile(path) as archive, archive.open(part) as handle:
        stream = _Stream(handle, max(size // pieces, 1))
        head = stream.head()
        if head is None:
            return False
        # Each piece with the part of the shared strings it takes (see _Strings).
        strings = _Strings(name, part, members, strings_part, head)
        next_row, first_column, widest = 0, -1, 0
        bodies = stream.bodies()
        with concurrent.futures.ThreadPoolExecutor(PARSERS) as pool:
            parsing = collections.deque(
                pool.submit(strings.parse, body) for body in itertools.islice(bodies, PARSERS)
            )
            while parsing:
                parsed = parsing.popleft().result()
                following = next(bodies, None)
                if following is not None:
                    parsing.append(pool.submit(strings.parse, following))
                sheet, failed = parsed
                if failed:
                    _again(send, out, failed)
                start, end = sheet.start, sheet.end
                if start is None or end is None:
                    continue
                if first_column < 0:
                    first_column = start[1]
                    send("sheet", (name, first_column))
                span = (start, end)
                widest = _in_order(send, out, name, span, (next_row, first_column, widest))
                try:
                    rows = sheet.to_python(skip_empty_area=True)
                    _send_rows(send, rows, start, first_column, next_row)
                    out.flush()
                except Exception as error:  # e.g. MemoryError: the plain read decides
                    _again(send, out, f"{name!r}: {type(error).__name__}")
                del rows, sheet
                next_row = end[0] + 1
        if stream.failed:
            _again(send, out, f"{name!r}: {stream.failed}")
        merged = strings.merged(stream.tail, send, out)
    if first_column < 0:
        if merged:
            send("merged", (name, merged))
        send("sheet", (name, 0))
    elif merged:  # after the rows: the parent keeps it for the sheet all the same
        send("merged", (name, merged))
    return True


class _Stream:  # pragma: no cover - runs in the child; its effects are tested
    """A sheet's XML, decompressed as it is cut: the text before its rows, then the rows in
    pieces of about ``size`` bytes, each cut where a row tag naming its row starts (see
    _row_cut), then what follows the rows (``tail``). ``failed`` says why the rows could
    not be read to their end (the whole read then decides)."""

    def __init__(self, handle: Any, size: int) -> None:
        self.handle, self.size = handle, size
        self.buffer = b""
        self.tail = b""
        self.failed = ""

    def _more(self) -> bool:
        try:
            chunk = self.handle.read(max(self.size, _STREAM_CHUNK))
        except Exception as error:  # a damaged part: the whole read decides
            self.failed = f"{type(error).__name__} {error}"
            return False
        if not chunk:
            return False
        self.buffer += chunk
        return True

    def head(self) -> bytes | None:
        """Up to and with ``<sheetData>``; None if the rows do not start so (plainly)."""
        while (at := self.buffer.find(b"<sheetData>")) < 0:
            if len(self.buffer) > _HEAD_BYTES or not self._more():
                return None
        at += len(b"<sheetData>")
        head, self.buffer = self.buffer[:at], self.buffer[at:]
        return head

    def bodies(self) -> Iterator[bytes]:
        """The rows in pieces, up to the first ``</sheetData>`` (where calamine stops)."""
        searched = 0
        while True:
            end = self.buffer.find(b"</sheetData>", max(searched - len(b"</sheetData>"), 0))
            limit = end if end >= 0 else len(self.buffer)
            while limit > 0:
                cut = _row_cut(self.buffer, self.size, limit) if limit > self.size else -1
                if cut <= 0:
                    if end < 0:
                        break  # more rows are needed to find a place to cut
                    cut = limit  # the last rows, one piece
                yield self.buffer[:cut]
                self.buffer = self.buffer[cut:]
                limit -= cut
                end = end - cut if end >= 0 else end
            if end >= 0:
                while self._more():  # what follows the rows: merged cells, page setup …
                    pass
                self.tail, self.buffer = self.buffer, b""
                return
            searched = len(self.buffer)
            if not self._more():
                self.failed = self.failed or "the rows do not end (no </sheetData>)"
                return


def _row_cut(xml: bytes, at: int, limit: int) -> int:
    """Where a row tag that names its row (``r="…"``, so that a piece's rows are numbered
    as in the whole) starts at or after ``at``, within a few tags; -1 if none does."""
    at = xml.find(b"<row ", at, limit)
    for _ in range(_ROW_TRIES):
        if at < 0:
            return -1
        tag_end = xml.find(b">", at, limit)
        if tag_end < 0:
            return -1
        if _ROW_REF.search(xml, at, tag_end):
            return at
        at = xml.find(b"<row ", tag_end, limit)
    return -1


def _in_order(  # pragma: no cover - runs in the child
    send: Any,
    out: Any,
    name: str,
    span: tuple[tuple[int, int], tuple[int, int]],
    after: tuple[int, int, int],
) -> int:
    """The widest column so far, once a piece spanning ``span`` (its first and last cell)
    is known to follow the pieces before it (the next row, the first column and the widest
    column of those): else the whole read decides."""
    (start, end), (next_row, first_column, widest) = span, after
    if start[0] < next_row or start[1] < first_column:
        _again(send, out, f"rows of {name!r} out of order at row {start[0] + 1}")
    widest = max(widest, end[1])
    if (end[0] + 1) * (widest - first_column + 1) > limits.MAX_CELLS:
        # The whole sheet's rectangle is what the plain read refuses (or dies of).
        _again(send, out, f"{name!r} spans more than {limits.MAX_CELLS:,} cells")
    return widest


_STRINGS_TYPE = re.compile(
    rb"""<Relationship\b[^>]*?\bType\s*=\s*["'][^"']*/sharedStrings["'][^>]*>"""
)
_TARGET = re.compile(rb"""\bTarget\s*=\s*["']([^"']+)["']""")
_SHARED_INDEX = re.compile(rb't="s"><v>([0-9]{1,9})</v>')
_LOOK_BACK = 1 << 16  # bytes at a piece's end looked at for the strings it takes
_STREAM_CHUNK = 1 << 20  # bytes of a sheet's XML decompressed at a time (see _Stream)
_HEAD_BYTES = 1 << 24  # the text before a sheet's rows, at most, for it to be cut
_PIECE_TAIL = b"</sheetData></worksheet>"  # what ends each piece
_SLACK = 20  # … and 1/_SLACK of the table more than the largest index found there


class _Strings:  # pragma: no cover - runs in the child; its effects are tested
    """The pieces of one sheet, each parsed with as much of the shared-string table as
    it needs.

    calamine reads a workbook's whole shared-string table whenever it opens one, so a piece
    carrying the whole table cost as much again as its rows, and a large table meant few,
    large pieces (the first piece's rows came late). Excel, XlsxWriter, LibreOffice and
    openpyxl number the strings in order of first use, so the rows of a piece take strings
    up to about the largest index near its end: a piece carries the table's first strings
    up to that index (and some more), cut at a string's end, which calamine reads exactly
    as it reads them in the whole table. A piece that takes a string past its part of the
    table (calamine refuses the index) is parsed again with the whole table, as is every
    piece of a table with markup a cut could split (a comment, CDATA)."""

    def __init__(
        self,
        name: str,
        part: str,
        members: dict[str, bytes],
        strings_part: str | None,
        head: bytes,
    ) -> None:
        self.name, self.part, self.members, self.head = name, part, members, head
        table = members.get(strings_part or "", b"")
        self.strings_part = strings_part if table and b"<!" not in table else None
        self.table = table
        self.start = table.find(b"<si")
        self.count = table.count(b"</si>")
        self.cut: list[bool] = []  # for each piece, whether a part of the table served

    def parse(self, body: bytes) -> tuple[Any, str]:
        """A piece of the sheet's rows, parsed."""
        content = (self.head, body, _PIECE_TAIL)
        part = self._part_of_table(body)
        if part is not None:
            members = {**self.members, self.strings_part or "": part}
            sheet, failed = _parse_piece(self.name, self.part, members, content)
            if not failed:
                self.cut.append(True)
                return sheet, failed
        self.cut.append(False)
        return _parse_piece(self.name, self.part, self.members, content)

    def merged(self, tail: bytes, send: Any, out: Any) -> tuple[tuple[int, int, int, int], ...]:
        """The merged cells of the sheet, from what follows its rows (read with none); the
        whole read decides if that text could close a comment, CDATA or processing
        instruction a cut may have opened, holds more rows, or cannot be read."""
        after = tail[len(b"</sheetData>") :]
        if any(mark in after for mark in (b"-->", b"]]>", b"?>", b"<sheetData")):
            _again(send, out, f"what follows the rows of {self.name!r}")
        members: dict[str, Any] = dict(self.members)
        if self.strings_part is not None and self.start >= 0:
            members[self.strings_part] = (memoryview(self.table)[: self.start], b"</sst>")
        sheet, failed = _parse_piece(self.name, self.part, members, (self.head, tail))
        if failed:
            _again(send, out, failed)
        return _merged(sheet)

    def _part_of_table(self, body: bytes) -> tuple[Any, ...] | None:
        """The table's first strings, as many as the piece seems to take, closed; None
        for the whole table."""
        if self.strings_part is None or self.start < 0 or not self.count:
            return None
        found = _SHARED_INDEX.findall(body, max(0, len(body) - _LOOK_BACK))
        wanted = max(map(int, found), default=0) + 1 + self.count // _SLACK
        if wanted >= self.count:
            return None
        table = self.table
        size = (len(table) - self.start) / self.count  # bytes per string, about
        at = self.start + int(wanted * size)
        while True:
            at = table.find(b"</si>", at)
            if at < 0:
                return None
            at += len(b"</si>")
            have = table.count(b"</si>", self.start, at)
            if have >= wanted:
                return (memoryview(table)[:at], b"</sst>")
            at += int((wanted - have) * size)


def _strings_part(members: dict[str, bytes]) -> str | None:
    """The shared-string table's part, as the workbook's relationships name it."""
    rels = members.get("xl/_rels/workbook.xml.rels", b"")
    found = _STRINGS_TYPE.search(rels)
    target = _TARGET.search(found.group(0)) if found is not None else None
    if target is None:
        return None
    text = target.group(1).decode("utf-8", "replace")
    part = limits._normal(text.lstrip("/") if text.startswith("/") else f"xl/{text}")
    return part if part in members else None


def _pieces(
    xml: bytes | int, members: dict[str, bytes], leave_out: set[str], most: int = MAX_PIECES
) -> int:
    """How many pieces a sheet of ``xml`` (its size) is cut into: each at least
    :data:`PIECE_BYTES` and as large as the other XML a piece carries (and its reader reads
    again), ``leave_out`` aside."""
    size = xml if isinstance(xml, int) else len(xml)
    overhead = sum(len(data) for member, data in members.items() if member not in leave_out)
    return min(most, MAX_PIECES, size // max(PIECE_BYTES, overhead * OVERHEAD_PER_PIECE))


def _parse_piece(  # pragma: no cover - runs in the child
    name: str, part: str, members: dict[str, Any], content: Any
) -> tuple[Any, str]:
    """One piece as a workbook of its own, parsed (in a thread: calamine lets go of the GIL
    while it parses, so two pieces are parsed at once); or why it could not be. A part's
    data may be given in pieces (a tuple of bytes-like objects), which are written into the
    piece's archive as they are, not first joined (memory)."""
    import python_calamine  # noqa: PLC0415

    try:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as piece:
            for member, data in [*members.items(), (part, content)]:
                if isinstance(data, tuple):
                    with piece.open(member, "w") as handle:
                        for chunk in data:
                            handle.write(chunk)
                else:
                    piece.writestr(member, data)
        buffer.seek(0)
        return python_calamine.CalamineWorkbook.from_filelike(buffer).get_sheet_by_name(name), ""
    except Exception as error:  # not readable on its own: the whole file decides
        return None, f"a piece of {name!r}: {type(error).__name__} {error}"


def _send_rows(  # pragma: no cover - runs in the child
    send: Any, rows: list[Row], start: tuple[int, int], first_column: int, next_row: int
) -> None:
    """A piece's rows as the whole sheet's would be: from the first piece's first column,
    after empty rows for any row without cells since the last piece."""
    pad = [""] * (start[1] - first_column)
    if pad:
        rows = [pad + row for row in rows]
    if start[0] > next_row:
        gap: list[Row] = [[] for _ in range(start[0] - next_row)]
        for at in range(0, len(gap), CHUNK_ROWS):
            send("rows", gap[at : at + CHUNK_ROWS])
    for at in range(0, len(rows), CHUNK_ROWS):
        send("rows", rows[at : at + CHUNK_ROWS])


def _large_parts(path: Path, parts: dict[str, str]) -> set[str]:  # pragma: no cover
    """The sheets whose XML is large enough to be read in pieces (see _load)."""
    try:
        with zipfile.ZipFile(path) as archive:
            sizes = {item.filename: item.file_size for item in archive.infolist()}
    except Exception:  # the plain read decides
        return set()
    return {name for name, part in parts.items() if sizes.get(part, 0) >= SPLIT_BYTES}


def _load(  # pragma: no cover - runs in the child
    path: Path, part: str, others: set[str]
) -> tuple[dict[str, bytes], int, str | None, int] | None:
    """The other XML parts a piece needs (other sheets stubbed), how many pieces (the
    shared-string table left out: see :class:`_Strings`), the table's part and the sheet's
    size; None when cutting would not pay."""
    try:
        with zipfile.ZipFile(path) as archive:
            size = archive.getinfo(part).file_size
            if size < SPLIT_BYTES:
                return None
            # Every part but the media a drawing shows: calamine finds its parts through the
            # relationships, whatever they are called.
            kept = [
                item
                for item in archive.infolist()
                if item.filename != part
                and not item.is_dir()
                and not item.filename.lower().startswith(("xl/media/", "xl/embeddings/"))
            ]
            members = {
                item.filename: _EMPTY_SHEET if item.filename in others else archive.read(item)
                for item in kept
            }
            strings_part = _strings_part(members)
            pieces = _pieces(size, members, {strings_part} if strings_part else set())
            if pieces < 2:
                return None
            return members, pieces, strings_part, size
    except Exception:  # e.g. a damaged part calamine may never read: the plain read decides
        return None


def _again(send: Any, out: Any, why: str) -> None:  # pragma: no cover - runs in the child
    send("again", why)
    out.flush()
    raise _Stop


_EMPTY_SHEET = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<sheetData/></worksheet>"
)


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    try:
        with open("/proc/self/statm") as handle:
            used = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        used = 0
    limit = used + CHILD_MEMORY
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
