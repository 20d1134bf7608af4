"""Less developed countries (Group 2): Customs and Excise Regulations 1996, reg 43.

The regime (valuation, outside packages, the share's formula) is declared in ``ldc.toml``'s
``[regime]``; the family's tests are :mod:`origin.works_cost`'s. The area's name and the
provisions of its classes are ``[regime.provisions]`` and ``[regime.words]`` there: this
module only joins
the law file, the group's list and the worked cases.

Source: Customs and Excise Regulations 1996 (NZ), Part 6, "Provisions relating to less
developed countries", reg 43, version as at 28 November 2025. The law file ``ldc.toml`` holds
the share and the factory-or-works-cost categories with their references; the countries of
Group 2 — "declared to be less developed countries for the purposes of the Tariff Act 1988"
(r 43(1)) — are the dated list ``groups/ldc.toml`` (from the Working Tariff Document of
1 January 2022), which a user may replace with a newer one (``--membership FILE``).

Goods are the produce or manufacture of Group 2 when wholly obtained in one of its countries
(r 43(2)(a)(i)–(x)), or partly manufactured there with the last process in a Group 2 country
and at least half of the factory or works cost spent on material of Group 2 or New Zealand
origin and on other factory cost items incurred in Group 2 or New Zealand (r 43(2)(b)) — and,
either way, exported directly from a Group 2 country, passing through no country outside
Group 2 in whose commerce they entered (r 43(3)). Content of several Group 2 countries adds up.

>>> import datetime as dt
>>> from origin.caseio import case_from_json
>>> def shirt(country):
...     return case_from_json({
...         "schema": "origin-case/1", "currency": "USD",
...         "good": {"id": "shirt", "hs": "6205.20", "produced_in": [country],
...                  "last_process_in": country},
...         "materials": [{"id": "cloth", "hs": "5208.52", "value": "300.00",
...                        "status": "originating", "origin_country": "CN"},
...                       {"id": "buttons", "hs": "9606.21", "value": "200.00",
...                        "status": "non-originating", "origin_country": "IT"}],
...         "costs": [{"id": "W", "category": "wages", "amount": "100.00"}],
...         "consignment": {"exported_from": country, "transit": []}})
>>> d = AGREEMENT.determine(shirt("IN"), dt.date(2025, 6, 1))
>>> d.verdict.value, d.rvc[0].value  # (300 Chinese cloth + 100 Indian wages) / 600
('originating', Fraction(200, 3))

Bangladesh is a least developed country (Group 3), not a Group 2 country, in the encoded list:
its wages do not count and the last process is not in Group 2.

>>> d = AGREEMENT.determine(shirt("BD"), dt.date(2025, 6, 1))
>>> d.verdict.value, d.rvc[0].value
('not originating', Fraction(50, 1))
"""

from __future__ import annotations

from pathlib import Path

from origin.groups import Membership
from origin.law import LawBook
from origin.works_cost import works_cost_agreement

_HERE = Path(__file__).parent
LAW = LawBook.load(_HERE / "ldc.toml")
AGREEMENT = works_cost_agreement(
    LAW, _HERE / "cases" / "ldc", Membership.load(_HERE / "groups/ldc.toml")
)
decide = AGREEMENT.decide
