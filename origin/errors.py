"""The one exception the command line shows as a plain message.

Subcommands outside the engine (HS data, workbooks, levies) raise an ``InputError`` (or a
subclass) for bad user input: the ``origin`` command prints its message, without a traceback,
and exits 2. Anything else escaping is a bug.
"""

from __future__ import annotations


class InputError(ValueError):
    """Bad input a user can fix; ``str(error)`` says where and what was expected."""


class CaseError(ValueError):
    """The case contradicts itself or the agreement (e.g. an unknown cost category); raised
    by the engine and the plugins, kept here so that the command line can name it without
    loading the engine."""
