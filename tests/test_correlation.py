"""Transposing schedules to HS 2022: candidates kept, never picked; full coverage.

Small cases are built here; the two real annexes are read from ``../shared/reference``
(skipped, saying so, when absent).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hs_data.correlation import Correlation
from hs_data.editions import Nomenclature, nomenclature
from hs_data.importers import import_cptpp, import_nz_uk
from hs_data.schedule import Entry, Schedule, Source, Status
from hs_data.transpose import Coverage, coverage, transpose, unknown_codes

REFERENCE = Path(
    os.environ.get("ORIGIN_REFERENCE", Path(__file__).resolve().parents[2] / "shared/reference")
)


def reference(*parts: str) -> Path:
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data not found: {path} (set ORIGIN_REFERENCE)")
    return path


OLD = Source("nz-uk", "Old", "Annex", "1", "2020-01-01", 2017)


def table(tmp_path: Path, pairs: list[tuple[str, str]]) -> Correlation:
    path = tmp_path / "HS2022toHS2017_correlation.csv"
    lines = [f"{new},{old},n:n" for new, old in pairs]
    path.write_text("Between,\nHS2022,HS2017,Relationship\n" + "\n".join(lines), "utf-8")
    return Correlation.load(path)


@pytest.fixture
def moved(tmp_path: Path) -> Schedule:
    old = Schedule.of(
        OLD,
        [
            Entry.parsed("a", "8471", "CTH", "CTH"),
            Entry.parsed("b", "8473.30", "CTSH or RVC40", "CTSH; or RVC40"),
            Entry.parsed("c", "8528.59", "CTSH or RVC40", "CTSH; or RVC40"),
        ],
    )
    correlation = table(
        tmp_path,
        [
            ("847130", "847130"),  # one old code: its rule
            ("852411", "847330"),  # two old codes with different rules: review
            ("852411", "847130"),
            ("852412", "852859"),  # two old codes, same rule and words: that rule
            ("852412", "847330"),
            ("070700", "070700"),  # an old code without a rule: review
        ],
    )
    target = Nomenclature.of(2022, ["847130", "852411", "852412", "070700", "010121"], "test")
    return transpose(old, correlation, target)


def test_one_old_code_carries_its_rule(moved: Schedule) -> None:
    found = moved.lookup("8471.30")
    assert found.status == "rule" and found.entries[0].rule == "CTH"
    assert found.entries[0].from_codes == ("847130",)
    assert moved.transposition is not None and moved.edition == 2022


def test_different_rules_are_kept_as_candidates_never_picked(moved: Schedule) -> None:
    found = moved.lookup("8524.11")
    assert found.status == "needs-review" and found.rule is None
    (entry,) = found.entries
    assert entry.status is Status.NEEDS_REVIEW
    assert {(c.rule, c.from_codes, c.entry_ids) for c in entry.candidates} == {
        ("CTSH or RVC40", ("847330",), ("b",)),
        ("CTH", ("847130",), ("a",)),
    }
    assert "2 different rulings" in (entry.problem or "")


def test_same_rule_from_several_codes_resolves(moved: Schedule) -> None:
    found = moved.lookup("8524.12")
    assert found.status == "rule" and found.entries[0].rule == "CTSH or RVC40"
    assert found.entries[0].from_codes == ("852859", "847330")


def test_no_old_rule_and_no_correlation_are_explicit(moved: Schedule) -> None:
    cucumbers = moved.lookup("0707.00")
    assert cucumbers.status == "needs-review"
    assert "no rule in the HS 2017 schedule for 0707.00" in (cucumbers.entries[0].problem or "")
    assert cucumbers.entries[0].candidates[0].entry_ids == ()
    horses = moved.lookup("0101.21")
    assert horses.status == "needs-review"
    assert "not in the correlation table" in (horses.entries[0].problem or "")


def test_coverage_counts_every_subheading(moved: Schedule) -> None:
    target = Nomenclature.of(2022, ["847130", "852411", "852412", "070700", "010121"], "test")
    report = coverage(moved, target)
    assert report.total == 5
    assert report.rule == ("847130", "852412")
    assert report.needs_review == ("010121", "070700", "852411")
    assert report.no_rule == ()
    assert "resolved to a rule or an explicit needs-review: 5" in report.summary()


def test_transposed_schedule_survives_its_file(moved: Schedule, tmp_path: Path) -> None:
    path = tmp_path / "moved.json"
    moved.save(path)
    assert Schedule.load(path) == moved


def test_codes_missing_from_the_edition_are_reported() -> None:
    schedule = Schedule.of(
        attrs_evolve(OLD, hs_edition=2022),
        [
            Entry.parsed("ok", "84.71", "CTH except from 84.73", "CTH"),
            Entry.parsed("typo", "8471.99", "CTH", "CTH"),
            Entry.parsed("list", "84.72", 'CTH except from "parts" of 8473.99', "CTH"),
            Entry.parsed("fv", "84.70", "RVC50 (focused-value of 84.99)", "RVC"),
        ],
    )
    assert unknown_codes(schedule, nomenclature(2022)) == (
        "entry typo: 8471.99 (codes) is not in HS 2022",
        'entry list: 8473.99 (in CTH except from "parts" of 8473.99) is not in HS 2022',
        "entry fv: 84.99 (in RVC50 (focused-value of 84.99)) is not in HS 2022",
    )


def test_real_annexes_name_only_codes_of_their_edition() -> None:
    old, _ = import_nz_uk(reference("psr", "nz-uk", "nz_uk_annex3A_psr_hs2017.csv"))
    hs2017 = nomenclature(2017, reference("hs", "harmonized-system_hs2017.csv"))
    assert unknown_codes(old, hs2017) == ()
    old, _ = import_cptpp(reference("psr", "cptpp", "cptpp_annex3D_psr_flat.csv"))
    hs2012 = nomenclature(2012, reference("hs", "correlation", "HS2022toHS2012_correlation.csv"))
    assert unknown_codes(old, hs2012) == ()


def test_editions_must_chain(tmp_path: Path) -> None:
    old = Schedule.of(attrs_evolve(OLD, hs_edition=2012), [])
    with pytest.raises(ValueError, match="does not take a HS 2012 schedule to HS 2022"):
        transpose(old, table(tmp_path, [("010121", "010121")]), nomenclature(2022))


def attrs_evolve(source: Source, **changes: object) -> Source:
    import attrs  # noqa: PLC0415

    return attrs.evolve(source, **changes)  # type: ignore[arg-type]


# -- the real annexes ----------------------------------------------------------------------------


def _real(kind: str) -> tuple[Schedule, Coverage, Schedule]:
    if kind == "nz-uk":
        old, _ = import_nz_uk(reference("psr", "nz-uk", "nz_uk_annex3A_psr_hs2017.csv"))
        name = "HS2022toHS2017_correlation.csv"
    else:
        old, _ = import_cptpp(reference("psr", "cptpp", "cptpp_annex3D_psr_flat.csv"))
        name = "HS2022toHS2012_correlation.csv"
    moved = transpose(
        old, Correlation.load(reference("hs", "correlation", name)), nomenclature(2022)
    )
    return moved, coverage(moved, nomenclature(2022)), old


@pytest.fixture(scope="module", params=["nz-uk", "cptpp"])
def real(request: pytest.FixtureRequest) -> tuple[Schedule, Coverage, Schedule]:
    return _real(request.param)


def test_every_hs2022_subheading_resolves(real: tuple[Schedule, Coverage, Schedule]) -> None:
    moved, report, _ = real
    assert report.total == 5612
    assert report.no_rule == ()
    assert (
        len(report.rule)
        + len(report.several_goods)
        + len(report.unparsed)
        + len(report.needs_review)
        == 5612
    )
    for code in report.needs_review:
        (entry,) = moved.lookup(code).entries
        assert entry.problem and (entry.candidates or "correlation" in entry.problem)
    print(f"\n{moved.source.agreement}: {report.summary()}")  # coverage printed (pytest -s)


def test_each_annex_resolves_as_measured(real: tuple[Schedule, Coverage, Schedule]) -> None:
    moved, report, _ = real
    if moved.source.agreement == "nz-uk":
        assert len(report.rule) >= 5500
        assert "070700" in report.needs_review  # no row in the annex (SOURCE.md)
        assert "852411" in report.needs_review  # flat panel modules: from chapters 84, 85, 90
        assert report.several_goods == ()
    else:
        assert len(report.rule) >= 5400
        # Dogfish (new in HS 2017) came from HS 2012 0304.49, which has four rules by species.
        assert "030447" in report.several_goods
        assert len(moved.lookup("0304.47").entries) == 4


@given(st.data())
@settings(max_examples=100, deadline=None)
def test_a_resolved_code_agrees_with_every_old_code(
    real: tuple[Schedule, Coverage, Schedule], data: st.DataObject
) -> None:
    moved, report, old = real
    code = data.draw(st.sampled_from(report.rule))
    (entry,) = moved.lookup(code).entries
    assert entry.from_codes and entry.status is Status.RULE
    moved_codes = [n for n in entry.notes if n.startswith("codes in the rule moved")]
    for before in entry.from_codes:
        (source,) = old.lookup(before).entries
        assert (source.text, source.goods) == (entry.text, entry.goods)
        # The rule is the old one, or the old one with its codes moved (and said so).
        assert source.rule == entry.rule or (
            moved_codes and moved_codes[0].endswith(f"rule: {source.rule})")
        )


# -- codes inside rules (review finding 2) -------------------------------------------------------


def test_codes_inside_rules_are_transposed_with_the_keys(tmp_path: Path) -> None:
    """Exception and focused-value lists name HS 2017 codes; after transposition they name
    the HS 2022 codes holding the same goods. A new code that also holds other goods is
    named as goods of that code (so a material of it needs information)."""
    old = Schedule.of(
        OLD,
        [
            Entry.parsed("juice", "2106.90", 'CC except from "juice" of 2202.90', "juice"),
            Entry.parsed("fv", "81.12", "RVC50 (focused-value of 8112.92)", "fv"),
            Entry.parsed("same", "0101.21", "CTH except from 01.02", "same"),
        ],
    )
    correlation = table(
        tmp_path,
        [
            ("210690", "210690"),
            ("220291", "220290"),  # split: both new codes hold only old 2202.90 goods
            ("220299", "220290"),
            ("300693", "220290"),  # mixed with old 3004.90: only some goods are juice
            ("300693", "300490"),
            ("811231", "811292"),
            ("811292", "811292"),
            ("010121", "010121"),
            ("010221", "010221"),
        ],
    )
    target = Nomenclature.of(
        2022,
        [
            *("210690", "220210", "220291", "220299", "300693"),
            *("811231", "811292", "811299", "010121", "010221"),
        ],
        "t",
    )
    moved = transpose(old, correlation, target)
    juice = moved.lookup("2106.90").entries[0]
    assert juice.rule == (
        'CC except from "juice" of 2202.91, "juice" of 2202.99, '
        '"juice (of HS 2017 2202.90)" of 3006.93'
    )
    assert "2202.90" in juice.notes[-1] and "HS 2017 rule" in juice.notes[-1]
    assert moved.lookup("8112.31").entries[0].rule == "RVC50 (focused-value of 8112.31, 8112.92)"
    horses = moved.lookup("0101.21").entries[0]
    assert horses.rule == "CTH except from 01.02" and horses.notes == ()
    assert unknown_codes(moved, target) == ()


def test_a_rule_naming_a_code_its_edition_lacks_needs_review(tmp_path: Path) -> None:
    old = Schedule.of(OLD, [Entry.parsed("typo", "0101.21", "CTH except from 0102.99", "x")])
    moved = transpose(old, table(tmp_path, [("010121", "010121")]), nomenclature(2022))
    found = moved.lookup("0101.21")
    assert found.status == "needs-review" and found.rule is None
    (entry,) = found.entries
    assert "0102.99, which is not in HS 2017" in (entry.problem or "")
    assert entry.candidates[0].rule == "CTH except from 0102.99"


def test_real_transposed_rules_name_only_hs2022_codes() -> None:
    """The reviewer's cases: 8112.92 split, 8541.40 split, 88.03 renumbered 88.07, 2202.90
    split; and no code in any transposed rule is missing from HS 2022."""
    moved, _, _ = _real("cptpp")
    assert unknown_codes(moved, nomenclature(2022)) == ()
    rule = moved.lookup("8112.31").rule
    assert rule is not None and "8112.31, 8112.41, 8112.92" in str(rule)
    rule = moved.lookup("8807.10").rule
    assert rule is not None and "focused-value of 88.07," in str(rule)
    assert "88.03" not in str(rule).replace("HS 2012 88.03", "")
    assert "8541.41, 8541.42, 8541.43, 8541.49" in str(moved.lookup("8541.41").rule)
    juice = [e for e in moved.lookup("2106.90").entries if "juice" in (e.rule or "")]
    assert juice and '"fruit or vegetable juice" of 2202.91' in (juice[0].rule or "")
    nz, _, _ = _real("nz-uk")
    assert unknown_codes(nz, nomenclature(2022)) == ()
