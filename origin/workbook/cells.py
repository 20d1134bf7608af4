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
import os
import pickle
import resource
import signal
import struct
import sys
from collections.abc import Iterator
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
    formulas_without_value: tuple[str, ...] = ()  # cell references, xlsx only
    first_column: int = 0  # index of the column the rows start at (0 = A); rows start at 1
    error_cells: tuple[str, ...] = ()  # cells holding an Excel error value, xlsx only


def read(path: Path) -> Iterator[SheetRows]:
    """Every sheet in workbook order. Raises :class:`WorkbookError` for unreadable files.

    The caller must consume each sheet's chunks before asking for the next sheet.
    """
    checked = limits.check_file(path)
    if hasattr(os, "fork") and not os.environ.get("ORIGIN_WORKBOOK_IN_PROCESS"):
        return _read_in_child(path, checked)
    if checked.kind is not limits.Kind.XLSX:
        raise WorkbookError(
            f"{path.name}: .xls, .xlsb and .ods files are read only where a child process "
            "can be used (POSIX); save the file as .xlsx"
        )
    scans = {s.name: s for s in limits.scan(path, checked)}
    return _read_here(path, scans)


# --------------------------------------------------------------------------- in-process


def _open(path: Path) -> Any:
    import python_calamine  # noqa: PLC0415 - only needed when a workbook is read

    return python_calamine.CalamineWorkbook.from_path(str(path))


def _read_here(path: Path, scans: dict[str, limits.SheetScan]) -> Iterator[SheetRows]:
    try:
        book = _open(path)
        for name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            chunks = iter([rows[i : i + CHUNK_ROWS] for i in range(0, len(rows), CHUNK_ROWS)])
            scan = scans.get(name)
            yield SheetRows(
                name,
                chunks,
                scan.formulas_without_value if scan else (),
                0,
                scan.errors if scan else (),
            )
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


def _read_in_child(path: Path, checked: limits.Checked) -> Iterator[SheetRows]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child; its effects are tested
        os.close(read_end)
        _child(path, write_end)
    os.close(write_end)
    stream = os.fdopen(read_end, "rb", buffering=1 << 20)
    finished = False
    try:
        # While the child parses, name any hostile shape precisely (and stop the child).
        scans = {s.name: s for s in limits.scan(path, checked)}
        yield from _receive(path, stream, pid, scans)
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
    path: Path, stream: Any, pid: int, scans: dict[str, limits.SheetScan]
) -> Iterator[SheetRows]:
    def messages() -> Iterator[tuple[str, Any]]:
        while True:
            head = stream.read(_HEADER.size)
            if len(head) < _HEADER.size:
                _, status = os.waitpid(pid, os.WNOHANG)
                signal_number = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
                if not signal_number:
                    _, status = os.waitpid(pid, 0)
                    signal_number = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
                raise WorkbookError(_died(path, signal_number or 0))
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
        if kind != "sheet":  # pragma: no cover - protocol violation
            raise WorkbookError(f"{path.name}: reader protocol error ({kind})")
        box: list[tuple[str, Any] | None] = [None]

        def chunks(box: list[tuple[str, Any] | None] = box) -> Iterator[list[Row]]:
            for message in incoming:
                if message[0] == "rows":
                    yield message[1]
                else:
                    box[0] = message
                    return

        name, first_column = payload
        scan = scans.get(name)
        sheet = SheetRows(
            name,
            chunks(),
            scan.formulas_without_value if scan else (),
            first_column,
            scan.errors if scan else (),
        )
        yield sheet
        for _ in sheet.chunks:  # the caller may skip a sheet: drain it
            pass
        pending = box[0]


def _child(path: Path, fd: int) -> None:  # pragma: no cover - runs in the child
    code = 0
    try:
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
                    chunk: list[Row] = []
                    for row in sheet.iter_rows():
                        chunk.append(row)
                        if len(chunk) >= CHUNK_ROWS:
                            send("rows", chunk)
                            chunk = []
                    if chunk:
                        send("rows", chunk)
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
