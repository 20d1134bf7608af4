"""Output files of ``origin check``: complete or absent, never through a link, never an input.

Three rules for everything the toolkit writes from a workbook check (the results workbook,
the broker export, the template):

* **Checked first.** :func:`check_outputs` refuses, before any work, an output that is a
  folder, a device or pipe, a symbolic link (writing would change the link's target), in a
  missing folder, in a folder that cannot be written, the same file as an input (however
  spelled: another path, a hard link) or the same file as another output.
* **Complete or absent.** :func:`replacing` writes a temporary file in the destination's
  folder and renames it into place only once it is complete and on disk; a write that fails
  (disk full, file too large, permission) removes it and leaves the previous file as it was.
  The rename replaces a symbolic link itself, never its target.
* **Text shown, never dropped.** :func:`visible` turns the characters a cell, a CSV field or a
  terminal must not get raw (C0 controls but tab, line feed and carriage return; DEL; C1
  controls such as CSI; lone surrogates; U+FFFE and U+FFFF) into visible escapes: ``\\x00``,
  ``\\x1b``, ``\\ud800``. The writers say where they did it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from origin.errors import InputError

# Not allowed in XML 1.0 (so not in a cell), or invisible controls a terminal acts on.
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# The same, and the line breaks and tab: for one line of a terminal report.
UNSAFE_IN_A_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, line: bool = False) -> str:
    """``text`` with every unsafe character as a visible escape (``"A\\x00B"`` for A, NUL, B).

    >>> visible("A\\x00B\\x1b[2J")
    'A\\\\x00B\\\\x1b[2J'
    >>> visible("tab\\tand\\nline", line=True)
    'tab\\\\x09and\\\\x0aline'
    """
    if text.isprintable():  # fast path: every unsafe character is non-printable
        return text
    return (UNSAFE_IN_A_LINE if line else UNSAFE).sub(_escape, text)


def check_outputs(outputs: Iterable[Path | None], inputs: Iterable[Path | None] = ()) -> None:
    """Refuse (``InputError``, "cannot write PATH: why") any output that could not be written
    whole or would destroy something: see the module's rules. Called before any work."""
    wanted = [path for path in outputs if path is not None]
    sources = [path for path in inputs if path is not None and path.exists()]
    for path in wanted:
        _check_one(path)
        if path.exists():
            for source in sources:
                if os.path.samefile(path, source):
                    raise InputError(
                        f"cannot write {path}: it is an input of this check ({source}); "
                        "give the output another name"
                    )
    for index, path in enumerate(wanted):
        for other in wanted[index + 1 :]:
            if path.resolve() == other.resolve():
                raise InputError(
                    f"cannot write {path}: another output ({other}) is the same file; "
                    "give each output its own"
                )


def _check_one(path: Path) -> None:
    if path.is_symlink():
        raise InputError(
            f"cannot write {path}: it is a symbolic link (to {os.readlink(path)}); writing "
            "would change the file it points to: give the real file's path, or another name"
        )
    if path.exists():
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise InputError(f"cannot write {path}: it is a folder; give a file name")
        if not stat.S_ISREG(mode):
            raise InputError(
                f"cannot write {path}: it is not a regular file (a device, pipe or socket)"
            )
    folder = path.parent
    if not folder.exists():
        raise InputError(f"cannot write {path}: no such folder {folder}")
    if not folder.is_dir():
        raise InputError(f"cannot write {path}: {folder} is not a folder")
    try:  # the one sure test that the folder takes a new file (permissions, read-only disk)
        handle, name = tempfile.mkstemp(prefix=".origin-", suffix=".tmp", dir=folder)
    except OSError as error:
        raise InputError(f"cannot write {path}: {error.strerror or error}") from None
    os.close(handle)
    os.unlink(name)


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write; renamed onto ``path`` when the block ends
    without an exception (after its data is on disk), removed otherwise."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name[:80]}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        with temporary.open("rb+") as written:
            os.fsync(written.fileno())
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def _mode_for(path: Path) -> int:
    """The permissions the file would have had: those of the file it replaces, else the
    usual ones for a new file (0666 less the umask; ``mkstemp`` makes 0600)."""
    with contextlib.suppress(OSError):
        mode = path.stat(follow_symlinks=False).st_mode
        if stat.S_ISREG(mode):
            return stat.S_IMODE(mode)
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def os_error(error: Exception) -> OSError | None:
    """The write failure behind ``error``: itself if an ``OSError``; lxml's serialisation
    errors (``IO_ENOSPC``, ``IO_EFBIG``, raised as its own type by openpyxl's write-only
    sheets) as the ``OSError`` they stand for; None for anything else."""
    if isinstance(error, OSError):
        return error
    text = str(error)
    match = re.match(r"IO_(E[A-Z]+)", text)
    if type(error).__name__ == "SerialisationError" and match:
        code = getattr(errno, match.group(1), None)
        if code is not None:
            return OSError(code, os.strerror(code))
        return OSError(errno.EIO, text)
    return None
