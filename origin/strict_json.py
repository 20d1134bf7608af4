"""JSON read so that nothing in the file is silently dropped or crashes the reader.

The standard parser keeps the *last* of two equal keys in one object, which lets a file say
two things and have one of them vanish; and it recurses once per nesting level, so a deep
file (a BOM many levels deep is a deep file) either needs a raised recursion limit or raises
``RecursionError``. :func:`loads` refuses a repeated key and nesting past
:data:`MAX_DEPTH` (arrays holding only arrays are let one level further), each as a
``json.JSONDecodeError`` whose line and column point at the place, like any other syntax
error. Every JSON reader of the toolkit goes through here.

>>> loads('{"a": 1.10, "b": [1, 2]}')
{'a': Decimal('1.10'), 'b': [1, 2]}
>>> loads('{"a": 1, "b": 2, "a": 3}')
Traceback (most recent call last):
json.decoder.JSONDecodeError: key "a" appears twice in one object: line 1 column 18 (char 17)
>>> loads("[" * 5000 + "]" * 5000)
Traceback (most recent call last):
json.decoder.JSONDecodeError: nested more than 4096 levels deep: line 1 column 4097 (char 4096)
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from origin.errors import InputError

MAX_DEPTH = 4096  # a BOM of 2,000 levels (object + components list per level) fits
# The C parser counts one recursive call per array or object, and one more for the hook
# that builds the innermost object; json.loads and the decoder take three frames.
_FRAMES_SPARE = 4

_OUT_DEPTH = 4 * MAX_DEPTH  # written: see dumps

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"\s*:?|[\[\]{}]')


class _Repeated(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Repeated(key)
            seen.add(key)
    return data


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number JSON allows")


def loads(text: str, *, parse_float: Callable[[str], Any] = Decimal) -> Any:
    """Parse ``text`` (numbers with a fraction as ``Decimal`` unless told otherwise).

    Raises ``json.JSONDecodeError`` for bad syntax, ``NaN``/``Infinity``, a repeated key or
    nesting deeper than :data:`MAX_DEPTH`; the error's ``lineno``/``colno`` locate it.
    """
    limit = sys.getrecursionlimit()
    wanted = _depth_now() + MAX_DEPTH + _FRAMES_SPARE
    try:
        if wanted > limit:
            sys.setrecursionlimit(wanted)
        return json.loads(
            text,
            parse_float=parse_float,
            parse_constant=_no_constant,
            object_pairs_hook=_pairs,
        )
    except _Repeated as repeated:
        raise _locate(text, key=repeated.key) from None
    except RecursionError:
        raise _locate(text, key=None) from None
    except json.JSONDecodeError:
        raise
    except ValueError as error:  # NaN, Infinity: the parser gives no position
        raise json.JSONDecodeError(str(error), text, 0) from None
    finally:
        if sys.getrecursionlimit() != limit:
            sys.setrecursionlimit(limit)


class TooDeep(InputError):
    """A structure nested past what :func:`dumps` writes."""


def dumps(data: Any, **options: Any) -> str:
    """``json.dumps`` for the toolkit's own output, which nests as deep as the BOM it explains.

    A determination nests about two levels per BOM level; anything read through
    :func:`loads` is written back (measured: 16,000 levels with ``indent`` stay well inside
    the main thread's stack). Deeper raises :class:`TooDeep`, never ``RecursionError``.
    """
    limit = sys.getrecursionlimit()
    wanted = _depth_now() + _OUT_DEPTH + _FRAMES_SPARE
    try:
        if wanted > limit:
            sys.setrecursionlimit(wanted)
        return json.dumps(data, **options)
    except RecursionError:
        raise TooDeep(f"nested more than {_OUT_DEPTH} levels: too deep to write as JSON") from None
    finally:
        if sys.getrecursionlimit() != limit:
            sys.setrecursionlimit(limit)


def _depth_now() -> int:
    frame, depth = sys._getframe(), 0
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    return depth


def _locate(text: str, *, key: str | None) -> json.JSONDecodeError:
    """The position of the repeated ``key`` (or of the first level past the limit).

    Only called once the fast parse has failed, so this slower scan costs nothing on good
    files. Keys are compared decoded, as the parser compares them.
    """
    depth = 0
    keys: list[set[str] | None] = []  # per open bracket: the keys seen (objects only)
    for token in _TOKEN.finditer(text):
        piece = token.group()
        if piece in "[{":
            depth += 1
            if key is None and depth > MAX_DEPTH:
                return json.JSONDecodeError(
                    f"nested more than {MAX_DEPTH} levels deep", text, token.start()
                )
            keys.append(set() if piece == "{" else None)
        elif piece in "]}":
            depth -= 1
            if keys:
                keys.pop()
        elif piece.endswith(":") and keys and keys[-1] is not None and key is not None:
            name = json.loads(piece.rstrip(":").rstrip())
            if name in keys[-1] and name == key:
                return json.JSONDecodeError(
                    f"key {json.dumps(key)} appears twice in one object", text, token.start()
                )
            keys[-1].add(name)
    message = (
        f"nested more than {MAX_DEPTH} levels deep" if key is None else f"key {key!r} repeated"
    )
    return json.JSONDecodeError(message, text, 0)
