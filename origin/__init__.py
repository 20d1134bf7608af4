"""origin: exact, explainable rules-of-origin determinations for New Zealand's agreements."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("origin")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
