"""Least developed countries (Group 3): Customs and Excise Regulations 1996, reg 43A.

The regime (valuation, outside packages, the share's formula) is declared in ``lldc.toml``'s
``[regime]``; the family's tests are :mod:`origin.works_cost`'s. The area's name and the
provisions of its classes are ``[regime.provisions]`` and ``[regime.words]`` there: this
module only joins
the law file, the group's list and the worked cases.

Source: Customs and Excise Regulations 1996 (NZ), Part 6, "Provisions relating to least
developed countries", reg 43A, version as at 28 November 2025. The law file ``lldc.toml`` holds
the share and the factory-or-works-cost categories with their references; the countries of
Group 3 — "declared to be least developed countries for the purposes of the Tariff Act 1988"
(r 43A(1)) — are the dated list ``groups/lldc.toml`` (from the Working Tariff Document of
1 January 2022), which a user may replace with a newer one (``--membership FILE``).

The test is that of Group 2 (r 43) for the least developed countries: wholly obtained in one
Group 3 country (r 43A(2)(a)(i)–(x)); or partly manufactured with the last process in a Group 3
country and at least half of the factory or works cost spent on Group 3 or New Zealand material
and on factory cost items incurred in Group 3 or New Zealand (r 43A(2)(b)); exported directly,
entering the commerce of no country outside Group 3 (r 43A(3)).

>>> import datetime as dt
>>> from origin.caseio import case_from_json
>>> case = case_from_json({
...     "schema": "origin-case/1", "currency": "USD",
...     "good": {"id": "shirt", "hs": "6205.20", "produced_in": ["BD"], "last_process_in": "BD"},
...     "materials": [{"id": "cloth", "hs": "5208.52", "value": "250.00",
...                    "status": "originating", "origin_country": "KH"},
...                   {"id": "buttons", "hs": "9606.21", "value": "350.00",
...                    "status": "non-originating", "origin_country": "CN"}],
...     "costs": [{"id": "W", "category": "wages", "amount": "100.00", "incurred_in": "BD"},
...               {"id": "P", "category": "profit", "amount": "90.00"}],
...     "consignment": {"exported_from": "BD", "transit": [{"country": "SG",
...                     "entered_commerce": False}]}})
>>> d = AGREEMENT.determine(case, dt.date(2025, 6, 1))
>>> d.verdict.value, d.rvc[0].value  # (250 Cambodian cloth + 100 wages) / 700; profit out
('originating', Fraction(50, 1))
>>> [(c.id, c.status) for c in d.costs]
[('W', 'qualifying'), ('P', 'excluded')]
"""

from __future__ import annotations

from pathlib import Path

from origin.groups import Membership
from origin.law import LawBook
from origin.works_cost import works_cost_agreement

_HERE = Path(__file__).parent
LAW = LawBook.load(_HERE / "lldc.toml")
AGREEMENT = works_cost_agreement(
    LAW, _HERE / "cases" / "lldc", Membership.load(_HERE / "groups/lldc.toml")
)
decide = AGREEMENT.decide
