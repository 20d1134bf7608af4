"""An agreement's regime read from its law file's ``[regime]`` table, and dated values applied.

The law file declares what the engine needs to know of an agreement's material rules — the
valuation provision, the optional adjustments, accessories, packaging, indirect materials,
de minimis (share, base, chapters by weight), the RVC methods (formula, what each symbol is,
where its value comes from, which unknowns move the result which way), accumulation and the
accepted valuation bases — each with the provision it rests on. This module reads it once
(compiling each formula once) and gives the engine a :class:`~origin.engine.Regime` at a
date, with the dated values (the de minimis share, the chapters) taken for that date.

Data flow: law file → :class:`~origin.law.LawBook` → :class:`DeclaredRegime` →
``at(date)`` → :func:`~origin.engine.assess` → the plugin's own tests → ``Determination``.

A symbol's value comes from a fixed, small vocabulary of places — ``good.<field>`` (e.g.
``good.fob``) or ``assessment.<sum>`` (e.g. ``assessment.vnm``). A method whose inputs the law
makes unique (ANZCERTA's factory cost, AANZFTA's direct formula) names a function the plugin
registers by name (``inputs = "factory_cost"``); nothing in a law file is ever evaluated.

>>> from pathlib import Path
>>> from origin.law import LawBook
>>> import datetime as dt
>>> law = LawBook.load(Path(__file__).parent.parent / "agreements" / "thailand.toml")
>>> regime = DeclaredRegime.read(law).at(dt.date(2025, 6, 1))
>>> str(regime.de_minimis), regime.de_minimis_share, regime.default_rvc_methods
('r 51G(3)(a)', Fraction(1, 10), ('build-down',))
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from origin.citation import Citation, CitationError
from origin.engine import Assessment, CaseError, Regime, RVCInputs, RVCMethod
from origin.formulas import Formula, FormulaError
from origin.law import LawBook, LawFileError, Term
from origin.model import ValueBasis
from origin.route import RouteRule

InputFunction = Callable[[Assessment], RVCInputs]

# Where a symbol's value may come from: the good's stated values and the assessment's sums.
GOOD_FIELDS = frozenset({"adjusted_value", "fob", "ex_works", "transaction_value"})
ASSESSMENT_SUMS = frozenset({"vnm", "vom", "materials_total", "originating_total"})
# The lists of materials whose values are unknown, and which way they may move the result.
UNKNOWN_LISTS = frozenset({"unknown_vnm", "unknown_vom", "unknown_fc_non", "unknown_values"})
EFFECTS: Mapping[str, bool | None] = {"raise": True, "lower": False, "either": None}
DE_MINIMIS_BASES = GOOD_FIELDS
_KEYS = frozenset(
    {
        "valuation",
        "adjustments",
        "accessories",
        "retail_packaging",
        "shipment_packaging",
        "indirect",
        "de_minimis",
        "rvc",
        "default_methods",
        "vnm_excludes_self_produced",
        "accumulation",
        "valuation_bases",
        "provisions",
        "words",
        "route",
    }
)


@attrs.frozen
class _FromSymbols:
    """A method's inputs read symbol by symbol from the declared places."""

    getters: tuple[tuple[str, Callable[[Assessment], Any]], ...]
    unknown: Callable[[Assessment], Any] | None
    raises: bool | None
    no_costs: str = ""  # what to ask for, among the unknowns, when the case has no cost lines

    def __call__(self, a: Assessment) -> RVCInputs:
        values = {symbol: get(a) for symbol, get in self.getters}
        unknown = tuple(self.unknown(a)) if self.unknown is not None else ()
        if self.no_costs and not a.case.costs:
            unknown = (*unknown, self.no_costs)
        return RVCInputs(values, unknown, raises=self.raises)


@attrs.frozen
class _CostGroup:
    """``costs.<group>``: the case's cost lines whose category (the law file's
    ``cost_categories``) is of ``group``, summed; an unknown category is refused."""

    categories: Mapping[str, Term]
    group: str

    def __call__(self, a: Assessment) -> Decimal:
        total = Decimal(0)
        for cost in a.case.costs:
            term = self.categories.get(cost.category)
            if term is None:
                raise CaseError(
                    f"cost line {cost.id!r}: unknown category {cost.category!r} "
                    f"(known: {', '.join(sorted(self.categories))})"
                )
            if term.group == self.group:
                total += cost.amount
        return total


