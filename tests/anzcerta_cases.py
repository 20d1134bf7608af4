"""Small builders for ANZCERTA test cases (JSON-shaped, read through the real reader)."""

from __future__ import annotations

import datetime as dt
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
