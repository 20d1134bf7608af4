"""Jupyter what-if work (issue #19): the case's what-if helpers, rich display, DataFrames,
sweeps and break-even prices, and the plots."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from fractions import Fraction
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import attrs
import pytest

from origin import registry, strict_json
from origin.caseio import case_from_json, load_case_or_worked
from origin.comparison import qualify
from origin.determination import Outcome
from origin.model import Case, Material, ModelFieldError, OriginStatus
from origin.whatif import break_even, materials_frame, plot_sweep, plot_vnm, rvc_frame, sweep

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from engine_bench import generate

DATE = dt.date(2025, 6, 1)
MULTI = Path(__file__).resolve().parent.parent / "agreements/cases/anzcerta/24-multi-level-bom.json"


def demo() -> Case:
    text = resources.files("origin").joinpath("data/demo_case.json").read_text(encoding="utf-8")
    return case_from_json(strict_json.loads(text), "demo")


# --------------------------------------------------------------------------- what-if helpers


def test_with_material_changes_a_component_at_depth() -> None:
    case, _ = load_case_or_worked(MULTI)
    changed = case.with_material("D-HANDLES", origin_country="AU", status="originating")
    handles = changed.material("D-HANDLES")
    assert handles.status is OriginStatus.ORIGINATING  # the word became the enum
    assert handles.origin_country == "AU"
    assert case.material("D-HANDLES").status is OriginStatus.NON_ORIGINATING  # a new case
    # Everything else is the very same object.
    assert changed.material("TIMBER") is case.material("TIMBER")


def test_what_if_helpers_refuse_wrong_input_by_name() -> None:
    case = demo()
    with pytest.raises(ModelFieldError) as caught:
        case.with_material("TUBE-01", value=40.5)
    assert "value" in str(caught.value) and "float" in str(caught.value)
    with pytest.raises(ModelFieldError) as caught:
        case.with_material("TUBE-1", value="41.00")
    assert "no material 'TUBE-1' in the BOM; did you mean 'TUBE-01'?" in str(caught.value)
    with pytest.raises(ModelFieldError):
        case.with_material("TUBE-01", status="originatin")
    with pytest.raises(ModelFieldError) as caught:
        case.adding(Material("TUBE-01"))
    assert "already there" in str(caught.value)


def test_status_word_changes_the_rvc_never_ignored() -> None:
    # The bundled notebook's own pattern: TUBE-01 (40.00, non-originating) declared
    # originating. Build-down RVC before: (250 − 86.50) / 250 = 65.4 %; after, VNM loses
    # 40.00: (250 − 46.50) / 250 = 81.4 %.
    agreement = registry.get("anzcerta")
    before = agreement.determine(demo(), DATE)
    after = agreement.determine(
        demo().with_material("TUBE-01", origin_country="AU", status="originating"), DATE
    )
    assert before.rvc[0].value == Fraction(327, 5)
    assert after.rvc[0].value == Fraction(407, 5)


def test_adding_without_with_good_and_route() -> None:
    case = demo()
    extra = Material("GLUE", value=Decimal("2.00"), status=OriginStatus.NON_ORIGINATING)
    added = case.adding(extra)
    assert added.material("GLUE") == extra and len(added.materials) == len(case.materials) + 1
    nested, _ = load_case_or_worked(MULTI)
    deeper = nested.adding(extra, parent="DRAWERS")
    assert deeper.material("DRAWERS").components[-1] == extra
    assert deeper.without("GLUE").material("DRAWERS") == nested.material("DRAWERS")
    assert [m.id for m in case.without("KEY-06").materials].count("KEY-06") == 0
    assert case.with_good(adjusted_value="300.00").good.adjusted_value == Decimal("300.00")
    routed = case.with_route(transit=None)
    assert routed.consignment is not None and routed.consignment.transit is None
    assert routed.consignment.exported_from == "AU"  # the rest as it was


# --------------------------------------------------------------------------- display


class _Balanced(HTMLParser):
    """Every opened element is closed, in order (void elements aside)."""

    VOID = frozenset({"br", "hr", "img", "meta", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (self.stack[-3:], tag)
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parsed(html: str) -> str:
    parser = _Balanced()
    parser.feed(html)
    parser.close()
    assert parser.stack == []
    return "".join(parser.text)


def test_determination_html_has_verdict_methods_and_citations() -> None:
    case = demo().with_material("BASE-04", description="<script>alert(1)</script>")
    d = registry.get("anzcerta").determine(case, DATE)
    html = d._repr_html_()
    text = _parsed(html)
    assert "originating" in text
    for result in d.rvc:
        assert result.method in text
    for citation in d.citations():
        assert str(citation) in text
    assert "<script>" not in html  # user text escaped
    assert 'title="327/5"' in html and "65.4%" in text  # percent shown, exact on hover
    assert repr(d) == "<Determination anzcerta 'CHAIR-OC200' on 2025-06-01: originating>"


def test_comparison_html_lists_every_agreement() -> None:
    comparison = qualify(demo())
    text = _parsed(comparison._repr_html_())
    assert "claim anzcerta (AU)" in text
    for row in comparison.rows:
        assert row.agreement in text


# --------------------------------------------------------------------------- DataFrames


def test_frames_have_typed_columns() -> None:
    d = registry.get("anzcerta").determine(demo(), DATE)
    frame = materials_frame(d)
    assert list(frame["id"]) == [m.id for m in demo().materials]
    assert str(frame["depth"].dtype) == "int64" and str(frame["de_minimis"].dtype) == "bool"
    assert frame.loc[frame["id"] == "TUBE-01", "value_exact"].item() == Decimal("40.00")
    rvc = rvc_frame(d)
    assert rvc.loc[0, "rvc_exact"] == Fraction(327, 5)
    assert d.steps_frame()["citation"].str.len().min() > 0


# --------------------------------------------------------------------------- break-even


BREAK_EVEN = [
    ("anzcerta", "AU", "RVC40 (build-down) or RVC40 (build-up)"),
    ("thailand", "TH", "RVC40"),
    ("korea", "KR", "RVC40 (build-down) or RVC30 (build-up)"),
    ("cptpp", "JP", "RVC40 (build-down) or RVC30 (build-up)"),
    ("nz-uk", "GB", "RVC40 (build-down) or RVC40 (build-up)"),
    ("china", "CN", "RVC40"),
]


@pytest.mark.parametrize(("name", "country", "rule"), BREAK_EVEN, ids=[b[0] for b in BREAK_EVEN])
def test_break_even_passes_at_the_price_and_fails_a_cent_past(
    name: str, country: str, rule: str
) -> None:
    agreement = registry.get(name)
    case = generate(12, seed=3, country=country, psr=rule)
    found = break_even(agreement, case, DATE)
    methods = {r.method for r in agreement.determine(case, DATE).rvc if r.headroom}
    assert {b.method for b in found} == methods  # every method whose formula has the price
    for item in found:
        for price, expected in ((item.price, Outcome.MEETS), (item.failing_price, Outcome.FAILS)):
            d = agreement.determine(case.with_good(**{item.field: price}), DATE)
            (result,) = [r for r in d.rvc if r.method == item.method]
            assert result.outcome is expected, (item, price)
        # The price is the exact boundary rounded inwards to the cent.
        assert abs(Fraction(item.price) - item.exact) < Fraction(1, 100)


def test_sweep_crosses_the_break_even() -> None:
    agreement = registry.get("anzcerta")
    case = generate(12, seed=3, country="AU", psr="RVC40 (build-down)")
    (floor,) = break_even(agreement, case, DATE)
    values = [floor.failing_price, floor.price, floor.price + 100]
    frame = sweep(agreement, case, DATE, values, "good.adjusted_value")
    assert list(frame["verdict"]) == ["not originating", "originating", "originating"]
    assert frame.loc[1, "rvc_build-down_exact"] >= 40 > frame.loc[0, "rvc_build-down_exact"]
    other = sweep(agreement, case, DATE, ["1.00"], "M000000.value")
    assert len(other) == 1


def test_plots_draw() -> None:
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    agreement = registry.get("anzcerta")
    case = generate(12, seed=3, country="AU", psr="RVC40 (build-down)")
    frame = sweep(agreement, case, DATE, ["500", "600", "700"], "good.adjusted_value")
    ax = plot_sweep(frame, {"build-down": Fraction(40)})
    assert len(ax.lines) == 2  # the RVC line and the threshold
    d = agreement.determine(case, DATE)
    bars = plot_vnm(d)
    assert len(bars.patches) == sum(1 for m in d.materials if m.vnm_value)
    assert attrs.has(type(d))