@attrs.frozen
class WeightRule:
    """A de minimis by weight for goods of some chapters (e.g. r 51ZS(b)(i))."""

    reference: Citation
    share: str  # parameter name; must equal the value share on every date
    first_chapter: str  # parameter names (the first range of chapters)
    last_chapter: str
    value_share: str | None  # the share of the value test for those chapters, if its own
    value_reference: Citation | None  # its provision (e.g. r 51ZS(b)(ii))
    # Further ranges of chapters, as (first, last) parameter names (e.g. UK FTA art 3.9(b):
    # chapters 1 to 24 and 50 to 63); the law file writes ``chapters`` as a list of ranges.
    more_chapters: tuple[tuple[str, str], ...] = ()

    @property
    def ranges(self) -> tuple[tuple[str, str], ...]:
        return ((self.first_chapter, self.last_chapter), *self.more_chapters)


@attrs.frozen(eq=False)
class DeclaredRegime:
    """A law file's ``[regime]``, read and checked once; :meth:`at` dates it."""

    law: LawBook
    template: Regime
    share: str  # the dated de minimis share's parameter name ("" for none: share 0)
    by_weight: WeightRule | None
    bases_reference: Citation | None
    # ``[regime.provisions]``: the provisions the common tests cite in this law (``intermediate``
    # goods decided in their own right, ``shift`` a PSR's change of classification, ``rvc`` the
    # formulas; a family may name more, e.g. ``class_a``); ``[regime.words]``: its own words.
    provisions: Mapping[str, Citation] = attrs.field(factory=dict)
    words: Mapping[str, str] = attrs.field(factory=dict)
    route: RouteRule | None = None  # ``[regime.route]``: see origin.route
    _cache: dict[dt.date, Regime] = attrs.field(factory=dict, init=False, repr=False)

    def provision(self, name: str) -> Citation:
        """The provision ``name`` of ``[regime.provisions]``; its absence is a law-file error."""
        try:
            return self.provisions[name]
        except KeyError:
            raise LawFileError(
                f"{self.law.name}: [regime.provisions] names no {name!r} "
                f"(it names {sorted(self.provisions) or 'none'})"
            ) from None

    def word(self, name: str, default: str | None = None) -> str:
        """The text ``name`` of ``[regime.words]`` (``default`` when the law file has none)."""
        text = self.words.get(name, default)
        if text is None:
            raise LawFileError(f"{self.law.name}: [regime.words] has no {name!r}")
        return text

    @classmethod
    def read(
        cls, law: LawBook, inputs: Mapping[str, InputFunction] | None = None
    ) -> DeclaredRegime:
        """Read ``law``'s ``[regime]``; ``inputs`` are the plugin's named input functions."""
        try:
            return _read(law, dict(inputs or {}))
        except (KeyError, TypeError, ValueError, CitationError, FormulaError) as error:
            if isinstance(error, LawFileError):
                raise
            raise LawFileError(f"{law.name}: [regime]: {error!r}") from error

    def at(self, date: dt.date) -> Regime:
        """The regime on ``date``: its dated values taken from the law file for that date."""
        regime = self._cache.get(date)
        if regime is not None:
            return regime
        law = self.law
        share = law.value(self.share, date).value if self.share else Fraction(0)
        changes: dict[str, Any] = {"de_minimis_share": share}
        weight = self.by_weight
        if weight is not None:
            shares = {law.value(weight.share, date).value}
            if weight.value_share is not None:
                shares.add(law.value(weight.value_share, date).value)
            if shares != {share}:
                raise LawFileError(
                    f"{law.name}: [regime.de_minimis.by_weight]: the engine applies one de "
                    f"minimis share to every test; on {date.isoformat()} they differ"
                )
            chapters: set[str] = set()
            for first_name, last_name in weight.ranges:
                first = int(law.value(first_name, date).value)
                last = int(law.value(last_name, date).value)
                chapters.update(f"{c:02d}" for c in range(first, last + 1))
            changes["de_minimis_weight_chapters"] = frozenset(chapters)
        regime = attrs.evolve(self.template, **changes)
        if len(self._cache) < 256:
            self._cache[date] = regime
        return regime


