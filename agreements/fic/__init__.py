"""Forum Island Countries: Customs and Excise Regulations 1996, regs 44–51.

Source: Customs and Excise Regulations 1996 (NZ), Part 6, "Provisions relating to Forum Island
Countries", regs 44–51, version as at 28 November 2025. The law file ``fic.toml`` holds the
shares (50%, 45%, 25%, 48%), the goods read against 45%, the cost categories of r 46 and the
words a case uses for r 47, r 49 and r 50, each with its reference. The Forum Island Countries
— those other than New Zealand and Australia for which SPARTECA is in force (r 44) — are the
dated list ``groups/fic.toml``, which a user may replace (``--membership FILE``).

Goods are the produce or manufacture of Forum Island Countries when wholly obtained in one of
them (r 45(1)(a)), or when the last process of manufacture was performed in one and the
manufacturer's *qualifying area content* — labour and factory overheads incurred in a Forum
Island Country or New Zealand, qualifying materials (r 47, r 49) and qualifying inner
containers (r 48) — is at least 50% of the factory or works cost of the finished goods (r 46);
45% for the goods listed in r 45(2)(b); a lower share the chief executive determined
(r 45(2)(a)); 48% under a determination for an unforeseen circumstance (r 51). When Australian
qualifying materials are counted, at least 25% must also be Forum Island content (r 45(3)).
The goods may come by any route (r 45(4)).

A material last processed in a Forum Island Country counts in full if it would qualify in its
own right, and otherwise by its own qualifying area content (r 47(d)): the material's own cost
sheet (its ``components`` and ``costs``) is decided the same way, to any depth.

r 45(2)(b)(i) names tariff items (3926.20.22, .31, .41, .61) the Tariff no longer has; goods or
materials at a current item that may hold their goods (law file ``listed_goods_successors``)
need review, both codes named, unless the case records the reviewed answer. A r 51
determination covers a later shipment only of similar goods (r 51(4)) and ends when revoked
(r 51(3)). Every determination names the list of Forum Island Countries it used (title,
source, date) in a step citing r 44, and lists what it takes on trust (r 46(4), r 51(3)) as
obligations (decision record 0008).

The modules follow the regulations, each beside its provisions: ``r44_interpretation`` (the
words, the countries, one determination's setting), ``r45_produce_or_manufacture`` (r 45(1),
(4), (5)), ``r45_1_b_partly_manufactured`` (r 45(1)(b), r 45(3)), ``r45_2_shares`` (r 45(2)),
``r46_factory_cost``, ``r47_qualifying_materials`` (with r 49), ``r47_former_rules``
(r 47(a)(iv)-(v), (c)), ``r48_inner_containers``, ``r50_allocation_of_expenditure`` and
``r51_unforeseen_circumstance``. The numbers and words are in the law file ``fic.toml``; the
Python is what these regulations make unique: qualifying area content line by line, as exact
bounds when amounts or facts are unknown, and materials decided from their own cost sheets.

>>> import datetime as dt
>>> from origin.caseio import case_from_json
>>> case = case_from_json({
...     "schema": "origin-case/1", "currency": "FJD",
...     "good": {"id": "tee", "hs": "6109.10", "tariff_item": "6109.10.00",
...              "produced_in": ["FJ"], "last_process_in": "FJ"},
...     "materials": [{"id": "fabric", "hs": "6006.21", "value": "550.00",
...                    "origin_country": "CN"}],
...     "costs": [{"id": "W", "category": "wages_benefits", "amount": "450.00"}],
...     "consignment": {"exported_from": "FJ", "transit": []}})
>>> d = AGREEMENT.determine(case, dt.date(2025, 6, 1))
>>> d.verdict.value, d.rvc[0].value, d.rvc[0].threshold  # 450 / 1000, heading 61.09: 45%
('originating', Fraction(45, 1), Fraction(45, 1))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from agreements.fic.r44_interpretation import AUSTRALIA_NZ, HERE, LAW, MEMBERSHIP
from agreements.fic.r45_produce_or_manufacture import Goods
from origin.agreement import Agreement, FactError
from origin.determination import Determination
from origin.groups import Membership
from origin.model import Case

__all__ = ["AGREEMENT", "LAW", "MEMBERSHIP", "bind", "decide"]


def bind(membership: Membership) -> Callable[[Case, dt.date], Determination]:
    """``decide`` with another list of Forum Island Countries (never New Zealand or
    Australia, which r 44 leaves out)."""
    named = sorted({m.code for m in membership.members} & AUSTRALIA_NZ)
    if named:
        raise FactError(
            f"{membership.title}: lists {', '.join(named)}; a Forum Island Country is a country "
            "other than New Zealand or Australia (r 44)"
        )

    def decide(case: Case, date: dt.date) -> Determination:
        return Goods(case, date, membership).determine()

    return decide


decide = bind(MEMBERSHIP)

AGREEMENT = Agreement(
    name="fic",
    title=LAW.title,
    regulations=LAW.regulations,
    law=LAW,
    decide=decide,
    cases=HERE / "cases" / "fic",
    membership=MEMBERSHIP,
    bind_membership=bind,
)
