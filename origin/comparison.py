"""One good under every installed agreement at once, ranked by what a claim would save.

The question a broker brings is not "does this pass ANZCERTA?" but "under which of New
Zealand's agreements does this good qualify, and which preference should the entry claim?".
:func:`qualify` answers it with one :class:`Row` per agreement:

- *not applicable*, with the reason, when the agreement cannot apply at all: the date is
  outside the law the toolkit encodes for it, or the country whose goods they are (or the
  country they are exported from) is not a party on that date. That is an answer, not an
  error.
- otherwise the agreement's own determination (verdict, basis, decisive RVC and margin,
  missing facts, obligations), with the product-specific rule taken from a loaded schedule
  of that agreement, else from the case (one text, or one per agreement), else asked for;
- *error* when the case is wrong for that agreement only (an unknown fact, a material
  declared originating from a non-party): the message is kept on the row and the other
  agreements are still decided.

With a rate table (:mod:`hs_data.tariff_rates`), the good's NZ tariff item and its customs
value, each row shows the normal and preferential duty and the duty saved, exactly.
Rows are ranked originating first, then by duty saved, then by the decisive margin; without
rates the ranking is by verdict and margin, and the comparison says so.

The date whose law applies is the one given, else the goods' importation date
(``consignment.imported_on``), else today; :func:`law_date` says which and why, and every
output repeats it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from origin import parallel, registry
from origin.agreement import Agreement, FactError
from origin.determination import Determination, RVCResult, Verdict, decisive_rvc
from origin.engine import CaseError
from origin.errors import InputError
from origin.law import LawNotEncoded, goods_country
from origin.model import Case
from origin.parallel import Failed

if TYPE_CHECKING:  # the rate table and schedules are optional inputs
    from hs_data.schedule import Schedule
    from hs_data.tariff_rates import DutyRates, TariffRates

COMPARISON_SCHEMA = "origin-comparison/1"


class Status:
    """What a row says, in the words the outputs use (ranked in this order)."""

    ORIGINATING = "originating"
    NEEDS_INFORMATION = "needs information"
    NOT_ORIGINATING = "not originating"
    ERROR = "error"
    NOT_APPLICABLE = "not applicable"


_RANK = {
    Status.ORIGINATING: 0,
    Status.NEEDS_INFORMATION: 1,
    Status.NOT_ORIGINATING: 2,
    Status.ERROR: 3,
    Status.NOT_APPLICABLE: 4,
}


def law_date(
    case: Case,
    given: dt.date | None,
    today: dt.date | None = None,
    *,
    worked: dt.date | None = None,
) -> tuple[dt.date, str]:
    """The date whose law applies, and why that one: the date given, else a worked case's
    own date, else the goods' importation date, else today (the law in force when the goods
    were entered is what Customs applies; today's law is only the last resort)."""
    if given is not None:
        return given, "the date given (--date)"
    if worked is not None:
        return worked, "the worked case's date"
    imported = case.consignment.imported_on if case.consignment else None
    if imported is not None:
        return imported, "the goods' importation date (consignment.imported_on)"
    return (today or dt.date.today()), "today: no date given and no importation date in the case"


def dated_note(day: dt.date, why: str) -> str:
    """The note every determination carries on the date it was decided at, and why."""
    return f"law applied as at {day.isoformat()}: {why}"


@attrs.frozen
class Duty:
    """Duty on the good with and without this agreement's preference, from a rate table."""

    code: str  # the NZ preference abbreviation, e.g. "AU"
    rates: DutyRates | None
    customs_value: Decimal | None
    normal: Decimal | None = None
    preferential: Decimal | None = None
    saved: Decimal | None = None
    review: str = ""  # why the amounts are not given (rate, value or code not known)

    @property
    def source(self) -> str:
        return self.rates.source if self.rates is not None else ""


@attrs.frozen
class Row:
    """One agreement's answer for the good."""

    agreement: str
    title: str
    regulations: str
    status: str  # a Status word
    reason: str = ""  # why not applicable, or the agreement-specific input error
    determination: Determination | None = None
    rule: str = ""  # the product-specific rule applied, as text
    rule_source: str = ""  # where the rule came from
    preference_codes: tuple[str, ...] = ()
    duty: Duty | None = None
    notes: tuple[str, ...] = ()

    @property
    def applies(self) -> bool:
        return self.status != Status.NOT_APPLICABLE

    @property
    def decisive(self) -> RVCResult | None:
        """The RVC reported, as in the broker export (:func:`decisive_rvc`): the highest
        passing method, else the highest computed; ``None`` where none was computed."""
        return decisive_rvc(self.determination) if self.determination is not None else None

    @property
    def missing(self) -> tuple[str, ...]:
        return self.determination.missing if self.determination is not None else ()


