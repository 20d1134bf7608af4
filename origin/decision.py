"""What every agreement's determination does the same way: a base class for plugins.

A plugin subclasses :class:`Decision` and writes only its law: its classes of
originating goods and its extra tests, in :meth:`Decision.determine`. The base class
holds the generic orchestration:
- the material assessment;
- intermediate materials, decided bottom-up;
- both-ways resolution of intermediates whose own origin needs information;
- the "produced in the parties" and "wholly obtained" steps;
- RVC by every method a rule allows;
- fungible materials.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import ClassVar, Self

import attrs

from origin.citation import Citation
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
    CaseError,
    Regime,
    alternatives_met,
    assess,
    evaluate_rule,
    law_percent,
    max_non_originating_step,
    minimal_operations_step,
    rvc_result,
    rvc_step,
    tariff_shift_step,
    unverifiable_step,
)
from origin.law import LawBook, Term
from origin.model import Case, Good, Material, OriginStatus, Packaging
from origin.psr import (
    AllOf,
    AnyOf,
    Condition,
    MaxNonOriginating,
    Process,
    PSRSyntaxError,
    RegionalValueContent,
    Rule,
    TariffShift,
    WhollyObtained,
    parse_rule,
)
from origin.regime import DeclaredRegime
from origin.route import route_step
from origin.trees import rebuild


class Below(dict[tuple[int, Good], tuple[Determination, "Decision"]]):
    """Intermediate materials decided for one BOM: (the material's identity, the goods it
    stands for) -> its determination and the run that made it.

    It also keeps the sub-case made for each (parent case, material), so that each is made
    once: finding its decision again (from the walk that orders them, from the parent's
    assessment, from its own run) made it three times, and making one checks its whole BOM.
    """

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[tuple[int, int], tuple[Case, Material, Case, tuple[int, Good]]] = {}

    def sub_case(self, parent: Case, material: Material) -> tuple[Case, tuple[int, Good]]:
        """The material as goods in its own right (:func:`_sub_case`), with its key here.

        Entries hold the parent and the material, so their identities are not reused."""
        made = self._made.get((id(parent), id(material)))
        if made is not None and made[0] is parent and made[1] is material:
            return made[2], made[3]
        sub = _sub_case(parent, material)
        key = (id(material), sub.good)
        self._made[(id(parent), id(material))] = (parent, material, sub, key)
        return sub, key


def _sub_case_in(below: Below, parent: Case, material: Material) -> tuple[Case, tuple[int, Good]]:
    """:meth:`Below.sub_case`, also for a plain dict a caller may have passed."""
    if isinstance(below, Below):
        return below.sub_case(parent, material)
    sub = _sub_case(parent, material)
    return sub, (id(material), sub.good)


class Decision:
    """One determination's working state. Subclasses set the class attributes and write
    :meth:`determine`; the rest is shared."""

    law: ClassVar[LawBook]
    # The regime the law file declares (``[regime]``); a plugin whose regime is not declared
    # there overrides :meth:`regime_at` instead.
    declared: ClassVar[DeclaredRegime | None] = None
    inventory_methods: ClassVar[tuple[str, ...]] = (
        "physical-separation",
        "averaging",
        "lifo",
        "fifo",
    )

    def __init__(
        self,
        case: Case,
        date: dt.date,
        *,
        intermediate: bool,
        assume_pending: bool = False,
        below: Below | None = None,
    ) -> None:
        if assume_pending:
            case = self._fungibles_originating(case)
        self.case = case
        self.date = date
        self.intermediate = intermediate
        self.assume_pending = assume_pending
        self.below: Below = Below() if below is None else below
        self.pending: list[str] = []
        # Fungible materials whose origin by the stated inventory method is not given.
        self.pending_fungible: list[str] = []
        self.rvc: list[RVCResult] = []
        self.regime = self.regime_at(date)
        self.assessment: Assessment = assess(
            case,
            self.regime,
            date,
            indirect_deemed=self.indirect_deemed(),
            decide_intermediate=self.decide_intermediate,
        )

    # ----- what a plugin provides

    @classmethod
    def regime_at(cls, date: dt.date) -> Regime:
        """The regime on ``date``: the law file's ``[regime]`` with its dated values."""
        if cls.declared is None:
            raise NotImplementedError(f"{cls.__name__}: no declared regime")
        return cls.declared.at(date)

    def indirect_deemed(self) -> bool:
        """Whether indirect materials are deemed originating in this case (usually yes)."""
        return True

    def determine(self) -> Determination:
        raise NotImplementedError

    def wholly_obtained_class(self) -> Step:
        """The agreement's wholly-obtained class, which a PSR of ``WO`` refers to."""
        raise NotImplementedError

    def tolerance(self, result: RVCResult) -> RVCResult:
        """A hook for deeming provisions on an RVC result (e.g. ANZCERTA r 37)."""
        return result

    def rvc_missing(self, slug: str) -> tuple[str, ...]:
        """The facts an RVC method still needs, named for the reader: the materials' values,
        then the good's values its formula reads, as the law file names them."""
        a = self.assessment
        needed = {"build-down": a.unknown_vnm, "build-up": a.unknown_vom}.get(
            slug, a.unknown_values
        )
        method = self.regime.rvc_methods.get(slug)
        costs = (
            (f"{method.no_costs} for the {slug} formula",)
            if method is not None and method.no_costs and not self.case.costs
            else ()
        )
        return (
            *(f"value of material {m}" for m in needed),
            *costs,
            *self.good_values_missing(slug),
        )

    def good_values_missing(self, slug: str) -> tuple[str, ...]:
        """The good's values the method's formula reads that the case does not give."""
        method = self.regime.rvc_methods.get(slug)
        if method is None:
            return ()
        good = self.case.good
        return tuple(text for field, text in method.good_values if getattr(good, field) is None)

    @property
    def parties(self) -> tuple[str, ...]:
        return self.law.parties

    # The provisions the common tests cite, from the law file's ``[regime.provisions]``.

    @property
    def intermediate_citation(self) -> Citation:
        """The provision deciding goods in their own right (an intermediate material)."""
        return self._declared().provision("intermediate")

    @property
    def shift_citation(self) -> Citation:
        """The provision a PSR's change of tariff classification rests on."""
        return self._declared().provision("shift")

    @property
    def rvc_citation(self) -> Citation:
        """The provision of the RVC formulas."""
        return self._declared().provision("rvc")

    @classmethod
    def _declared(cls) -> DeclaredRegime:
        if cls.declared is None:
            raise TypeError(f"{cls.__name__} declares no regime (its law file's [regime])")
        return cls.declared

    # ----- deciding

    @classmethod
    def resolve(
        cls,
        case: Case,
        date: dt.date,
        *,
        intermediate: bool,
        below: Below | None = None,
        ordered: bool = False,
    ) -> tuple[Determination, Self]:
        """Decide, counting intermediates whose own origin needs information both ways.

        The first run counts them non-originating. A pass then stands: turning a material
        originating never hurts. A failure stands only if it also fails with them counted
        originating; otherwise the verdict needs the information they need.

        ``below`` holds the decisions of intermediate materials already made for this BOM:
        they are made first, deepest first, so that deciding any one of them finds its own
        intermediates decided (no recursion, however deep the BOM), and each is decided once
        whichever way its parent's run counts a pending material. ``ordered`` says they were:
        the walk deciding them decides each material after all of its own, and walking its
        BOM again for each of them would find nothing new.
        """
        below = Below() if below is None else below
        if not ordered:  # ordered: its intermediates were decided first, by the caller's walk
            cls._decide_intermediates(case, date, below)
        run = cls(case, date, intermediate=intermediate, below=below)
        determination = run.determine()
        pending = run.pending or run.pending_fungible
        if pending and determination.verdict is Verdict.NOT_ORIGINATING:
            hopeful = cls(
                case, date, intermediate=intermediate, assume_pending=True, below=below
            ).determine()
            if hopeful.verdict is not Verdict.NOT_ORIGINATING:
                turns = [
                    f"the verdict turns on the origin of {kind} material(s) {', '.join(ids)}"
                    for kind, ids in (
                        ("intermediate", run.pending),
                        ("fungible", run.pending_fungible),
                    )
                    if ids
                ]
                determination = attrs.evolve(
                    determination,
                    verdict=Verdict.NEEDS_INFORMATION,
                    missing=missing_of(determination.steps),
                    notes=(*determination.notes, *turns),
                )
        return determination, run

    @classmethod
    def decide(cls, case: Case, date: dt.date) -> Determination:
        return cls.resolve(case, date, intermediate=False)[0]

    @classmethod
    def _decide_intermediates(cls, case: Case, date: dt.date, below: Below) -> None:
        """Decide, deepest first, every material the assessment will decide bottom-up.

        Those are the materials with their own BOM, an HS code and no declared origin (or
        self-produced, where the regime rolls their inputs down), reached from the goods
        through such materials only: the assessment looks no further.
        """
        rolls_down = cls.regime_at(date).vnm_excludes_self_produced is not None
        order: list[tuple[tuple[int, Good], Case]] = []
        # Only lines with a BOM of their own can be intermediates: a flat BOM costs one scan.
        stack = [(m, case) for m in case.materials if m.components]
        stack.reverse()
        while stack:
            material, parent = stack.pop()
            if not material.components or material.hs is None:
                continue
            if material.status is not OriginStatus.UNDETERMINED and not (
                material.self_produced and rolls_down
            ):
                continue
            sub_case, key = _sub_case_in(below, parent, material)
            if key in below:
                continue
            order.append((key, sub_case))
            # Only lines with a BOM of their own can be intermediates (the others are skipped).
            stack.extend([(m, sub_case) for m in reversed(material.components) if m.components])
        for key, sub_case in reversed(order):  # every material after all of its own
            if key not in below:
                below[key] = cls.resolve(
                    sub_case, date, intermediate=True, below=below, ordered=True
                )

    def decide_intermediate(self, material: Material) -> tuple[bool, Step, Decimal | None]:
        """A material with its own BOM is decided as goods in its own right.

        When that decision needs information, the material is *pending*: this run counts it
        as ``self.assume_pending`` says, and :meth:`resolve` tries both ways.
        """
        citation = self.intermediate_citation
        title = f"{_INTERMEDIATE}{material.id}"
        if material.hs is None:
            self.pending.append(material.id)
            step = Step(
                title,
                citation,
                NEEDS_INFO,
                f"cannot apply a rule to {material.id}: no HS code",
                missing=(f"HS code of intermediate material {material.id}",),
            )
            return self.assume_pending, step, None
        sub_case, key = _sub_case_in(self.below, self.case, material)
        if key not in self.below:
            self.below[key] = type(self).resolve(
                sub_case, self.date, intermediate=True, below=self.below
            )
        sub, run = self.below[key]
        pending = sub.verdict is Verdict.NEEDS_INFORMATION
        if pending:
            self.pending.append(material.id)
        children = tuple(_for_intermediate(s, material.id) for s in sub.steps)
        step = Step(
            title,
            citation,
            _OUTCOME_OF.get(sub.verdict._name_, NEEDS_INFO),
            f"{material.id} decided from its own BOM: {sub.verdict.value}",
            (("basis", "; ".join(sub.basis) or "none"),),
            children=children,
            missing=_named_for(sub.missing, material.id),
            missing_below=missing_of(children),
        )
        originating = self.assume_pending if pending else sub.verdict is Verdict.ORIGINATING
        rolled = None if run.assessment.unknown_vnm else run.assessment.vnm
        return originating, step, rolled

    def obligations(self) -> tuple[Obligation, ...]:
        """What the agreement requires beyond the origin test (records, declarations)."""
        return ()

    def conclude(
        self,
        verdict: Verdict,
        basis: Sequence[str],
        steps: Sequence[Step],
        notes: Sequence[str] = (),
    ) -> Determination:
        """The determination from a plugin's verdict, basis and steps (the rest is shared)."""
        case = self.case
        return Determination(
            agreement=self.law.name,
            agreement_title=self.law.title,
            date=self.date,
            law_version=self.law.text_version,
            good_id=case.good.id,
            hs=str(case.good.hs),
            verdict=verdict,
            basis=tuple(basis) if verdict is Verdict.ORIGINATING else (),
            steps=tuple(steps),
            materials=self.assessment.rows(),
            rvc=tuple(self.rvc),
            missing=missing_of(steps) if verdict is Verdict.NEEDS_INFORMATION else (),
            obligations=() if self.intermediate else self.obligations(),
            notes=tuple(notes),
            psr=case.psr or "",
        )

    # ----- product-specific rules

    def parse_psr(self) -> Rule | None:
        """The case's PSR as a rule tree (None when the case gives none)."""
        if self.case.psr is None:
            return None
        try:
            return parse_rule(self.case.psr)
        except PSRSyntaxError as error:
            raise CaseError(f"psr: {error}") from None

    def evaluate_psr(self, rule: Rule, citation: Citation) -> Step:
        return evaluate_rule(rule, self.psr_leaf, citation)

    def alternatives_standing(
        self, rule: Rule, psr: Step, minimal: Step
    ) -> tuple[Outcome, tuple[Rule, ...]]:
        """The rule's outcome when an alternative requiring no RVC also needs more than
        minimal operations (e.g. r 51G(4), r 51O(4): "except where goods are subject to a
        regional value content"), and the alternatives that carry it."""
        alternatives = rule.terms if isinstance(rule, AnyOf) else (rule,)
        outcomes = [c.outcome for c in psr.children] if isinstance(rule, AnyOf) else [psr.outcome]
        standing = [
            outcome & (MEETS if has_rvc(term) else minimal.outcome)
            for term, outcome in zip(alternatives, outcomes, strict=True)
        ]
        met = tuple(t for t, o in zip(alternatives, standing, strict=True) if o is MEETS)
        return Outcome.any(standing), met

    def psr_leaf(self, rule: Rule) -> Step:
        """A leaf of a PSR: change of classification (forgiven by de minimis), RVC, WO;
        from schedules also a maximum of non-originating materials, and a specific process
        or condition, which needs the person's information since a BOM cannot show it."""
        if isinstance(rule, TariffShift):
            return tariff_shift_step(self.assessment, rule, self.shift_citation)
        if isinstance(rule, RegionalValueContent):
            return self.rvc_step(rule, self.rvc_citation)
        if isinstance(rule, WhollyObtained):
            return self.wholly_obtained_class()
        if isinstance(rule, MaxNonOriginating):
            return max_non_originating_step(self.assessment, rule, self.rvc_citation)
        if isinstance(rule, Process | Condition):
            return unverifiable_step(rule, self.shift_citation)
        raise CaseError(f"psr: {self.law.title} cannot evaluate {rule}")  # pragma: no cover

    # ----- shared steps

    def produced_in_parties(self, citation: Citation) -> Step:
        where = self.case.good.produced_in
        if not where:
            return Step(
                "produced in the parties",
                citation,
                NEEDS_INFO,
                "where the goods were produced is not stated",
                missing=("countries where the goods were produced",),
            )
        outside = [c for c in where if c not in self.parties]
        return Step(
            "produced in the parties",
            citation,
            Outcome.of(not outside),
            f"produced in {', '.join(where)}"
            + (f"; outside the parties: {', '.join(outside)}" if outside else ""),
            (("produced in", ", ".join(where)),),
        )

    def exclusively_originating(
        self, citation: Citation, title: str, *, relief_is_originating: bool = True
    ) -> Step:
        """Goods produced in the parties exclusively from originating materials.

        Every listed material must be originating, and some must be listed (an empty BOM
        states nothing about materials). ``relief_is_originating`` says whether a relieved
        standard accessory counts as originating here (e.g. r 39(1) "must be treated as
        originating goods") or only leaves the tariff shift (e.g. r 51ZI(1), r 51Q).
        """
        place = self.produced_in_parties(citation)
        a = self.assessment
        bom = a.case.materials
        # Only the count and the first ten ids are shown: a large BOM's ids are not all read.
        shown = [bom[i].id for i in a.non_originating[:10]]
        count = len(a.non_originating)
        if not relief_is_originating:
            relieved = [
                line.material.id
                for line in a.special.values()
                if line.treated_originating and not line.originating
            ]
            shown += relieved
            count += len(relieved)
        shipment = Packaging.SHIPMENT
        if not any(m.packaging is not shipment for m in self.case.materials):
            materials = Step(
                "only originating materials",
                citation,
                NEEDS_INFO,
                "no materials are listed: the claim needs the materials used",
                missing=("the materials used in producing the goods (the BOM)",),
            )
        else:
            materials = Step(
                "only originating materials",
                citation,
                Outcome.of(not count),
                "every material is originating"
                if not count
                else f"{count} non-originating material(s): {', '.join(shown[:10])}"
                + ("…" if count > 10 else ""),
            )
        children = (place, materials)
        return Step(
            title,
            citation,
            place.outcome & materials.outcome,
            materials.summary,
            children=children,
            missing=missing_of(children),
        )

    def exported_directly(self, citation: Citation, country: str, name: str) -> Step:
        """Goods exported from ``country`` that did not enter the commerce of another country
        on the way (e.g. r 51G(1)(b)(ii), r 40(2)); the chief executive's permission, recorded
        as ``facts.commerce_permitted``, lifts the second condition."""
        consignment = self.case.consignment
        if consignment is None or consignment.transit is None:
            return Step(
                "commerce of another country",
                citation,
                NEEDS_INFO,
                "the route of the goods to New Zealand is not stated",
                missing=("consignment route (transit countries, or none)",),
            )
        exported = consignment.exported_from
        if exported is None:
            return Step(
                "commerce of another country",
                citation,
                NEEDS_INFO,
                "the country the goods were exported from is not stated",
                missing=("country of exportation (consignment.exported_from)",),
            )
        if exported != country:
            return Step(
                "commerce of another country",
                citation,
                FAILS,
                f"exported from {exported}, not from {name}",
            )
        abroad = [stop for stop in consignment.transit if stop.country not in self.parties]
        entered = [stop.country for stop in abroad if stop.entered_commerce]
        unknown = [stop.country for stop in abroad if stop.entered_commerce is None]
        permitted = self.case.facts.get("commerce_permitted")
        if entered and permitted:
            return Step(
                "commerce of another country",
                citation,
                MEETS,
                f"entered the commerce of {', '.join(entered)}, as permitted: {permitted}",
            )
        if entered:
            return Step(
                "commerce of another country",
                citation,
                FAILS,
                f"entered the commerce of {', '.join(entered)} before import into New Zealand",
            )
        if unknown:
            return Step(
                "commerce of another country",
                citation,
                NEEDS_INFO,
                f"not stated whether the goods entered the commerce of {', '.join(unknown)}",
                missing=tuple(f"whether the goods entered the commerce of {c}" for c in unknown),
            )
        where = ", ".join(s.country for s in abroad) or "no other country"
        return Step(
            "commerce of another country",
            citation,
            MEETS,
            f"did not enter the commerce of another country (route: {where})",
        )

    def wholly_obtained(self, citation: Citation, title: str) -> Step:
        """Goods claimed wholly obtained under a category of the agreement's list."""
        key = self.case.good.wholly_obtained
        if key is None:
            return Step(title, citation, FAILS, "not claimed wholly obtained")
        categories: Mapping[str, Term] = self.law.vocabulary("wholly_obtained")
        term = categories.get(key)
        if term is None:
            raise CaseError(
                f"good: unknown wholly-obtained category {key!r} "
                f"(known: {', '.join(sorted(categories))})"
            )
        place = self.produced_in_parties(citation)
        children = [place]
        foreign = [self.case.materials[i].id for i in self.assessment.non_originating[:10]]
        if foreign and term.group != "any_inputs":
            # Wholly obtained goods contain nothing that is not originating (a category the
            # law file marks "any_inputs", e.g. goods recovered from used goods, may).
            children.append(
                Step(
                    "no non-originating materials",
                    citation,
                    FAILS,
                    f"the BOM lists non-originating material(s): {', '.join(foreign[:10])}",
                )
            )
        outcome = Outcome.all(c.outcome for c in children)
        return Step(
            title,
            citation,
            outcome,
            f"wholly obtained: {term.text} ({term.reference})",
            (("category", key),),
            children=tuple(children),
            missing=place.missing,
        )

    def rvc_step(self, rule: RegionalValueContent, citation: Citation) -> Step:
        """Evaluate each method the rule allows (every method of the agreement if it names none)."""
        methods = (rule.method,) if rule.method else self.regime.default_rvc_methods
        children = []
        for slug in methods:
            method = self.regime.rvc_methods.get(slug)
            if method is None:
                raise CaseError(
                    f"psr: RVC method {slug!r} is not a method of {self.law.title} "
                    f"({', '.join(self.regime.rvc_methods)})"
                )
            result = self.tolerance(rvc_result(self.assessment, method, rule.threshold))
            self.rvc.append(result)
            children.append(rvc_step(result, self.rvc_missing(slug)))
        if len(children) == 1:
            return children[0]
        return Step(
            f"RVC {law_percent(rule.threshold)} by any method",
            citation,
            Outcome.any(c.outcome for c in children),
            "; ".join(c.summary for c in children),
            children=tuple(children),
        )

    def claimed_category(self, step: Step) -> Step:
        """The wholly-obtained ``step`` with the paragraph the case claims
        (``good.wholly_obtained``, a key of the law file's ``wholly_obtained``) cited in a step
        of its own."""
        key = self.case.good.wholly_obtained
        term = self.law.vocabulary("wholly_obtained").get(key) if key else None
        if term is None:
            return step
        claimed = Step("wholly obtained category", term.reference, MEETS, f"{key}: {term.text}")
        return attrs.evolve(step, children=(*step.children, claimed))

    def retail_packaging_disregarded(self, step: Step, provision: str) -> Step:
        """The wholly-obtained ``step`` with retail packaging disregarded (e.g. UK FTA
        art 3.14(1)(a)): when only retail packaging is non-originating, its "no
        non-originating materials" test is dropped, and the summary says why."""
        a = self.assessment
        materials = a.case.materials
        if any(materials[i].packaging is not Packaging.RETAIL for i in a.non_originating):
            return step
        children = tuple(c for c in step.children if c.test != "no non-originating materials")
        if len(children) == len(step.children):
            return step
        return attrs.evolve(
            step,
            outcome=Outcome.all(c.outcome for c in children),
            children=children,
            summary=f"{step.summary}; retail packaging disregarded ({provision})",
        )

    def rule_criterion(
        self, citation: Citation, operations: Callable[[], Step | None]
    ) -> tuple[Step, tuple[str, ...]]:
        """The criterion met by the product-specific rule of the document the regulation names:
        produced in the parties, the rule (said to be the document's, with its source), and the
        operations step the law applies beside it (``operations``, called after the rule is
        read). The law file names the document's provision (``[regime.provisions]
        psr_document``) and gives the words: ``psr_title``, ``psr_absent`` and ``psr_missing``
        (no rule given), ``psr_document`` (the rule applied as the document's); ``{hs}`` is the
        good's code."""
        declared = self._declared()
        document_citation = declared.provision("psr_document")
        title = declared.word("psr_title")
        place = self.produced_in_parties(citation)
        hs = self.case.good.hs
        rule = self.parse_psr()
        minimal = operations()
        extra = () if minimal is None else (minimal,)
        if rule is None:
            psr = Step(
                "product-specific rule",
                document_citation,
                NEEDS_INFO,
                declared.word("psr_absent").format(hs=hs),
                missing=(declared.word("psr_missing").format(hs=hs),),
            )
            children = (place, psr, *extra)
            return Step(
                title,
                citation,
                Outcome.all(c.outcome for c in children),
                psr.summary,
                children=children,
                missing=missing_of(children),
            ), ()
        document = Step(
            "product-specific rule document",
            document_citation,
            MEETS,
            declared.word("psr_document").format(hs=hs),
            (("rule", str(rule)),),
        )
        psr = self.evaluate_psr(rule, citation)
        children = (place, document, psr, *extra)
        outcome = Outcome.all(c.outcome for c in children)
        return Step(
            f"{title}: {rule}",
            citation,
            outcome,
            psr.summary
            + ("" if minimal is None or minimal.outcome is MEETS else f"; {minimal.summary}"),
            (("rule", str(rule)),),
            children=children,
            missing=missing_of(children) if outcome is NEEDS_INFO else (),
        ), alternatives_met(rule, psr)

    def listed_operations(self) -> Step | None:
        """Operations on non-originating materials that, alone or combined, confer no origin
        (e.g. RCEP art 3.6, Korea art 3.14); None where no non-originating material is used.
        The law file's ``minimal_operations`` vocabulary lists them (an operation it does not
        list goes beyond them); those of group ``simple`` count only when simple
        (``facts.operations_simple``; unstated, needs information). The provision is
        ``[regime.provisions] operations``; the words are ``[regime.words] operations_*``
        (``{ops}``: the operations in question)."""
        if not self.assessment.non_originating:
            return None
        declared = self._declared()
        word = declared.word
        listed: Mapping[str, Term] = self.law.vocabulary("minimal_operations")
        operations = self.case.good.operations
        simple = self.case.facts.get("operations_simple")
        if simple is False:
            listed = {k: t for k, t in listed.items() if t.group != "simple"}
        inner = minimal_operations_step(
            operations, listed, declared.provision("operations"), word("operations_input")
        )
        needing = [
            op
            for op in operations or ()
            if inner.outcome is FAILS and simple is None and listed[op].group == "simple"
        ]
        if needing:
            ops = ", ".join(needing)
            inner = attrs.evolve(
                inner,
                outcome=NEEDS_INFO,
                summary=word("operations_only_listed").format(ops=ops),
                missing=(word("operations_simple_missing").format(ops=ops),),
            )
        cited = [
            Step(
                f"{word('operations_step')}: {op}",
                listed[op].reference,
                FAILS if inner.outcome is FAILS else NEEDS_INFO,
                listed[op].text,
            )
            for op in dict.fromkeys(operations or ())
            if op in listed and inner.outcome is not MEETS
        ]
        if cited:
            inner = attrs.evolve(inner, children=(*inner.children, *cited))
        summary = {
            MEETS: word("operations_meets"),
            FAILS: word("operations_fails"),
        }.get(inner.outcome, word("operations_unknown"))
        if simple is not None and inner.outcome is not NEEDS_INFO:
            summary += f"; {word('operations_simple_stated')} {'' if simple else 'not '}simple"
        return attrs.evolve(inner, summary=summary)

    def route(self) -> Step:
        """How the goods kept their status on the way (the law file's ``[regime.route]``,
        :mod:`origin.route`), through the stops the law examines."""
        rule = self._declared().route
        if rule is None:
            raise TypeError(f"{type(self).__name__}: the law file declares no [regime.route]")
        return route_step(
            self.case.consignment,
            self.parties,
            self.law.vocabulary("transit_operations"),
            rule,
        )

    def by_criteria(
        self,
        criteria: tuple[Step, Step, Step],
        fungibles: tuple[Citation, tuple[Citation, Citation], Citation | None],
    ) -> tuple[list[Step], Outcome, Outcome]:
        """The agreements' three criteria — wholly obtained, or produced from originating
        materials or meeting the rule — with the fungible-materials step when the good is
        not wholly obtained: the steps so far, ``produced`` (either of the last two, fungibles
        counted) and ``origin`` (the first, or produced)."""
        steps: list[Step] = [*self.assessment.sub_steps, *criteria]
        wholly, *others = criteria
        produced = Outcome.any(c.outcome for c in others)
        if wholly.outcome is not MEETS:
            produced = self.counting_fungibles(produced, steps, *fungibles)
        return steps, produced, wholly.outcome | produced

    def consigned(self, origin: Outcome, steps: list[Step], check: Callable[[], Step]) -> Outcome:
        """``origin`` kept only if the goods were consigned as the law allows (``check``); an
        intermediate material is not consigned on its own."""
        if self.intermediate:
            return origin
        moved = check()
        steps.append(moved)
        return origin & moved.outcome

    def criteria_basis(
        self,
        criteria: tuple[Step, Step, Step],
        produced: Outcome,
        labels: tuple[str, str, str],
        rule: int,
        met: Sequence[object],
    ) -> list[str]:
        """The criteria met, by their labels; the rule's (``rule``, its index) with the
        alternatives met and any de minimis (:meth:`rule_basis`)."""
        basis: list[str] = []
        if criteria[0].outcome is MEETS:
            basis.append(labels[0])
        if produced is MEETS:
            for index in (1, 2):
                if criteria[index].outcome is MEETS:
                    label = labels[index]
                    basis.append(
                        self.rule_basis(label, criteria[index], met) if index == rule else label
                    )
        return basis

    def counting_fungibles(
        self,
        outcome: Outcome,
        steps: list[Step],
        citation: Citation,
        method_citations: tuple[Citation, Citation],
        fiscal_year: Citation | None,
    ) -> Outcome:
        """``outcome`` with the fungible-materials step (if any fungible material is in the
        BOM) appended to ``steps`` and counted."""
        fungible = self.fungibles(citation, method_citations, fiscal_year)
        if fungible is None:
            return outcome
        steps.append(fungible)
        return outcome & fungible.outcome

    def rule_basis(self, provision: str, step: Step, met: Sequence[object]) -> str:
        """How a product-specific-rule criterion that is met reads in the basis: its provision,
        the alternatives met, and the de minimis (or tolerance) that rescued a change of
        classification, in the law file's words (``[regime.words] de_minimis_basis``)."""
        label = provision + (f" ({'; '.join(map(str, met))})" if met else "")
        stack = [step]  # any step under it (order does not matter: no generator per step)
        while stack:
            s = stack.pop()
            if s.test == "de minimis" and s.outcome is MEETS:
                return label + " " + self._declared().word("de_minimis_basis")
            stack.extend(s.children)
        return label

    def fungibles(
        self,
        citation: Citation,
        method_citations: tuple[Citation, Citation],
        fiscal_year: Citation | None,
    ) -> Step | None:
        """Fungible materials: origin by physical separation or a GAAP inventory method.

        ``method_citations`` cite separation and inventory methods; ``fiscal_year`` cites a
        rule that the method must run through the producer's fiscal year, if the law has one.
        """
        fungible = [
            line.material.id
            for line in self.assessment.special.values()
            if "fungible" in line.material.attributes
        ]
        if not fungible:
            return None
        method = self.case.facts.get("inventory_method")
        if method is None:
            return Step(
                "fungible materials",
                citation,
                NEEDS_INFO,
                f"{len(fungible)} fungible material(s): how their origin was identified "
                "is not stated",
                missing=(f"inventory method for fungible materials ({citation})",),
            )
        named = self.law.vocabularies.get("inventory_methods", {})
        if any(term.group == _ANY_METHOD for term in named.values()):
            return self._any_inventory_method(
                str(method).strip(),
                named=named,
                fungible=fungible,
                method_citations=method_citations,
                fiscal_year=fiscal_year,
            )
        if method not in _INVENTORY_METHODS:
            raise CaseError(
                f"facts.inventory_method: {method!r} is not one of {', '.join(_INVENTORY_METHODS)}"
            )
        if method not in self.inventory_methods:
            # A real method the agreement's accounting principles do not recognise.
            return Step(
                "fungible materials",
                method_citations[1],
                FAILS,
                f"{method} is not an inventory method recognised for {self.law.title} "
                f"(recognised: {', '.join(self.inventory_methods)})",
            )
        separated = method == "physical-separation"
        if (
            not separated
            and fiscal_year
            and not self.case.facts.get("inventory_method_fiscal_year")
        ):
            return Step(
                "fungible materials",
                fiscal_year,
                NEEDS_INFO,
                f"{method} must be used throughout the producer's fiscal year",
                missing=(f"fiscal year for the inventory method ({fiscal_year})",),
            )
        return Step(
            "fungible materials",
            method_citations[0] if separated else method_citations[1],
            MEETS,
            f"origin of {len(fungible)} fungible material(s) identified by {method}",
        )

    def _any_inventory_method(
        self,
        method: str,
        *,
        named: Mapping[str, Term],
        fungible: list[str],
        method_citations: tuple[Citation, Citation],
        fiscal_year: Citation | None,
    ) -> Step:
        """Fungible materials where the law allows *any* inventory management method and
        names some as examples (e.g. r 39A(1)(b), r 51I(1)(b): "any inventory management
        method, such as averaging, ..."): the law file's ``inventory_methods`` vocabulary
        holds its words, with an entry of group ``any`` for the open list.

        Another method is recorded as stated, not refused. The method's result is the
        materials' declared status; a fungible material whose origin by the method is not
        given is counted non-originating, and :meth:`resolve` checks the verdict both ways.
        """
        term = _named_method(named, method)
        separated = term is not None and term.group == _SEPARATION
        provision = method_citations[0] if separated else method_citations[1]
        if term is not None:
            how = f"origin identified by {term.text}"
        else:
            rule = next(t for t in named.values() if t.group == _ANY_METHOD)
            how = f"origin identified by the stated method {method!r}, under {rule.text}"
        children = [
            Step(
                "separation" if separated else "inventory management method",
                provision,
                MEETS,
                how,
                (("method stated", method),),
            )
        ]
        if not separated and fiscal_year is not None:
            year = self.case.facts.get("inventory_method_fiscal_year")
            children.append(
                Step(
                    "method used throughout the fiscal year",
                    fiscal_year,
                    MEETS if year else NEEDS_INFO,
                    f"{method} used throughout the producer's fiscal year {year}"
                    if year
                    else f"{method} must be used throughout the producer's fiscal year",
                    (("fiscal year", str(year)),) if year else (),
                    missing=()
                    if year
                    else (f"fiscal year for the inventory method ({fiscal_year})",),
                )
            )
        outcome = Outcome.all(c.outcome for c in children)
        unstated = [
            m.id
            for m in self.case.materials
            if "fungible" in m.attributes and _origin_unstated(m, self.parties)
        ]
        if unstated:
            # Not part of the outcome: the verdict needs these only if it turns on them.
            self.pending_fungible.extend(unstated)
            children.append(
                Step(
                    "origin by the method",
                    provision,
                    NEEDS_INFO,
                    f"the origin by {method} of fungible material(s) {', '.join(unstated[:10])} "
                    "is not given: counted as non-originating, and the verdict is checked "
                    "both ways",
                    missing=tuple(
                        f"origin of fungible material {m} as identified by {method} ({provision})"
                        for m in unstated
                    ),
                )
            )
        return Step(
            "fungible materials",
            provision,
            outcome,
            f"{how} for {len(fungible)} fungible material(s)",
            (("method stated", method),),
            children=tuple(children),
            missing=missing_of(children[:2]) if outcome is NEEDS_INFO else (),
        )

    def _fungibles_originating(self, case: Case) -> Case:
        """The case with fungible materials whose origin is not given counted originating
        (the hopeful run of :meth:`resolve`), where the law allows any inventory method."""
        named = self.law.vocabularies.get("inventory_methods", {})
        if not any(term.group == _ANY_METHOD for term in named.values()):
            return case
        parties = self.law.parties
        flip = [
            i
            for i, m in enumerate(case.materials)
            if "fungible" in m.attributes and _origin_unstated(m, parties)
        ]
        if not flip:
            return case
        materials = list(case.materials)
        for i in flip:
            materials[i] = attrs.evolve(materials[i], status=OriginStatus.ORIGINATING)
        return attrs.evolve(case, materials=tuple(materials))

    def imported_on(self) -> dt.date:
        consignment = self.case.consignment
        return consignment.imported_on if consignment and consignment.imported_on else self.date


