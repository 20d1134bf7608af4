"""Typed citations to the provision a step applies.

A citation is data, not a string, so that explanations, JSON output and tests can
ask which regulation and which subclause a step rests on.

>>> c = Citation.parse("r 51ZS(b)(i)")
>>> c.number, c.path
('51ZS', ('b', 'i'))
>>> str(c)
'r 51ZS(b)(i)'
>>> str(Citation.parse("r 32 allowable expenditure (labour) (b)(i)"))
'r 32 allowable expenditure (labour) (b)(i)'
"""

from __future__ import annotations

import functools
import re

import attrs

CUSTOMS_REGULATIONS = "Customs and Excise Regulations 1996"

_UNITS = ("r", "cl", "art", "sch")
_CITATION = re.compile(
    r"^(?P<unit>r|cl|art|sch)\s+(?P<number>[0-9]+[A-Z]*(?:\.[0-9]+)*)"
    r"(?P<definition>\s+[a-z][a-z ,\-]*?(?:\s*\((?![ivxlcdm]+\))[a-z]{2,}\))?)?"
    r"(?P<path>(?:\s*\([0-9a-zA-Z]+\))*)$"
)
_PATH_PART = re.compile(r"\(([0-9a-zA-Z]+)\)")


class CitationError(ValueError):
    """Raised for citation text that does not name a provision."""


@attrs.frozen(order=True)
class Citation:
    """A provision of an instrument: unit ``r`` (regulation), ``cl``, ``art`` or ``sch``.

    ``definition`` names a defined term inside an interpretation regulation (r 32 has
    no numbered subclauses for its definitions, so the term is part of the address).
    """

    unit: str
    number: str
    path: tuple[str, ...] = ()
    definition: str = ""
    instrument: str = CUSTOMS_REGULATIONS
    # The text, written on first use: a citation is printed in every step, row and JSON
    # document that rests on it (not part of equality, order, hash or the constructor).
    _text: str | None = attrs.field(
        default=None, init=False, eq=False, order=False, hash=False, repr=False
    )

    @classmethod
    def parse(cls, text: str, instrument: str = CUSTOMS_REGULATIONS) -> Citation:
        """Read ``r 36(1)``, ``r 51ZS(b)(i)``, ``r 32 factory cost`` or ``art 3.10(2)``."""
        match = _CITATION.match(text.strip())
        if match is None:
            raise CitationError(
                f"citation {text!r} is not of the form 'r 36(1)' "
                f"(unit one of {', '.join(_UNITS)}, a number, then optional (subclauses))"
            )
        return cls(
            unit=match["unit"],
            number=match["number"],
            path=tuple(_PATH_PART.findall(match["path"] or "")),
            definition=(match["definition"] or "").strip(),
            instrument=instrument,
        )

    def __str__(self) -> str:
        text = self._text
        if text is None:
            head = f"{self.unit} {self.number}"
            if self.definition:
                head += f" {self.definition}"
                if self.path:
                    head += " "
            text = head + "".join(f"({part})" for part in self.path)
            object.__setattr__(self, "_text", text)
        return text

    def to_json(self) -> dict[str, object]:
        return {
            "text": str(self),
            "instrument": self.instrument,
            "unit": self.unit,
            "number": self.number,
            "path": list(self.path),
            "definition": self.definition,
        }


@functools.lru_cache(maxsize=4096)
def cite(text: str, instrument: str = CUSTOMS_REGULATIONS) -> Citation:
    """Shorthand used beside rule code: ``cite("r 35(a)")``, or an agreement's article
    (``cite("art 3.10(2)", LAW.instrument)``). Rules cite as they decide, so each text is
    read once (a citation is an immutable value; sharing one is safe)."""
    return Citation.parse(text, instrument)