def _read(law: LawBook, inputs: dict[str, InputFunction]) -> DeclaredRegime:
    table = law.regime
    if not table:
        raise LawFileError(f"{law.name}: no [regime] table in its law file")
    strange = sorted(set(table) - _KEYS)
    if strange:
        raise ValueError(f"unknown keys {strange} (known: {sorted(_KEYS)})")
    instrument = law.instrument

    def ref(text: object) -> Citation:
        if not isinstance(text, str):
            raise TypeError(f"a reference must be text, not {text!r}")
        # A regulation ("r 51ZZJ(b)") is the Regulations' in any law file: an agreement's own
        # provisions are articles ("art 3.2(c)"), cited with the law file's instrument.
        if text.lstrip().startswith("r "):
            return Citation.parse(text)
        return Citation.parse(text, instrument)

    def optional(key: str) -> Citation | None:
        entry = table.get(key)
        return None if entry is None else ref(entry["reference"])

    used: set[str] = set()
    methods = {
        slug: _method(law, slug, spec=spec, ref=ref, inputs=inputs, used=used)
        for slug, spec in table.get("rvc", {}).items()
    }
    unused = sorted(set(inputs) - used)
    if unused:
        raise LawFileError(f"{law.name}: input functions {unused} are named by no RVC method")
    defaults = tuple(table["default_methods"])
    unknown = [m for m in defaults if m not in methods]
    if unknown:
        raise LawFileError(f"{law.name}: [regime].default_methods names no method {unknown}")
    adjustments = table["adjustments"]
    accessories = table.get("accessories")
    retail = table.get("retail_packaging") or {}
    de_minimis = table["de_minimis"]
    base = de_minimis["base"]
    if base not in DE_MINIMIS_BASES:
        raise ValueError(f"de_minimis.base {base!r} is not one of {sorted(DE_MINIMIS_BASES)}")
    share = str(de_minimis.get("share", ""))
    if share and share not in law.parameters:
        raise ValueError(f"de_minimis.share names no parameter {share!r}")
    weight = de_minimis.get("by_weight")
    by_weight = None
    if weight is not None:
        # ``chapters``: one range ``{first, last}`` or a list of them (parameter names).
        spans = weight["chapters"]
        spans = [spans] if isinstance(spans, Mapping) else list(spans)
        if not spans:
            raise ValueError("de_minimis.by_weight.chapters names no range of chapters")
        ranges = [(str(span["first"]), str(span["last"])) for span in spans]
        by_weight = WeightRule(
            ref(weight["reference"]),
            str(weight["share"]),
            ranges[0][0],
            ranges[0][1],
            weight.get("value_share"),
            ref(weight["value_reference"]) if "value_reference" in weight else None,
            tuple(ranges[1:]),
        )
        for name in (by_weight.share, *(n for span in by_weight.ranges for n in span)):
            if name not in law.parameters:
                raise ValueError(f"de_minimis.by_weight names no parameter {name!r}")
    accumulation = table.get("accumulation")
    bases = table.get("valuation_bases")
    template = Regime(
        valuation=ref(table["valuation"]["reference"]),
        adjust_originating=law.vocabulary(adjustments["originating"]),
        adjust_non_originating=law.vocabulary(adjustments["non_originating"]),
        accessories=None if accessories is None else ref(accessories["reference"]),
        accessories_lose_if_raising_fact=None
        if accessories is None
        else accessories.get("lost_if_fact"),
        retail_packaging_shift=ref(retail["shift"]) if "shift" in retail else None,
        retail_packaging_rvc=ref(retail["rvc"]) if "rvc" in retail else None,
        shipment_packaging=optional("shipment_packaging"),
        indirect=optional("indirect"),
        de_minimis=ref(de_minimis["reference"]),
        de_minimis_share=Fraction(0),  # dated: set by at()
        de_minimis_base=base,
        de_minimis_base_label=str(de_minimis["base_label"]),
        rvc_methods=methods,
        default_rvc_methods=defaults,
        vnm_excludes_self_produced=optional("vnm_excludes_self_produced"),
        accumulation=None if accumulation is None else ref(accumulation["reference"]),
        accumulation_into=tuple(accumulation.get("into", ())) if accumulation else (),
        accepted_bases=None
        if bases is None or "accepted" not in bases
        else frozenset(ValueBasis(b) for b in bases["accepted"]),
        bases_only_for_non_originating=bool(bases and bases.get("only_for_non_originating")),
        de_minimis_weight=None if by_weight is None else by_weight.reference,
        de_minimis_weight_value=None if by_weight is None else by_weight.value_reference,
        parties=law.parties,
    )
    if template.accumulation_into and not set(template.accumulation_into) <= set(law.parties):
        raise ValueError(f"accumulation.into {template.accumulation_into} are not all parties")
    return DeclaredRegime(
        law,
        template,
        share,
        by_weight,
        None if bases is None or "reference" not in bases else ref(bases["reference"]),
        {name: ref(text) for name, text in table.get("provisions", {}).items()},
        _words(table),
        None if "route" not in table else RouteRule.read(table["route"], ref),
    )


