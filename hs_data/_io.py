"""Opening reference files with a clear message when they are missing or unreadable."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TextIO

from origin.errors import InputError


def read_bytes(path: Path, error: type[InputError] = InputError) -> bytes:
    """The file's bytes, or one line naming the file when it is missing or unreadable."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except OSError as problem:
        raise error(f"{path}: cannot be read ({problem.strerror})") from None


def text_of(data: bytes, path: Path, error: type[InputError] = InputError) -> TextIO:
    """UTF-8 text (a byte-order mark, as Excel writes, is dropped), ready for csv.

    The bytes are decoded here, whole, so a file that is not UTF-8 text (a workbook given
    where a CSV is expected) is refused in one line naming the file and byte, instead of a
    UnicodeDecodeError surfacing half-way through whoever reads the rows.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        line = data[: problem.start].count(b"\n") + 1
        raise error(
            f"{path}: line {line}: byte {problem.start} is not UTF-8 text; expected a CSV "
            "file in UTF-8 (a workbook must be saved as CSV first)"
        ) from None
    return io.StringIO(text, newline="")


def open_text(path: Path, error: type[InputError] = InputError) -> TextIO:
    """The file read whole and decoded as :func:`text_of` does."""
    return text_of(read_bytes(path, error), path, error)
