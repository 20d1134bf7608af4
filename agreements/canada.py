"""Canada: goods the produce or manufacture of Canada, Customs and Excise Regulations 1996, reg 40.

The regime (valuation, outside packages, the share's formula) is declared in ``canada.toml``'s
``[regime]``; the family's tests are :mod:`origin.works_cost`'s. The area's name and the
provisions of its classes are ``[regime.provisions]`` and ``[regime.words]`` there: this
module only joins
the law file and the worked cases.

Source: Customs and Excise Regulations 1996 (NZ), Part 6, "Provisions relating to Canada",
reg 40, version as at 28 November 2025. The law file ``canada.toml`` beside this module
holds the share, the factory-or-works-cost categories and their references.

Goods are the produce or manufacture of Canada when they are wholly its produce (r 40(1)(a)),
or manufactured there with the last process in Canada and at least half of the factory or
works cost spent on Canadian or New Zealand material and on other factory cost items incurred
in Canada or New Zealand (r 40(1)(b)) — and, either way, exported directly from Canada without
entering the commerce of another country (r 40(2)).

Interpretations (also shown in the explanation where they apply):

* Materials are valued "as received into factory, excluding" duties (r 40(3)(a)): the case
  states material values so. Materials of Canadian or New Zealand origin are those declared
  originating with origin country CA or NZ; any other material counts as neither.
* Containers other than the outside package (r 40(3)(d)) are factory-cost items; they count
  towards the Canadian/New Zealand expenditure when incurred in Canada or New Zealand
  (r 40(1)(b)(ii)(B)). Outside packages are left out (r 40(4)(c)), as is packing material the
  BOM marks ``shipment``.
* The chief executive's determination of a lower share (proviso to r 40(1)(b)) is the case
  fact ``lower_share``: the percentage first, then the determination's reference.

>>> import datetime as dt
>>> from origin.caseio import case_from_json
>>> case = case_from_json({
...     "schema": "origin-case/1", "currency": "CAD",
...     "good": {"id": "boat", "hs": "8903.21", "produced_in": ["CA"], "last_process_in": "CA"},
...     "materials": [{"id": "hull", "hs": "3920.10", "value": "500.00",
...                    "status": "originating", "origin_country": "CA"},
...                   {"id": "engine", "hs": "8407.21", "value": "300.00",
...                    "status": "non-originating"}],
...     "costs": [{"id": "W", "category": "wages", "amount": "200.00", "incurred_in": "CA"}],
...     "consignment": {"exported_from": "CA", "transit": []}})
>>> d = AGREEMENT.determine(case, dt.date(2025, 6, 1))
>>> d.verdict.value, d.rvc[0].value
('originating', Fraction(70, 1))
"""

from __future__ import annotations

from pathlib import Path

from origin.law import LawBook
from origin.works_cost import works_cost_agreement

_HERE = Path(__file__).parent
LAW = LawBook.load(_HERE / "canada.toml")
AGREEMENT = works_cost_agreement(LAW, _HERE / "cases" / "canada")
decide = AGREEMENT.decide