@attrs.frozen
class Comparison:
    """Every agreement's row for one good, ranked, with the date used and why."""

    good_id: str
    hs: str
    currency: str  # of the case's amounts, the customs value and the duty figures
    date: dt.date
    date_reason: str
    rows: tuple[Row, ...]
    ranking: str  # how the rows are ordered, in words
    notes: tuple[str, ...] = ()

    def _repr_html_(self) -> str:
        from origin.display import comparison_html  # noqa: PLC0415 - display only

        return comparison_html(self)

    @property
    def best(self) -> Row | None:
        """The claim to make: the first originating row, if any."""
        first = self.rows[0] if self.rows else None
        return first if first is not None and first.status == Status.ORIGINATING else None


def qualify(
    case: Case,
    date: dt.date | None = None,
    *,
    agreements: Iterable[Agreement] | None = None,
    schedules: Sequence[Schedule] = (),
    rates: TariffRates | None = None,
    goods: str | Sequence[str] | None = None,
) -> Comparison:
    """Decide ``case`` under every agreement (default: every installed one) and rank them.

    Each agreement's product-specific rule: from its schedule in ``schedules``, else the
    case's rule for it (``case.psr_by_agreement``), else the case's one ``psr`` (the row
    says which), else none (the determination asks for it).
    """
    day, why = law_date(case, date)
    chosen = tuple(agreements) if agreements is not None else registry.all_agreements()
    by_agreement = _schedules_by_agreement(schedules)
    rows = [
        _row(agreement, case, day, by_agreement.get(agreement.name), rates, goods)
        for agreement in chosen
    ]
    priced = rates is not None and any(
        r.duty is not None and r.duty.saved is not None for r in rows
    )
    ranked = tuple(sorted(rows, key=_rank_key))
    ranking = (
        "originating first, then by duty saved (most first), then by the decisive RVC margin"
        if priced
        else "by verdict (originating, needs information, not originating, error, not "
        "applicable), then by the decisive RVC margin; no duty figures ("
        + _why_unpriced(case, rates)
        + ")"
    )
    return Comparison(
        str(case.good.id), str(case.good.hs), case.currency, day, why, ranked, ranking
    )


def qualify_many(
    cases: Sequence[Case],
    date: dt.date | None = None,
    *,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    render: Callable[[Comparison], Any] | None = None,
    scheduler: Any = None,
    **options: Any,
) -> list[Comparison | Failed | Any]:
    """:func:`qualify` for each case, on ``workers`` processes (None or 0: every core), in the
    order given; a case whose comparison fails with a bug is a :class:`~origin.parallel.Failed`
    in its place (input errors of one agreement are rows of its comparison, as ever).

    ``render``: a module-level function run on each comparison where it was decided, its
    result returned instead (e.g. JSON text: only text travels back, the cheapest to send).
    ``scheduler``: a Dask scheduler's address, client or cluster to decide them on instead
    (``pip install "origin[dask]"``; :mod:`origin.distributed`)."""
    task = functools.partial(_qualify_one, date=date, options=options, render=render)
    return parallel.run(task, cases, workers, progress, scheduler=scheduler)


def _qualify_one(
    case: Case,
    *,
    date: dt.date | None,
    options: Mapping[str, Any],
    render: Callable[[Comparison], Any] | None = None,
) -> Any:
    comparison = qualify(case, date, **options)
    return comparison if render is None else render(comparison)


def _why_unpriced(case: Case, rates: TariffRates | None) -> str:
    if rates is None:
        return "no rate table given"
    if case.good.tariff_item is None:
        return "the good's NZ tariff item is not given"
    return "no duty could be computed for any agreement"


def _rank_key(row: Row) -> tuple[Any, ...]:
    saved = row.duty.saved if row.duty is not None else None
    decisive = row.decisive
    margin = decisive.margin if decisive is not None else None
    return (
        _RANK[row.status],
        0 if saved is not None else 1,
        -(saved or 0),
        0 if margin is not None else 1,
        -(margin or 0),
        row.agreement,
    )


