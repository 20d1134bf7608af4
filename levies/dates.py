"""Due-date arithmetic in the words the instruments use.

>>> import datetime as dt
>>> twentieth_of_month_after(dt.date(2026, 12, 31))
datetime.date(2027, 1, 20)
>>> twentieth_of_month_after(dt.date(2026, 4, 1), months=3)
datetime.date(2026, 7, 20)
>>> years_after(dt.date(2028, 2, 29), 3)
datetime.date(2031, 2, 28)
"""

from __future__ import annotations

import datetime as dt


def month_start(day: dt.date, months: int = 0) -> dt.date:
    """The first day of the month ``months`` after the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def twentieth_of_month_after(day: dt.date, months: int = 1) -> dt.date:
    """ "The 20th day in the month following the month in which ..." (Schedules 2 and 3);
    ``months=3`` gives "the 20th day of the third month following month A" (r 28A(3)(b)(ii))."""
    return month_start(day, months).replace(day=20)


def fifteenth_of_month_after(day: dt.date) -> dt.date:
    """UPU mail return "by the 15th day in the month following the reportable month"
    (cl 17(2)(b))."""
    return month_start(day, 1).replace(day=15)


def days_after(day: dt.date, days: int) -> dt.date:
    """ "30 days after an invoice is issued" (cl 14(4), Schedule 2 UPU mail levy): calendar days,
    no working-day adjustment (decision 0009)."""
    return day + dt.timedelta(days=days)


def years_after(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 29 February falls back to 28 February (the earlier reading)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
