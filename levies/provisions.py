"""Citations to the instruments the levy calculator applies.

``origin.citation.Citation`` is reused so that levy results serialise exactly like origin
determinations. Its parser knows regulations and clauses; the forms added here are the ones
these instruments need and it does not read: a section of an Act (``s 8(1)``), a schedule row
named by its levy (``sch 2 UPU mail levy``) and a clause inside a schedule (``sch 1 cl 2(2)(b)``).

>>> str(order("sch 1 cl 2(2)(b)"))
'sch 1 cl 2(2)(b)'
>>> order("sch 2 UPU mail levy").definition
'UPU mail levy'
>>> str(reference("s 8(1)", GST_ACT)), reference("s 8(1)", GST_ACT).instrument
('s 8(1)', 'Goods and Services Tax Act 1985')
"""

from __future__ import annotations

import re
from functools import lru_cache

from origin.citation import CUSTOMS_REGULATIONS, Citation, CitationError

ORDER = "Customs and Excise (Goods Management Levies) Order 2025"
REGULATIONS = CUSTOMS_REGULATIONS
GST_ACT = "Goods and Services Tax Act 1985"
SES_STANDARDS = "SES Exporter Minimum Standards"

_PATH = r"(?P<path>(?:\([0-9a-z]+\))*)"
_SECTION = re.compile(r"^s\s+(?P<number>[0-9]+[A-Z]*)" + _PATH + "$")
_SCHEDULE_CLAUSE = re.compile(r"^sch\s+(?P<number>[0-9]+)\s+cl\s+(?P<clause>[0-9]+)" + _PATH + "$")
_SCHEDULE_ROW = re.compile(r"^sch\s+(?P<number>[0-9]+)\s+(?P<row>[A-Za-z][A-Za-z ,\-]*)$")
_PART = re.compile(r"\(([0-9a-z]+)\)")


@lru_cache(maxsize=512)
def reference(text: str, instrument: str) -> Citation:
    """Read a citation of ``instrument``; raise ``CitationError`` for text naming no provision."""
    text = text.strip()
    if match := _SECTION.match(text):
        return Citation("s", match["number"], tuple(_PART.findall(match["path"])), "", instrument)
    if match := _SCHEDULE_CLAUSE.match(text):
        # The clause and its subclauses go in ``definition`` (Citation prints a space between
        # a definition and a path, which gave "sch 1 cl 2 (2)(b)").
        return Citation(
            "sch", match["number"], (), f"cl {match['clause']}{match['path']}", instrument
        )
    if (match := _SCHEDULE_ROW.match(text)) and not match["row"].islower():
        return Citation("sch", match["number"], (), match["row"].strip(), instrument)
    return Citation.parse(text, instrument)


def order(text: str) -> Citation:
    """A provision of the Goods Management Levies Order 2025."""
    return reference(text, ORDER)


def regs(text: str) -> Citation:
    """A provision of the Customs and Excise Regulations 1996."""
    return reference(text, REGULATIONS)


def ses(text: str) -> Citation:
    """A clause of the SES Exporter Minimum Standards (``cl 2.6``)."""
    return reference(text, SES_STANDARDS)


__all__ = [
    "GST_ACT",
    "ORDER",
    "REGULATIONS",
    "SES_STANDARDS",
    "CitationError",
    "order",
    "reference",
    "regs",
    "ses",
]
