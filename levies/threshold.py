"""Reg 70: duty need not be collected on goods with a Customs value of $1,000 or less.

The origin side asks this to say when a preference claim makes no duty difference: if duty
need not be collected anyway, claiming a preferential rate saves nothing. The threshold does
not reach tobacco, alcohol, goods liable to forfeiture, or goods under an anti-dumping or
countervailing determination (r 70(3)); and from 1 April 2026 it does not reach the levies
either (r 70(3)(c), inserted by cl 26 of the order) — a $1,000-or-less consignment still
pays the low-value levy.

>>> import datetime as dt
>>> from decimal import Decimal
>>> duty_threshold(Decimal("1000.00"), dt.date(2026, 4, 1)).need_not_collect
True
>>> duty_threshold(Decimal("1000.01"), dt.date(2026, 4, 1)).need_not_collect
False
>>> duty_threshold(Decimal("50"), dt.date(2026, 4, 1), heading="2204.21").need_not_collect
False
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from decimal import Decimal

import attrs

from levies.model import Step
from levies.provisions import order, regs
from levies.tables import LAW, LevyLaw
from origin.errors import InputError

# Headings of the Excise and Excise-equivalent Duties Table named in r 70(3)(aa) and (ab).
TOBACCO_HEADINGS = frozenset({"24.02", "24.03", "99.60", "99.65"})
ALCOHOL_HEADINGS = frozenset(
    {
        "22.03",
        "22.04",
        "22.05",
        "22.06",
        "22.08",
        "99.10",
        "99.20",
        "99.25",
        "99.30",
        "99.45",
        "99.50",
    }
)
_HEADING = re.compile(r"^\s*(\d{2})\.?(\d{2})")


class Circumstance(enum.Enum):
    """r 70(2): when duty need not be collected."""

    CREW = "crew"  # (a) imported by crew and declared on the crew declaration
    ENTRY = "entry"  # (b) entry for home consumption made or deemed made, or no entry required
    OTHER = "other"


@attrs.frozen
class DutyThreshold:
    need_not_collect: bool
    steps: tuple[Step, ...]

    @property
    def preference_matters(self) -> bool:
        """Whether a preferential tariff claim can change the duty collected."""
        return not self.need_not_collect


def heading_of(code: str) -> str:
    """``2204.21.00`` or ``2204`` or ``22.04`` -> ``22.04``."""
    match = _HEADING.match(code)
    if match is None:
        raise InputError(f"heading {code!r}: expected a 4-digit heading such as 22.04 or 2204.21")
    return f"{match[1]}.{match[2]}"


def duty_threshold(
    value: Decimal,
    day: dt.date,
    *,
    heading: str | None = None,
    circumstance: Circumstance = Circumstance.ENTRY,
    forfeiture: bool = False,
    anti_dumping: bool = False,
    minister_permission: bool = False,
    law: LevyLaw = LAW,
) -> DutyThreshold:
    """Apply r 70 to goods of Customs value ``value`` on ``day``."""
    if not value.is_finite():  # NaN cannot be compared; infinity is no Customs value
        raise InputError(f"value {value}: expected a finite Customs value in NZD, e.g. 1000.00")
    if value < 0:
        raise InputError(f"value {value}: a Customs value cannot be negative")
    threshold = law.threshold("duty_not_collectable", day)
    steps: list[Step] = []

    def done(need_not_collect: bool) -> DutyThreshold:
        if day >= law.order_in_force:
            steps.append(
                Step(
                    "levies under s 414A(3) of the Act are collected whatever the value",
                    order("cl 26"),
                )
            )
        return DutyThreshold(need_not_collect, tuple(steps))

    if value > threshold.amount:
        steps.append(
            Step(
                f"Customs value {value} is more than $1,000: duty is collected", threshold.reference
            )
        )
        return done(False)
    steps.append(
        Step(f"Customs value {value} is equal to or less than $1,000", threshold.reference)
    )
    if circumstance is Circumstance.OTHER:
        steps.append(
            Step(
                "neither a crew declaration nor an entry for home consumption (made, deemed, or "
                "not required): r 70 does not apply",
                regs("r 70(2)"),
            )
        )
        return done(False)
    steps.append(
        Step(
            "declared by crew on the crew declaration"
            if circumstance is Circumstance.CREW
            else "entry for home consumption made or deemed made, or no entry required",
            regs("r 70(2)(a)" if circumstance is Circumstance.CREW else "r 70(2)(b)"),
        )
    )
    if heading is not None:
        code = heading_of(heading)
        if code in TOBACCO_HEADINGS:
            steps.append(
                Step(f"tobacco products (heading {code}): r 70 does not apply", regs("r 70(3)(aa)"))
            )
            return done(False)
        if code in ALCOHOL_HEADINGS:
            steps.append(
                Step(
                    f"alcoholic beverages (heading {code}): r 70 does not apply",
                    regs("r 70(3)(ab)"),
                )
            )
            return done(False)
    if forfeiture:
        steps.append(
            Step("a cause of forfeiture has arisen: r 70 does not apply", regs("r 70(3)(a)"))
        )
        return done(False)
    if anti_dumping and not minister_permission:
        steps.append(
            Step(
                "an anti-dumping or countervailing determination applies, without the Minister's "
                "permission: r 70 does not apply",
                regs("r 70(3)(b)"),
            )
        )
        return done(False)
    if anti_dumping:
        # r 70(3)(b) excepts such goods "except with the permission of the Minister of
        # Commerce": the permission is what lets r 70 apply, and the result rests on it.
        steps.append(
            Step(
                "an anti-dumping or countervailing determination applies, with the Minister's "
                "permission: r 70 still applies",
                regs("r 70(3)(b)"),
            )
        )
    steps.append(Step("duty need not be collected", threshold.reference))
    return done(True)
