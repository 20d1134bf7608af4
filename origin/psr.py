"""Product-specific rules (PSRs): the short text users type, read into a rule tree.

The grammar lives in ``psr.lark`` (LALR, built once) so the accepted notation is written down
in one place; this module turns parses into frozen nodes and parse failures into
:class:`PSRSyntaxError` messages that say what was found, where, and what could come next.

>>> rule = parse_rule("cth except from heading 15.07; RVC 40% (Build Down)")
>>> print(rule)
CTH except from 15.07 or RVC40 (build-down)
>>> rule.terms[1].threshold
Fraction(40, 1)
>>> try:
...     parse_rule("CC excpt 04")
... except PSRSyntaxError as error:
...     print(error)  # doctest: +ELLIPSIS
PSR 'CC excpt 04': unexpected 'excpt' at column 4; expected one of: and, or, except, ;, ...
"""

from __future__ import annotations

import enum
import functools
import importlib.resources
import re
from collections.abc import Iterable, Iterator
from fractions import Fraction
from typing import TypeAlias, TypeVar, cast

import attrs
from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedInput, UnexpectedToken
from lark.parsers.lalr_interactive_parser import InteractiveParser

from origin.hs import HSCode, HSCodeError, HSLevel, HSRange

__all__ = [
    "PRICE_BASES",
    "RVC_METHODS",
    "AllOf",
    "AnyOf",
    "Condition",
    "Excepted",
    "GoodsOf",
    "MaxNonOriginating",
    "PSRSyntaxError",
    "Process",
    "RegionalValueContent",
    "Rule",
    "ShiftLevel",
    "TariffShift",
    "WhollyObtained",
    "canonical",
    "leaves",
    "parse_rule",
]

RVC_METHODS = (
    "build-down",
    "build-up",
    "factory-cost",
    "direct",
    "indirect",
    "transaction-value",
    "net-cost",
    "focused-value",
)
"""Method slugs an RVC may name; agreements attach formulas to these slugs.

``focused-value`` (e.g. CPTPP Annex 3-D) is build-down counting only the non-originating
materials of the headings the rule lists, so an RVC of that method carries its list.
"""

PRICE_BASES = ("EXW", "FOB")
"""Prices a maximum share of non-originating materials may be measured against."""


