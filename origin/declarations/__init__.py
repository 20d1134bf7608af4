"""Supplier declarations of origin: the register, how materials rely on it, and its checks.

``origin.declarations.load(path)`` reads a register (CSV, xlsx or JSON, the
``origin-declarations/1`` format: docs/declarations.md) into a :class:`Register`;
``agreement.determine(case, date, declarations=register)`` then counts a material as
originating only when a declaration for the agreement, valid on the day, backs it.
"""

from __future__ import annotations

from origin.declarations.reader import Problem, ReadResult, load, read
from origin.declarations.register import (
    FIELDS,
    FORMAT,
    Declaration,
    DeclarationError,
    Register,
    RegisterError,
)

__all__ = [
    "FIELDS",
    "FORMAT",
    "Declaration",
    "DeclarationError",
    "Problem",
    "ReadResult",
    "Register",
    "RegisterError",
    "load",
    "read",
]
