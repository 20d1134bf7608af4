"""China: goods of China under the Customs and Excise Regulations 1996, regs 51Z–51ZL.

Source: Customs and Excise Regulations 1996 (NZ), Part 6, "Provisions relating to China",
version as at 28 November 2025. The law file ``china.toml`` beside this module holds every
number and list with its reference and the dates it covers (from 1 January 2022, when SL
2021/422 last amended regs 51ZA, 51ZC, 51ZH, 51ZI and 51ZL). Product-specific rules come from
*Product Specific Rules of Origin for Chinese goods—Annex 5 (2022)*; the case supplies the
rule text.

Goods originate in China when they fall in a class of r 51ZA(a) — wholly obtained (i),
produced exclusively from originating materials (ii), or meeting Annex 5 (iii) — and meet the
other provisions (r 51ZA(b)): minimal operations never confer origin (r 51ZE), interchangeable
materials are distinguished by separation or a GAAP inventory method (r 51ZK), and the goods
must be consigned directly from China (r 51ZF). RVC is (FOB − VNM) / FOB × 100, VNM the CIF
value (or earliest ascertained price) of non-originating materials, undetermined ones included
(r 51ZC). Failing the change in classification is forgiven within 10% of FOB (r 51ZL).
Packing for shipment is left out (r 51ZG); retail packaging (r 51ZH) and customary accessories
(r 51ZI) leave the tariff-shift test but count in RVC; the origin of neutral elements is not
considered (r 51ZJ). Regs 51Z–51ZL impose no record-keeping or declaration obligation, so a
determination lists none.

The regime — valuation (r 51ZC(2)), accessories (r 51ZI), packaging (r 51ZG, r 51ZH), neutral
elements (r 51ZJ), de minimis (r 51ZL), the RVC formula and accumulation — is declared in
``china.toml``'s ``[regime]`` and read by the engine (:mod:`origin.regime`). This module
holds only what the law makes unique to China: the classes of r 51ZA(a), minimal operations
(r 51ZE), fungible materials (r 51ZK), direct consignment (r 51ZF) and the interpretations
below.

Interpretations (also shown in the explanation where they apply):

* **RVC method.** r 51ZC(1) gives one formula and no name. It is reported as
  ``fob-build-down`` (it subtracts VNM from FOB) and is the method of every RVC rule; a rule
  naming another method (``RVC40 (build-down)``) is refused, since r 51ZC names none.
* **Value bases.** r 51ZC(2) accepts the CIF value or the earliest ascertained price (before
  transport from the supplier's warehouse to the producer). A value stated on another basis
  (customs value, ex-works, FOB, accounting cost) is no value for VNM, so the RVC is a bound.
  A value with no stated basis is taken as given. No optional adjustments exist.
* **Accumulation (r 51ZD).** Its text deems Chinese originating materials incorporated in New
  Zealand to originate in New Zealand. The other direction — New Zealand originating
  materials used in China — rests on r 51ZA(a)(ii)–(iii) and r 51ZB, which treat production
  "in New Zealand or in China or in both countries" alike; such materials count as
  originating, and a step cited r 51ZA(a)(ii) names them.
* **Minimal operations (r 51ZE)** apply to classes (ii) and (iii), not to goods wholly
  obtained (their origin comes from where they were obtained). There is no RVC exception. The
  list of r 51ZE(2) is open ("include"); only the listed operations are recognised. The (b)
  and (e) operations are minimal only when "simple" (r 51ZE(3)): when the goods underwent
  nothing more than minimal operations and some of them are of that kind, the case must state
  ``facts.operations_simple``; ``false`` means they needed special skills or equipment and so
  go beyond r 51ZE(2).
* **Direct consignment (r 51ZF)** is a condition of preferential treatment for every class. The
  goods must be consigned from China (``consignment.exported_from``). Each place outside the
  parties must be shown not to be one where the goods entered trade or commerce, and only
  unloading, reloading, repacking, preservation and temporary storage may happen there.
  Storage is allowed "of up to 6 months" (r 51ZF(2)(b)). The case gives the first and last
  day of storage (``facts.transit_storage_start``, ``facts.transit_storage_end``, asked only
  when a stop lists storage) and the period is computed in calendar months as the
  Legislation Act 2019 s 56 counts "1 or more months in legislation": from the start of the
  first day to immediately before the start of the day with the same number 6 months later,
  or, if that month has no such day, to the end of its last day (:func:`last_day_within`).
  Storage in more than one country is one period, from the first day in storage to the
  last (the cautious reading of "transit ... through ... 1 or more other countries"). The
  yes/no fact ``transit_storage_within_6_months`` still decides when the dates are not
  known; with both dates it must agree with them.
* **Accessories (r 51ZI(1))** also need to be "classified with" the goods. The model has no
  field for it: the case states it in ``facts.accessories_classified_with_goods``. When it is
  not stated the goods are decided both ways, and the verdict needs the fact only if the two
  differ; a step cited r 51ZI(1) says which. The relief of r 51ZI(1)
  (like that of r 51ZH(1) for retail packaging) works within the change in classification
  of Annex 5: a non-originating accessory still defeats r 51ZA(a)(ii) ("exclusively from"
  originating materials), and counts in VNM under r 51ZI(2).
* **Neutral elements (r 51ZJ)**: "the origin ... must not be considered". They are handled as
  indirect materials, which leave both the tariff shift and VNM; they need no value.
* **Citations.** Every provision a determination relies on is a step's citation, an RVC
  result's or an obligation's: the claimed r 51ZB paragraph, each minimal operation's
  r 51ZE(2) paragraph, r 51ZE(3) where simplicity is stated, the r 51ZC(2) valuation of VNM
  beside each RVC, r 51ZI(1) when accessories are present and r 51ZJ(1) for neutral elements.
* **Interchangeable materials (r 51ZK)**: the GAAP of r 51Z are China's. Chinese Accounting
  Standard for Business Enterprises No 1 (Inventories) recognises first-in-first-out,
  weighted average and specific identification, not LIFO; so ``inventory_method`` is one of
  physical-separation, averaging or fifo.

>>> import datetime as dt
>>> from origin.caseio import case_from_json
>>> case = case_from_json({
...     "schema": "origin-case/1", "currency": "CNY", "psr": "RVC40",
...     "good": {"id": "kettle", "hs": "8516.79", "fob": "1000.00",
...              "produced_in": ["CN"], "last_process_in": "CN",
...              "operations": ["moulding", "assembly"]},
...     "materials": [{"id": "element", "hs": "8516.80", "value": "600.00",
...                    "basis": "cif", "status": "non-originating"}],
...     "consignment": {"exported_from": "CN", "transit": []}})
>>> d = AGREEMENT.determine(case, dt.date(2025, 6, 1))
>>> d.verdict.value, d.rvc[0].method, d.rvc[0].value
('originating', 'fob-build-down', Fraction(40, 1))
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from fractions import Fraction
from pathlib import Path

import attrs

from origin.agreement import Agreement
from origin.citation import Citation, cite
from origin.decision import Decision, classified_with_goods
from origin.determination import (
    FAILS,
    MEETS,
    NEEDS_INFO,
    Determination,
    Outcome,
    Step,
    Verdict,
    missing_of,
)
from origin.engine import (
    CaseError,
    alternatives_met,
    minimal_operations_step,
    transit_step,
)
from origin.law import LawBook, Term
from origin.model import Case, OriginStatus
from origin.psr import RegionalValueContent
from origin.regime import DeclaredRegime

LAW = LawBook.load(Path(__file__).with_suffix(".toml"))
PARTIES = LAW.parties
AGREEMENT_NAME = "china"
METHOD = "fob-build-down"

# The regime (valuation, accessories, packaging, neutral elements, de minimis, the r 51ZC RVC,
# accumulation) is declared in the law file's [regime]; this module holds only what the engine
# does not.
DECLARED = DeclaredRegime.read(LAW)
regime_at = DECLARED.at


class _Run(Decision):
    """One China determination: the classes of r 51ZA(a) and the provisions of r 51ZA(b)."""

    law = LAW
    declared = DECLARED
    # r 51ZK(1)(b) with the r 51Z GAAP of China: no LIFO (see Interpretations).
    inventory_methods = ("physical-separation", "averaging", "fifo")

    def rvc_step(self, rule: RegionalValueContent, citation: Citation) -> Step:
        """r 51ZC(1)'s RVC, with the valuation of VNM it relies on (r 51ZC(2): "the CIF
        value ... or ... the earliest ascertained price paid or payable") cited beside it."""
        step = super().rvc_step(rule, citation)
        unknown = list(self.assessment.unknown_vnm)
        outcome = NEEDS_INFO if unknown and step.outcome is NEEDS_INFO else MEETS
        summary = "VNM at the CIF value or the earliest ascertained price"
        if unknown:
            summary += f"; no such value for {', '.join(unknown[:10])}"
            if step.outcome is not NEEDS_INFO:
                summary += " (the RVC is decided without it)"
        valuation = Step("value of non-originating materials", cite("r 51ZC(2)"), outcome, summary)
        return attrs.evolve(step, children=(*step.children, valuation))

    def rvc_missing(self, slug: str) -> tuple[str, ...]:
        missing = (f"value of material {m} (r 51ZC(2))" for m in self.assessment.unknown_vnm)
        return (*missing, *self.good_values_missing(slug))

    # ----- r 51ZA(a) classes

    def class_i(self) -> Step:
        """r 51ZA(a)(i): wholly obtained or produced in New Zealand or China (r 51ZB)."""
        step = self.wholly_obtained(cite("r 51ZA(a)(i)"), "class 51ZA(a)(i) wholly obtained")
        return self.claimed_category(step)

    def class_ii(self) -> Step:
        """r 51ZA(a)(ii): produced entirely in the parties exclusively from originating
        materials (those whose origin conforms with regs 51ZB–51ZL). r 51ZI(1) relieves
        accessories within the change in classification only, so a non-originating accessory
        is a non-originating material here (see Interpretations)."""
        return self.exclusively_originating(
            cite("r 51ZA(a)(ii)"),
            "class 51ZA(a)(ii) exclusively originating materials",
            relief_is_originating=False,
        )

    def class_iii(self) -> tuple[Step, tuple[str, ...]]:
        """r 51ZA(a)(iii): produced entirely in the parties and meets Annex 5 (2022)."""
        citation = cite("r 51ZA(a)(iii)")
        place = self.produced_in_parties(citation)
        if self.case.psr is None:
            psr = Step(
                "product-specific rule",
                citation,
                NEEDS_INFO,
                f"no Annex 5 rule given for {self.case.good.hs}",
                missing=(f"product-specific rule (Annex 5 (2022)) for {self.case.good.hs}",),
            )
            return Step(
                "class 51ZA(a)(iii) Annex 5",
                citation,
                place.outcome & psr.outcome,
                psr.summary,
                children=(place, psr),
                missing=missing_of((place, psr)),
            ), ()
        rule = self.parse_psr()
        assert rule is not None
        psr = self.evaluate_psr(rule, citation)
        return Step(
            f"class 51ZA(a)(iii) Annex 5: {rule}",
            citation,
            place.outcome & psr.outcome,
            psr.summary,
            (("rule", str(rule)),),
            children=(place, psr),
        ), alternatives_met(rule, psr)

    def wholly_obtained_class(self) -> Step:
        return self.class_i()

    # ----- r 51ZA(b): the other provisions

    def minimal(self) -> Step:
        """r 51ZE(1): operations contributing minimally (those of r 51ZE(2)) do not confer
        origin; the (b) and (e) operations are among them only when simple (r 51ZE(3))."""
        listed: Mapping[str, Term] = LAW.vocabulary("minimal_operations")
        operations = self.case.good.operations
        simple = self.case.facts.get("operations_simple")
        if simple is False:
            # Not simple: those operations are not among the minimal ones of r 51ZE(2).
            listed = {k: t for k, t in listed.items() if t.group != "simple"}
        inner = minimal_operations_step(
            operations,
            listed,
            cite("r 51ZE(2)"),
            "operations performed on the goods in the parties",
        )
        needing = [
            op
            for op in operations or ()
            if inner.outcome is FAILS and simple is None and listed[op].group == "simple"
        ]
        if needing:
            # Each operation is listed in r 51ZE(2); whether the (b) and (e) ones count turns
            # on r 51ZE(3), so none of them decides yet.
            inner = with_operations(
                Step(
                    "simple operations",
                    cite("r 51ZE(3)"),
                    NEEDS_INFO,
                    f"only operations listed in r 51ZE(2) were performed; "
                    f"{', '.join(needing)} are among them only if simple",
                    inner.inputs,
                    missing=(
                        f"whether {', '.join(needing)} needed special skills, machines or "
                        "equipment (facts.operations_simple, r 51ZE(3))",
                    ),
                ),
                operations,
                listed,
                NEEDS_INFO,
            )
        else:
            inner = with_operations(inner, operations, listed, FAILS)
            if simple is not None and operations:
                kind = "simple" if simple else "not simple (special skills or equipment)"
                everything = LAW.vocabulary("minimal_operations")
                which = [op for op in operations if everything.get(op, _NO_TERM).group == "simple"]
                stated = Step(
                    "simple operations",
                    cite("r 51ZE(3)"),
                    FAILS if simple else MEETS,
                    f"{', '.join(which) or 'the operations'} stated {kind}",
                )
                inner = attrs.evolve(
                    inner,
                    summary=f"{inner.summary}; r 51ZE(3): stated {kind}",
                    children=(*inner.children, stated),
                )
        summary = {
            MEETS: "the goods underwent more than minimal operations",
            FAILS: "only minimal operations, which do not confer origin",
        }.get(inner.outcome, "cannot tell whether the operations go beyond minimal ones")
        return Step(
            "minimal operations", cite("r 51ZE(1)"), inner.outcome, summary, children=(inner,)
        )

    def consignment(self) -> Step:
        """r 51ZF: consigned directly from China to New Zealand."""
        citation = cite("r 51ZF(1)")
        consignment = self.case.consignment
        origin_country = consignment.exported_from if consignment else None
        if origin_country is None:
            start = Step(
                "consigned from China",
                citation,
                NEEDS_INFO,
                "the country the goods were consigned from is not stated",
                missing=("country from which the goods were consigned (r 51ZF(1))",),
            )
        else:
            start = Step(
                "consigned from China",
                citation,
                Outcome.of(origin_country == "CN"),
                f"consigned from {origin_country}",
            )
        allowed = LAW.vocabulary("transit_operations")
        route = transit_step(
            consignment, PARTIES, allowed, cite("r 51ZF(2)(b)"), commerce_matters=True
        )
        children = [start, route, *self.storage(allowed)]
        outcome = Outcome.all(c.outcome for c in children)
        return Step(
            "direct consignment",
            citation,
            outcome,
            "; ".join(c.summary for c in children),
            children=tuple(children),
            missing=missing_of(children) if outcome is NEEDS_INFO else (),
        )

    def storage(self, allowed: Mapping[str, Term]) -> tuple[Step, ...]:
        """r 51ZF(2)(b): transit "with or without temporary storage of up to 6 months".

        With the first and last day of storage (``facts.transit_storage_start``,
        ``facts.transit_storage_end``) the period is computed in calendar months as the
        Legislation Act 2019 s 56 counts months (:func:`last_day_within`); without them, the
        yes/no fact ``transit_storage_within_6_months`` decides, as before; with both, they
        must agree. Storage in more than one country is one period, first day to last.
        """
        consignment = self.case.consignment
        start = _date_fact(self.case, "transit_storage_start")
        end = _date_fact(self.case, "transit_storage_end")
        if consignment is None or consignment.transit is None:
            return ()  # the route is not stated: the transit step asks for it
        outside = [stop for stop in consignment.transit if stop.country not in PARTIES]
        stored = [
            stop.country
            for stop in outside
            if any(allowed.get(op, _NO_TERM).group == "storage" for op in stop.operations or ())
        ]
        if not stored:
            if (start or end) and all(stop.operations is not None for stop in outside):
                raise CaseError(
                    "facts.transit_storage_start/transit_storage_end give storage dates, but no "
                    "transit stop outside New Zealand and China lists temporary storage "
                    "(transit[].operations: storage)"
                )
            return ()
        months = LAW.value("transit_storage_months", self.date)
        count = int(months.value)
        limit = f"{count} months"
        within = self.case.facts.get("transit_storage_within_6_months")
        where = ", ".join(stored)
        title = "temporary storage in transit"
        if start is not None and end is not None:
            if end < start:
                raise CaseError(
                    f"facts.transit_storage_end {end.isoformat()} is before "
                    f"facts.transit_storage_start {start.isoformat()}"
                )
            imported = consignment.imported_on
            if imported is not None and end > imported:
                raise CaseError(
                    f"facts.transit_storage_end {end.isoformat()} is after the importation "
                    f"into New Zealand (consignment.imported_on {imported.isoformat()})"
                )
            last = last_day_within(start, count)
            days = (end - start).days + 1
            allowed_days = (last - start).days + 1
            ok = end <= last
            if within is not None and within is not ok:
                raise CaseError(
                    f"facts.transit_storage_within_6_months is {str(within).lower()}, but the "
                    f"storage dates ({start.isoformat()} to {end.isoformat()}) give "
                    f"{'no more' if ok else 'more'} than {limit}"
                )
            over = "" if ok else f": {days - allowed_days} day(s) more than {limit}"
            return (
                Step(
                    title,
                    months.reference,
                    Outcome.of(ok),
                    f"stored in {where} from {start.isoformat()} to {end.isoformat()} "
                    f"({days} days); {limit} from {start.isoformat()} run to the end of "
                    f"{last.isoformat()} ({allowed_days} days, months counted as the "
                    f"Legislation Act 2019 s 56 counts them){over}",
                    (
                        ("stored from", start),
                        ("stored until", end),
                        (f"last day within {limit}", last),
                    ),
                    value=Fraction(days),
                    threshold=Fraction(allowed_days),
                    margin=Fraction(allowed_days - days),
                ),
            )
        if within is not None:
            partial = ""
            if start is not None or end is not None:
                partial = " (only one storage date is stated, so the stated answer decides)"
            return (
                Step(
                    title,
                    months.reference,
                    Outcome.of(within is True),
                    f"stored in {where} for {'no more' if within else 'more'} than {limit} "
                    f"(stated){partial}",
                ),
            )
        if start is None and end is None:
            needed = (
                f"the first and last days of temporary storage in transit ({where}) "
                "(facts.transit_storage_start, facts.transit_storage_end), or whether it "
                f"lasted no more than {limit} (facts.transit_storage_within_6_months)"
            )
        else:
            other = "transit_storage_end" if end is None else "transit_storage_start"
            needed = (
                f"the {'last' if end is None else 'first'} day of temporary storage in transit "
                f"({where}) (facts.{other}), or whether it lasted no more than {limit} "
                "(facts.transit_storage_within_6_months)"
            )
        return (
            Step(
                title,
                months.reference,
                NEEDS_INFO,
                f"stored in {where}: how long is not stated (at most {limit})",
                missing=(needed,),
            ),
        )

    def from_new_zealand(self) -> list[str]:
        """New Zealand originating materials in goods produced in China (decision 0004 §4)."""
        if self.case.good.last_process_in != "CN":
            return []
        originating = OriginStatus.ORIGINATING  # read once, not per line
        return [
            m.id
            for m in self.case.materials
            # "is not None" first: comparing None with "NZ" is slow, and most lines have None
            if m.origin_country is not None and m.origin_country == "NZ" and m.status is originating
        ]

    def provision_steps(self) -> list[Step]:
        """Provisions the determination relies on beyond its tests, each in a cited step."""
        steps: list[Step] = []
        from_nz = self.from_new_zealand()
        if from_nz:
            steps.append(
                Step(
                    "New Zealand originating materials",
                    cite("r 51ZA(a)(ii)"),
                    MEETS,
                    f"{', '.join(from_nz[:10])} count as originating in goods produced in "
                    "China: r 51ZA(a)(ii)-(iii) take production 'in New Zealand or in China or "
                    "in both countries' alike",
                )
            )
        # An indirect material is always a special line of the assessment (in BOM order).
        neutral = [
            line.material.id for line in self.assessment.special.values() if line.material.indirect
        ]
        if neutral:
            steps.append(
                Step(
                    "neutral elements",
                    cite("r 51ZJ(1)"),
                    MEETS,
                    f"the origin of {', '.join(neutral[:10])} is not considered: left out of "
                    "the tariff shift and of VNM",
                )
            )
        return steps

    def notes(self) -> list[str]:
        notes: list[str] = []
        if self.from_new_zealand():
            notes.append(
                "New Zealand originating materials count under r 51ZA(a)(ii)-(iii) "
                "(production in New Zealand or China or both); r 51ZD itself speaks only of "
                "Chinese materials used in New Zealand (decision 0004 §4)"
            )
        if self.rvc:
            notes.append(
                f"r 51ZC(1) gives one RVC formula and no name for it: reported as {METHOD}"
            )
        if any(line.material.indirect for line in self.assessment.special.values()):
            notes.append(
                "neutral elements (r 51ZJ(1)) are handled as indirect materials: they need no "
                "value, origin or classification"
            )
        return notes

    def determine(self) -> Determination:
        steps: list[Step] = list(self.assessment.sub_steps)
        i_step = self.class_i()
        ii_step = self.class_ii()
        iii_step, met = self.class_iii()
        steps.extend((i_step, ii_step, iii_step))
        produced = ii_step.outcome | iii_step.outcome
        if i_step.outcome is not MEETS:
            # r 51ZA(b) with r 51ZE: minimal operations never confer origin.
            minimal = self.minimal()
            steps.append(minimal)
            produced &= minimal.outcome
            # r 51ZK: interchangeable materials distinguished by separation or GAAP method.
            produced = self.counting_fungibles(
                produced,
                steps,
                cite("r 51ZK(1)"),
                (cite("r 51ZK(1)(a)"), cite("r 51ZK(1)(b)")),
                None,
            )
        origin = i_step.outcome | produced
        if not self.intermediate:
            # r 51ZF(1): preferential treatment only for goods consigned directly.
            direct = self.consignment()
            steps.append(direct)
            origin &= direct.outcome
        steps.extend(self.provision_steps())
        verdict = Verdict.from_outcome(origin)
        basis: list[str] = []
        if i_step.outcome is MEETS:
            basis.append("r 51ZA(a)(i)")
        elif produced is MEETS:
            if ii_step.outcome is MEETS:
                basis.append("r 51ZA(a)(ii)")
            if iii_step.outcome is MEETS:
                basis.append(self.rule_basis("r 51ZA(a)(iii)", iii_step, met))
        return self.conclude(verdict, basis, steps, tuple(self.notes()))


