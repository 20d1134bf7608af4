"""Requalification (issue 21): what changed since an earlier run, and why.

``origin check … --out results.xlsx`` each cycle; next cycle ``origin check … --previous
results.xlsx`` lists the products whose verdict, decisive RVC or inputs' fingerprint
changed, with the material, declaration, rule or date behind it, and the products new and
gone (docs/requalification.md). From Python or a notebook::

    from origin import requalify
    r = requalify.compare("last-cycle.xlsx", "this-cycle.xlsx")
    print(r)                       # the same text as the command
    requalify.to_json(r)           # origin-requalification/1
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from origin.requalify.diff import Cause, ProductChange, Requalification, compare_snapshots
from origin.requalify.read import load
from origin.requalify.render import FORMAT, text, to_json
from origin.requalify.states import MaterialState, ProductState, Snapshot, from_batch, from_decided

__all__ = [
    "FORMAT",
    "Cause",
    "MaterialState",
    "ProductChange",
    "ProductState",
    "Requalification",
    "Snapshot",
    "compare",
    "from_batch",
    "from_decided",
    "load",
    "snapshot",
    "text",
    "to_json",
]


def snapshot(source: Any, name: str = "this run") -> Snapshot:
    """A run as a :class:`Snapshot`: a results workbook or broker export (a path), a
    :class:`origin.workbook.batch.Batch`, or ``Decided`` items."""
    from origin.workbook.batch import Batch  # noqa: PLC0415

    if isinstance(source, Snapshot):
        return source
    if isinstance(source, (str, Path)):
        return load(source)
    if isinstance(source, Batch):
        return from_batch(source, name)
    if isinstance(source, Iterable):
        return from_decided(source, name)
    raise TypeError(
        f"cannot compare a {type(source).__name__}: give a file, a Batch or Decided items"
    )


def compare(old: Any, new: Any) -> Requalification:
    """What changed from ``old`` to ``new`` (each a results workbook or broker export path,
    a ``Batch`` from :func:`origin.workbook.batch.check`, ``Decided`` items, or a
    :class:`Snapshot`)."""
    return compare_snapshots(snapshot(old, "the old run"), snapshot(new))


CHANGED = 3  # exit status of ``origin check --previous`` when anything changed (for schedulers)


def report(old: Snapshot, batch: Any, fmt: str, out: Any, err: Any) -> bool:
    """``origin check --previous``: the requalification on ``out`` (text or JSON), the old
    file's problems on ``err``; True when anything changed, new or gone."""
    import json  # noqa: PLC0415

    from origin.workbook.output import visible  # noqa: PLC0415

    r = compare_snapshots(old, from_batch(batch))
    for problem in old.problems:
        print(f"origin: previous: {visible(problem)}", file=err)
    if fmt == "json":
        out.write(json.dumps(to_json(r), ensure_ascii=False, indent=1) + "\n")
    else:
        print("\n".join(visible(line, line=True) for line in text(r).splitlines()), file=out)
    return r.changed
