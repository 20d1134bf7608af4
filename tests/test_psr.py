"""PSR text: every accepted spelling, canonical printing, precedence, errors, round trip."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from origin import psr
from origin.hs import HSCode, HSLevel, HSRange
from origin.psr import (
    PRICE_BASES,
    RVC_METHODS,
    AllOf,
    AnyOf,
    Condition,
    GoodsOf,
    MaxNonOriginating,
    Process,
    PSRSyntaxError,
    RegionalValueContent,
    Rule,
    ShiftLevel,
    TariffShift,
    WhollyObtained,
    canonical,
    parse_rule,
)

WO = WhollyObtained()
CC = TariffShift(ShiftLevel.CC)
CTH = TariffShift(ShiftLevel.CTH)
CTSH = TariffShift(ShiftLevel.CTSH)


def rng(text: str) -> HSRange:
    return HSRange.parse(text)


def rvc(threshold: int | str, method: str | None = None) -> RegionalValueContent:
    return RegionalValueContent(Fraction(threshold), method)


# -- accepted spellings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("WO", WO),
        ("wo", WO),
        ("wholly obtained", WO),
        ("Wholly Obtained", WO),
        ("wholly obtained or produced", WO),
        ("WHOLLY  OBTAINED\tOR PRODUCED", WO),
        ("CC", CC),
        ("CTH", CTH),
        ("cth", CTH),
        ("CTSH", CTSH),
        ("CTH except from 15.07", TariffShift(ShiftLevel.CTH, (rng("15.07"),))),
        ("CC except from 04.01-04.06", TariffShift(ShiftLevel.CC, (rng("04.01-04.06"),))),
        ("CC except from 04.01 – 04.06", TariffShift(ShiftLevel.CC, (rng("04.01-04.06"),))),
        ("CTH except from heading 15.07", TariffShift(ShiftLevel.CTH, (rng("15.07"),))),
        ("CTH except from headings 15.07", TariffShift(ShiftLevel.CTH, (rng("15.07"),))),
        ("CTH except 15.07", TariffShift(ShiftLevel.CTH, (rng("15.07"),))),
        ("CTH EXCEPT FROM 1507", TariffShift(ShiftLevel.CTH, (rng("15.07"),))),
        (
            "CTSH except from 8471.30, 8471.41 and 8473.30",
            TariffShift(ShiftLevel.CTSH, (rng("8471.30"), rng("8471.41"), rng("8473.30"))),
        ),
        (
            "CTSH except from subheading 8471.30, subheadings 8471.41, and 8473.30",
            TariffShift(ShiftLevel.CTSH, (rng("8471.30"), rng("8471.41"), rng("8473.30"))),
        ),
        ("CC except from chapter 04", TariffShift(ShiftLevel.CC, (rng("04"),))),
        ("CC except from chapters 04-05", TariffShift(ShiftLevel.CC, (rng("04-05"),))),
        (
            "CC except from 04.01-04.06, 15.07",
            TariffShift(ShiftLevel.CC, (rng("04.01-04.06"), rng("15.07"))),
        ),
        ("RVC50", rvc(50)),
        ("RVC 50", rvc(50)),
        ("RVC(50)", rvc(50)),
        ("RVC ( 50 % )", rvc(50)),
        ("RVC 40%", rvc(40)),
        ("rvc 42.5", rvc("42.5")),
        ("RVC100", rvc(100)),
        ("RVC 0.5", rvc("1/2")),
        ("RVC50 (build-down)", rvc(50, "build-down")),
        ("RVC50 (Build Down)", rvc(50, "build-down")),
        ("RVC 50 build-up", rvc(50, "build-up")),
        ("RVC 50 BUILD UP", rvc(50, "build-up")),
        ("RVC(45) factory cost", rvc(45, "factory-cost")),
        ("RVC(45) (factory-cost)", rvc(45, "factory-cost")),
        ("RVC40 (direct)", rvc(40, "direct")),
        ("RVC40 (indirect)", rvc(40, "indirect")),
        ("RVC40 indirect", rvc(40, "indirect")),
        ("RVC40 (transaction value)", rvc(40, "transaction-value")),
        ("RVC 40% net cost", rvc(40, "net-cost")),
        ("RVC35 (Net-Cost)", rvc(35, "net-cost")),
        ("CTH or RVC40", AnyOf((CTH, rvc(40)))),
        ("CTH; RVC40", AnyOf((CTH, rvc(40)))),
        ("CTH and RVC40", AllOf((CTH, rvc(40)))),
        ("CTH AND RVC40 OR WO", AnyOf((AllOf((CTH, rvc(40))), WO))),
        ("wholly obtained or CTH", AnyOf((WO, CTH))),
        ("(CTH)", CTH),
        ("((CTH))", CTH),
    ],
)
def test_accepted_spellings(text: str, rule: Rule) -> None:
    assert parse_rule(text) == rule


def test_threshold_is_an_exact_fraction() -> None:
    rule = parse_rule("RVC 33.333")
    assert isinstance(rule, RegionalValueContent)
    assert type(rule.threshold) is Fraction
    assert rule.threshold == Fraction(33333, 1000)


def test_keywords_and_spacing_do_not_matter() -> None:
    squeezed = parse_rule("(cth except from 15.07,15.08and 15.09)or(rvc40(build-down)and cc)")
    spaced = parse_rule(
        "  ( CTH  EXCEPT  FROM 15.07 , 15.08 and 15.09 )  OR ( RVC 40 BUILD-DOWN AND CC ) "
    )
    assert squeezed == spaced
    assert canonical(spaced) == "CTH except from 15.07, 15.08, 15.09 or RVC40 (build-down) and CC"


# -- precedence, grouping, flattening --------------------------------------------------------


def test_and_binds_tighter_than_or() -> None:
    assert parse_rule("WO or CTH and RVC40") == AnyOf((WO, AllOf((CTH, rvc(40)))))
    assert parse_rule("CTH and RVC40 or WO") == AnyOf((AllOf((CTH, rvc(40))), WO))


def test_semicolon_is_an_alternative_like_or() -> None:
    assert parse_rule("CTH and RVC40; WO") == parse_rule("CTH and RVC40 or WO")


def test_parentheses_override_precedence() -> None:
    assert parse_rule("(WO or CTH) and RVC40") == AllOf((AnyOf((WO, CTH)), rvc(40)))


def test_nested_same_operators_are_flattened() -> None:
    flat = AnyOf((WO, CTH, CC))
    assert parse_rule("WO or (CTH or CC)") == flat
    assert parse_rule("(WO or CTH); CC") == flat
    assert parse_rule("CTH and (CC and (RVC40 and WO))") == AllOf((CTH, CC, rvc(40), WO))


def test_of_flattens_and_unwraps() -> None:
    assert AllOf.of(CTH) is CTH
    assert AllOf.of(AllOf((CTH, CC)), WO) == AllOf((CTH, CC, WO))
    assert AnyOf.of(WO, AnyOf((CTH, CC))) == AnyOf((WO, CTH, CC))
    assert AnyOf.of(AllOf((CTH, CC)), WO) == AnyOf((AllOf((CTH, CC)), WO))
    with pytest.raises(ValueError, match="at least one term"):
        AnyOf.of()


# -- the "and" ambiguity inside exception lists ------------------------------------------------


def test_and_followed_by_a_code_continues_the_exception_list() -> None:
    assert parse_rule("CTH except from 15.07 and 15.08") == TariffShift(
        ShiftLevel.CTH, (rng("15.07"), rng("15.08"))
    )
    assert parse_rule("CTH except from 15.07 and heading 15.08") == TariffShift(
        ShiftLevel.CTH, (rng("15.07"), rng("15.08"))
    )


def test_and_followed_by_a_rule_ends_the_exception_list() -> None:
    shift = TariffShift(ShiftLevel.CTH, (rng("15.07"),))
    assert parse_rule("CTH except from 15.07 and RVC40") == AllOf((shift, rvc(40)))
    assert parse_rule("CTH except from 15.07 and (WO or CC)") == AllOf((shift, AnyOf((WO, CC))))


def test_both_readings_in_one_rule() -> None:
    rule = parse_rule("CTH except from 15.07 and 15.08 and RVC40")
    shift = TariffShift(ShiftLevel.CTH, (rng("15.07"), rng("15.08")))
    assert rule == AllOf((shift, rvc(40)))
    assert canonical(rule) == "CTH except from 15.07, 15.08 and RVC40"


def test_or_followed_by_a_code_continues_the_exception_list() -> None:
    # Annexes write "except from headings 50.04 or 50.05"; a code cannot start an
    # alternative, so "or" before a code can only join the list.
    shift = TariffShift(ShiftLevel.CTH, (rng("15.07"), rng("15.08")))
    assert parse_rule("CTH except from 15.07 or 15.08") == shift
    assert parse_rule("CTH except from 15.07, or heading 15.08") == shift


def test_or_followed_by_a_rule_separates_alternatives() -> None:
    shift = TariffShift(ShiftLevel.CTH, (rng("15.07"),))
    assert parse_rule("CTH except from 15.07 or RVC40") == AnyOf((shift, rvc(40)))


# -- canonical notation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("wholly obtained or produced", "WO"),
        ("cth", "CTH"),
        ("CTH except from heading 15.07", "CTH except from 15.07"),
        ("CC except from 04.01 – 04.06 and 1507", "CC except from 04.01-04.06, 15.07"),
        ("RVC(50)", "RVC50"),
        ("RVC 42.50%", "RVC42.5"),
        ("RVC 0.125", "RVC0.125"),
        ("RVC 50 Build Down", "RVC50 (build-down)"),
        ("CTH; RVC40", "CTH or RVC40"),
        ("(CTH or CC) and RVC40", "(CTH or CC) and RVC40"),
        ("(CTH and CC) or RVC40", "CTH and CC or RVC40"),
        ("((WO))", "WO"),
    ],
)
def test_canonical_notation(text: str, shown: str) -> None:
    rule = parse_rule(text)
    assert canonical(rule) == shown == str(rule)


def test_non_decimal_threshold_prints_exactly() -> None:
    assert str(RegionalValueContent(Fraction(100, 3))) == "RVC100/3"


# -- errors ---------------------------------------------------------------------------------


def test_error_message_names_what_where_and_what_was_expected() -> None:
    with pytest.raises(PSRSyntaxError) as caught:
        parse_rule("CTH excpt 15.07")
    error = caught.value
    assert str(error) == (
        "PSR 'CTH excpt 15.07': unexpected 'excpt' at column 5; "
        "expected one of: and, or, except, ;, provided that, end of rule"
    )
    assert (error.text, error.position) == ("CTH excpt 15.07", 4)
    assert error.expected == ("and", "or", "except", ";", "provided that", "end of rule")
    assert isinstance(error, ValueError)
    assert error.__cause__ is None and error.__suppress_context__  # no lark traceback


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("CTH excpt 15.07", 4, "unexpected 'excpt' at column 5"),
        ("CTX", 0, "unexpected 'CTX' at column 1; expected one of: WO, wholly obtained, CC"),
        ("oregano", 0, "unexpected 'oregano'"),
        ("RVC", 3, "unexpected end of rule at column 4; expected one of: \\(, a percentage"),
        ("RVC (build-down)", 5, "unexpected 'build-down' at column 6; expected one of: a percent"),
        ("RVC build-down", 4, "unexpected 'build-down'"),
        ("RVC0", 3, "RVC threshold 0 at column 4; expected a percentage above 0 and at most 100"),
        ("RVC 0.0", 4, "RVC threshold 0.0 at column 5"),
        ("RVC 101", 4, "RVC threshold 101 at column 5; expected a percentage above 0"),
        ("RVC 100.01", 4, "RVC threshold 100.01"),
        ("RVC 40.", 6, "unexpected '.' at column 7"),
        ("RVC40 (foo)", 7, "unknown RVC method 'foo' at column 8; expected one of: build-down, bu"),
        ("RVC40 (net value)", 7, "unknown RVC method 'net value'"),
        ("RVC40 foo", 6, "unexpected 'foo' at column 7; expected one of: and, or, ;, %, provided"),
        ("(CTH or RVC40", 13, "unexpected end of rule at column 14; expected one of: .*\\)"),
        ("((CTH)", 6, "unexpected end of rule"),
        ("CTH)", 3, "unexpected '\\)' at column 4; expected one of: and, or, except, ;, provided"),
        ("()", 1, "unexpected '\\)'"),
        ("CTH except from 77.01", 16, "bad HS code '77.01' at column 17; .*chapter 77 does not"),
        ("CTH except from 15.07, 84.99", 23, r"bad HS code '84.99'.*heading 84\.99 does not exist"),
        ("CTH except from 15.07-84.99", 22, r"bad HS code '84.99'"),
        ("CTH except from 1.507", 16, "bad HS code '1.507'"),
        ("CTH except from 8471.30.00.00K", 16, "statistical keys are not supported"),
        ("CTH except from 04.06-04.01", 16, "bad HS range at column 17; .*runs backwards"),
        ("CTH except from 04-04.06", 16, "bad HS range .*same level"),
        ("CC except from chapter 04.01", 15, "'chapter' before 04.01 .*expected a chapter"),
        ("CTH except from", 15, "end of rule at column 16; expected one of: heading, subheading"),
        ("CTH except from 15.07,", 22, "unexpected end of rule"),
        ("CTH except from 15.07, RVC40", 23, "unexpected 'RVC'"),
        ("CTH and", 7, "unexpected end of rule at column 8; expected one of: WO"),
        ("CTH or or CC", 7, "unexpected 'or'"),
        ("CTH, CC", 3, "unexpected ','"),
        ("wholly", 0, "unexpected 'wholly'"),
    ],
)
def test_syntax_errors(text: str, position: int, message: str) -> None:
    with pytest.raises(PSRSyntaxError, match=message) as caught:
        parse_rule(text)
    assert caught.value.position == position
    assert caught.value.text == text
    assert str(caught.value).startswith(f"PSR {text!r}: ")


@pytest.mark.parametrize("text", ["", "   ", "\t"])
def test_empty_rule(text: str) -> None:
    with pytest.raises(PSRSyntaxError, match="empty rule; expected a rule such as WO") as caught:
        parse_rule(text)
    assert caught.value.position == 0


def test_expectations_are_exact_not_lalr_merged() -> None:
    # ')' may follow CTH inside parentheses but not at top level.
    with pytest.raises(PSRSyntaxError) as top:
        parse_rule("CTH CC")
    assert ")" not in top.value.expected
    with pytest.raises(PSRSyntaxError) as nested:
        parse_rule("(CTH CC)")
    assert ")" in nested.value.expected


def test_parser_is_built_once() -> None:
    before = psr._parser.cache_info().misses
    for text in ("CTH", "CC or WO", "RVC 41 (direct)"):
        parse_rule(text)
    assert psr._parser.cache_info().misses - before <= 1


# -- constructs of real schedules (NZ–UK Annex 3A, CPTPP Annex 3-D) ----------------------------


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("CTSH; or RVC40", AnyOf((CTSH, rvc(40)))),
        ("CTSH; or\nRVC40; or\nCTH", AnyOf((CTSH, rvc(40), CTH))),
        ("change from any other chapter", CC),
        ("A change from any other heading", CTH),
        ("change from any other subheading", CTSH),
        (
            "change from any other heading except from heading 0401 to heading 0406",
            TariffShift(ShiftLevel.CTH, (rng("04.01-04.06"),)),
        ),
        (
            "CC except from heading 0401 to heading 0406, heading 1507 or 1508 to 1510, "
            "subheading 090111 through 090112, or chapter 55",
            TariffShift(
                ShiftLevel.CC,
                (
                    rng("04.01-04.06"),
                    rng("15.07"),
                    rng("15.08-15.10"),
                    rng("0901.11-0901.12"),
                    rng("55"),
                ),
            ),
        ),
        ("CC except from chapter 3", TariffShift(ShiftLevel.CC, (rng("03"),))),
        ("CC except from chapter 61 to 62", TariffShift(ShiftLevel.CC, (rng("61-62"),))),
        (
            "CTH except from headings 51.06 through 51.08",
            TariffShift(ShiftLevel.CTH, (rng("51.06-51.08"),)),
        ),
        ("MaxNOM50 (EXW)", MaxNonOriginating(Fraction(50), "EXW")),
        ("maxnom 40% (fob)", MaxNonOriginating(Fraction(40), "FOB")),
        ("MaxNOM(70)", MaxNonOriginating(Fraction(70))),
        ('process "refining"', Process("refining")),
        ('CC; or process "crushing / grinding"', AnyOf((CC, Process("crushing / grinding")))),
        ("process “chemical  reaction”", Process("chemical reaction")),
        (
            'CTH provided that "the good is cooked in the territory of the Parties"',
            AllOf((CTH, Condition("the good is cooked in the territory of the Parties"))),
        ),
        ('provided "the good is smoked"', Condition("the good is smoked")),
        (
            "RVC50 (focused value of 84.83, 85.01)",
            RegionalValueContent(Fraction(50), "focused-value", (rng("84.83"), rng("85.01"))),
        ),
        (
            "RVC55 (focused-value of heading 8483 and chapter 90)",
            RegionalValueContent(Fraction(55), "focused-value", (rng("84.83"), rng("90"))),
        ),
        (
            'CTH except from "control panels" of subheading 853710 or heading 8450',
            TariffShift(ShiftLevel.CTH, (GoodsOf("control panels", rng("8537.10")), rng("84.50"))),
        ),
        (
            'RVC50 (focused value of 85.01 and "stators and rotors" of heading 8503)',
            RegionalValueContent(
                Fraction(50),
                "focused-value",
                (rng("85.01"), GoodsOf("stators and rotors", rng("85.03"))),
            ),
        ),
    ],
)
def test_schedule_constructs(text: str, rule: Rule) -> None:
    assert parse_rule(text) == rule
    assert parse_rule(canonical(rule)) == rule


@pytest.mark.parametrize(
    ("rule", "shown"),
    [
        (MaxNonOriginating(Fraction(50), "EXW"), "MaxNOM50 (EXW)"),
        (Process("refining"), 'process "refining"'),
        (AllOf((CTH, Condition("x y"))), 'CTH provided that "x y"'),
        (AllOf((Condition("x"), CTH)), 'provided that "x" and CTH'),
        (
            RegionalValueContent(Fraction(50), "focused-value", (rng("84.83"),)),
            "RVC50 (focused-value of 84.83)",
        ),
    ],
)
def test_canonical_notation_of_schedule_constructs(rule: Rule, shown: str) -> None:
    assert canonical(rule) == shown


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("RVC50 (focused value)", "expected the materials it counts"),
        ("RVC50 (build-down of 84.83)", "expected a list of materials only after focused value"),
        ("MaxNOM 0", "MaxNOM threshold 0 at column 8"),
        ('process ""', "empty process"),
        ("process refining", "unexpected 'refining' at column 9; expected one of: words in"),
        ("MaxNOM50 (CIF)", "unexpected 'CIF'"),
        ("CTH except from 15.07 15.08", "unexpected '15.08'"),
        ("change from any other section", "unexpected 'section'"),
    ],
)
def test_schedule_construct_errors(text: str, message: str) -> None:
    with pytest.raises(PSRSyntaxError, match=message):
        parse_rule(text)


def test_validation_can_be_left_to_the_schedule_edition() -> None:
    # 8528.59 existed until HS 2017 only in part; 0304.47 is new in HS 2017: an HS 2012
    # schedule's exception lists name codes HS 2022 no longer has.
    with pytest.raises(PSRSyntaxError, match="does not exist in HS 2022"):
        parse_rule("CTH except from 2939.91")
    assert parse_rule("CTH except from 2939.91", validate=False) == TariffShift(
        ShiftLevel.CTH, (HSRange.parse("2939.91", validate=False),)
    )


def test_leaves_lists_every_leaf_in_order() -> None:
    rule = parse_rule('CC; or CTH provided that "x"; or process "refining"')
    assert list(psr.leaves(rule)) == [CC, CTH, Condition("x"), Process("refining")]


# -- round trip -----------------------------------------------------------------------------

CODES = {
    HSLevel.CHAPTER: ["04", "15", "84"],
    HSLevel.HEADING: ["04.01", "04.06", "15.07", "84.71", "84.73"],
    HSLevel.SUBHEADING: ["0401.10", "8471.30", "8471.41", "8473.30"],
}


@st.composite
def hs_ranges(draw: st.DrawFn) -> HSRange:
    codes = CODES[draw(st.sampled_from(sorted(CODES)))]
    start, end = sorted(HSCode.parse(draw(st.sampled_from(codes))) for _ in range(2))
    return HSRange.from_codes(start, end)


# Words as the law writes them: no quotes, single spaces, not empty.
words = st.lists(
    st.text(st.characters(categories=("L", "N"), max_codepoint=0x17F), min_size=1, max_size=8)
    | st.sampled_from(["/", "(", ")", ";", "or", "and", "RVC40", "%", "-", "'", "of", ","]),
    min_size=1,
    max_size=6,
).map(" ".join)
excepted = hs_ranges() | st.builds(GoodsOf, words, hs_ranges())
shifts = st.builds(
    TariffShift, st.sampled_from(ShiftLevel), st.lists(excepted, max_size=3).map(tuple)
)
thresholds = st.integers(1, 100_000).map(lambda n: Fraction(n, 1000))  # (0, 100] in 0.001 steps
plain_methods = [m for m in RVC_METHODS if m != "focused-value"]
rvcs = st.builds(
    RegionalValueContent, thresholds, st.none() | st.sampled_from(plain_methods)
) | st.builds(
    RegionalValueContent,
    thresholds,
    st.just("focused-value"),
    st.lists(excepted, min_size=1, max_size=3).map(tuple),
)
maxnoms = st.builds(MaxNonOriginating, thresholds, st.none() | st.sampled_from(PRICE_BASES))
processes = st.builds(Process, words)
conditions = st.builds(Condition, words)
leaves: st.SearchStrategy[Rule] = st.one_of(
    st.just(WO), shifts, rvcs, maxnoms, processes, conditions
)


def _combined(children: st.SearchStrategy[Rule]) -> st.SearchStrategy[Rule]:
    terms = st.lists(children, min_size=2, max_size=4)
    return terms.map(lambda ts: AllOf.of(*ts)) | terms.map(lambda ts: AnyOf.of(*ts))


rules = st.recursive(leaves, _combined, max_leaves=12)


def _raw(children: st.SearchStrategy[Rule]) -> st.SearchStrategy[Rule]:
    terms = st.lists(children, min_size=1, max_size=3).map(tuple)
    return terms.map(AllOf) | terms.map(AnyOf)


raw_rules = st.recursive(leaves, _raw, max_leaves=10)


def _normal(rule: Rule) -> Rule:
    if isinstance(rule, AllOf):
        return AllOf.of(*map(_normal, rule.terms))
    if isinstance(rule, AnyOf):
        return AnyOf.of(*map(_normal, rule.terms))
    return rule


@given(rules)
def test_canonical_text_parses_back_to_an_equal_tree(rule: Rule) -> None:
    text = canonical(rule)
    assert parse_rule(text) == rule
    assert canonical(parse_rule(text)) == text


def _outside_quotes(text: str, change: Callable[[str], str]) -> str:
    """Apply ``change`` to the notation but not to quoted words (the law's own text)."""
    parts = text.split('"')
    return '"'.join(change(p) if i % 2 == 0 else p for i, p in enumerate(parts))


@given(rules)
def test_case_and_spacing_do_not_change_the_tree(rule: Rule) -> None:
    text = canonical(rule)
    assert parse_rule(_outside_quotes(text, lambda t: t.lower().replace(" ", "  "))) == rule
    assert parse_rule(f"({_outside_quotes(text, str.upper)})") == rule


@given(raw_rules)
def test_nested_trees_print_so_they_parse_to_their_flattened_form(rule: Rule) -> None:
    assert parse_rule(str(rule)) == _normal(rule)


# Review finding 10: the law's words may hold a straight quote ("12" pipes") or runs of
# spaces; they are printed in curly quotes and with single spaces, and read back equal.
odd_words = (
    st.lists(st.sampled_from(["a", '"b"', "c  d", "\t", '12"', "x\ny", "of"]), min_size=1)
    .map(" ".join)
    .filter(lambda w: bool(w.split()))
)


@given(odd_words, hs_ranges())
def test_words_with_quotes_and_spaces_round_trip(text: str, codes: HSRange) -> None:
    for rule in (
        Condition(text),
        Process(text),
        TariffShift(ShiftLevel.CTH, (GoodsOf(text, codes),)),
        RegionalValueContent(Fraction(50), "focused-value", (GoodsOf(text, codes),)),
    ):
        assert parse_rule(canonical(rule)) == rule
        assert canonical(parse_rule(canonical(rule))) == canonical(rule)


def test_words_holding_both_closing_quotes_cannot_be_printed() -> None:
    assert str(Condition('the  "good"')) == 'provided that “the "good"”'
    with pytest.raises(ValueError, match="holds both"):
        Condition('a "b” c')