def _words(table: Mapping[str, Any]) -> dict[str, str]:
    """``[regime.words]``: the law's own words, each text."""
    words = table.get("words", {})
    if not all(isinstance(text, str) for text in words.values()):
        raise TypeError("every entry of [regime.words] is text")
    return dict(words)


def _method(
    law: LawBook,
    slug: str,
    *,
    spec: Mapping[str, Any],
    ref: Callable[[object], Citation],
    inputs: Mapping[str, InputFunction],
    used: set[str],
) -> RVCMethod:
    """One ``[regime.rvc.<slug>]``: formula, symbols, where their values come from."""
    symbols: Mapping[str, Mapping[str, Any]] = spec["symbols"]
    formula = Formula.define(
        slug, spec["formula"], {s: str(e["means"]) for s, e in symbols.items()}
    )
    headroom = tuple(spec.get("headroom", ()))
    stray = [s for s in headroom if s not in symbols]
    if stray:
        raise ValueError(f"rvc.{slug}.headroom: {stray} are not symbols of the formula")
    missing = {s: str(e["missing"]) for s, e in symbols.items() if "missing" in e}
    good_values = tuple(
        (str(e["from"]).partition(".")[2], missing[s])
        for s, e in symbols.items()
        if str(e.get("from", "")).startswith("good.") and s in missing
    )
    named = spec.get("inputs")
    if named is not None:
        if named not in inputs:
            raise LawFileError(
                f"{law.name}: [regime.rvc.{slug}] names input function {named!r}, which the "
                f"plugin does not register (registered: {sorted(inputs) or 'none'})"
            )
        if any("from" in e for e in symbols.values()) or "unknown" in spec:
            raise ValueError(f"rvc.{slug}: inputs by function take no 'from' or 'unknown'")
        used.add(named)
        function = inputs[named]
    else:
        getters = tuple((s, _getter(law, slug, s, str(e["from"]))) for s, e in symbols.items())
        unknown = spec.get("unknown")
        if unknown is None:
            function = _FromSymbols(getters, None, None)
        else:
            strange = sorted(set(unknown) - {"list", "effect", "no_costs"})
            if strange:
                raise ValueError(f"rvc.{slug}.unknown: unknown keys {strange}")
            place, effect = str(unknown["list"]), str(unknown["effect"])
            kind, _, name = place.partition(".")
            if kind != "assessment" or name not in UNKNOWN_LISTS:
                raise ValueError(f"rvc.{slug}.unknown.list {place!r}: not one of {UNKNOWN_LISTS}")
            if effect not in EFFECTS:
                raise ValueError(f"rvc.{slug}.unknown.effect {effect!r}: not one of {set(EFFECTS)}")
            function = _FromSymbols(
                getters,
                operator.attrgetter(name),
                EFFECTS[effect],
                str(unknown.get("no_costs", "")),
            )
    no_costs = str((spec.get("unknown") or {}).get("no_costs", ""))
    return RVCMethod(
        slug, formula, ref(spec["reference"]), function, headroom, missing, good_values, no_costs
    )


def _getter(law: LawBook, slug: str, symbol: str, place: str) -> Callable[[Assessment], Any]:
    kind, _, name = place.partition(".")
    if kind == "good" and name in GOOD_FIELDS:
        return operator.attrgetter(f"case.good.{name}")
    if kind == "assessment" and name in ASSESSMENT_SUMS:
        return operator.attrgetter(name)
    if kind == "costs":
        categories = law.vocabulary("cost_categories")
        if not any(term.group == name for term in categories.values()):
            raise ValueError(
                f"rvc.{slug}.symbols.{symbol}.from {place!r}: no cost category is of group {name!r}"
            )
        return _CostGroup(categories, name)
    raise ValueError(
        f"rvc.{slug}.symbols.{symbol}.from {place!r}: a value comes from good.<"
        f"{'|'.join(sorted(GOOD_FIELDS))}>, assessment.<{'|'.join(sorted(ASSESSMENT_SUMS))}> "
        "or costs.<a group of the law file's cost_categories>"
    )
