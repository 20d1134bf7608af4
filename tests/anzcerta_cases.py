"""Small builders for ANZCERTA test cases (JSON-shaped, read through the real reader)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from origin import registry
from origin.caseio import case_from_json
from origin.determination import Determination

DATE = dt.date(2025, 6, 1)
ANZCERTA = registry.get("anzcerta")


def material(ident: str, hs: str, value: str, status: str, **extra: Any) -> dict[str, Any]:
    return {"id": ident, "hs": hs, "value": value, "status": status, **extra}


def case(
    psr: str | None = "CTH",
    *,
    av: str = "1000.00",
    materials: Any = (),
    costs: Any = (),
    facts: Any = None,
    transit: Any = (),
    **good: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema": "origin-case/1",
        "currency": "AUD",
        "good": {
            "id": "DESK",
            "hs": "9403.30",
            "adjusted_value": av,
            "produced_in": ["AU"],
            "last_process_in": "AU",
            "operations": ["assembly"],
            **good,
        },
        "materials": list(materials),
        "costs": list(costs),
        "consignment": {"exported_from": "AU", "transit": list(transit)},
    }
    if psr is not None:
        data["psr"] = psr
    if facts:
        data["facts"] = facts
    return data


def decide(data: dict[str, Any], date: dt.date = DATE) -> Determination:
    return ANZCERTA.determine(case_from_json(data), date)


_MENTION = re.compile(r"\b(?:r|cl|art|sch) [0-9]+[A-Z]*(?:\.[0-9]+)*(?:\([0-9a-zA-Z]+\))*")


def uncited(d: Determination) -> list[str]:
    """Provisions named in a determination's text but missing from its structured citations.

    The text is every step's summary, every RVC note, every note and obligation, and every
    material row's notes (a row may also be covered by its own citations). A provision
    named with its subclauses (``r 37(3)(a)``) is covered by that citation or a deeper one;
    a defined term (``r 32 goods wholly obtained or produced (a)``) only by a citation whose
    text appears at that place, where the determination cites any term of that regulation.
    """
    cited = {str(c) for c in d.citations()}
    texts = [s.summary for top in d.steps for s in top.walk()]
    texts += [r.note for r in d.rvc] + list(d.notes) + [o.text for o in d.obligations]
    found = [(text, cited) for text in texts]
    for row in d.materials:
        found += [(note, cited | {str(c) for c in row.citations}) for note in row.notes]
    missing = []
    for text, known in found:
        for match in _MENTION.finditer(text):
            token, rest = match.group(), text[match.start() :]
            after = text[match.end() : match.end() + 2]
            terms = [c for c in known if c.startswith(token + " ")]
            if "(" not in token and after[:1] == " " and after[1:].islower() and terms:
                # A defined term follows a number whose terms are cited: its citation must be
                # the words here (``r 51ZPA notice``, with no term of r 51ZPA cited, is prose).
                ok = any(rest.startswith(c) for c in terms)
            else:
                ok = any(c == token or c.startswith(token + "(") for c in known)
            if not ok:
                missing.append(f"{token!r} in {text!r}")
    return missing
