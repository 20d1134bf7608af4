"""r 45(1), (4) and (5): which goods are the produce or manufacture of Forum Island Countries.

Only what r 45 makes unique: goods wholly obtained in one Forum Island Country (r 45(1)(a),
their inner containers taking their origin, r 45(5)) or partly manufactured there
(r 45(1)(b), ``r45_1_b_partly_manufactured``), exported from a Forum Island Country by any
route (r 45(4)). Every determination names the list of Forum Island Countries it used (r 44)
and what it takes on trust (r 46(4), r 51(3)) as obligations (decision record 0008).
"""

from __future__ import annotations

from collections.abc import Iterable

from agreements.fic.r44_interpretation import FORUM_ISLAND_COUNTRY, LAW
from agreements.fic.r45_1_b_partly_manufactured import PartlyManufactured
from agreements.fic.r46_factory_cost import depreciation, ids
from agreements.fic.r51_unforeseen_circumstance import standing
from origin.citation import cite
from origin.determination import (
    FAILS,
    MEETS,
    NEEDS_INFO,
    Determination,
    Obligation,
    Outcome,
    Step,
    Verdict,
    missing_of,
)
from origin.engine import CaseError
from origin.model import Packaging


class Goods(PartlyManufactured):
    """One Forum Island Countries determination: the classes of r 45(1) and r 45(4)."""

    def determine(self) -> Determination:
        good = self.case.good
        self.decide_deepest_first()
        sheet = self.sheet(self.case.materials, self.case.costs, good.last_process_in)
        a_step = self.wholly_obtained()
        b_step, results, _ = self.partly_manufactured(sheet)
        shipped = self.exported()
        countries = self.membership.step(self.date, cite("r 44"), FORUM_ISLAND_COUNTRY)
        steps = (a_step, b_step, shipped, countries)
        origin = (a_step.outcome | b_step.outcome) & shipped.outcome
        verdict = Verdict.from_outcome(origin)
        basis = [str(s.citation) for s in (a_step, b_step) if s.outcome is MEETS]
        notes = []
        former = self.former_paragraphs()
        if former:
            notes.append(
                f"{', '.join(map(str, former))} refer to former regs 33(1)(c) and 35 (as do "
                f"paragraphs (b) and (c) of the 25% test); read as '{self.reading}' (decision "
                "record 0008; case fact cross_references)"
            )
        return Determination(
            agreement=LAW.name,
            agreement_title=LAW.title,
            date=self.date,
            law_version=LAW.text_version,
            good_id=good.id,
            hs=str(good.hs),
            verdict=verdict,
            basis=tuple(basis) if verdict is Verdict.ORIGINATING else (),
            steps=steps,
            materials=sheet.materials,
            rvc=tuple(results),
            missing=missing_of(steps) if verdict is Verdict.NEEDS_INFORMATION else (),
            obligations=self.obligations(b_step.walk()),
            notes=tuple(notes),
            costs=sheet.costs,
        )

    def wholly_obtained(self) -> Step:
        """r 45(1)(a): wholly obtained in one Forum Island Country (from its own products,
        r 45(1)(a)(x)); r 45(5): inner containers take the goods' origin."""
        citation = cite("r 45(1)(a)")
        title = "class 45(1)(a) wholly obtained in a Forum Island Country"
        key = self.case.good.wholly_obtained
        if key is None:
            return Step(title, citation, FAILS, "not claimed wholly obtained")
        categories = LAW.vocabulary("wholly_obtained")
        if key not in categories:
            raise CaseError(
                f"good: unknown wholly-obtained category {key!r} "
                f"(known: {', '.join(sorted(categories))})"
            )
        where = set(self.case.good.produced_in)
        children: list[Step] = []
        if not where:
            children.append(
                Step(
                    "obtained in one Forum Island Country",
                    citation,
                    NEEDS_INFO,
                    "where the goods were obtained is not stated",
                    missing=("country where the goods were obtained (good.produced_in)",),
                )
            )
        else:
            one = len(where) == 1 and where <= self.fics
            children.append(
                Step(
                    "obtained in one Forum Island Country",
                    citation,
                    Outcome.of(one),
                    f"obtained in {', '.join(sorted(where))}",
                )
            )
        # r 45(5): inner containers (packaging) take the origin of the goods they contain.
        foreign = [
            m.id
            for m in self.case.materials
            if m.packaging is Packaging.NONE
            and not ("wholly_obtained" in m.attributes and m.origin_country in where)
        ]
        if foreign:
            children.append(
                Step(
                    "only products wholly obtained there",
                    cite("r 45(1)(a)(x)"),
                    FAILS,
                    f"the BOM lists other materials: {', '.join(foreign[:10])}",
                )
            )
        term = categories[key]
        summary = f"wholly obtained: {term.text} ({term.reference})"
        children.insert(0, Step("wholly obtained category", term.reference, MEETS, term.text))
        containers = [
            c.id
            for c in self.case.costs
            if self.categories.get(c.category) is not None
            and self.categories[c.category].group == "inner_containers"
        ] + [m.id for m in self.case.materials if m.packaging is Packaging.RETAIL]
        if containers:
            summary += "; inner containers take the goods' origin (r 45(5))"
            children.append(
                Step(
                    "inner containers take the goods' origin",
                    cite("r 45(5)"),
                    MEETS,
                    f"{ids(containers)}: inner containers of goods wholly obtained in a "
                    "particular Forum Island Country are regarded as having the goods' origin",
                )
            )
        outcome = Outcome.all(c.outcome for c in children)
        return Step(
            title,
            citation,
            outcome,
            summary,
            (("category", key),),
            children=tuple(children),
            missing=missing_of(children),
        )

    def exported(self) -> Step:
        """r 45(4): goods exported from a Forum Island Country, directly or not."""
        consignment = self.case.consignment
        citation = cite("r 45(4)")
        exported = consignment.exported_from if consignment else None
        if exported is None:
            return Step(
                "exported from a Forum Island Country",
                citation,
                NEEDS_INFO,
                "the country of exportation is not stated",
                missing=("country of exportation (consignment.exported_from)",),
            )
        return Step(
            "exported from a Forum Island Country",
            citation,
            Outcome.of(exported in self.fics),
            f"exported from {exported}, by any route and whether or not through another "
            "country's commerce",
        )

    def obligations(self, steps: Iterable[Step]) -> tuple[Obligation, ...]:
        """What the determination takes on trust and the law leaves to the chief executive or
        the manufacturer, listed where it applies: depreciation (r 46(4)) and a r 51
        determination as stated (r 51(3))."""
        found = (depreciation(self.case, self.nested), standing(steps))
        return tuple(o for o in found if o is not None)
