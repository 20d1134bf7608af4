"""ANZCERTA: goods of Australia under the Customs and Excise Regulations 1996, regs 32–39G.

Source: Customs and Excise Regulations 1996 (NZ), Part 6, "Provisions relating to
Australia", version as at 28 November 2025 (the law file ``anzcerta.toml`` beside this
module holds every number and list with its reference, and the dates it covers).
Product-specific rules come from Annex G (2022); the case supplies the rule text.

Goods are originating when they fall in a class of r 33(2), are not disqualified by
minimal operations (r 33A, which overrides the rest), and were not processed outside the
parties on the way (r 34).

The regime — valuation and adjustments (r 38), accessories (r 39), packaging (r 39B), indirect
materials (r 39C), de minimis (r 35), the three RVC formulas of r 36 and accumulation
(r 33(3)) — is declared in ``anzcerta.toml``'s ``[regime]`` and read by the engine
(:mod:`origin.regime`). This module holds only what the law makes unique to ANZCERTA: r 32's
factory cost and qualifying expenditure (the input function ``factory_cost``), the classes of
r 33(2), r 33A, r 34, r 37, r 39A and the records.

>>> import datetime as dt
>>> from origin.caseio import case_from_json
>>> case = case_from_json({
...     "schema": "origin-case/1", "currency": "AUD", "psr": "CTH",
...     "good": {"id": "chair", "hs": "9401.61", "adjusted_value": "100.00",
...              "produced_in": ["AU"], "last_process_in": "AU",
...              "operations": ["upholstering"]},
...     "materials": [{"id": "frame", "hs": "4409.10", "value": "30.00",
...                    "status": "non-originating"}],
...     "consignment": {"exported_from": "AU", "transit": []}})
>>> AGREEMENT.determine(case, dt.date(2025, 6, 1)).verdict.value
'originating'
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import attrs

from origin.agreement import Agreement
from origin.citation import Citation, cite
from origin.costs import CostSheet, sort_costs
from origin.decision import Decision, years_after
from origin.determination import (
    FAILS,
    MEETS,
    NEEDS_INFO,
    Determination,
    Obligation,
    Outcome,
    RVCResult,
    Step,
    Verdict,
    missing_of,
)
from origin.engine import (
    Assessment,
    RVCInputs,
    alternatives_met,
    minimal_operations_step,
    percent,
    transit_step,
)
from origin.law import LawBook
from origin.model import Case
from origin.psr import (
    RegionalValueContent,
)
from origin.regime import DeclaredRegime

LAW = LawBook.load(Path(__file__).with_suffix(".toml"))
PARTIES = LAW.parties


def _factory_cost(a: Assessment) -> RVCInputs:
    """r 32: FC = all materials + allowable labour and overheads + inner containers;
    QE = originating materials + that labour/overhead spent in the parties + originating
    inner containers. Excluded cost categories (r 32 (c)) count in neither.

    Since QE ≤ FC, an unknown originating value can only raise QE/FC, and an unknown
    non-originating one only lower it."""
    sheet = cost_sheet(a.case)
    if sheet.missing:
        return RVCInputs({"QE": None, "FC": None})
    # Packing for shipment is outside factory cost as it is outside origin (r 39B(3)).
    fc = a.materials_total + sheet.allowable + sheet.inner_containers
    qe = a.originating_total + sheet.allowable_in_parties + sheet.inner_containers_originating
    up, down = a.unknown_vom, a.unknown_fc_non
    raises = None if up and down else bool(up)
    return RVCInputs({"QE": qe, "FC": fc}, (*up, *down), raises)


# The regime (valuation, adjustments, accessories, packaging, indirect materials, de minimis,
# the r 36 methods, accumulation) is declared in the law file's [regime]; only r 32's factory
# cost, which the law makes unique, is computed here (named factory_cost there).
DECLARED = DeclaredRegime.read(LAW, {"factory_cost": _factory_cost})
regime_at = DECLARED.at


# --------------------------------------------------------------------------- cost sheet


def cost_sheet(case: Case) -> CostSheet:
    """r 32: allowable labour and overheads count in factory cost wherever incurred; those
    incurred in a party also in qualifying expenditure; processing outside the parties is
    excluded ((c)(x)); inner containers count in QE when they originate in a party."""
    return sort_costs(case, LAW.vocabulary("cost_categories"), PARTIES, containers_by="origin")


# Material kinds of r 33(2)(d) whose meaning is a definition of r 32 (the term text cites it).
_DEFINED_IN_R32 = {"unmanufactured_raw_product": cite("r 32 unmanufactured raw products")}


def _under_rvc(step: Step, method: str, extra: Step) -> Step:
    """``step`` (an RVC step, or a step over one RVC step per method) with ``extra`` under the
    step of ``method``."""
    title = f"RVC {method}"
    if step.test == title:
        return attrs.evolve(step, children=(*step.children, extra))
    return attrs.evolve(
        step,
        children=tuple(
            attrs.evolve(c, children=(*c.children, extra)) if c.test == title else c
            for c in step.children
        ),
    )


def _category_cited(step: Step, key: str | None) -> Step:
    """A wholly-obtained step with the category claimed as a step of its own, citing the
    paragraph of the r 32 definition relied on (the summary names it)."""
    term = LAW.vocabulary("wholly_obtained").get(key) if key else None
    if term is None:
        return step
    category = Step(
        "wholly obtained category", term.reference, MEETS, term.text, (("category", str(key)),)
    )
    return attrs.evolve(step, children=(*step.children, category))


def _operations_cited(step: Step, operations: tuple[str, ...] | None) -> Step:
    """A failed r 33A step (only minimal operations) with each operation as a step citing
    the paragraph of r 33A(1) it falls in (the summary names them)."""
    terms = LAW.vocabulary("minimal_operations")
    if step.outcome is not FAILS or not operations:
        return step
    listed = [op for op in dict.fromkeys(operations) if op in terms]
    return attrs.evolve(
        step,
        children=(
            *step.children,
            *(
                Step(f"minimal operation: {op}", terms[op].reference, FAILS, terms[op].text)
                for op in listed
            ),
        ),
    )


# --------------------------------------------------------------------------- the decision


class _Run(Decision):
    """One ANZCERTA determination: the classes of r 33(2) and the tests that qualify them."""

    law = LAW
    declared = DECLARED

    def indirect_deemed(self) -> bool:
        # r 39C(2): the r 33(2)(e) election turns off r 39C(1)'s deeming.
        return not self.election_e

    @property
    def election_e(self) -> bool:
        return self.case.facts.get("election_33_2_e") is True

    # ----- r 33(2) classes

    def class_a(self) -> Step:
        """r 33(2)(a): wholly obtained or produced in the territory of either or both parties."""
        step = self.wholly_obtained(cite("r 33(2)(a)"), "class 33(2)(a) wholly obtained")
        return _category_cited(step, self.case.good.wholly_obtained)

    def class_b(self) -> Step:
        """r 33(2)(b): entirely produced in the parties exclusively from originating materials
        (a relieved r 39(1) accessory "must be treated as originating goods")."""
        return self.exclusively_originating(
            cite("r 33(2)(b)"), "class 33(2)(b) exclusively originating materials"
        )

    def class_c(self) -> tuple[Step, tuple[str, ...]]:
        """r 33(2)(c): entirely produced in the parties and meets Annex G (the PSR)."""
        citation = cite("r 33(2)(c)")
        place = self.produced_in_parties(citation)
        if self.case.psr is None:
            psr = Step(
                "product-specific rule",
                citation,
                NEEDS_INFO,
                f"no Annex G rule given for {self.case.good.hs}",
                missing=(f"product-specific rule (Annex G (2022)) for {self.case.good.hs}",),
            )
            return Step(
                "class 33(2)(c) Annex G",
                citation,
                place.outcome & NEEDS_INFO,
                psr.summary,
                children=(place, psr),
                missing=psr.missing,
            ), ()
        rule = self.parse_psr()
        assert rule is not None
        psr = self.evaluate_psr(rule, cite("r 33(2)(c)"))
        met = alternatives_met(rule, psr)
        outcome = place.outcome & psr.outcome
        return Step(
            f"class 33(2)(c) Annex G: {rule}",
            citation,
            outcome,
            psr.summary,
            (("rule", str(rule)),),
            children=(place, psr),
        ), met

    def class_d(self) -> Step:
        """r 33(2)(d): wholly manufactured in the parties from raw or wholly made materials."""
        citation = cite("r 33(2)(d)")
        attributes = LAW.vocabulary("material_attributes")
        kinds = (
            "unmanufactured_raw_product",
            "wholly_manufactured_in_parties",
            "manufactured_raw_material",
        )
        a = self.assessment
        if not any(line.material.attributes & set(kinds) for line in a.special.values()):
            return Step(
                "class 33(2)(d) wholly manufactured",
                citation,
                FAILS,
                "not claimed (no material marked as an r 33(2)(d) input)",
            )
        # Claimed: every material (other than excluded and indirect ones) must be of a kind.
        lines = [
            m
            for i, m in enumerate(a.case.materials)
            if not m.indirect and (i not in a.special or a.special[i].counted_as != "excluded")
        ]
        # (d)(ii) materials are wholly manufactured *in the parties*: one from elsewhere is not.
        made_abroad = [
            m.id
            for m in lines
            if "wholly_manufactured_in_parties" in m.attributes
            and m.origin_country is not None
            and m.origin_country not in PARTIES
        ]
        claimed = [m for m in lines if m.attributes & set(kinds) and m.id not in made_abroad]
        outside = [m.id for m in lines if not m.attributes & set(kinds)] + made_abroad
        children = [self.produced_in_parties(citation)]
        # Cite each sub-paragraph relied on, so the basis shows (i), (ii) or (iii).
        for kind in kinds:
            relying = [m.id for m in claimed if kind in m.attributes]
            if relying:
                term = attributes[kind]
                defined = _DEFINED_IN_R32.get(kind)
                children.append(
                    Step(
                        f"r 33(2)(d) inputs: {kind.replace('_', ' ')}",
                        term.reference,
                        MEETS,
                        f"{term.text}: {', '.join(relying[:10])}",
                        children=(Step("definition", defined, MEETS, term.text),)
                        if defined
                        else (),
                    )
                )
        last = self.case.good.last_process_in
        if outside:
            children.append(
                Step(
                    "r 33(2)(d) inputs",
                    citation,
                    FAILS,
                    f"materials not of the kinds in r 33(2)(d)(i)–(iii): {', '.join(outside[:10])}",
                )
            )
        needs_ce = any("manufactured_raw_material" in m.attributes for m in claimed)
        if needs_ce and not self.case.facts.get("manufactured_raw_material_determination"):
            children.append(
                Step(
                    "chief executive determination",
                    attributes["manufactured_raw_material"].reference,
                    NEEDS_INFO,
                    "materials relied on as manufactured raw materials need the determination",
                    missing=("reference of the chief executive's r 33(2)(d)(iii) determination",),
                )
            )
        if last is not None and last not in PARTIES:
            children.append(
                Step(
                    "wholly manufactured in the parties", citation, FAILS, f"last process in {last}"
                )
            )
        outcome = Outcome.all(c.outcome for c in children)
        return Step(
            "class 33(2)(d) wholly manufactured",
            citation,
            outcome,
            f"{len(claimed)} of {len(lines)} materials are raw or wholly made in the parties",
            children=tuple(children),
            missing=missing_of(children),
        )

    def class_e(self) -> Step:
        """r 33(2)(e): imported before 2012, last process in Australia, factory-cost RVC 50%."""
        citation = cite("r 33(2)(e)")
        window, _ = LAW.window("class_e_imports")
        consignment = self.case.consignment
        imported = consignment.imported_on if consignment and consignment.imported_on else None
        on = imported or self.date
        when = (
            (
                "imported on",
                on if imported else f"{on} (no importation date: the determination date)",
            ),
        )
        if not window.contains(on):
            return Step(
                "class 33(2)(e) factory cost before 2012",
                citation,
                FAILS,
                f"only for goods imported before {window.end}",
                when,
            )
        last = self.case.good.last_process_in
        last_step = Step(
            "last process in Australia",
            cite("r 33(2)(e)(i)"),
            NEEDS_INFO if last is None else Outcome.of(last == "AU"),
            f"last process in {last}" if last else "place of the last process not stated",
            missing=("country of the last process of manufacture",) if last is None else (),
        )
        threshold = LAW.value("factory_cost_threshold_e", self.date).value
        rvc = self.rvc_step(RegionalValueContent(threshold, "factory-cost"), cite("r 33(2)(e)(ii)"))
        children = (last_step, rvc)
        return Step(
            "class 33(2)(e) factory cost before 2012",
            citation,
            Outcome.all(c.outcome for c in children),
            rvc.summary,
            when,
            children=children,
            missing=missing_of(children),
        )

    # ----- PSR leaves

    def wholly_obtained_class(self) -> Step:
        return self.class_a()

    def rvc_missing(self, slug: str) -> tuple[str, ...]:
        missing = list(super().rvc_missing(slug))
        if slug == "factory-cost":
            missing.extend(cost_sheet(self.case).missing)
        return tuple(missing)

    def tolerance(self, result: RVCResult) -> RVCResult:
        """r 37: a chief-executive statement deems 48% ≤ factory-cost RVC < 50% to be 50%.

        r 37(1): "This regulation applies in cases where these regulations require a regional
        value content of at least 50% based on the factory cost method." r 37(2)(a): the
        statement is that the RVC "is 48% or more, but less than 50%". r 37(3): the goods the
        statement was made for (a), and similar goods in a later shipment affected by the same
        circumstance (b), "are deemed to have a regional value content of at least 50%".

        Each of these is a step under the RVC step (see :meth:`rvc_step`), so that every
        provision relied on is cited."""
        applies_at = LAW.value("tolerance_applies_at", self.date)
        floor = LAW.value("tolerance_floor", self.date)
        if (
            result.method != "factory-cost"
            or result.threshold != applies_at.value
            or result.value is None
            or result.outcome is MEETS
            or not floor.value <= result.value < applies_at.value
        ):
            return result
        facts = self.case.facts
        statement = facts.get("r37_statement")
        similar = facts.get("r37_similar_goods") is True
        low, high = percent(floor.value), percent(applies_at.value)
        # How far the figure holds when some values are missing: "at least" (only missing
        # originating values), "at most" (only non-originating), or either way (both).
        bound = result.bound or ("either way" if result.outcome is NEEDS_INFO else "")
        covered = bound in {"", "at least"}  # the RVC is surely 48% or more
        shown = percent(result.value)
        children = [
            Step(
                "tolerance applies",
                applies_at.reference,
                MEETS,
                f"the requirement is {high} by the factory cost method",
            ),
            Step(
                "RVC in the tolerance band",
                floor.reference,
                MEETS if covered else NEEDS_INFO,
                f"{shown}: {low} or more, but less than {high}"
                if not bound
                else f"at least {shown}: {low} or more (if less than {high})"
                if covered
                else f"{shown} on the known figures, {bound}: it may be below {low}, "
                "which no statement covers",
            ),
            Step(
                "chief executive's statement",
                cite("r 37(2)"),
                MEETS if statement else FAILS,
                f"statement {statement}" if statement else "no statement is recorded",
                (("statement", str(statement)),) if statement else (),
            ),
        ]
        if statement and facts.get("r37_statement_revoked") is True:
            # r 37(4): "The chief executive may at any time amend or revoke any statement made
            # under subclause (2) to reflect changed circumstances." Revoked, it deems nothing.
            children.append(
                Step(
                    "statement in force",
                    cite("r 37(4)"),
                    FAILS,
                    f"statement {statement} has been revoked by the chief executive",
                )
            )
        if statement and similar:
            children.append(
                Step(
                    "similar goods",
                    cite("r 37(5)"),
                    MEETS,
                    "stated: a later shipment by the same importer from the same manufacturer, "
                    "of the same materials and processes",
                )
            )
        deeming = cite("r 37(3)(b)") if statement and similar else cite("r 37(3)(a)")
        outcome = Outcome.all(c.outcome for c in children)
        self._r37 = Step(
            "r 37 tolerance",
            deeming,
            outcome,
            f"deemed at least {high} by the chief executive's statement {statement}"
            if outcome is MEETS
            else f"not deemed at least {high}: "
            + "; ".join(c.summary for c in children if c.outcome is not MEETS),
            children=tuple(children),
        )
        if outcome is MEETS:
            self._r37_deemed = True
            which = "r 37(3)(b), similar goods in a later shipment" if similar else "r 37(3)(a)"
            return attrs.evolve(
                result,
                outcome=MEETS,
                note=f"deemed at least {high} by the chief executive's statement "
                f"{statement} ({which})",
            )
        if statement and not covered:
            # The missing values may put the RVC below 48%, which the statement cannot cover.
            return attrs.evolve(result, outcome=NEEDS_INFO)
        return attrs.evolve(
            result,
            note=f"within the {low}–{high} band: a chief executive's statement under r 37(2) "
            f"would deem it at least {high} (r 37(3)(a))",
        )

    _r37: Step | None = None  # the r 37 step of the factory-cost result last evaluated
    _r37_deemed = False  # whether a r 37(2) statement deemed an RVC at least 50%

    def rvc_step(self, rule: RegionalValueContent, citation: Citation) -> Step:
        """The RVC step, with the r 37 tolerance applied to a factory-cost result under it."""
        self._r37 = None
        step = super().rvc_step(rule, citation)
        r37, self._r37 = self._r37, None
        if r37 is None:
            return step
        return _under_rvc(step, "factory-cost", r37)

    # ----- the rest
    # ----- the rest

    def obligations(self) -> tuple[Obligation, ...]:
        """What regs 37(4) and 39D–39G require or allow beyond the origin test.

        None of them changes whether the goods are originating: r 39D(1) and (3) say how a
        claim may be made, r 39G what the chief executive does with it. They are listed with
        their citations. r 37(4) is listed when a r 37(2) statement was relied on; its
        revocation is the fact ``r37_statement_revoked``, which does change the verdict."""
        years = int(LAW.value("record_years", self.date).value)
        until = years_after(self.imported_on(), years)
        statement = self.case.facts.get("r37_statement")
        relied = statement and self._r37_deemed
        return _obligations(years, until, str(statement) if relied else None)

    def determine(self) -> Determination:
        case = self.case
        steps: list[Step] = list(self.assessment.sub_steps)
        basis: list[str] = []
        if self.election_e:
            # r 39C(2): with the election, origin is assessed under r 33(2)(e) alone.
            classes = [self.class_e()]
            met_rules: tuple[str, ...] = ()
        else:
            c_step, met_rules = self.class_c()
            classes = [self.class_a(), self.class_b(), c_step, self.class_d(), self.class_e()]
        steps.extend(classes)
        origin = Outcome.any(c.outcome for c in classes)
        for c in classes:
            if c.outcome is MEETS:
                if c.citation == cite("r 33(2)(c)"):
                    basis.append(self.rule_basis(str(c.citation), c, met_rules))
                else:
                    basis.append(str(c.citation))
        wholly = classes[0].outcome is MEETS and not self.election_e
        if not wholly:
            # r 33A overrides regs 33 and 34–39G: minimal operations alone never confer origin.
            minimal = _operations_cited(
                minimal_operations_step(
                    case.good.operations,
                    LAW.vocabulary("minimal_operations"),
                    cite("r 33A(1)"),
                    "operations performed on the goods in the parties",
                ),
                case.good.operations,
            )
            steps.append(minimal)
            origin &= minimal.outcome
        # r 39A: fungible materials' origin by separation or a GAAP inventory method.
        origin = self.counting_fungibles(
            origin,
            steps,
            cite("r 39A(1)"),
            (cite("r 39A(1)(a)"), cite("r 39A(1)(b)")),
            cite("r 39A(2)"),
        )
        if not self.intermediate:
            # r 34: production or other operations outside the parties cost the goods origin.
            transit = transit_step(
                case.consignment,
                PARTIES,
                LAW.vocabulary("transit_operations"),
                cite("r 34"),
            )
            steps.append(transit)
            origin &= transit.outcome
        verdict = Verdict.from_outcome(origin)
        sheet = cost_sheet(case) if case.costs else None
        notes: list[str] = []
        if sheet is not None:
            notes.extend(
                f"cost {cid} {amount} excluded from factory cost ({ref})"
                for cid, amount, ref in sheet.excluded
            )
            if sheet.outside_parties:
                notes.append(
                    f"cost line(s) {', '.join(sheet.outside_parties)} incurred outside the "
                    "parties: in factory cost, not in qualifying expenditure (r 32 qualifying "
                    "expenditure (b))"
                )
            if sheet.placed_by_default:
                notes.append(
                    f"cost line(s) {', '.join(sheet.placed_by_default)} state no incurred_in: "
                    f"taken as incurred in {case.good.last_process_in}, where the last process "
                    "was performed (r 32 allowable expenditure (a))"
                )
        determination = self.conclude(verdict, basis, steps, tuple(notes))
        if sheet is None:
            return determination
        return attrs.evolve(determination, costs=sheet.rows)


@functools.lru_cache(maxsize=1024)
def _obligations(years: int, until: dt.date, statement: str | None) -> tuple[Obligation, ...]:
    """The obligations of regs 37(4) and 39D-39G for a record period, its end and the r 37(2)
    statement relied on (None: none): the same for every determination that shares them, so
    written once (obligations are immutable)."""
    tolerance = (
        (
            Obligation(
                cite("r 37(4)"),
                f"the chief executive may amend or revoke statement {statement} at any "
                "time to reflect changed circumstances; this determination relies on it "
                "as stated",
            ),
        )
        if statement is not None
        else ()
    )
    return (
        *tolerance,
        Obligation(
            cite("r 39D(1)"),
            "the importer may claim preferential treatment on the basis of a declaration "
            "of the exporter of the goods",
        ),
        Obligation(
            cite("r 39D(2)"),
            "the chief executive may require the exporter's declaration of why the "
            "goods qualify, with costs and production information",
        ),
        Obligation(cite("r 39D(3)"), "the declaration may be provided in electronic form"),
        Obligation(
            cite("r 39E(3)"),
            f"keep records of the importation, exportation or production for at least "
            f"{years} years after importation or exportation",
            until,
        ),
        Obligation(
            cite("r 39F"),
            "the claim may be verified; keep the cost data behind this determination available",
        ),
        Obligation(
            cite("r 39G(1)"),
            "if the chief executive is satisfied that the goods are originating (on a "
            "declaration, r 39D(2), or by verification, r 39F), the claim must be granted",
        ),
        Obligation(
            cite("r 39G(2)"),
            "preferential treatment may be denied if the importer fails to comply with a "
            "requirement imposed by or under the regulations",
        ),
        Obligation(
            cite("r 39G(3)"),
            "if preferential treatment is denied, the Customs must give the claimant a "
            "written explanation",
        ),
    )


AGREEMENT_NAME = "anzcerta"


def decide(case: Case, date: dt.date) -> Determination:
    """Decide whether ``case``'s goods are the produce or manufacture of Australia (r 33)."""
    return _Run.decide(case, date)


AGREEMENT = Agreement(
    name=AGREEMENT_NAME,
    title=LAW.title,
    regulations=LAW.regulations,
    law=LAW,
    decide=decide,
    cases=Path(__file__).parent / "cases" / "anzcerta",
)