def _schedules_by_agreement(schedules: Sequence[Schedule]) -> dict[str, Schedule]:
    found: dict[str, Schedule] = {}
    for schedule in schedules:
        name = schedule.source.agreement
        if name in found:
            raise InputError(
                f"two schedules for agreement {name!r} ({found[name].source.title}; "
                f"{schedule.source.title}): give one per agreement"
            )
        found[name] = schedule
    return found


def not_applicable(agreement: Agreement, case: Case, date: dt.date) -> str:
    """Why the agreement cannot apply to the goods on ``date`` ("" when it may)."""
    law = agreement.law
    if not law.coverage.contains(date):
        return f"not in force on {date.isoformat()} as encoded (the text applies {law.coverage})"
    if date > law.horizon:
        return (
            f"{date.isoformat()} is after {law.horizon.isoformat()}, the last date the encoded "
            f"text (as at {law.text_version.isoformat()}) is applied to"
        )
    try:
        parties = agreement.parties_on(date)
    except LawNotEncoded:  # a group list (LDC, LLDC, FIC) that does not cover the date
        membership = agreement.membership
        window = membership.coverage if membership is not None else law.coverage
        return f"its list of countries is encoded {window}, not for {date.isoformat()}"
    country = goods_country(case)
    if country is not None and country not in parties:
        return f"goods of {country}, which is not a party on {date.isoformat()}"
    exported = case.consignment.exported_from if case.consignment else None
    if exported is not None and exported not in parties:
        return f"exported from {exported}, which is not a party on {date.isoformat()}"
    return ""


def _row(  # noqa: PLR0917 - one agreement's inputs
    agreement: Agreement,
    case: Case,
    date: dt.date,
    schedule: Schedule | None,
    rates: TariffRates | None,
    goods: str | Sequence[str] | None,
) -> Row:
    def row(status: str, **fields: Any) -> Row:
        return Row(agreement.name, agreement.title, agreement.regulations, status, **fields)

    reason = not_applicable(agreement, case, date)
    if reason:
        return row(Status.NOT_APPLICABLE, reason=reason)
    codes = agreement.law.preference_codes_of(case)
    try:
        ruled, source, notes = _with_rule(agreement, case, schedule, goods)
        determination = agreement.determine(ruled, date)
    except (CaseError, FactError, LawNotEncoded, InputError) as error:
        return row(Status.ERROR, reason=str(error), preference_codes=codes)
    if schedule is not None:
        determination = attrs.evolve(determination, notes=(*notes, *determination.notes))
    status = {
        Verdict.ORIGINATING: Status.ORIGINATING,
        Verdict.NOT_ORIGINATING: Status.NOT_ORIGINATING,
        Verdict.NEEDS_INFORMATION: Status.NEEDS_INFORMATION,
    }[determination.verdict]
    duty = (
        _duty(agreement, case, date, codes, rates)
        if rates is not None and status != Status.NOT_ORIGINATING
        else None
    )
    return row(
        status,
        determination=determination,
        rule=ruled.psr or "",
        rule_source=source,
        preference_codes=codes,
        duty=duty,
    )


def _with_rule(
    agreement: Agreement,
    case: Case,
    schedule: Schedule | None,
    goods: str | Sequence[str] | None,
) -> tuple[Case, str, tuple[str, ...]]:
    """The case with this agreement's product-specific rule: from its schedule, else the
    case's rule for it, else the case's one rule for every agreement, else none (the
    determination then asks for it)."""
    own = case.psr_by_agreement.get(agreement.name)
    if schedule is not None:
        from hs_data.apply import apply_schedule  # noqa: PLC0415 - only with schedules

        # A one-for-all text gives way to the schedule; the case's own rule for this
        # agreement must agree with it (apply_schedule refuses two different rules).
        base = attrs.evolve(case, psr=own, psr_by_agreement={})
        ruled, provenance = apply_schedule(base, schedule, goods=goods, agreement=agreement.name)
        return ruled, f"schedule: {schedule.source.title}", tuple(p.note() for p in provenance)
    if own is not None:
        return case.with_rule_of(agreement.name), f"the case's rule for {agreement.name}", ()
    if case.psr is not None:
        one = "the case's one rule, used for every agreement"
        if case.psr_by_agreement:
            one = "the case's rule for the agreements it does not name ('*')"
        return case, one, ()
    if case.psr_by_agreement:
        return case, "none given for this agreement", ()
    return case, "none given", ()


