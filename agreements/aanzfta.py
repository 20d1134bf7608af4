"""AANZFTA: goods of a party under the Customs and Excise Regulations 1996, regs 51ZM–51ZX.

Source: Customs and Excise Regulations 1996 (NZ), Part 6, "Provisions relating to AANZFTA
countries", version as at 28 November 2025 (shared/seeds/004_9d4d1b142f3c36ed.txt). The law
file ``aanzfta.toml`` beside this module holds every number and list with its reference, the
parties, and the dates it covers: from 21 April 2025, when the Customs and Excise (AANZFTA)
Amendment Regulations 2025 (SL 2025/42) replaced the r 51ZM definition of product specific
rule and inserted r 51ZPA and r 51ZQA. Product-specific rules come from *Product Specific
Rules of Origin for AANZFTA goods (2022)* or *Chapter 3 Annex 3B, Product Specific Rules*;
the case supplies the rule text and says which document it is from (``facts.psr_document``).

Goods originate in a party when they are wholly produced or obtained (r 51ZN(a), r 51ZO),
meet the product-specific rule — with the final process of production in a party when the
rule relies on a regional value content (r 51ZN(b)) — or are produced exclusively from
originating materials (r 51ZN(c)); and they keep that status only if consigned as r 51ZX
allows. RVC is computed by both formulas of r 51ZP: ``direct`` (AANZFTA material cost +
labour + overhead + profit + other costs) / FOB × 100 and ``indirect`` (FOB − VNM) / FOB ×
100. Minimal operations (r 51ZR) count against a claim resting solely on RVC. De minimis is
10% of FOB, or for goods of chapters 50–63 10% by weight or by value (r 51ZS).

The regime — valuation (r 51ZP(b)), accessories (r 51ZT), packaging (r 51ZV), indirect
materials (r 51ZW), de minimis by value and by weight (r 51ZS), both RVC formulas and
accumulation (r 51ZQ) — is declared in ``aanzfta.toml``'s ``[regime]`` and read by the engine
(:mod:`origin.regime`). This module holds only what the law makes unique to AANZFTA: the
direct formula's terms from the cost sheet with r 51ZQA(2) (the input function ``direct``),
the classes of r 51ZN, r 51ZPA, r 51ZR, r 51ZX, the two PSR documents, the declared parties
and the second protocol.

Interpretations (also shown in the explanation where they apply):

* **Parties (r 51ZM).** A signatory is a party only "if the State is, by an Order in Council
  under section 7A(1)(a) of the Act, declared to be a specified AANZFTA party". The Orders
  are outside the regulations, so the law file records which signatories are declared as a
  dated list with its source (``[parties_list]``: the Working Tariff Document of 1 January
  2022, which names all twelve under AAN); every determination names the list in a
  "parties relied on" step (r 51ZM party) and a note. A user can mark a signatory
  "not-declared" there (and drop it from ``[agreement].parties``).
* **The second protocol's commencement (r 51ZM second protocol)** is the law file's dated
  value (``[windows.second_protocol]``: 21 April 2025, with its source), not a case fact: the
  regulations do not state it, and it is the same for every case. A case that still states
  ``second_protocol_commenced`` is refused unless it gives that date.
* **Which PSR document (r 51ZM product specific rule, r 51ZPA).** Before 180 days after the
  commencement (2025-10-18) the 2022 document applies to every party: in the gap the text
  leaves (a notice published, 180 days not yet run) (a) is read as still applying. From
  then, Annex 3B applies to the party where the goods are produced if a r 51ZPA notice has
  been published for it, and the 2022 document if not. The notices are published outside
  the regulations and are not in the law file, so the case states it
  (``facts.second_protocol_notice``, ``facts.second_protocol_notice_published``, or the
  party among ``facts.extended_accumulation_parties``, whose notices exist); not stated, the
  verdict needs it, named (it was once taken as not published). The dates are tested on the
  importation date (the determination date if none). A rule from the document that does not
  apply cannot decide the case: the verdict needs the other one.
* **r 51ZPA(2)** ("Any failure to comply with this regulation does not invalidate the effect
  of New Zealand's acceptance of a party's ratification of the second protocol") cannot
  change a verdict: the PSR document and extended accumulation turn on a notice having been
  *published*, which r 51ZPA(2) does not deem. It is listed as an obligation, with r 51ZPA(1),
  wherever the determination turns on a notice.
* **Final process of production (r 51ZN(b)).** The condition attaches to each alternative of
  the rule that contains an RVC requirement; it is met when ``good.last_process_in`` (the
  country of the last process of production) is a party. Class (b) also needs the goods
  produced in the parties (``good.produced_in``), since they must originate "in a party".
* **Minimal operations (r 51ZR)** apply only when the claim rests solely on RVC: an
  alternative made only of RVC requirements. An alternative with a tariff shift that is met
  carries the claim without them. Only the listed operations are recognised as minimal.
* **RVC (r 51ZP).** Both formulas are computed and either suffices when the rule names none.
  The direct formula's AANZFTA material cost is the value of originating materials
  (indirect materials deemed originating under r 51ZW included) plus any value added in
  participating parties under r 51ZQA(2); labour, overhead, profit and other costs come from
  the case's cost lines by category. With no cost lines the direct RVC is a lower bound.
  VNM takes the CIF value or earliest ascertained price; a value on another stated basis
  (customs value, ex-works, FOB, acquisition cost) is no value for it. Undetermined origin
  counts in VNM; self-produced materials are replaced by the non-originating materials
  acquired to make them.
* **Extended accumulation (r 51ZQA)** is a case-level matter: value added to a
  non-originating material in participating parties is an adjustment
  (``value_added_in_participating_parties``) on that material. It counts only when 180 days
  have passed since the second protocol commenced (the law file's date), the goods are
  finished in a participating party and the material was worked in one
  (``material.produced_in``); the participating parties are
  ``facts.extended_accumulation_parties``, those whose r 51ZPA notices record that they
  opted to adopt extended accumulation, so a party listed there has a notice for the PSR
  document too. Otherwise the adjustment is dropped.
* **Accessories (r 51ZT(3)).** With ``facts.accessories_raise_rvc`` the relief for
  accessories is lost and the lines are treated as ordinary materials (a cited step says
  so); the FOB value used should be that of the goods as sold, without them.
* **Direct consignment (r 51ZX(b)(ii)).** "Entered the commerce of a non-party or free
  circulation in that party" is read as one condition on each non-party on the route:
  ``transit[].entered_commerce`` records whether the goods entered its commerce or were
  released into free circulation there; each non-party stop has a step under (b)(i) and one
  under (b)(ii). Passing through another party is not transit through a non-party. Regs
  51ZM–51ZX set no record-keeping or declaration duty on importers; the only obligations
  listed are r 51ZPA(1)-(2), the Secretary's notice, where a determination turns on it.
* **Citations.** Every provision a determination relies on is a step's citation (the
  wholly-obtained paragraph of r 51ZO and each minimal operation's paragraph of r 51ZR
  included), an RVC result's or an obligation's, not only words in a summary or note.

>>> import datetime as dt
>>> from origin.caseio import case_from_json
>>> case = case_from_json({
...     "schema": "origin-case/1", "currency": "THB", "psr": "RVC40",
...     "facts": {"psr_document": "2022"},
...     "good": {"id": "fan", "hs": "8414.51", "fob": "1000.00",
...              "produced_in": ["TH"], "last_process_in": "TH",
...              "operations": ["winding", "assembly"]},
...     "materials": [{"id": "motor", "hs": "8501.10", "value": "600.00",
...                    "basis": "cif", "status": "non-originating"}],
...     "consignment": {"exported_from": "TH", "transit": []}})
>>> d = AGREEMENT.determine(case, dt.date(2025, 6, 1))
>>> d.verdict.value, [(r.method, r.value) for r in d.rvc if r.method == "indirect"]
('originating', [('indirect', Fraction(40, 1))])
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path

import attrs

from origin.agreement import Agreement
from origin.citation import Citation, cite
from origin.decision import Below, Decision
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
from origin.engine import (
    ZERO,
    Assessment,
    CaseError,
    RVCInputs,
    evaluate_rule,
    minimal_operations_step,
    tariff_shift_step,
    transit_step,
)
from origin.law import LawBook, LawFileError, Term
from origin.model import Case, Material
from origin.psr import (
    AllOf,
    AnyOf,
    PSRSyntaxError,
    RegionalValueContent,
    Rule,
    TariffShift,
    WhollyObtained,
    parse_rule,
)
from origin.regime import DeclaredRegime
from origin.trees import rebuild

_LAW_PATH = Path(__file__).with_suffix(".toml")
LAW = LawBook.load(_LAW_PATH)
with _LAW_PATH.open("rb") as _handle:
    # What the law file says beyond LawBook's fields: the sources of the parties list and of
    # the second protocol's commencement.
    _FILE = tomllib.load(_handle)
PARTIES = LAW.parties
AGREEMENT_NAME = "aanzfta"
EXTENDED = "value_added_in_participating_parties"  # the r 51ZQA(2) adjustment kind
DOCUMENTS = {
    "2022": "r 51ZM product specific rule (a)",
    "annex-3b": "r 51ZM product specific rule (b)",
}
DOCUMENT_TITLES = {
    "2022": "Product Specific Rules of Origin for AANZFTA goods (2022)",
    "annex-3b": "Chapter 3 Annex 3B, Product Specific Rules",
}


LAW.check_parties("declared")  # r 51ZM: the parties are those recorded as such


@attrs.frozen
class PartiesList:
    """Where the list of declared parties comes from (r 51ZM "party": a signatory "if the
    State is, by an Order in Council under section 7A(1)(a) of the Act, declared to be a
    specified AANZFTA party"); the Orders are outside the regulations."""

    source: str
    as_at: dt.date
    reference: Citation
    caveat: str


@attrs.frozen
class SecondProtocol:
    """r 51ZM "second protocol": the Protocol signed at Semarang on 21 August 2023. When it
    commenced is not in the regulations; the law file records it with its source."""

    commenced: dt.date
    reference: Citation
    source: str


def _parties_list() -> PartiesList:
    try:
        spec = _FILE["parties_list"]
        as_at = spec["as_at"]
        if not isinstance(as_at, dt.date):
            raise TypeError(f"as_at {as_at!r} must be a TOML date")
        return PartiesList(
            str(spec["source"]), as_at, cite(str(spec["reference"])), str(spec["caveat"])
        )
    except (KeyError, TypeError, ValueError) as error:
        raise LawFileError(f"{_LAW_PATH.name}: [parties_list]: {error}") from error


def _second_protocol() -> SecondProtocol:
    window, reference = LAW.window("second_protocol")
    source = _FILE["windows"]["second_protocol"].get("source")
    if window.start is None or not source:
        raise LawFileError(f"{_LAW_PATH.name}: [windows.second_protocol] needs from and source")
    return SecondProtocol(window.start, reference, str(source))


PARTIES_LIST = _parties_list()
SECOND_PROTOCOL = _second_protocol()

_NO_COSTS = "cost lines (labour, overhead, profit and other costs)"


@attrs.frozen
class CostSheet:
    """The cost lines summed by the r 51ZP(a) term they belong to."""

    labour: Decimal
    overhead: Decimal
    profit: Decimal
    other: Decimal


def cost_sheet(case: Case) -> CostSheet:
    """Sort the cost lines into the terms of r 51ZP(a) (categories are the law file's)."""
    categories = LAW.vocabulary("cost_categories")
    sums = {"labour": ZERO, "overhead": ZERO, "profit": ZERO, "other": ZERO}
    for cost in case.costs:
        term = categories.get(cost.category)
        if term is None:
            raise CaseError(
                f"cost line {cost.id!r}: unknown category {cost.category!r} "
                f"(known: {', '.join(sorted(categories))})"
            )
        sums[term.group] += cost.amount
    return CostSheet(sums["labour"], sums["overhead"], sums["profit"], sums["other"])


def _extended_value(a: Assessment) -> Decimal:
    """r 51ZQA(2): value added in participating parties to non-originating materials."""
    total = ZERO
    # A line with adjustments is a special line of the assessment: the others add nothing.
    for line in a.special.values():
        if not line.originating:
            total += sum((x.amount for x in line.material.adjustments if x.kind == EXTENDED), ZERO)
    return total


def _direct(a: Assessment) -> RVCInputs:
    """r 51ZP(a): unknown originating values or an absent cost sheet can only raise it."""
    sheet = cost_sheet(a.case)
    unknown = list(a.unknown_vom)
    if not a.case.costs:
        unknown.append(_NO_COSTS)
    return RVCInputs(
        {
            "AMC": a.vom + _extended_value(a),
            "LC": sheet.labour,
            "OC": sheet.overhead,
            "PR": sheet.profit,
            "OTH": sheet.other,
            "FOB": a.case.good.fob,
        },
        tuple(unknown),
        raises=True,
    )


# The regime (valuation, accessories, packaging, indirect materials, de minimis by value and by
# weight, the r 51ZP methods, accumulation) is declared in the law file's [regime]; only the
# direct formula's terms, which the law makes unique (r 51ZP(a), r 51ZQA(2)), are computed here
# (named direct there).
DECLARED = DeclaredRegime.read(LAW, {"direct": _direct})
regime_at = DECLARED.at


def _has_rvc(rule: Rule) -> bool:
    if isinstance(rule, RegionalValueContent):
        return True
    if isinstance(rule, AllOf | AnyOf):
        return any(_has_rvc(term) for term in rule.terms)
    return False


def _solely_rvc(rule: Rule) -> bool:
    if isinstance(rule, RegionalValueContent):
        return True
    if isinstance(rule, AllOf | AnyOf):
        return all(_solely_rvc(term) for term in rule.terms)
    return False


def _date_fact(case: Case, key: str) -> dt.date | None:
    value = case.facts.get(key)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CaseError(f"facts.{key}: {value!r} is not a date (YYYY-MM-DD)") from None


def _codes(case: Case, key: str) -> frozenset[str] | None:
    value = case.facts.get(key)
    if value is None:
        return None
    codes = frozenset(c.strip().upper() for c in str(value).split(",") if c.strip())
    outside = sorted(codes - set(PARTIES))
    if outside:
        raise CaseError(f"facts.{key}: {', '.join(outside)} not among the parties")
    return codes


def _imported_on(case: Case, date: dt.date) -> dt.date:
    consignment = case.consignment
    return consignment.imported_on if consignment and consignment.imported_on else date


def with_operations(
    step: Step, operations: Iterable[str] | None, listed: Mapping[str, Term]
) -> Step:
    """Cite each listed minimal operation performed (r 51ZR(a)-(f)) in a step of its own: the
    production goes beyond minimal operations if any operation is not one of them."""
    children = [
        Step(
            f"minimal operation: {op}",
            listed[op].reference,
            FAILS,
            f"{op} is a minimal operation: {listed[op].text}",
        )
        for op in dict.fromkeys(operations or ())
        if op in listed
    ]
    return attrs.evolve(step, children=(*step.children, *children)) if children else step


# --------------------------------------------------------------------------- the decision


class _Run(Decision):
    """One AANZFTA determination: the classes of r 51ZN and the tests that qualify them."""

    law = LAW
    declared = DECLARED

    def __init__(
        self,
        case: Case,
        date: dt.date,
        *,
        intermediate: bool,
        assume_pending: bool = False,
        below: Below | None = None,
    ) -> None:
        super().__init__(
            case, date, intermediate=intermediate, assume_pending=assume_pending, below=below
        )
        self.notes: list[str] = []

    def rvc_missing(self, slug: str) -> tuple[str, ...]:
        missing = list(super().rvc_missing(slug))
        if slug == "direct":  # the direct formula's terms come from the plugin's own function
            if not self.case.costs:
                missing.append(f"{_NO_COSTS} for the direct formula (r 51ZP(a))")
            if self.case.good.fob is None:
                missing.append("FOB value of the good")
        return tuple(missing)

    # ----- r 51ZN classes

    def class_a(self) -> Step:
        """r 51ZN(a): wholly produced or obtained in a party (r 51ZO)."""
        step = self.wholly_obtained(cite("r 51ZN(a)"), "class 51ZN(a) wholly produced or obtained")
        return self.claimed_category(step)

    def class_c(self) -> Step:
        """r 51ZN(c): produced in a party exclusively from originating materials."""
        return self.exclusively_originating(
            cite("r 51ZN(c)"), "class 51ZN(c) exclusively originating materials"
        )

    def class_b(self) -> tuple[Step, tuple[str, ...]]:
        """r 51ZN(b): meets the applicable PSR; final process in a party if it relies on RVC."""
        citation = cite("r 51ZN(b)")
        place = self.produced_in_parties(citation)
        document = self.psr_document()
        if self.case.psr is None:
            psr = Step(
                "product-specific rule",
                citation,
                NEEDS_INFO,
                f"no product-specific rule given for {self.case.good.hs}",
                missing=(f"product-specific rule for {self.case.good.hs} (r 51ZM)",),
            )
            missing_rule = (place, document, psr)
            return Step(
                "class 51ZN(b) product-specific rule",
                citation,
                Outcome.all(c.outcome for c in missing_rule),
                psr.summary,
                children=missing_rule,
                missing=missing_of(missing_rule),
            ), ()
        try:
            rule = parse_rule(self.case.psr)
        except PSRSyntaxError as error:
            raise CaseError(f"psr: {error}") from None
        psr = evaluate_rule(rule, self._leaf, citation)
        alternatives = rule.terms if isinstance(rule, AnyOf) else (rule,)
        outcomes = [c.outcome for c in psr.children] if isinstance(rule, AnyOf) else [psr.outcome]
        final = minimal = None
        met_outcome = FAILS
        met: list[str] = []
        for term, evaluated in zip(alternatives, outcomes, strict=True):
            outcome = evaluated
            if _has_rvc(term) and outcome is not FAILS:
                final = final or self.final_process()
                outcome &= final.outcome
            if _solely_rvc(term) and outcome is not FAILS:
                minimal = minimal or with_operations(
                    minimal_operations_step(
                        self.case.good.operations,
                        LAW.vocabulary("minimal_operations"),
                        cite("r 51ZR"),
                        "operations performed on the goods in the parties",
                    ),
                    self.case.good.operations,
                    LAW.vocabulary("minimal_operations"),
                )
                outcome &= minimal.outcome
            met_outcome |= outcome
            if outcome is MEETS:
                met.append(str(term))
        extra = tuple(s for s in (final, minimal) if s is not None)
        if minimal is not None and any(not _solely_rvc(t) for t in alternatives):
            self.notes.append(
                "r 51ZR (minimal operations) applied only to the alternative(s) resting solely "
                "on RVC"
            )
        if final is not None:
            self.notes.append(
                "r 51ZN(b): the final process of production is read as the last process of "
                "production (good.last_process_in)"
            )
        children = (place, document, psr, *extra)
        outcome = place.outcome & document.outcome & met_outcome
        return Step(
            f"class 51ZN(b) product-specific rule: {rule}",
            citation,
            outcome,
            psr.summary,
            (("rule", str(rule)),),
            children=children,
            missing=missing_of(children) if outcome is NEEDS_INFO else (),
        ), tuple(met)

    def _leaf(self, rule: Rule) -> Step:
        if isinstance(rule, TariffShift):
            # r 51ZN(b) change in tariff classification, rescued by r 51ZS de minimis.
            return tariff_shift_step(self.assessment, rule, cite("r 51ZN(b)"))
        if isinstance(rule, RegionalValueContent):
            return self.rvc_step(rule, cite("r 51ZP"))
        if isinstance(rule, WhollyObtained):
            return self.class_a()
        raise CaseError(f"psr: AANZFTA cannot evaluate {rule}")  # pragma: no cover

    def final_process(self) -> Step:
        """r 51ZN(b): when the rule requires RVC, the final process is performed in a party."""
        citation = cite("r 51ZN(b)")
        last = self.case.good.last_process_in
        if last is None:
            return Step(
                "final process of production in a party",
                citation,
                NEEDS_INFO,
                "where the final process of production was performed is not stated",
                missing=("country where the final process of production was performed",),
            )
        return Step(
            "final process of production in a party",
            citation,
            Outcome.of(last in PARTIES),
            f"final process of production in {last}" + ("" if last in PARTIES else ", not a party"),
        )

    def psr_document(self) -> Step:
        """r 51ZM product specific rule (a)-(b) with r 51ZPA: which document applies."""
        return psr_document_step(self.case, self.date)

    # ----- the rest

    def consignment(self) -> Step:
        """r 51ZX: transported without passing a non-party, or transit within (b)(i)-(ii).

        r 51ZX(b): "(i) the goods have not undergone subsequent production or any other
        operation outside the territory of a party other than unloading, reloading, storing,
        or any other operations necessary to preserve them in good condition or to transport
        them to New Zealand; and (ii) the goods have not entered the commerce of a non-party
        or free circulation in that party". Each non-party stop is shown against both.
        """
        allowed = LAW.vocabulary("transit_operations")
        step = transit_step(
            self.case.consignment, PARTIES, allowed, cite("r 51ZX"), commerce_matters=True
        )
        transit = self.case.consignment.transit if self.case.consignment else None
        outside = [s for s in transit or () if s.country not in PARTIES]
        if transit is None:
            return step
        if not outside:
            return attrs.evolve(step, citation=cite("r 51ZX(a)"), test="direct consignment")
        route = ", ".join(s.country for s in outside)
        self.notes.append(
            "r 51ZX(b)(ii): 'entered the commerce of a non-party or free circulation' is read as "
            f"one condition on each non-party on the route ({route}), recorded as "
            "transit[].entered_commerce"
        )
        children: list[Step] = []
        for stop in outside:
            if stop.operations is None:
                done = NEEDS_INFO
                said = f"operations in {stop.country} not stated"
            else:
                other = [op for op in stop.operations if op not in allowed]
                done = Outcome.of(not other)
                said = f"in {stop.country}: {', '.join(stop.operations) or 'nothing done'}" + (
                    f"; not allowed: {', '.join(other)}" if other else ""
                )
            children.append(Step(f"operations in {stop.country}", cite("r 51ZX(b)(i)"), done, said))
            commerce = {None: NEEDS_INFO, True: FAILS, False: MEETS}[stop.entered_commerce]
            children.append(
                Step(
                    f"commerce of {stop.country}",
                    cite("r 51ZX(b)(ii)"),
                    commerce,
                    {
                        NEEDS_INFO: f"whether the goods entered the commerce of {stop.country} "
                        "or free circulation there is not stated",
                        FAILS: f"the goods entered the commerce of {stop.country} or free "
                        "circulation there",
                        MEETS: f"the goods did not enter the commerce of {stop.country} or free "
                        "circulation there",
                    }[commerce],
                )
            )
        return attrs.evolve(
            step, citation=cite("r 51ZX(b)"), test="direct consignment", children=tuple(children)
        )

    def parties_step(self) -> Step:
        """r 51ZM "party": which signatories are declared parties, and from which list."""
        return _parties_step()

    def determine(self) -> Determination:
        case = self.case
        steps: list[Step] = list(self.assessment.sub_steps)
        a_step = self.class_a()
        b_step, met = self.class_b()
        c_step = self.class_c()
        steps.extend((a_step, b_step, c_step))
        produced = b_step.outcome | c_step.outcome
        if a_step.outcome is not MEETS:
            # r 51ZU: identical and interchangeable materials, by segregation or GAAP.
            produced = self.counting_fungibles(
                produced, steps, cite("r 51ZU"), (cite("r 51ZU(a)"), cite("r 51ZU(b)")), None
            )
        origin = a_step.outcome | produced
        if not self.intermediate:
            # r 51ZX: originating status is kept only if consigned as it allows.
            consigned = self.consignment()
            steps.append(consigned)
            origin &= consigned.outcome
        verdict = Verdict.from_outcome(origin)
        basis: list[str] = []
        if a_step.outcome is MEETS:
            basis.append("r 51ZN(a)")
        if produced is MEETS:
            if b_step.outcome is MEETS:
                basis.append(self.rule_basis("r 51ZN(b)", b_step, met))
            if c_step.outcome is MEETS:
                basis.append("r 51ZN(c)")
        notes = list(dict.fromkeys(self.notes))
        raise_rvc = case.facts.get("accessories_raise_rvc") is True
        accessories = [m.id for m in case.materials if m.accessory is not None] if raise_rvc else []
        if raise_rvc and accessories:
            steps.append(
                Step(
                    "accessories added to raise the RVC",
                    cite("r 51ZT(3)"),
                    MEETS,
                    f"stated that {', '.join(accessories[:10])} were added solely to raise the "
                    "RVC and are not sold with the goods: no accessory relief, they count as "
                    "ordinary materials",
                )
            )
            notes.append(
                "r 51ZT(3): the FOB value used should be that of the goods as sold, without the "
                "accessories added to raise the RVC"
            )
        if not self.intermediate:
            steps.append(self.parties_step())
            notes.append(
                f"parties (r 51ZM party): the list of declared parties used is the Working Tariff "
                f"Document's as at {PARTIES_LIST.as_at.isoformat()} (law file [parties_list]; "
                "its source is in the 'parties relied on' step); Orders made after that date "
                "are not reflected"
            )
        return self.conclude(verdict, basis, steps, tuple(notes))


def _commencement() -> Step:
    """r 51ZM "second protocol": the date it commenced, which both 180-day periods count from."""
    return Step(
        "second protocol commenced",
        SECOND_PROTOCOL.reference,
        MEETS,
        f"commenced on {SECOND_PROTOCOL.commenced.isoformat()} ({SECOND_PROTOCOL.source})",
        (("commenced", SECOND_PROTOCOL.commenced),),
    )


@functools.cache
def _parties_step() -> Step:
    """r 51ZM "party": the "parties relied on" step, the same for every determination (the
    law file's list), so written once (a step is immutable)."""
    listed = PARTIES_LIST
    return Step(
        "parties relied on",
        listed.reference,
        MEETS,
        f"{', '.join(PARTIES)}: the signatories (r 51ZM party) recorded as declared specified "
        f"AANZFTA parties, as the Working Tariff Document lists them as at "
        f"{listed.as_at.isoformat()} (law file [parties_list]); {listed.caveat}",
        (
            ("list", listed.source),
            ("as at", listed.as_at),
            ("parties", ", ".join(PARTIES)),
        ),
    )


@functools.lru_cache(maxsize=1024)
def annex_3b_from(date: dt.date) -> dt.date:
    """r 51ZM product specific rule (b): "180 days after the commencement of the second
    protocol and subsequently" -- the first day Annex 3B can apply to a party."""
    delay = LAW.value("annex_3b_delay_days", date)
    return SECOND_PROTOCOL.commenced + dt.timedelta(days=int(delay.value))


def _producer(case: Case) -> str:
    return case.good.last_process_in or "the party where the goods are produced"


def check_second_protocol_facts(case: Case) -> None:
    """Refuse facts that contradict the law file or each other (never read past silently)."""
    stated = _date_fact(case, "second_protocol_commenced")
    if stated is not None and stated != SECOND_PROTOCOL.commenced:
        raise CaseError(
            f"facts.second_protocol_commenced: {stated.isoformat()} is not when the second "
            f"protocol commenced: the law file records {SECOND_PROTOCOL.commenced.isoformat()} "
            f"({SECOND_PROTOCOL.reference}; {SECOND_PROTOCOL.source}). Leave the fact out: the "
            "date is the law's, not the case's"
        )
    if case.facts.get("second_protocol_notice_published") is not False:
        return
    party = case.good.last_process_in
    participating = _codes(case, "extended_accumulation_parties") or frozenset()
    if case.facts.get("second_protocol_notice") is not None:
        raise CaseError(
            "facts.second_protocol_notice_published is false but facts.second_protocol_notice "
            "names a notice: state one or the other"
        )
    if party is not None and party in participating:
        raise CaseError(
            f"facts.second_protocol_notice_published is false but {party} is among the parties "
            "whose r 51ZPA notices adopt extended accumulation "
            "(facts.extended_accumulation_parties): a party listed there has a notice"
        )


def notice_step(case: Case) -> Step:
    """r 51ZPA(1): whether the Secretary of Foreign Affairs and Trade has published a notice
    for the party where the goods are produced.

    r 51ZPA(1): the Secretary "must, as soon as practicable after New Zealand accepts a
    party's ratification of the second protocol, publish a notice ... specifying-- (a) the
    name of the party; and (b) whether that party has opted to adopt the articles of the
    second protocol relating to extended accumulation." The notices are published outside the
    regulations and none is recorded in the law file, so the case states it: a notice's
    reference, ``second_protocol_notice_published`` (false: none), or the party among those
    whose notices adopt extended accumulation. Not stated, it is needed, never assumed.
    """
    who = _producer(case)
    citation = cite("r 51ZPA(1)")
    title = f"r 51ZPA notice for {who}"
    reference = case.facts.get("second_protocol_notice")
    published = case.facts.get("second_protocol_notice_published")
    party = case.good.last_process_in
    participating = _codes(case, "extended_accumulation_parties") or frozenset()
    if published is False:
        return Step(
            title,
            citation,
            FAILS,
            f"stated that no r 51ZPA notice had been published for {who}",
            (("notice", "none published (stated)"),),
        )
    if reference is not None:
        return Step(
            title,
            citation,
            MEETS,
            f"r 51ZPA notice {reference} published for {who}",
            (("notice", str(reference)),),
        )
    if party is not None and party in participating:
        return Step(
            title,
            citation,
            MEETS,
            f"a r 51ZPA notice is published for {party}: its notice adopts extended "
            "accumulation (facts.extended_accumulation_parties)",
            (("notice", "adopting extended accumulation (stated)"),),
        )
    if published is True:
        return Step(
            title,
            citation,
            MEETS,
            f"stated that a r 51ZPA notice has been published for {who}",
            (("notice", "published (stated)"),),
        )
    return Step(
        title,
        citation,
        NEEDS_INFO,
        f"whether the Secretary of Foreign Affairs and Trade has published a r 51ZPA notice "
        f"for {who} is not stated",
        missing=(
            f"whether a r 51ZPA notice has been published for {who}: its reference "
            "(facts.second_protocol_notice), or facts.second_protocol_notice_published: false",
        ),
    )


def psr_document_step(case: Case, date: dt.date) -> Step:
    """Whether the rule the case gives is from the document r 51ZM says applies.

    r 51ZM product specific rule: "(a) in relation to a party to the AANZFTA, in respect of
    which the Secretary of Foreign Affairs and Trade has not published a notice under
    regulation 51ZPA or at any time before the second protocol applies to any party, a rule
    ... in ... Product Specific Rules of Origin for AANZFTA goods (2022) ...; (b) in relation
    to a party ... in respect of which the Secretary ... has published a notice under
    regulation 51ZPA, and 180 days after the commencement of the second protocol and
    subsequently, a rule ... in ... Chapter 3 Annex 3B, Product Specific Rules". The
    commencement is the law file's (21 April 2025); before the 180 days have run the 2022
    document applies to every party (the gap the text leaves is read as (a)); from then it
    turns on the notice for the party where the goods are produced.
    """
    title = "applicable product-specific rule document"
    document = case.facts.get("psr_document")
    party = _producer(case)
    hs = case.good.hs
    if document is None:
        return Step(
            title,
            cite("r 51ZM product specific rule"),
            NEEDS_INFO,
            "the case does not say which document its product-specific rule is from",
            missing=(
                "which document the product-specific rule is from: '2022' or 'annex-3b' "
                "(facts.psr_document, r 51ZM product specific rule)",
            ),
        )
    if document not in DOCUMENTS:
        raise CaseError(f"facts.psr_document: {document!r} is not one of {', '.join(DOCUMENTS)}")
    delay = LAW.value("annex_3b_delay_days", date)
    commenced = SECOND_PROTOCOL.commenced
    annex_from = annex_3b_from(date)
    on = _imported_on(case, date)
    inputs: tuple[tuple[str, str | dt.date], ...] = (
        ("document", DOCUMENT_TITLES[str(document)]),
        ("second protocol commenced", commenced),
        ("commencement source", SECOND_PROTOCOL.source),
        ("Annex 3B applies from", annex_from),
        ("imported on", on),
    )
    in_force = Step(
        "180 days after the second protocol commenced",
        delay.reference,
        Outcome.of(on >= annex_from),
        f"the second protocol commenced on {commenced.isoformat()} "
        f"({SECOND_PROTOCOL.reference}); {delay.value} days later is {annex_from.isoformat()}; "
        f"imported on {on.isoformat()}",
        children=(_commencement(),),
    )
    children: tuple[Step, ...] = (in_force,)
    other = "annex-3b" if document == "2022" else "2022"
    wrong = (f"the product-specific rule for {hs} from {DOCUMENT_TITLES[other]}",)
    if on < annex_from:
        if document == "2022":
            return Step(
                title,
                cite(DOCUMENTS["2022"]),
                MEETS,
                f"2022 document: Annex 3B applies to no party before {annex_from.isoformat()}",
                inputs,
                children=children,
            )
        return Step(
            title,
            delay.reference,
            NEEDS_INFO,
            f"Annex 3B applies to no party before {annex_from.isoformat()}: the 2022 "
            "document applies before then",
            inputs,
            missing=wrong,
            children=children,
        )
    notice = notice_step(case)
    children = (in_force, notice)
    if notice.outcome is NEEDS_INFO:
        return Step(
            title,
            cite("r 51ZM product specific rule"),
            NEEDS_INFO,
            f"from {annex_from.isoformat()} the document for {party} turns on whether a "
            "r 51ZPA notice has been published for it",
            inputs,
            missing=notice.missing,
            children=children,
        )
    if notice.outcome is FAILS:
        if document == "2022":
            return Step(
                title,
                cite(DOCUMENTS["2022"]),
                MEETS,
                f"2022 document: no r 51ZPA notice has been published for {party}",
                inputs,
                children=children,
            )
        return Step(
            title,
            cite(DOCUMENTS["annex-3b"]),
            NEEDS_INFO,
            f"Annex 3B applies only to a party with a r 51ZPA notice; none has been "
            f"published for {party}",
            inputs,
            missing=wrong,
            children=children,
        )
    if document == "2022":
        return Step(
            title,
            cite(DOCUMENTS["annex-3b"]),
            NEEDS_INFO,
            f"the 2022 document no longer applies to {party}: a r 51ZPA notice is published "
            f"for it and Annex 3B applies from {annex_from.isoformat()}",
            inputs,
            missing=wrong,
            children=children,
        )
    return Step(
        title,
        cite(DOCUMENTS["annex-3b"]),
        MEETS,
        f"Annex 3B: a r 51ZPA notice is published for {party}, and {on.isoformat()} is on or "
        f"after {annex_from.isoformat()}",
        inputs,
        children=children,
    )


def notice_matters(case: Case, date: dt.date) -> bool:
    """Whether the determination turns on r 51ZPA notices: the PSR document from 180 days
    after the second protocol commenced, or extended accumulation claimed (r 51ZQA(1))."""
    return _claims_extended(case) or _imported_on(case, date) >= annex_3b_from(date)


def _claims_extended(case: Case) -> bool:
    return any(x.kind == EXTENDED for m in case.materials if m.adjustments for x in m.adjustments)


def notice_obligations(case: Case, extended: bool) -> tuple[Obligation, ...]:
    """r 51ZPA(1)-(2), listed wherever the determination turns on a notice.

    r 51ZPA(2): "Any failure to comply with this regulation does not invalidate the effect of
    New Zealand's acceptance of a party's ratification of the second protocol." It cannot
    change a verdict under regs 51ZM-51ZX: the PSR document (r 51ZM product specific rule
    (a)-(b)) and extended accumulation (r 51ZQA(1)) turn on whether a notice *has been
    published*, and r 51ZPA(2) does not deem one published. So it is listed, not applied.
    """
    who = _producer(case)
    return (
        Obligation(
            cite("r 51ZPA(1)"),
            "the Secretary of Foreign Affairs and Trade must, as soon as practicable after New "
            "Zealand accepts a party's ratification of the second protocol, publish on a public "
            "MFAT internet site a notice naming the party and whether it opted to adopt "
            f"extended accumulation; this determination turns on that notice for {who}"
            + (
                " and on those of the parties said to participate in extended accumulation"
                if extended
                else ""
            ),
        ),
        Obligation(
            cite("r 51ZPA(2)"),
            "a failure to publish the notice does not invalidate the effect of New Zealand's "
            "acceptance of the party's ratification; it does not deem a notice published, so "
            "the product-specific rule document and extended accumulation still turn on "
            "publication",
        ),
    )


# --------------------------------------------------------------------------- r 51ZQA


def extended_accumulation(case: Case, date: dt.date) -> tuple[Step, set[str], set[str]] | None:
    """r 51ZQA: whether value added in participating parties may count, per material.

    r 51ZQA(1): the regulation "applies, 180 days after the commencement of the second
    protocol and subsequently, to every party ... specified in a notice published under
    regulation 51ZPA that has opted to adopt the articles of the second protocol relating to
    extended accumulation"; (2): production on, or value added to, a non-originating
    material in participating parties "contributes towards the originating content of a good
    ... finished in a participating party". The commencement is the law file's.

    Returns the step, the materials whose adjustment counts, and those still undecided.
    """
    claimed = [
        m
        for m in case.materials
        if m.adjustments and any(x.kind == EXTENDED for x in m.adjustments)
    ]
    if not claimed:
        return None
    citation = cite("r 51ZQA(1)")
    delay = LAW.value("extended_accumulation_delay_days", date)
    commenced = SECOND_PROTOCOL.commenced
    participating = _codes(case, "extended_accumulation_parties")
    on = _imported_on(case, date)
    start = commenced + dt.timedelta(days=int(delay.value))
    children: list[Step] = [
        Step(
            "180 days after the second protocol",
            delay.reference,
            Outcome.of(on >= start),
            f"extended accumulation applies from {start.isoformat()} ({delay.value} days after "
            f"the second protocol commenced on {commenced.isoformat()}, "
            f"{SECOND_PROTOCOL.reference}); imported on {on.isoformat()}",
            (("second protocol commenced", commenced), ("source", SECOND_PROTOCOL.source)),
            children=(_commencement(),),
        )
    ]
    last = case.good.last_process_in
    if participating is None:
        children.append(
            Step(
                "participating parties",
                cite("r 51ZQA(3)"),
                NEEDS_INFO,
                "the participating parties are not stated",
                missing=(
                    "parties whose r 51ZPA notices adopt extended accumulation "
                    "(facts.extended_accumulation_parties, r 51ZQA(1))",
                ),
            )
        )
    elif last is None:
        children.append(
            Step(
                "finished in a participating party",
                cite("r 51ZQA(2)"),
                NEEDS_INFO,
                "where the goods were finished is not stated",
                missing=("country where the final process of production was performed",),
            )
        )
    else:
        children.append(
            Step(
                "finished in a participating party",
                cite("r 51ZQA(2)"),
                Outcome.of(last in participating),
                f"finished in {last}; participating: {', '.join(sorted(participating))}",
            )
        )
    common = Outcome.all(c.outcome for c in children)
    counted: set[str] = set()
    open_: set[str] = set()
    for material in claimed:
        where = material.produced_in
        if where is None:
            place = NEEDS_INFO
            summary = f"where value was added to {material.id} is not stated"
            missing: tuple[str, ...] = (
                f"where value was added to material {material.id} (material.produced_in)",
            )
        elif participating is None:
            place = NEEDS_INFO
            summary = f"value added to {material.id} in {where}: participation not known"
            missing = ()
        else:
            place = Outcome.of(where in participating)
            summary = f"value added to {material.id} in {where}"
            missing = ()
        outcome = common & place
        children.append(
            Step(
                f"value added to {material.id}", cite("r 51ZQA(2)"), place, summary, missing=missing
            )
        )
        if outcome is MEETS:
            counted.add(material.id)
        elif outcome is NEEDS_INFO:
            open_.add(material.id)
    outcome = Outcome.all(c.outcome for c in children)
    step = Step(
        "extended accumulation",
        citation,
        outcome,
        f"value added in participating parties counts for {', '.join(sorted(counted)) or 'none'}"
        + (f"; undecided for {', '.join(sorted(open_))}" if open_ else ""),
        children=tuple(children),
        missing=missing_of(children) if outcome is NEEDS_INFO else (),
    )
    return step, counted, open_


def _keep_extended(materials: Iterable[Material], keep: set[str]) -> tuple[Material, ...]:
    """Drop the r 51ZQA(2) adjustment from every material not in ``keep`` (at any depth)."""

    def kept(m: Material, components: list[Material]) -> Material:
        adjustments = m.adjustments
        if m.id not in keep:
            adjustments = tuple(x for x in adjustments if x.kind != EXTENDED)
        return attrs.evolve(m, adjustments=adjustments, components=tuple(components))

    return tuple(rebuild(materials, lambda m: m.components, kept))


def decide(case: Case, date: dt.date) -> Determination:
    """Decide whether ``case``'s goods originate in a party (r 51ZN)."""
    check_second_protocol_facts(case)
    d = _decide(case, date)
    if notice_matters(case, date):
        # r 51ZPA(1)-(2): the determination turns on the notices (decided on the case as given:
        # a claim of extended accumulation dropped in deciding still turned on them).
        d = attrs.evolve(d, obligations=notice_obligations(case, _claims_extended(case)))
    return d


def _decide(case: Case, date: dt.date) -> Determination:
    extended = extended_accumulation(case, date)
    if extended is None:
        return _Run.decide(case, date)
    step, counted, open_ = extended
    narrow = attrs.evolve(case, materials=_keep_extended(case.materials, counted))
    d = _Run.decide(narrow, date)
    if open_ and d.verdict is Verdict.NOT_ORIGINATING:
        wide = attrs.evolve(case, materials=_keep_extended(case.materials, counted | open_))
        if _Run.decide(wide, date).verdict is not Verdict.NOT_ORIGINATING:
            d = attrs.evolve(
                d,
                verdict=Verdict.NEEDS_INFORMATION,
                missing=(*missing_of(d.steps), *step.missing),
            )
    basis = d.basis
    if counted and d.verdict is Verdict.ORIGINATING:
        basis = tuple(
            f"{b} with r 51ZQA extended accumulation" if b.startswith("r 51ZN(b)") else b
            for b in basis
        )
    # Shown before the closing "parties relied on" step.
    steps = list(d.steps)
    at = len(steps) - 1 if steps and steps[-1].test == "parties relied on" else len(steps)
    steps.insert(at, step)
    return attrs.evolve(d, steps=tuple(steps), basis=basis)


AGREEMENT = Agreement(
    name=AGREEMENT_NAME,
    title=LAW.title,
    regulations=LAW.regulations,
    law=LAW,
    decide=decide,
    cases=Path(__file__).parent / "cases" / "aanzfta",
)