_INVENTORY_METHODS = ("physical-separation", "averaging", "lifo", "fifo")
# Groups of the law file's ``inventory_methods`` vocabulary: the open rule, and separation.
_ANY_METHOD = "any"
_SEPARATION = "separation"


def _words(text: str) -> str:
    """Text without case, hyphens or punctuation: "Last-in, first-out" → "last in first out"."""
    return " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def _named_method(named: Mapping[str, Term], method: str) -> Term | None:
    """The law's named method a stated method is (by its key or the law's words), if any."""
    stated = _words(method)
    for term in named.values():
        if term.group != _ANY_METHOD and stated in (_words(term.key), _words(term.text)):
            return term
    return None


def _origin_unstated(material: Material, parties: Sequence[str]) -> bool:
    """A material whose origin is not given and could be originating: undetermined, not
    decided from its own BOM, not an indirect material, not from outside the parties."""
    return (
        material.status is OriginStatus.UNDETERMINED
        and not material.components
        and not material.indirect
        and (material.origin_country is None or material.origin_country in parties)
    )


def classified_with_goods(
    case: Case,
    decide: Callable[[Case], Determination],
    accessories: Sequence[str],
    citation: Citation,
    relief: str,
) -> Determination:
    """Relief for accessories "classified with" the goods (e.g. r 51ZI(1), r 51Q(1)(a)).

    The case states it in ``facts.accessories_classified_with_goods``: true, decided with the
    relief; false, the accessory lines are ordinary materials; not stated, the goods are
    decided both ways and the fact is needed only if the verdicts differ. Either way a step
    citing ``citation`` says what was done. ``accessories`` are the lines' ids; ``relief``
    names the provision of the relief (r 51ZI(1), r 51Q(1)).
    """
    lines = ", ".join(accessories[:10]) + ("…" if len(accessories) > 10 else "")
    title = "accessories classified with the goods"
    classified = case.facts.get("accessories_classified_with_goods")
    if classified is True:
        d = decide(case)
        step = Step(title, citation, MEETS, f"{lines}: stated classified with the goods")
        return attrs.evolve(d, steps=(*d.steps, step))
    without = decide(without_accessory_relief(case))
    if classified is False:
        step = Step(
            title,
            citation,
            FAILS,
            f"{lines}: stated not classified with the goods: no {relief} relief, treated as "
            "ordinary materials",
        )
        return attrs.evolve(without, steps=(*without.steps, step))
    with_relief = decide(case)
    if with_relief.verdict is without.verdict:
        step = Step(
            title,
            citation,
            NEEDS_INFO,
            f"whether {lines} are classified with the goods is not stated: decided both ways, "
            "with the same verdict",
        )
        return attrs.evolve(with_relief, steps=(*with_relief.steps, step))
    fact = (
        f"whether accessory line(s) {lines} are classified with the goods ({citation}, "
        "facts.accessories_classified_with_goods)"
    )
    step = Step(
        title,
        citation,
        NEEDS_INFO,
        f"whether {lines} are classified with the goods is not stated, and the verdict turns on it",
        missing=(fact,),
    )
    return attrs.evolve(
        without,
        verdict=Verdict.NEEDS_INFORMATION,
        basis=(),
        steps=(*without.steps, step),
        missing=(*without.missing, fact),
        notes=(*without.notes, f"the verdict turns on {fact}"),
    )