def _duty(
    agreement: Agreement,
    case: Case,
    date: dt.date,
    codes: tuple[str, ...],
    rates: TariffRates,
) -> Duty:
    """Normal and preferential duty for the good under this agreement's preference code."""
    value = case.good.customs_value
    code = codes[0] if len(codes) == 1 else ""
    if not codes:
        return Duty(
            "", None, value, review=f"no NZ preference code is encoded for {agreement.name}"
        )
    if len(codes) > 1:
        return Duty(
            "/".join(codes),
            None,
            value,
            review="several preference codes apply and which is not known (state the country "
            "of the goods: good.last_process_in)",
        )
    if case.good.tariff_item is None:
        return Duty(
            code, None, value, review="the good's NZ tariff item (good.tariff_item) is not given"
        )
    since = agreement.law.preference_rates_from
    found = rates.rates(case.good.tariff_item, code, date)
    if since is not None and since > rates.as_at:
        return Duty(
            code,
            found,
            value,
            review=f"the rate table (as at {rates.as_at.isoformat()}) predates this agreement's "
            f"preference (its {code} rates are this agreement's from {since.isoformat()}; "
            f"{agreement.law.preference_reference.split(';')[-1].strip()})",
        )
    if found.review:
        return Duty(code, found, value, review=found.review)
    if value is None:
        return Duty(
            code, found, value, review="the customs value (good.customs_value) is not given"
        )
    amounts = found.amounts(value)
    if amounts is None:  # pragma: no cover - review is set whenever amounts cannot be given
        return Duty(code, found, value, review="the rates cannot be computed")
    normal, preferential, saved = amounts
    return Duty(code, found, value, normal, preferential, saved)


# --------------------------------------------------------------------------- JSON


def comparison_to_json(comparison: Comparison) -> dict[str, Any]:
    """The comparison as ``origin-comparison/1`` (docs/comparison.md and its JSON Schema)."""
    from origin.caseio import determination_to_json  # noqa: PLC0415 - caseio imports much

    best = comparison.best
    return {
        "schema": COMPARISON_SCHEMA,
        "good": comparison.good_id,
        "hs": comparison.hs,
        "currency": comparison.currency,
        "date": comparison.date.isoformat(),
        "date_reason": comparison.date_reason,
        "ranking": comparison.ranking,
        "best": best.agreement if best is not None else None,
        "rows": [_row_to_json(row, determination_to_json) for row in comparison.rows],
        "notes": list(comparison.notes),
    }


def _row_to_json(row: Row, full: Any) -> dict[str, Any]:
    from origin.caseio import figure_json, obligation_json  # noqa: PLC0415

    d = row.determination
    decisive = row.decisive
    return {
        "agreement": row.agreement,
        "title": row.title,
        "regulations": row.regulations,
        "applies": row.applies,
        "status": row.status,
        "reason": row.reason,
        "preference_codes": list(row.preference_codes),
        "rule": row.rule,
        "rule_source": row.rule_source,
        "basis": list(d.basis) if d else [],
        "decisive_rvc": None
        if decisive is None
        else {
            "method": decisive.method,
            "citation": str(decisive.citation),
            "value": figure_json(decisive.value),
            "threshold": figure_json(decisive.threshold),
            "margin": figure_json(decisive.margin),
            "outcome": decisive.outcome.value,
        },
        "missing": list(row.missing),
        "obligations": [obligation_json(o) for o in d.obligations] if d else [],
        "duty": None if row.duty is None else _duty_to_json(row.duty),
        "determination": full(d) if d is not None else None,
    }


def _duty_to_json(duty: Duty) -> dict[str, Any]:
    rates = duty.rates

    def money(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    def rate(found: Any) -> dict[str, Any] | None:
        if found is None:
            return None
        percent = found.percent
        return {
            "text": found.text,
            "percent": None if percent is None else f"{percent.numerator}/{percent.denominator}",
        }

    return {
        "code": duty.code,
        "customs_value": money(duty.customs_value),
        "normal_rate": rate(rates.normal) if rates else None,
        "preferential_rate": rate(rates.preferential) if rates else None,
        "how": rates.how if rates else "",
        "normal": money(duty.normal),
        "preferential": money(duty.preferential),
        "saved": money(duty.saved),
        "source": duty.source,
        "review": duty.review,
        "notes": list(rates.notes) if rates else [],
    }
