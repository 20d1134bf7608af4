"""Country groups whose membership is declared outside the regulations, as dated data.

Regs 43, 43A and 44 decide origin for *groups* of countries: the less developed countries
(Group 2) and least developed countries (Group 3) "declared ... for the purposes of the Tariff
Act 1988", and the Forum Island Countries "for which [SPARTECA] is for the time being in
force". Who belongs is not in the regulations, and it changes by Order or treaty action, so
each group is a small TOML file with its source and the window of dates it is known for. A
user with a newer list (an Order made after the encoded one) loads their own file the same
way; a date outside the list's window is refused, never guessed.

>>> import datetime as dt
>>> group = Membership.from_toml({
...     "group": {"name": "fic", "title": "Forum Island Countries", "source": "example",
...               "coverage": {"from": dt.date(2022, 1, 1), "reference": "example list"}},
...     "members": {"FJ": {"name": "Fiji"}, "WS": {"name": "Samoa"}}})
>>> sorted(group.on(dt.date(2025, 6, 1)))
['FJ', 'WS']
>>> group.on(dt.date(2021, 12, 31))  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
origin.law.LawNotEncoded: Forum Island Countries: membership is encoded from 2022-01-01 ...
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from origin.citation import Citation
from origin.determination import MEETS, Step
from origin.errors import InputError
from origin.law import LawNotEncoded, Window

_CODE = re.compile(r"[A-Z]{2}")


class MembershipFileError(InputError):
    """A membership file that cannot be read, with the file and the field at fault."""


@attrs.frozen
class Member:
    """One country of a group, with the dates it belongs (``[from, until)``)."""

    code: str
    name: str
    window: Window = attrs.field(factory=Window)
    note: str = ""


def _changes_of(members: tuple[Member, ...]) -> tuple[dt.date, ...]:
    """The days a member joins or leaves (a window is ``[start, end)``), in order: the
    group's countries are the same from one to the next."""
    days = {d for m in members for d in (m.window.start, m.window.end) if d is not None}
    return tuple(sorted(days))


@attrs.frozen
class Membership:
    """A dated list of a group's countries and where the list comes from."""

    name: str  # the group's key, e.g. "ldc"; a replacement list must carry the same one
    title: str
    source: str
    coverage: Window
    coverage_reference: str
    members: tuple[Member, ...]
    # The date the list is as at (``group.as_at``): the encoded lists are those of the Working
    # Tariff Document of 1 January 2022. A user's list may leave it out (None: not stated).
    as_at: dt.date | None = None
    # The countries between two of the days the list changes on, found once for each such
    # stretch asked (every determination asks; a list holds a hundred-odd dated members):
    # a cache, out of equality and of what the packer sends, no larger than the list.
    _by_stretch: dict[int, frozenset[str]] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    _changes: tuple[dt.date, ...] = attrs.field(
        default=attrs.Factory(lambda self: _changes_of(self.members), takes_self=True),
        init=False,
        eq=False,
        repr=False,
    )

    def on(self, day: dt.date) -> frozenset[str]:
        """The group's countries on ``day``; a day outside the list's window is refused."""
        if not self.coverage.contains(day):
            raise LawNotEncoded(
                f"{self.title}: membership is encoded {self.coverage} "
                f"({self.coverage_reference}); {day.isoformat()} is outside it. Load a list "
                "that covers the date (origin determine --membership FILE)."
            )
        stretch = bisect.bisect_right(self._changes, day)
        found = self._by_stretch.get(stretch)
        if found is None:
            found = frozenset(m.code for m in self.members if m.window.contains(day))
            self._by_stretch[stretch] = found
        return found

    def dated(self) -> str:
        """The list's date as shown to a reader."""
        return self.as_at.isoformat() if self.as_at else "not stated in the list"

    def describe(self) -> str:
        """One line for a determination's notes: which list was applied, of what date."""
        return (
            f"{self.title}: membership list '{self.source}', as at {self.dated()} "
            f"({self.coverage_reference})"
        )

    def step(self, day: dt.date, citation: Citation, defined: str) -> Step:
        """The list a determination relied on, as a step with its title, source and date in
        ``inputs`` and the provision that defines the group (r 43(1), r 43A(1), r 44) as its
        citation: a structured record, not only a note."""
        members = sorted(self.on(day))
        return Step(
            "group countries relied on",
            citation,
            MEETS,
            f"{defined} ({citation}): the {len(members)} countries of the list "
            f"'{self.title}' as at {self.dated()}, applied on {day.isoformat()}; "
            f"{self.coverage_reference}",
            (
                ("list", self.title),
                ("source", self.source),
                ("as at", self.as_at if self.as_at else "not stated"),
                ("applied on", day),
                ("countries", ", ".join(members)),
            ),
        )

    @classmethod
    def load(cls, path: Path) -> Membership:
        try:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
        except OSError as error:
            raise MembershipFileError(f"{path}: cannot read ({error.strerror})") from None
        except tomllib.TOMLDecodeError as error:
            raise MembershipFileError(f"{path}: not a TOML file ({error})") from None
        try:
            return cls.from_toml(data)
        except MembershipFileError as error:
            raise MembershipFileError(f"{path}: {error}") from None

    @classmethod
    def from_toml(cls, data: Mapping[str, Any]) -> Membership:
        """Build from the parsed file; every problem names the field it is in."""
        head = _table(data, "group")
        coverage = _table(head, "coverage", "group.")
        members = []
        for code, entry in _table(data, "members").items():
            if not _CODE.fullmatch(code):
                raise MembershipFileError(
                    f"members.{code}: expected a two-letter ISO country code in capitals"
                )
            if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
                raise MembershipFileError(f"members.{code}: expected a table with a name")
            members.append(
                Member(
                    code,
                    entry["name"],
                    _window(entry, f"members.{code}"),
                    str(entry.get("note", "")),
                )
            )
        if not members:
            raise MembershipFileError("members: the group lists no country")
        return cls(
            name=_text(head, "name", "group."),
            title=_text(head, "title", "group."),
            source=_text(head, "source", "group."),
            coverage=_window(coverage, "group.coverage"),
            coverage_reference=_text(coverage, "reference", "group.coverage."),
            members=tuple(members),
            as_at=_date(head, "as_at", "group."),
        )


def _table(data: Mapping[str, Any], key: str, prefix: str = "") -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise MembershipFileError(f"{prefix}{key}: expected a table")
    return value


def _text(data: Mapping[str, Any], key: str, prefix: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise MembershipFileError(f"{prefix}{key}: expected non-empty text")
    return value


def _date(data: Mapping[str, Any], key: str, prefix: str) -> dt.date | None:
    value = data.get(key)
    if value is not None and not (
        isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    ):
        raise MembershipFileError(f"{prefix}{key}: expected a TOML date such as 2022-01-01")
    return value


def _window(data: Mapping[str, Any], where: str) -> Window:
    bounds = []
    for key in ("from", "until"):
        value = data.get(key)
        if value is not None and not (
            isinstance(value, dt.date) and not isinstance(value, dt.datetime)
        ):
            raise MembershipFileError(f"{where}.{key}: expected a TOML date such as 2022-01-01")
        bounds.append(value)
    return Window(bounds[0], bounds[1])
