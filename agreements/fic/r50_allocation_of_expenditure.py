"""r 50, Special provisions for allocation of expenditure: what a material costs (r 46(1)(a)).

Only what r 50 makes unique: a material supplied free of charge or at a reduced cost, by the
buyer or anyone else (r 50(1)-(2)), or an earlier supply the chief executive revalued
(r 50(2)(c)), is taken at the value the case states plus its transport into the factory; the
chief executive's excess over market value is taken off (r 50(4)). r 50(3) (materials the
chief executive excludes) is applied where the material is decided (``r47_qualifying_materials``).
"""

from __future__ import annotations

from fractions import Fraction

from agreements.fic.r44_interpretation import ZERO
from origin.citation import Citation, cite
from origin.engine import CaseError
from origin.model import Material


def expenditure(material: Material) -> tuple[Fraction | None, list[str], list[str], list[Citation]]:
    """r 46(1)(a) with r 50: the cost of bringing the material into the factory, the
    notes and facts it needs, and the provisions of r 50 it was valued under.

    r 50(1): a material "supplied free of charge or at a reduced cost" is valued "in
    accordance with clause 7(b)(iii) of Schedule 4 of the Act" (the value the case states)
    "and by adding thereto the costs of freight, insurance, packing, and all other costs
    incurred in transporting the materials into the factory or works, whether or not those
    costs have been incurred by the manufacturer" (``transport_to_factory``). r 50(2)(a)-(b):
    a supply by a person "not the buyer of the goods in their finished state" is "treated
    as if it were a supply by such a buyer", so r 50(1) applies whoever supplied it.
    r 50(2)(c): the chief executive "may apply those provisions to any earlier supply of
    any material on a free of charge or reduced cost basis" (``earlier_supply_revalued``).
    r 50(4): the excess over normal market value the chief executive determined is
    taken off (``excess_over_market_value``).
    """
    notes: list[str] = []
    needs: list[str] = []
    cited: list[Citation] = []
    if material.value is None:
        needs.append(f"cost of material {material.id} brought into the factory (r 46(1)(a))")
        return None, notes, needs, cited
    amount = Fraction(material.value)
    transport = [a for a in material.adjustments if a.kind == "transport_to_factory"]
    free = "supplied_free_or_reduced" in material.attributes
    earlier = "earlier_supply_revalued" in material.attributes
    if free or earlier:
        cited.append(cite("r 50(1)"))
        if free:
            cited.append(cite("r 50(2)"))
        if earlier:
            cited.append(cite("r 50(2)(c)"))
        if not transport:
            needs.append(
                f"transport of material {material.id} into the factory, "
                + (
                    "supplied free or at a reduced cost"
                    if free
                    else "whose earlier supply the chief executive revalued (r 50(2)(c))"
                )
                + " (r 50(1)(b))"
            )
            return None, notes, needs, cited
        if free:
            notes.append(
                "supplied free or at a reduced cost: valued under r 50(1), whoever supplied "
                "it (r 50(2))"
            )
        if earlier:
            notes.append(
                "an earlier free or reduced-cost supply, to which the chief executive "
                "applied r 50(1) (r 50(2)(c)): valued under r 50(1)"
            )
    amount += sum((Fraction(a.amount) for a in transport), ZERO)
    for adjustment in material.adjustments:
        if adjustment.kind == "excess_over_market_value":
            amount -= Fraction(adjustment.amount)
            cited.append(cite("r 50(4)"))
            notes.append(f"{adjustment.amount} above market value taken off (r 50(4))")
    if amount < 0:
        raise CaseError(f"material {material.id!r}: r 50(4) takes off more than its cost")
    return amount, notes, needs, cited
