"""Dates as sources give them: to the day, to the month, or only to the year."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from attrs import frozen

_FORM = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")  # ASCII digits only

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@frozen(order=False)
class PartialDate:
    """A date known to a day, a month or a year.

    ``earliest`` and ``latest`` bound the days it may stand for, so that two
    dates of different precision can still be ordered and measured honestly.
    """

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str | int) -> PartialDate:
        """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; raise ValueError otherwise."""
        match = _FORM.match(str(text).strip())
        if not match:
            raise ValueError(f"'{text}' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
        year_text, month_text, day_text = match.groups()
        year = int(year_text)  # the pattern always has a year
        month, day = (int(part) if part else None for part in (month_text, day_text))
        if year < 1800 or year > 2200:
            raise ValueError(f"year {year} is out of range")
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"'{text}' has no month {month}")
        if day is not None:
            try:
                dt.date(year, month, day)  # type: ignore[arg-type]
            except ValueError:
                raise ValueError(f"'{text}' is not a real date") from None
        return cls(year, month, day)

    @classmethod
    def of(cls, date: dt.date) -> PartialDate:
        return cls(date.year, date.month, date.day)

    @property
    def precision(self) -> str:
        """'day', 'month' or 'year'."""
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    @property
    def earliest(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> dt.date:
        if self.day is not None:
            return self.earliest
        month = self.month or 12
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def iso(self) -> str:
        """The form it was written in: '2021', '2021-10' or '2021-10-05'."""
        parts = [f"{self.year:04d}"]
        if self.month is not None:
            parts.append(f"{self.month:02d}")
        if self.day is not None:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)

    def human(self) -> str:
        """'5 October 2021', 'October 2021' or '2021'."""
        if self.day is not None:
            assert self.month is not None  # parse() gives a day only with a month
            return f"{self.day} {MONTHS[self.month - 1]} {self.year}"
        if self.month is not None:
            return f"{MONTHS[self.month - 1]} {self.year}"
        return str(self.year)

    def __str__(self) -> str:
        return self.iso()


def describe_gap(before: PartialDate, after: PartialDate) -> str:
    """The time between two dates in words; a range when either date is coarse.

    Day-precise dates give exact days and a rounded span ('343 days, about
    11 months'); coarser dates give the range their bounds allow ('up to 66
    days', '1 day to 2 years'), or 'same year' when both name the same period.
    """
    if before.precision == "day" and after.precision == "day":
        days = (after.earliest - before.earliest).days
        if days < 0:
            return "earlier"
        if days == 0:
            return "same day"
        text = f"{days:,} day{'s' if days != 1 else ''}"
        return text + (f", about {span_words(days)}" if days >= 60 else "")
    if before == after:
        return f"same {before.precision}"
    low = max((after.earliest - before.latest).days, 0)
    high = max((after.latest - before.earliest).days, 0)
    if high == 0:
        return "same day"
    if low == 0:
        return f"up to {span_words(high)}"
    return f"{span_words(low)} to {span_words(high)}"


def span_words(days: int) -> str:
    """A number of days in words: days below 60, else years and months to the nearest month."""
    if days < 60:
        return f"{days} day{'s' if days != 1 else ''}"
    months = round(days / 30.436875)
    years, months = divmod(months, 12)
    parts = []
    if years:
        parts.append(f"{years} year{'s' if years != 1 else ''}")
    if months or not years:
        parts.append(f"{months} month{'s' if months != 1 else ''}")
    return " ".join(parts)
