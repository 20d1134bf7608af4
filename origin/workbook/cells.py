"""Read a workbook's sheets as rows of Python values, fast and without risking the process.

python-calamine reads ~10× faster than openpyxl but aborts the process (SIGABRT) when an
allocation fails, which hostile files provoke (measured-findings). On POSIX the read runs in
a forked child with an address-space limit; rows come back through a pipe in pickled
chunks, so the parent parses rows while the child is still sending, and meanwhile scans the
XML itself (:mod:`origin.workbook.limits`) to name the cause precisely. Without ``fork``
the file is read in-process, only after that scan has passed.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import pickle
import resource
import signal
import struct
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

from origin.workbook import limits
from origin.workbook.problems import WorkbookError

CHUNK_ROWS = 4096
CHILD_MEMORY = 3 * 1024 * 1024 * 1024  # address space allowed to the reader, above the parent's
_HEADER = struct.Struct("<Q")
Row = list[Any]


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

    def add(self, scans: Iterable[limits.SheetScan]) -> None:
        for scan in scans:
            self.formulas_without_value[scan.name] = scan.formulas_without_value
            self.errors[scan.name] = scan.errors
            self.hidden_rows[scan.name] = scan.hidden_rows


def read(path: Path, flags: Flags | None = None) -> Iterator[SheetRows]:
    """Every sheet in workbook order; ``flags`` is filled in by the end of the iteration.
    Raises :class:`WorkbookError` for unreadable files.

    The caller must consume each sheet's chunks before asking for the next sheet.
    """
    flags = flags if flags is not None else Flags()
    checked = limits.check_file(path)
    if hasattr(os, "fork") and not os.environ.get("ORIGIN_WORKBOOK_IN_PROCESS"):
        return _read_in_child(path, checked, flags)
    if checked.kind is not limits.Kind.XLSX:
        raise WorkbookError(
            f"{path.name}: .xls, .xlsb and .ods files are read only where a child process "
            "can be used (POSIX); save the file as .xlsx"
        )
    flags.add(limits.scan(path, checked))
    return _read_here(path)


# --------------------------------------------------------------------------- in-process


def _open(path: Path) -> Any:
    import python_calamine  # noqa: PLC0415 - only needed when a workbook is read

    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a name in another encoding: calamine takes only UTF-8 paths
        with path.open("rb") as handle:
            return python_calamine.CalamineWorkbook.from_filelike(handle)
    return python_calamine.CalamineWorkbook.from_path(text)


def _read_here(path: Path) -> Iterator[SheetRows]:
    try:
        book = _open(path)
        for name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            chunks = iter([rows[i : i + CHUNK_ROWS] for i in range(0, len(rows), CHUNK_ROWS)])
            yield SheetRows(name, chunks, 0)
    except Exception as error:  # calamine's errors are several unrelated classes
        raise WorkbookError(
            _calamine_message(path.name, type(error).__name__, str(error))
        ) from None


def _calamine_message(name: str, kind: str, text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else kind
    if kind == "PasswordError" or "password" in text.lower() or "encrypt" in text.lower():
        return f"{name}: is password-protected (encrypted); save an unprotected copy and check that"
    if kind in ("ZipError", "XmlError"):
        return f"{name}: is damaged: {first}"
    return f"{name}: cannot be read as a workbook: {first}"


# --------------------------------------------------------------------------- child process


def _read_in_child(path: Path, checked: limits.Checked, flags: Flags) -> Iterator[SheetRows]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child; its effects are tested
        os.close(read_end)
        _child(path, write_end, checked)
    os.close(write_end)
    stream = os.fdopen(read_end, "rb", buffering=1 << 20)
    finished = False
    try:
        if checked.kind is limits.Kind.XLSX:
            # While the child parses (this process has nothing else to do until its rows
            # arrive), find the formulas without a saved result and the cached error cells
            # the reader cannot see: a streaming scan within the same size limits.
            flags.add(limits.scan(path, checked, extent=False))
        yield from _receive(path, stream, pid, flags, checked)
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


def _receive(
    path: Path, stream: Any, pid: int, flags: Flags, checked: limits.Checked
) -> Iterator[SheetRows]:
    def messages() -> Iterator[tuple[str, Any]]:
        while True:
            head = stream.read(_HEADER.size)
            if len(head) < _HEADER.size:
                _, status = os.waitpid(pid, 0)
                signal_number = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
                if checked.kind is limits.Kind.XLSX:
                    limits.scan(path, checked)  # names a hostile shape precisely, if it can
                raise WorkbookError(_died(path, signal_number))
            (size,) = _HEADER.unpack(head)
            message: tuple[str, Any] = pickle.loads(stream.read(size))
            yield message

    incoming = messages()
    pending: tuple[str, Any] | None = next(incoming)
    while pending is not None:
        kind, payload = pending
        if kind == "error":
            raise WorkbookError(_calamine_message(path.name, payload[0], payload[1]))
        if kind == "end":
            return
        if kind == "flags":
            flags.add(payload)
            pending = next(incoming)
            continue
        if kind != "sheet":  # pragma: no cover - protocol violation
            raise WorkbookError(f"{path.name}: reader protocol error ({kind})")
        box: list[tuple[str, Any] | None] = [None]

        def chunks(box: list[tuple[str, Any] | None] = box) -> Iterator[list[Row]]:
            count = 0
            for message in incoming:
                if message[0] != "rows":
                    box[0] = message
                    return
                rows = message[1]
                count += len(rows) * max(len(rows[0]), 1)
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
        pending = box[0]


def _child(path: Path, fd: int, checked: limits.Checked) -> None:  # pragma: no cover - child
    code = 0
    try:
        # An abort prints Rust's and Python's crash reports; the parent reports it in one line.
        faulthandler.disable()  # (pytest enables it on a duplicate of stderr)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _limit_memory()
        with os.fdopen(fd, "wb", buffering=1 << 20) as out:

            def send(kind: str, payload: object) -> None:
                data = pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL)
                out.write(_HEADER.pack(len(data)))
                out.write(data)

            try:
                book = _open(path)
                for name in book.sheet_names:
                    sheet = book.get_sheet_by_name(name)
                    # iter_rows starts at row 1 but at the first used column.
                    send("sheet", (name, sheet.start[1] if sheet.start else 0))
                    out.flush()  # the parent starts on this sheet while the next is parsed
                    chunk: list[Row] = []
                    for row in sheet.iter_rows():
                        chunk.append(row)
                        if len(chunk) >= CHUNK_ROWS:
                            send("rows", chunk)
                            chunk = []
                    if chunk:
                        send("rows", chunk)
                    out.flush()
                send("end", None)
            except Exception as error:
                send("error", (type(error).__name__, str(error)[:500]))
            out.flush()
    except BaseException:
        code = 1
    finally:
        sys.stdout.flush()
        os._exit(code)


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
