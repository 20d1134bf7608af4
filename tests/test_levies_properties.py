"""Invariants of the levy calculator, checked over generated entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from levies.batch import compute_file
from levies.calculator import compute
from levies.dates import twentieth_of_month_after
from levies.model import DocumentType, Entry, Mode
from levies.tables import LAW

D = Decimal
APRIL = dt.date(2026, 4, 1)

money = st.integers(min_value=0, max_value=10**9).map(lambda cents: D(cents).scaleb(-2))
days = st.dates(min_value=dt.date(2025, 7, 1), max_value=dt.date(2030, 12, 31))
levy_days = st.dates(min_value=APRIL, max_value=dt.date(2030, 12, 31))
modes = st.sampled_from(list(Mode))
kilograms = st.integers(min_value=0, max_value=10**8).map(lambda grams: D(grams).scaleb(-3))
THRESHOLD = D(1000)


@given(value=money, day=levy_days, mode=modes, ses=st.booleans())
def test_high_value_exactly_when_more_than_1000(
    value: Decimal, day: dt.date, mode: Mode, ses: bool
) -> None:
    """cls 7(2)(b)/8(2)(b) and 12(2)(b)/13(2)(b) split at 'more than $1,000'."""
    for document, high in (
        (DocumentType.IMPORT_ENTRY, "import"),
        (DocumentType.EXPORT_ENTRY, "export"),
    ):
        charge = compute(Entry("p", document, day, mode, value, ses=ses)).charge
        assert charge is not None
        expected = (
            f"high-value goods {high} levy" if value > THRESHOLD else f"low-value goods {high} levy"
        )
        assert charge.name == expected


@given(
    value=money,
    day=days,
    mode=modes,
    ses=st.booleans(),
    gst=st.sampled_from(["standard", "zero", "none"]),
)
def test_totals_are_exact(value: Decimal, day: dt.date, mode: Mode, ses: bool, gst: str) -> None:
    """total = amount + GST; GST is the rate times the levy exactly; fees add nothing."""
    charge = compute(
        Entry("p", DocumentType.EXPORT_ENTRY, day, mode, value, ses=ses, gst=gst)
    ).charge
    assert charge is not None
    assert charge.total == charge.amount + charge.gst
    if charge.regime == "fee":
        assert (charge.gst, charge.gst_treatment) == (D(0), "inclusive")
    elif gst == "standard":
        assert charge.gst == charge.amount * LAW.gst_rate(day).value
    else:
        assert charge.gst == D(0)
    # cents × 0.15 has at most 4 decimal places: exact, never a binary fraction
    assert charge.total == charge.total.quantize(D("0.0001"))


@given(value=money, day=days, mode=modes)
def test_ses_never_costs_more(value: Decimal, day: dt.date, mode: Mode) -> None:
    """Schedule 3 and r 28A(1): the SES rate is never above the other rate."""
    with_ses = compute(Entry("p", DocumentType.EXPORT_ENTRY, day, mode, value, ses=True))
    without = compute(Entry("p", DocumentType.EXPORT_ENTRY, day, mode, value, ses=False))
    assert with_ses.total <= without.total


@given(a=kilograms, b=kilograms, day=levy_days)
def test_upu_mail_levy_is_additive_in_weight(a: Decimal, b: Decimal, day: dt.date) -> None:
    def levy(kg: Decimal) -> Decimal:
        return compute(Entry("p", DocumentType.UPU_MAIL_ARRIVAL, day, weight_kg=kg)).total

    assert levy(a + b) == levy(a) + levy(b)


@given(value_a=money, value_b=money, day=levy_days, mode=modes)
def test_levy_is_per_document_not_per_dollar(
    value_a: Decimal, value_b: Decimal, day: dt.date, mode: Mode
) -> None:
    """Within one band the levy does not depend on the value."""
    if (value_a > THRESHOLD) != (value_b > THRESHOLD):
        return
    first = compute(Entry("p", DocumentType.IMPORT_ENTRY, day, mode, value_a))
    second = compute(Entry("p", DocumentType.IMPORT_ENTRY, day, mode, value_b))
    assert first.total == second.total


@given(day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_twentieth_of_the_following_month(day: dt.date) -> None:
    due = twentieth_of_month_after(day)
    assert due.day == 20
    assert (due.year * 12 + due.month) - (day.year * 12 + day.month) == 1


@settings(max_examples=25, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["import_entry", "export_entry", "transhipment", "bogus", ""]),
            days,
            st.sampled_from(["air", "sea", ""]),
            st.sampled_from(["1000.00", "1000.01", "-1", "x", ""]),
            st.sampled_from(["yes", "no", ""]),
        ),
        max_size=30,
    )
)
def test_batch_accounts_for_every_row(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, dt.date, str, str, str]]
) -> None:
    """Each non-blank line gives exactly one result or one located error; totals add up."""
    directory = tmp_path_factory.mktemp("batch")
    path = directory / "entries.csv"
    lines = ["document,date,mode,value,ses"]
    lines += [f"{d},{day.isoformat()},{m},{v},{s}" for d, day, m, v, s in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    batch = compute_file(path)
    assert len(batch.rows) + len(batch.blank_rows) == len(rows)
    assert [r.number for r in batch.rows] == sorted(r.number for r in batch.rows)
    for row in batch.rows:
        assert (row.result is None) == bool(row.error)
        if row.error:
            assert row.error.startswith(f"entries.csv row {row.number}")
    summary = batch.summary()
    assert summary.charged + summary.nothing_payable + summary.errors == summary.rows
    assert summary.total == sum((r.result.total for r in batch.rows if r.result), D(0))


@settings(max_examples=40, deadline=None)
@given(
    fees=st.lists(
        st.tuples(
            st.sampled_from(["P", "Q"]),
            st.dates(min_value=dt.date(2025, 7, 1), max_value=dt.date(2026, 3, 31)),
            st.sampled_from(
                [
                    ("export_entry", "", "yes"),  # $4.19
                    ("export_entry", "", "no"),  # $6.26
                    ("outward_cargo_report", "air", ""),  # $45.53
                    ("export_entry_exemption_document", "sea", ""),  # $13.19
                ]
            ),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_fee_due_dates_keep_the_50_dollar_rule(
    tmp_path_factory: pytest.TempPathFactory,
    fees: list[tuple[str, dt.date, tuple[str, str, str]]],
) -> None:
    """rr 28A(3), 29A(5): due between the 20th of the next month and the 20th of the third
    month after month A; the 20th of the next month when month A's fees reach $50."""
    path = tmp_path_factory.mktemp("fees") / "fees.csv"
    lines = ["document,date,mode,ses,payer"]
    lines += [
        f"{doc},{day.isoformat()},{mode},{ses},{payer}" for payer, day, (doc, mode, ses) in fees
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = compute_file(path).rows
    month_totals: dict[tuple[str, int], Decimal] = {}
    for row in rows:
        assert row.result is not None and row.result.charge is not None
        key = (
            row.result.entry.payer,
            row.result.entry.date.year * 12 + row.result.entry.date.month,
        )
        month_totals[key] = month_totals.get(key, D(0)) + row.result.charge.amount
    for row in rows:
        assert row.result is not None and row.result.charge is not None
        day, due = row.result.entry.date, row.result.charge.due_date
        assert due is not None
        assert twentieth_of_month_after(day) <= due <= twentieth_of_month_after(day, months=3)
        if month_totals[(row.result.entry.payer, day.year * 12 + day.month)] >= 50:
            assert due == twentieth_of_month_after(day)


@settings(max_examples=40, deadline=None)
@given(
    events=st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C"]),
            st.sampled_from(["lodged", "amended", "cancelled"]),
            money,
            modes,
            st.booleans(),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_summary_counts_each_document_as_it_now_stands(
    tmp_path_factory: pytest.TempPathFactory,
    events: list[tuple[str, str, Decimal, Mode, bool]],
) -> None:
    """Review finding 1: the total is the sum of each document's latest row (a cancelled
    document costs 0), whatever the sequence of amendments and cancellations."""
    lines = ["document,document_id,date,mode,value,ses,status"]
    day = APRIL
    for number, (doc, status, value, mode, ses) in enumerate(events):
        day = APRIL + dt.timedelta(days=number)  # amendments after their original
        lines.append(
            f"export_entry,{doc},{day},{mode.value},{value},{'yes' if ses else 'no'},{status}"
        )
    path = tmp_path_factory.mktemp("docs") / "entries.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    batch = compute_file(path)
    latest: dict[str, Decimal] = {}
    seen: set[str] = set()
    for row, (doc, status, *_) in zip(batch.rows, events, strict=True):
        if status == "lodged" and doc in seen:  # a second lodgement is refused, not counted
            assert row.result is None and row.column == "document_id"
            continue
        seen.add(doc)
        assert row.result is not None
        if status == "cancelled":
            latest.pop(doc, None)
        else:
            latest[doc] = row.result.total
    assert batch.summary().total == sum(latest.values(), D(0))
    counted = [r for r in batch.rows if r.result and r.result.charge and not r.superseded_by]
    assert len(counted) == len(latest)
