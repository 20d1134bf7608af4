"""origin: exact, explainable rules-of-origin determinations for New Zealand's agreements.

``origin.qualify(case, date=None)`` decides a case under every installed agreement and
ranks the claims (:func:`origin.comparison.qualify`); it is imported on first use, so that
``import origin`` stays light.
"""

from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("origin")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"


def __getattr__(name: str) -> Any:
    if name == "qualify":
        from origin.comparison import qualify  # noqa: PLC0415 - loads every agreement

        return qualify
    raise AttributeError(f"module 'origin' has no attribute {name!r}")
