"""Opening reference files with a clear message when they are missing or unreadable."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from origin.errors import InputError


def open_text(path: Path, error: type[InputError] = InputError) -> TextIO:
    """UTF-8 text (a byte-order mark, as Excel writes, is dropped); newline='' for csv."""
    try:
        return path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except OSError as problem:
        raise error(f"{path}: cannot be read ({problem.strerror})") from None
