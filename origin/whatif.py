"""What-if analysis for Jupyter: DataFrames, sweeps, break-even prices and two plots.

Needs the notebook extra (``pip install "origin[notebook]"``: pandas, matplotlib). The
decisions themselves stay exact: a DataFrame's ``*_exact`` columns hold the ``Fraction`` or
``Decimal`` the engine used; the float columns beside them are for plotting and reading.

The break-even price is the SAP GTS "minimum price" idea made exact: for each RVC method, the
lowest value of the good, to the cent, at which the method's RVC still meets its threshold,
the other inputs as they are. It is solved from the method's own formula (its headroom,
:mod:`origin.formulas`) and checked by deciding the case at that price and one cent below.

>>> import datetime as dt
>>> from origin import registry
>>> from origin.caseio import case_from_json
>>> case = case_from_json({"schema": "origin-case/1", "currency": "NZD",
...     "psr": "RVC40 (build-down)",
...     "good": {"id": "kettle", "hs": "8516.79", "adjusted_value": "100.00",
...              "produced_in": ["AU"], "last_process_in": "AU", "operations": ["assembly"]},
...     "materials": [{"id": "element", "hs": "8516.80", "value": "30.00",
...                    "basis": "customs-value", "status": "non-originating"}],
...     "consignment": {"exported_from": "AU", "transit": []}})
>>> found = break_even(registry.get("anzcerta"), case, dt.date(2025, 6, 1))
>>> [(b.method, b.field, str(b.price), str(b.headroom)) for b in found]
[('build-down', 'adjusted_value', '50.00', '50.00')]

The build-down RVC is (AV − VNM)/AV: at least 40 % while AV ≥ 30.00/0.6 = 50.00, so the
kettle may sell for 50.00 less before it fails (at 49.99).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

from origin.determination import Determination, Outcome, RVCResult
from origin.model import Case
from origin.trees import preorder

if TYPE_CHECKING:
    from origin.agreement import Agreement

CENT = Decimal("0.01")
GOOD_VALUES = ("adjusted_value", "fob", "ex_works", "transaction_value")


def _pandas() -> Any:
    try:
        import pandas  # noqa: PLC0415 - optional
    except ImportError:  # pragma: no cover - the extra is installed in the tests
        raise ImportError('DataFrames need pandas: pip install "origin[notebook]"') from None
    return pandas


def _float(value: Fraction | Decimal | None) -> float | None:
    """For plotting and reading only; never compared in a test of the law."""
    return None if value is None else float(value)


# --------------------------------------------------------------------------- DataFrames


def materials_frame(d: Determination) -> Any:
    """One row per BOM line as the determination counted it."""
    pd = _pandas()
    rows = [
        {
            "id": r.id,
            "depth": r.depth,
            "description": r.description,
            "hs": r.hs,
            "declared_status": r.declared_status,
            "status": r.status,
            "value": _float(r.value),
            "value_exact": r.value,
            "counted_as": r.counted_as,
            "vom": _float(r.vom_value),
            "vnm": _float(r.vnm_value),
            "vnm_exact": r.vnm_value,
            "tariff_shift": None if r.tariff_shift is None else r.tariff_shift.value,
            "de_minimis": r.de_minimis,
            "citations": "; ".join(str(c) for c in r.citations),
        }
        for r in d.materials
    ]
    frame = pd.DataFrame(rows)
    if not rows:
        return frame
    return frame.astype({"depth": "int64", "de_minimis": "bool", "id": "string"})


def rvc_frame(d: Determination) -> Any:
    """One row per RVC method: value, threshold and margin in percent."""
    pd = _pandas()
    return pd.DataFrame(
        [
            {
                "method": r.method,
                "citation": str(r.citation),
                "formula": r.formula,
                "rvc_percent": _float(r.value),
                "threshold_percent": _float(r.threshold),
                "margin_points": _float(r.margin),
                "outcome": r.outcome.value,
                "bound": r.bound,
                "rvc_exact": r.value,
                "margin_exact": r.margin,
            }
            for r in d.rvc
        ]
    )


def steps_frame(d: Determination) -> Any:
    """Every step at any depth, parents first, with its level."""
    pd = _pandas()
    rows = [
        {
            "level": level,
            "test": step.test,
            "citation": str(step.citation),
            "outcome": step.outcome.value,
            "summary": step.summary,
            "margin": _float(step.margin),
            "missing": "; ".join(step.missing),
        }
        for level, step in preorder(d.steps, lambda s: s.children)
    ]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- sweeps


Change = Callable[[Case, Decimal], Case]


def changer(target: str) -> Change:
    """``"good.fob"`` or ``"MATERIAL-ID.value"`` (any field): a function setting it."""
    owner, _, field = target.rpartition(".")
    if not owner or not field:
        raise ValueError(f"{target!r}: expected 'good.FIELD' or 'MATERIAL-ID.FIELD'")
    if owner == "good":
        return lambda case, value: case.with_good(**{field: value})
    return lambda case, value: case.with_material(owner, **{field: value})


def sweep(
    agreement: Agreement,
    case: Case,
    date: dt.date,
    values: Iterable[Decimal | int | str],
    change: str | Change,
) -> Any:
    """Decide the case once per value of one input; a DataFrame of verdicts and RVCs.

    ``change`` names the input (``"good.fob"``, ``"TUBE-01.value"``) or is a function
    ``(case, value) -> case`` (e.g. converting a material's foreign price at a swept
    exchange rate)."""
    pd = _pandas()
    apply = changer(change) if isinstance(change, str) else change
    rows = []
    for raw in values:
        value = Decimal(raw)
        d = agreement.determine(apply(case, value), date)
        row: dict[str, Any] = {"value": float(value), "value_exact": value}
        row["verdict"] = d.verdict.value
        for r in d.rvc:
            row[f"rvc_{r.method}"] = _float(r.value)
            row[f"rvc_{r.method}_exact"] = r.value
        rows.append(row)
    return pd.DataFrame(rows)


def steps_between(low: Decimal | int | str, high: Decimal | int | str, count: int) -> list[Decimal]:
    """``count`` evenly spaced amounts from ``low`` to ``high``, to the cent."""
    a, b = Decimal(low), Decimal(high)
    if count < 2:
        return [a]
    step = (b - a) / (count - 1)
    return [(a + step * i).quantize(CENT) for i in range(count)]


# --------------------------------------------------------------------------- break-even


@attrs.frozen
class BreakEven:
    """The price of the good, to the cent, at which one RVC method stops passing.

    For most methods the RVC rises with the price (build-down: (V − VNM)/V), so the break-even
    is a floor, the lowest price that passes (``direction`` "at least"). For a method whose
    RVC falls as the price rises (build-up: VOM/V) it is a ceiling ("at most")."""

    method: str
    citation: str
    field: str  # the good's value this method measures by, e.g. "fob"
    symbol: str  # its symbol in the formula, e.g. "FOB"
    direction: str  # "at least" (a floor) or "at most" (a ceiling)
    exact: Fraction  # where the RVC equals the threshold, the other inputs as they are
    price: Decimal  # ``exact`` to the cent, inwards: the last price that passes
    current: Decimal
    threshold: Fraction

    @property
    def headroom(self) -> Decimal:
        """How far the price may move (down for a floor, up for a ceiling) before the method
        fails; negative when it fails now."""
        return (
            self.current - self.price if self.direction == "at least" else self.price - self.current
        )

    @property
    def failing_price(self) -> Decimal:
        """One cent past the break-even: the first price at which the method fails."""
        return self.price - CENT if self.direction == "at least" else self.price + CENT


def break_even(agreement: Agreement, case: Case, date: dt.date) -> list[BreakEven]:
    """For each RVC method whose formula has the good's value in it, the break-even price.

    The good's value field each method reads is found by moving each stated value by one
    cent and seeing which of the method's inputs moves; the boundary is the method's
    headroom for that input, rounded to the cent inwards (up for a floor, down for a
    ceiling), so deciding at ``price`` meets the threshold and at ``failing_price`` does not
    (checked here; a method whose other inputs move with the price is left out, since no
    single price can be given for it)."""
    base = agreement.determine(case, date)
    found: list[BreakEven] = []
    fields = [f for f in GOOD_VALUES if getattr(case.good, f) is not None]
    moved = {f: agreement.determine(case.with_good(**{f: getattr(case.good, f) + CENT}), date)
             for f in fields}  # fmt: skip
    for result in base.rvc:
        if result.value is None:
            continue
        symbol, field = _price_input(result, fields, moved)
        if symbol is None or field is None:
            continue
        edge = next(((w, b) for s, w, b in result.headroom if s == symbol), None)
        if edge is None:
            continue
        direction, bound = edge
        price = _to_cent(bound, up=direction == "at least")
        item = BreakEven(
            result.method,
            str(result.citation),
            field,
            symbol,
            direction,
            bound,
            price,
            getattr(case.good, field),
            result.threshold,
        )
        if _checked(agreement, case, date, item):
            found.append(item)
    return found


def _to_cent(value: Fraction, up: bool) -> Decimal:
    """``value`` to the cent, exactly: up (ceiling) or down (floor)."""
    cents = value * 100
    whole = -(-cents.numerator // cents.denominator) if up else cents.numerator // cents.denominator
    return Decimal(whole).scaleb(-2)


def _price_input(
    result: RVCResult, fields: Sequence[str], moved: dict[str, Determination]
) -> tuple[str | None, str | None]:
    inputs = dict(result.inputs)
    for field in fields:
        other = next((r for r in moved[field].rvc if r.method == result.method), None)
        if other is None:
            continue
        changed = [s for s, v in other.inputs if inputs.get(s) != v]
        if len(changed) == 1:
            return changed[0], field
    return None, None


def _meets(agreement: Agreement, case: Case, date: dt.date, method: str) -> bool:
    d = agreement.determine(case, date)
    return any(r.method == method and r.outcome is Outcome.MEETS for r in d.rvc)


def _checked(agreement: Agreement, case: Case, date: dt.date, item: BreakEven) -> bool:
    at = case.with_good(**{item.field: item.price})
    past = case.with_good(**{item.field: item.failing_price})
    return _meets(agreement, at, date, item.method) and not _meets(
        agreement, past, date, item.method
    )


# --------------------------------------------------------------------------- plots


def plot_sweep(frame: Any, thresholds: dict[str, Fraction] | None = None, ax: Any = None) -> Any:
    """RVC (percent) against the swept value, one line per method, with threshold lines."""
    import matplotlib.pyplot as plt  # noqa: PLC0415 - optional

    ax = ax if ax is not None else plt.subplots()[1]
    for column in frame.columns:
        if column.startswith("rvc_") and not column.endswith("_exact"):
            ax.plot(frame["value"], frame[column], marker=".", label=column.removeprefix("rvc_"))
    for method, threshold in (thresholds or {}).items():
        ax.axhline(float(threshold), linestyle="--", linewidth=1, label=f"{method} threshold")
    ax.set_xlabel("value")
    ax.set_ylabel("RVC (%)")
    ax.legend()
    return ax


def plot_vnm(d: Determination, ax: Any = None, most: int = 20) -> Any:
    """The non-originating value each material adds, largest first (the first ``most``)."""
    import matplotlib.pyplot as plt  # noqa: PLC0415 - optional

    rows = sorted(
        (r for r in d.materials if r.vnm_value),
        key=lambda r: r.vnm_value or 0,
        reverse=True,
    )[:most]
    ax = ax if ax is not None else plt.subplots()[1]
    ax.barh([r.id for r in rows][::-1], [float(r.vnm_value or 0) for r in rows][::-1])
    ax.set_xlabel(f"value of non-originating materials ({d.good_id})")
    return ax