_NO_TERM = Term(key="", reference=cite("r 51ZF(2)(b)"), text="")


def _date_fact(case: Case, key: str) -> dt.date | None:
    value = case.facts.get(key)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CaseError(f"facts.{key}: {value!r} is not a date (YYYY-MM-DD)") from None


def months_later(day: dt.date, months: int) -> tuple[dt.date, bool]:
    """The day with ``day``'s number in the month ``months`` after ``day``'s month, and
    whether that month has such a day (if not, its last day is given, with False)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if year > dt.date.max.year:
        raise CaseError(f"{day.isoformat()} + {months} months is past the year 9999")
    last = calendar.monthrange(year, month)[1]
    if day.day <= last:
        return dt.date(year, month, day.day), True
    return dt.date(year, month, last), False


def last_day_within(start: dt.date, months: int) -> dt.date:
    """The last whole day of a period of ``months`` months beginning with ``start``.

    Legislation Act 2019 s 56 (periods of months in legislation): the period starts at the
    beginning of ``start``, runs to the month ``months`` later, and ends immediately before
    the start of the day there with ``start``'s number, or, if that month has no such day, at
    the end of its last day. So 6 months from 15 January end with 14 July, and 6 months from
    31 August end with the last day of February.

    >>> last_day_within(dt.date(2025, 1, 15), 6), last_day_within(dt.date(2024, 8, 31), 6)
    (datetime.date(2025, 7, 14), datetime.date(2025, 2, 28))
    """
    day, exists = months_later(start, months)
    return day - dt.timedelta(days=1) if exists else day


def with_operations(
    step: Step, operations: Iterable[str] | None, listed: Mapping[str, Term], outcome: Outcome
) -> Step:
    """Cite each listed minimal operation performed (r 51ZE(2)(a)-(i)) in a step of its own;
    ``outcome`` is what each says of "more than minimal operations"."""
    children = [
        Step(f"minimal operation: {op}", listed[op].reference, outcome, listed[op].text)
        for op in dict.fromkeys(operations or ())
        if op in listed
    ]
    return attrs.evolve(step, children=(*step.children, *children)) if children else step


def decide(case: Case, date: dt.date) -> Determination:
    """Decide whether ``case``'s goods originate in China (r 51ZA).

    r 51ZI(1) relieves accessories "classified with" the goods: the case states it
    (``facts.accessories_classified_with_goods``); not stated, the goods are decided both
    ways. Either way a cited step says what was done.
    """
    accessories = [m.id for m in case.materials if m.accessory is not None]
    if not accessories:
        return _Run.decide(case, date)
    return classified_with_goods(
        case, lambda c: _Run.decide(c, date), accessories, cite("r 51ZI(1)"), "r 51ZI(1)"
    )


AGREEMENT = Agreement(
    name=AGREEMENT_NAME,
    title=LAW.title,
    regulations=LAW.regulations,
    law=LAW,
    decide=decide,
    cases=Path(__file__).parent / "cases" / "china",
)