def without_accessory_relief(case: Case) -> Case:
    """The case with every accessory line, at any BOM depth, an ordinary material."""

    def plain(material: Material, components: list[Material]) -> Material:
        if material.accessory is None and not material.components:
            return material
        return attrs.evolve(material, accessory=None, components=tuple(components))

    return attrs.evolve(case, materials=tuple(rebuild(case.materials, _components, plain)))


def _components(material: Material) -> tuple[Material, ...]:
    return material.components


def has_rvc(rule: Rule) -> bool:
    """Whether a rule (or alternative) contains a regional value content requirement."""
    if isinstance(rule, RegionalValueContent):
        return True
    if isinstance(rule, AllOf | AnyOf):
        return any(has_rvc(term) for term in rule.terms)
    return False


def years_after(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (28 February for 29 February).

    Past the calendar's end (year 9999) there is no such day: that is an input error.
    """
    if day.year + years > dt.date.max.year:
        raise CaseError(f"{day.isoformat()} + {years} years is past the year 9999")
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


_INTERMEDIATE = "intermediate material "  # the title of a step deciding one
# An intermediate's verdict as the outcome of the step deciding it, by the verdict's name
# (an Enum member hashes in Python); a verdict needing information: NEEDS_INFO.
_OUTCOME_OF = {Verdict.ORIGINATING.name: MEETS, Verdict.NOT_ORIGINATING.name: FAILS}


def _sub_case(parent: Case, material: Material) -> Case:
    """An intermediate material as goods in their own right, made where its parent is."""
    produced = (material.produced_in,) if material.produced_in else parent.good.produced_in
    return Case(
        good=Good(
            id=material.id,
            hs=material.hs or parent.good.hs,  # called only for materials with a code
            description=material.description,
            adjusted_value=material.value,  # its own value stands in for the goods' value
            fob=material.value,
            transaction_value=material.value,
            produced_in=produced,
            last_process_in=material.produced_in or parent.good.last_process_in,
            operations=material.operations,
        ),
        currency=parent.currency,
        materials=material.components,
        facts=parent.facts,
        psr=material.psr,
    )


def _as_intermediate(fact: str, ident: str) -> str:
    """A fact missing in an intermediate's own decision, named for the intermediate."""
    if fact.startswith("adjusted value of the good"):
        return f"value of intermediate material {ident} (standing in for its adjusted value)"
    named = f"intermediate material {ident}"
    # "the goods" before "the good", which it contains ("on the goods" gave "… m0s").
    return fact.replace("the goods", named).replace("the good", named)


def _named_for(facts: tuple[str, ...], ident: str) -> tuple[str, ...]:
    """Facts named for an intermediate; most (those of its own intermediates, named for
    them already) say nothing of "the good" and are kept as they are, cheaply."""
    if not any("the good" in f for f in facts):
        return facts  # the same tuple: the step it came from can be kept as it is
    return tuple(_as_intermediate(f, ident) if "the good" in f else f for f in facts)


def _names_the_good(step: Step) -> bool:
    """Whether a missing fact of ``step``, or of a step under it outside its own
    intermediates' steps, speaks of "the good" (what :func:`_for_intermediate` renames)."""
    stack = [step]
    while stack:
        s = stack.pop()
        if s.test.startswith(_INTERMEDIATE):
            continue
        if any("the good" in fact for fact in s.missing):
            return True
        stack.extend(s.children)
    return False


def _for_intermediate(step: Step, ident: str) -> Step:
    """The intermediate's own steps, with their missing facts named for it.

    The steps of its own intermediates were named for them when they were decided, and are
    kept as they are: renaming them again would change nothing but the time, which would
    grow with the square of the BOM's depth.
    """

    def children(s: Step) -> tuple[Step, ...]:
        return () if s.test.startswith(_INTERMEDIATE) else s.children

    if not _names_the_good(step):
        return step  # nothing to rename: the steps as they are (a rebuild would copy nothing)

    def named(s: Step, kids: list[Step]) -> Step:
        if s.test.startswith(_INTERMEDIATE):
            return s
        missing = _named_for(s.missing, ident)
        if missing is s.missing and all(
            kid is old for kid, old in zip(kids, s.children, strict=True)
        ):
            return s  # nothing renamed here or below: the step itself, not a copy
        return attrs.evolve(s, missing=missing, children=tuple(kids))

    return rebuild([step], children, named)[0]
