"""Exporter profiles: Secure Exports Scheme status over time, and what SES saves per entry.

SES status matters twice: the export entry transaction fee before 1 April 2026 ($4.19 under
a Customs-approved secure exports scheme, $6.26 otherwise, r 28A(1)) and the sea rate of the
high-value goods export levy from that day ($3.76 v $8.13, Schedule 3). Both attach to the
*goods* ("entered for export under", "subject to" a scheme), so a profile only supplies the
default for an entry that does not say; an entry's own ``ses`` column wins (decision 0009).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import attrs

from levies.model import RowError, _Cells
from levies.reader import read_table
from levies.tables import LAW, LevyLaw
from origin.citation import Citation
from origin.errors import InputError
from origin.law import LawNotEncoded, Window

PROFILE_COLUMNS = ("exporter", "name", "ses", "from", "until", "note")


@attrs.frozen
class ExporterProfile:
    exporter: str
    name: str
    ses: bool
    window: Window  # when the SES approval runs, [from, until)
    note: str = ""

    def ses_on(self, day: dt.date) -> bool:
        return self.ses and self.window.contains(day)


def load_profiles(path: Path) -> dict[str, ExporterProfile]:
    """Read exporter profiles (CSV, Excel or JSON): ``exporter, name, ses, from, until, note``."""
    table = read_table(path, PROFILE_COLUMNS, required=("exporter", "ses"))
    profiles: dict[str, ExporterProfile] = {}
    for row in table.rows:
        cells = _Cells(row.cells)
        try:
            exporter = cells.text("exporter")
            if not exporter:
                raise RowError("exporter", "missing; expected the exporter id used in entries")
            ses = cells.flag("ses")
            if ses is None:
                raise RowError("ses", "missing; expected yes or no")
            start, end = cells.date("from"), cells.date("until")
            if start and end and end <= start:
                raise RowError("until", f"{end} is not after 'from' {start}")
            name, note = cells.text("name"), cells.text("note")
        except RowError as error:
            raise InputError(f"{row.where(error.column)}: {error.detail}") from None
        if exporter in profiles:
            raise InputError(f"{row.where('exporter')}: exporter {exporter!r} listed twice")
        profiles[exporter] = ExporterProfile(exporter, name, ses, Window(start, end), note)
    return profiles


@attrs.frozen
class SesEffect:
    """What SES changes for one kind of export on a date (amounts as charged, GST shown)."""

    charge: str
    applies_to: str
    without_ses: Decimal
    with_ses: Decimal
    gst_rate: Decimal  # 0 for GST-inclusive fees
    reference_without: Citation
    reference_with: Citation

    @property
    def saving(self) -> Decimal:
        """Per entry, GST included."""
        return (self.without_ses - self.with_ses) * (1 + self.gst_rate)


def ses_effect(day: dt.date, law: LevyLaw = LAW) -> tuple[SesEffect, ...]:
    """The rates SES lowers on ``day``; every other levy and fee is the same either way."""
    law.check_date(day)
    if day < law.order_in_force:
        table = law.fee("export_entry")
        without, with_ = table.rate("non_ses", day), table.rate("ses", day)
        return (
            SesEffect(
                table.name,
                "every export entry (any mode, any value); fee includes GST",
                without.amount,
                with_.amount,
                Decimal(0),
                without.reference,
                with_.reference,
            ),
        )
    table = law.levy("high_value_export")
    without, with_ = table.rate("sea_non_ses", day), table.rate("sea_ses", day)
    try:
        gst = law.gst_rate(day).value if law.gst_default_treatment == "standard" else Decimal(0)
    except LawNotEncoded:
        gst = Decimal(0)
    return (
        SesEffect(
            table.name,
            "export entries of goods carried by sea with a combined Customs value over $1,000",
            without.amount,
            with_.amount,
            gst,
            without.reference,
            with_.reference,
        ),
    )


def resolve_ses(
    ses: bool | None, exporter: str, day: dt.date, profiles: Mapping[str, ExporterProfile]
) -> bool | None:
    """The entry's own SES answer, else its exporter's profile on that date, else unknown."""
    if ses is not None or not exporter:
        return ses
    profile = profiles.get(exporter)
    return profile.ses_on(day) if profile else None


def ses_hint(exporter: str, day: dt.date, profiles: Mapping[str, ExporterProfile]) -> str:
    """Why an exporter's profile gave no SES status: appended to a 'ses missing' error."""
    if not exporter:
        return ""
    if not profiles:
        return f" (exporter {exporter!r}: no --profiles file given)"
    profile = profiles.get(exporter)
    if profile is None:
        return f" (exporter {exporter!r} is not in the profiles file)"
    return f" (exporter {exporter!r}'s profile gives no SES status on {day.isoformat()})"