class PSRSyntaxError(ValueError):
    """PSR text that cannot be read; ``position`` is the 0-based column of the problem."""

    def __init__(
        self, message: str, *, text: str, position: int, expected: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.text = text
        self.position = position
        self.expected = expected


class ShiftLevel(enum.Enum):
    """The classification level a tariff-shift rule requires materials to change at."""

    CC = "CC"  # change of chapter
    CTH = "CTH"  # change of tariff heading
    CTSH = "CTSH"  # change of tariff subheading


def _words(text: str, *, what: str) -> str:
    """Words as the grammar reads them back: runs of whitespace made single spaces (so a
    printed rule re-parses to an equal tree), and not both kinds of closing quote."""
    words = " ".join(str(text).split())
    if '"' in words and "”" in words:
        raise ValueError(f'{what} {words!r}: holds both " and ”, which no quoting can print')
    return words


def _goods_words(text: str) -> str:
    return _words(text, what="goods")


def _process_words(text: str) -> str:
    return _words(text, what="process")


def _condition_words(text: str) -> str:
    return _words(text, what="condition")


def _quote(words: str) -> str:
    """Straight quotes, or curly ones when the words hold a straight quote."""
    return f"“{words}”" if '"' in words else f'"{words}"'


_T = TypeVar("_T")
# Rule texts by the rule object's identity, each entry holding its rule (so an id is not
# reused while its entry lives); cleared when full.
_TEXTS: dict[int, tuple[object, str]] = {}
_TEXTS_MAX = 8192


def _text_once(cls: type[_T]) -> type[_T]:
    """``str(rule)`` worked out once per rule object: a rule is immutable and a parsed rule
    is shared by every case that states it (the parse is cached), while a determination
    names its rule and each term several times; building the text (thresholds as exact
    decimals) cost more than the test it names."""
    build = cls.__str__

    def __str__(self: _T) -> str:
        entry = _TEXTS.get(id(self))
        if entry is not None and entry[0] is self:
            return entry[1]
        text = build(self)
        if len(_TEXTS) >= _TEXTS_MAX:
            _TEXTS.clear()
        _TEXTS[id(self)] = (self, text)
        return text

    __str__.__doc__ = build.__doc__
    cls.__str__ = __str__  # type: ignore[assignment,method-assign]
    return cls


@_text_once
@attrs.frozen
class WhollyObtained:
    """The good must be wholly obtained or produced in the party."""

    def __str__(self) -> str:
        return "WO"


@_text_once
@attrs.frozen
class GoodsOf:
    """Only some goods of a code, in the law's words, e.g. "control panels" of 8537.10.

    An annex may exclude (or count) just these goods; whether a material of the code is
    one of them is a fact about the material that its HS code alone does not give.
    """

    goods: str = attrs.field(converter=_goods_words)
    codes: HSRange = attrs.field()

    def contains(self, code: HSCode) -> bool:
        """Whether a material of ``code`` may be one of these goods."""
        return self.codes.contains(code)

    def __str__(self) -> str:
        return f"{_quote(self.goods)} of {self.codes}"


Excepted: TypeAlias = HSRange | GoodsOf


@_text_once
@attrs.frozen
class TariffShift:
    """Non-originating materials must change classification, except those listed."""

    level: ShiftLevel
    exceptions: tuple[Excepted, ...] = ()

    def __str__(self) -> str:
        if not self.exceptions:
            return self.level.value
        return f"{self.level.value} except from {', '.join(map(str, self.exceptions))}"


@_text_once
@attrs.frozen
class RegionalValueContent:
    """A minimum regional value content, in percent; method None means the agreement's default.

    ``materials`` lists the headings a focused-value RVC counts (empty for other methods).
    """

    threshold: Fraction
    method: str | None = None
    materials: tuple[Excepted, ...] = ()

    def __str__(self) -> str:
        if self.materials:
            listed = ", ".join(map(str, self.materials))
            return f"RVC{_decimal(self.threshold)} ({self.method} of {listed})"
        method = f" ({self.method})" if self.method else ""
        return f"RVC{_decimal(self.threshold)}{method}"


@_text_once
@attrs.frozen
class MaxNonOriginating:
    """Non-originating materials may be worth at most ``threshold`` percent of a price.

    ``basis`` is "EXW" (ex-works) or "FOB"; None means the agreement's default price.
    """

    threshold: Fraction
    basis: str | None = None

    def __str__(self) -> str:
        basis = f" ({self.basis})" if self.basis else ""
        return f"MaxNOM{_decimal(self.threshold)}{basis}"


@_text_once
@attrs.frozen
class Process:
    """A specific process the good must undergo in the parties, e.g. "refining".

    A BOM cannot show a process, so it is decided on information the person supplies.
    """

    name: str = attrs.field(converter=_process_words)

    def __str__(self) -> str:
        return f"process {_quote(self.name)}"


@_text_once
@attrs.frozen
class Condition:
    """A further requirement in the law's own words ("provided that ..."), e.g. "the good
    is cooked in the territory of the Parties"; like a process, it needs information."""

    text: str = attrs.field(converter=_condition_words)

    def __str__(self) -> str:
        return f"provided that {_quote(self.text)}"


@_text_once
@attrs.frozen
class AllOf:
    """Every term must be met ("and")."""

    terms: tuple[Rule, ...]

    @classmethod
    def of(cls, *terms: Rule) -> Rule:
        """Conjoin, flattening nested AllOf so equal rules get equal trees; one term is itself."""
        return _combine(cls, terms)

    def __str__(self) -> str:
        # AnyOf is the only looser operator, so it alone needs parentheses under "and".
        # A condition after the first term reads "X provided that ...", as annexes write it.
        parts = [f"({t})" if isinstance(t, AnyOf) else str(t) for t in self.terms]
        joined = parts[0]
        for term, part in zip(self.terms[1:], parts[1:], strict=True):
            joined += f" {part}" if isinstance(term, Condition) else f" and {part}"
        return joined


@_text_once
@attrs.frozen
class AnyOf:
    """At least one term must be met ("or" / ";")."""

    terms: tuple[Rule, ...]

    @classmethod
    def of(cls, *terms: Rule) -> Rule:
        """Disjoin, flattening nested AnyOf so equal rules get equal trees; one term is itself."""
        return _combine(cls, terms)

    def __str__(self) -> str:
        return " or ".join(map(str, self.terms))


Rule: TypeAlias = (
    WhollyObtained
    | TariffShift
    | RegionalValueContent
    | MaxNonOriginating
    | Process
    | Condition
    | AllOf
    | AnyOf
)


def leaves(rule: Rule) -> Iterator[Rule]:
    """Every leaf of a rule, left to right (e.g. to list the processes it names)."""
    if isinstance(rule, AllOf | AnyOf):
        for term in rule.terms:
            yield from leaves(term)
    else:
        yield rule


def _combine(kind: type[AllOf] | type[AnyOf], terms: Iterable[Rule]) -> Rule:
    """Shared body of AllOf.of / AnyOf.of."""
    flat: list[Rule] = []
    for term in terms:
        flat.extend(term.terms if isinstance(term, kind) else (term,))
    if not flat:
        raise ValueError(f"{kind.__name__} needs at least one term; found none")
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


def _decimal(value: Fraction) -> str:
    """Exact decimal text (42.5, not 85/2) so thresholds print as the law writes them."""
    rest, twos, fives = value.denominator, 0, 0
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    if rest != 1:  # no finite decimal (e.g. 100/3): exact, though not re-parseable
        return str(value)
    places = max(twos, fives)
    digits = str(abs(value.numerator) * 10**places // value.denominator).rjust(places + 1, "0")
    whole, decimals = digits[: len(digits) - places], digits[len(digits) - places :]
    sign = "-" if value < 0 else ""
    return f"{sign}{whole}.{decimals}" if places else f"{sign}{whole}"


def canonical(rule: Rule) -> str:
    """The canonical notation, which :func:`parse_rule` reads back to an equal tree."""
    return str(rule)


def parse_rule(text: str, *, validate: bool = True) -> Rule:
    """Read PSR text into a rule tree; raises :class:`PSRSyntaxError` on bad input.

    With ``validate`` the HS codes in exception lists must exist in HS 2022; a schedule in an
    older edition is parsed without it and checked against its own edition instead.
    """
    return _parse_cached(text, validate)


# ---------------------------------------------------------------------------------------------
# Building the tree


class _SemanticError(Exception):
    """Raised inside the parse for grammatical text that means nothing valid (bad HS code)."""

    def __init__(self, found: str, position: int | None, detail: str) -> None:
        super().__init__(found)
        self.found = found
        self.position = position or 0  # lark types token positions as optional
        self.detail = detail


_LEVEL_WORDS = {
    "chapter": HSLevel.CHAPTER,
    "heading": HSLevel.HEADING,
    "subheading": HSLevel.SUBHEADING,
}


class _Build(Transformer[Token, Rule]):
    """Grammar rule name -> node; runs inside the LALR parse, so no tree is ever built."""

    def __init__(self, validate: bool) -> None:
        super().__init__()
        self.validate = validate

    def start(self, children: list[Rule]) -> Rule:
        return children[0]

    def any_of(self, children: list[Rule]) -> Rule:
        return AnyOf.of(*children)

    def all_of(self, children: list[Rule]) -> Rule:
        return AllOf.of(*children)

    def wholly(self, _children: list[Token]) -> Rule:
        return WhollyObtained()

    def shift(self, children: list[Token | Excepted]) -> Rule:
        level, *exceptions = children
        assert isinstance(level, Token)
        if level.type == "LEVEL_WORD":  # "change from any other heading"
            shift_level = _PROSE_SHIFT[_LEVEL_WORDS[level.value.lower().rstrip("s")]]
        else:
            shift_level = ShiftLevel(level.value.upper())
        return TariffShift(
            shift_level, tuple(e for e in exceptions if isinstance(e, HSRange | GoodsOf))
        )

    def goods_of(self, children: list[Token | HSRange]) -> GoodsOf:
        words, codes = children
        assert isinstance(words, Token) and isinstance(codes, HSRange)
        return GoodsOf(_quoted(words, "description of goods"), codes)

    def exception(self, children: list[Token]) -> HSRange:
        words = [c for c in children if c.type == "LEVEL_WORD"]
        ends = [c for c in children if c.type == "HS_TEXT"]
        said = _LEVEL_WORDS[words[0].value.lower().rstrip("s")] if words else None
        codes: list[HSCode] = []
        for end in ends:
            text = end.value
            if said is HSLevel.CHAPTER and len(text) == 1:
                text = f"0{text}"  # annexes write "chapter 3" for chapter 03
            try:
                codes.append(HSCode.parse(text, validate=self.validate))
            except HSCodeError as error:
                found = f"bad HS code {end.value!r}"
                raise _SemanticError(found, end.start_pos, str(error)) from None
        try:
            hs_range = HSRange.from_codes(codes[0], codes[-1])
        except HSCodeError as error:
            raise _SemanticError("bad HS range", ends[0].start_pos, str(error)) from None
        for word in words:
            level = _LEVEL_WORDS[word.value.lower().rstrip("s")]
            if level != hs_range.level:
                raise _SemanticError(
                    f"{word.value!r} before {hs_range}",
                    word.start_pos,
                    f"expected a {level.name.lower()} ({level.value} digits) after {word.value!r}",
                )
        return hs_range

    def rvc(self, children: list[Token | tuple[str, tuple[Excepted, ...]]]) -> Rule:
        number = children[0]
        assert isinstance(number, Token)
        threshold = _threshold(number, "RVC")
        method: str | None = None
        materials: tuple[Excepted, ...] = ()
        if len(children) > 1:
            found = children[1]
            assert isinstance(found, tuple)
            method, materials = found
        if (method == "focused-value") != bool(materials):
            token = number
            detail = (
                "expected the materials it counts, e.g. (focused value of 84.83)"
                if method == "focused-value"
                else "expected a list of materials only after focused value"
            )
            raise _SemanticError(f"RVC method {method}", token.start_pos, detail)
        return RegionalValueContent(threshold, method, materials)

    def method(self, children: list[Token | Excepted]) -> tuple[str, tuple[Excepted, ...]]:
        word, *materials = children
        assert isinstance(word, Token)
        slug = re.sub(r"[\s-]+", "-", word.value.strip().lower())
        if slug not in RVC_METHODS:
            raise _SemanticError(
                f"unknown RVC method {word.value!r}",
                word.start_pos,
                f"expected one of: {', '.join(RVC_METHODS)}",
            )
        return slug, tuple(m for m in materials if isinstance(m, HSRange | GoodsOf))

    def maxnom(self, children: list[Token]) -> Rule:
        threshold = _threshold(children[0], "MaxNOM")
        basis = children[1].value.upper() if len(children) > 1 else None
        return MaxNonOriginating(threshold, basis)

    def process(self, children: list[Token]) -> Rule:
        return Process(_quoted(children[0], "process"))

    def condition(self, children: list[Token]) -> Rule:
        return Condition(_quoted(children[0], "condition"))


_PROSE_SHIFT = {
    HSLevel.CHAPTER: ShiftLevel.CC,
    HSLevel.HEADING: ShiftLevel.CTH,
    HSLevel.SUBHEADING: ShiftLevel.CTSH,
}


def _threshold(number: Token, what: str) -> Fraction:
    """A percentage, exact from its decimal text (never via float), in (0, 100]."""
    threshold = Fraction(number.value)
    if not 0 < threshold <= 100:
        raise _SemanticError(
            f"{what} threshold {number.value}",
            number.start_pos,
            "expected a percentage above 0 and at most 100",
        )
    return threshold


def _quoted(token: Token, what: str) -> str:
    """The text inside the quotes, with runs of whitespace made single spaces."""
    text = " ".join(token.value[1:-1].split())
    if not text:
        raise _SemanticError(f"empty {what}", token.start_pos, f"expected the {what} in words")
    return text


@functools.cache
def _parser(validate: bool = True) -> Lark:
    """The LALR parser, built once on first use (building costs milliseconds); one per
    setting of HS 2022 validation, since the transformer runs inside the parse."""
    grammar = importlib.resources.files("origin").joinpath("psr.lark").read_text("utf-8")
    return Lark(grammar, parser="lalr", lexer="contextual", transformer=_Build(validate))


# ---------------------------------------------------------------------------------------------
# Parsing and error reporting

# What each terminal looks like to a user, in the order expectations are listed.
_SHOWN: dict[str, tuple[str, ...]] = {
    "_AND": ("and",),
    "_EXC_AND": ("and",),
    "_OR": ("or",),
    "_EXC_OR": ("or",),
    "_EXCEPT": ("except",),
    "_FROM": ("from",),
    "_COMMA": ("a comma",),
    "_SEMI": (";",),
    "_DASH": ("-",),
    "_PERCENT": ("%",),
    "_WO": ("WO",),
    "_WHOLLY": ("wholly obtained",),
    "SHIFT_LEVEL": ("CC", "CTH", "CTSH"),
    "_RVC": ("RVC",),
    "_MAXNOM": ("MaxNOM",),
    "_PROCESS": ("process",),
    "_PROVIDED": ("provided that",),
    "_CHANGE_FROM": ("change from any other",),
    "_TO": ("to",),
    "_OF": ("of",),
    "_THAT": ("that",),
    "PRICE_BASIS": (" or ".join(PRICE_BASES),),
    "_LPAR": ("(",),
    "_RPAR": (")",),
    "NUMBER": ("a percentage such as 40",),
    "METHOD": (f"an RVC method ({', '.join(RVC_METHODS)})",),
    "METHOD_TEXT": (f"an RVC method ({', '.join(RVC_METHODS)})",),
    "LEVEL_WORD": ("heading", "subheading", "chapter"),
    "HS_TEXT": ("an HS code such as 15.07",),
    "QUOTED": ('words in "quotes"',),
    "$END": ("end of rule",),
}
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*|\d[\w.]*|\S")


@functools.lru_cache(maxsize=4096)
def _parse_cached(text: str, validate: bool) -> Rule:
    """Parse with the shared parser; rules are immutable, so repeated texts share one tree."""
    if not text.strip():
        raise PSRSyntaxError(
            f"PSR {text!r}: empty rule; expected a rule such as WO, CTH or RVC40",
            text=text,
            position=0,
        )
    try:
        # The inline transformer makes lark return our node, not the Tree its stubs promise.
        rule = cast(Rule, _parser(validate).parse(text))
    except _SemanticError as error:
        raise _semantic_error(text, error) from None
    except UnexpectedInput:
        raise _diagnose(text, validate) from None
    return rule


def _semantic_error(text: str, error: _SemanticError) -> PSRSyntaxError:
    return PSRSyntaxError(
        f"PSR {text!r}: {error.found} at column {error.position + 1}; {error.detail}",
        text=text,
        position=error.position,
    )


def _diagnose(text: str, validate: bool) -> PSRSyntaxError:
    """Re-run the parse a token at a time to find exactly which tokens could have come next.

    LALR merges states, so the expectations lark attaches to its errors can include tokens
    that are not actually possible here (e.g. ')' at top level). Feeding each candidate to a
    copy of the parser taken *before* the failing token gives the true set.
    """
    # lark leaves the interactive parser's methods unannotated, hence the ignores.
    interactive: InteractiveParser = _parser(validate).parse_interactive(text)
    tokens: Iterator[Token] = interactive.lexer_thread.lex(  # type: ignore[no-untyped-call]
        interactive.parser_state
    )
    last: Token | None = None
    while True:
        try:
            token = next(tokens, None)
        except UnexpectedInput as error:  # no terminal fits here: report the word found
            accepts = interactive.accepts()  # type: ignore[no-untyped-call]
            return _unexpected(text, error.pos_in_stream or 0, accepts)
        before: InteractiveParser = interactive.copy(  # type: ignore[no-untyped-call]
            deepcopy_values=False
        )
        try:
            if token is None:
                interactive.feed_eof(last)  # type: ignore[no-untyped-call]
                break
            interactive.feed_token(token)
        except UnexpectedToken:
            accepts = before.accepts()  # type: ignore[no-untyped-call]
            if token is None:
                return _unexpected(text, len(text.rstrip()), accepts, at_end=True)
            return _unexpected(text, token.start_pos or 0, accepts)
        except _SemanticError as error:
            return _semantic_error(text, error)
        last = token
    # Unreachable if the fast parse failed; kept so a lark quirk is still a clear error.
    return PSRSyntaxError(f"PSR {text!r}: could not be read", text=text, position=0)


def _unexpected(
    text: str, position: int, accepts: Iterable[str], *, at_end: bool = False
) -> PSRSyntaxError:
    match = _WORD.match(text, position)
    found = "end of rule" if at_end or match is None else repr(match.group())
    accepted = set(accepts)
    shown = (word for name, words in _SHOWN.items() if name in accepted for word in words)
    expected = tuple(dict.fromkeys(shown))  # ordered, without the duplicate "and"
    return PSRSyntaxError(
        f"PSR {text!r}: unexpected {found} at column {position + 1}; "
        f"expected one of: {', '.join(expected)}",
        text=text,
        position=position,
        expected=expected,
    )
