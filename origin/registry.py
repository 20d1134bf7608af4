"""Find agreement plugins: a built-in table plus the ``origin.agreements`` entry points.

Like babel's extractor lookup, built-ins need no installation metadata and third parties
add theirs through an entry point. Two plugins claiming one name is an error, never a
silent override.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterable, Mapping
from importlib.metadata import entry_points

from origin.agreement import Agreement

ENTRY_POINT_GROUP = "origin.agreements"

# name → "module:attribute"; imported lazily so listing plugins stays cheap.
BUILTIN: Mapping[str, str] = {
    "aanzfta": "agreements.aanzfta:AGREEMENT",
    "anzcerta": "agreements.anzcerta:AGREEMENT",
    "canada": "agreements.canada:AGREEMENT",
    "ldc": "agreements.ldc:AGREEMENT",
    "lldc": "agreements.lldc:AGREEMENT",
    "malaysia": "agreements.malaysia:AGREEMENT",
    "china": "agreements.china:AGREEMENT",
    "cptpp": "agreements.cptpp:AGREEMENT",
    "fic": "agreements.fic:AGREEMENT",
    "hong-kong": "agreements.hong_kong:AGREEMENT",
    "nz-eu": "agreements.nz_eu:AGREEMENT",
    "nz-uk": "agreements.nz_uk:AGREEMENT",
    "rcep": "agreements.rcep:AGREEMENT",
    "korea": "agreements.korea:AGREEMENT",
    "chinese-taipei": "agreements.chinese_taipei:AGREEMENT",
    "thailand": "agreements.thailand:AGREEMENT",
    "tpsep": "agreements.tpsep:AGREEMENT",
    "uae": "agreements.uae:AGREEMENT",
    "pacer-plus": "agreements.pacer_plus:AGREEMENT",
}


class RegistryError(LookupError):
    """Unknown agreement name, or two plugins registering the same name."""


def _load(target: str) -> Agreement:
    module_name, _, attribute = target.partition(":")
    value = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(value, Agreement):
        raise RegistryError(f"{target} is not an origin.agreement.Agreement")
    return value


def build(builtin: Mapping[str, str], extra: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Merge the built-in table with entry points; a repeated name is an error."""
    table = dict(builtin)
    for name, target in extra:
        if name in table:
            raise RegistryError(f"agreement {name!r} registered twice: {table[name]} and {target}")
        table[name] = target
    return table


@functools.cache
def table() -> Mapping[str, str]:
    found = entry_points(group=ENTRY_POINT_GROUP)
    return build(BUILTIN, ((ep.name, ep.value) for ep in found))


def names() -> tuple[str, ...]:
    return tuple(sorted(table()))


def get(name: str) -> Agreement:
    key = name.strip().lower()
    try:
        target = table()[key]
    except KeyError:
        raise RegistryError(f"unknown agreement {name!r}; known: {', '.join(names())}") from None
    agreement = _load(target)
    if agreement.name != key:
        raise RegistryError(f"{target} calls itself {agreement.name!r}, registered as {key!r}")
    return agreement


def all_agreements() -> tuple[Agreement, ...]:
    return tuple(get(name) for name in names())
