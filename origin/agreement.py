"""The one small interface every agreement plugin offers.

A plugin is a thin module plus a law file (see :mod:`origin.law`); it exposes one
:class:`Agreement` value. The engine never imports a plugin by name: it asks the
:mod:`origin.registry`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from origin.determination import Determination
from origin.groups import Membership
from origin.law import LawBook, LawNotEncoded, Term
from origin.model import Case, Material, OriginStatus

if TYPE_CHECKING:
    from origin.declarations.register import Register
    from origin.declarations.resolve import DeclarationUse


class FactError(ValueError):
    """A case fact the agreement does not know, or of the wrong type."""


@attrs.frozen
class Agreement:
    """An agreement as the toolkit sees it: its law, and how to decide a case under it."""

    name: str
    title: str
    regulations: str
    law: LawBook
    decide: Callable[[Case, dt.date], Determination]
    cases: Path | None = None  # folder of worked legal cases (JSON), run by the tests
    # For agreements with a group of countries declared outside the regulations (regs 43,
    # 43A, 44): the list applied, and how to rebuild ``decide`` for another list.
    membership: Membership | None = None
    bind_membership: Callable[[Membership], Callable[[Case, dt.date], Determination]] | None = None
    # A declarations register every determination relies on (see ``with_declarations``).
    declarations: Register | None = None

    def __reduce__(
        self,
    ) -> tuple[Callable[..., Agreement], tuple[str, Membership | None, Register | None]]:
        """Sent to another process by name (its decide functions are closures and compiled
        formulas, which do not travel); a replaced country list travels with it."""
        return (_registered, (self.name, self._replaced_membership(), self.declarations))

    def _replaced_membership(self) -> Membership | None:
        """The country list to send: none when it is the registered agreement's own (the
        other process loads that one itself; sent, it cost a fifth of unpacking a folder
        check's results, a hundred-odd dated members each time)."""
        if self.membership is None:
            return None
        from origin import registry  # noqa: PLC0415 - the registry imports this module

        try:
            registered = registry.get(self.name)
        except registry.RegistryError:  # not a registered agreement: the list says it all
            return self.membership
        return None if registered.membership is self.membership else self.membership

    @property
    def facts(self) -> Mapping[str, Term]:
        return self.law.vocabularies.get("facts", {})

    def parties_on(self, date: dt.date) -> frozenset[str]:
        """The countries whose materials and expenditure count: the law file's parties, or
        the group's members on ``date`` with New Zealand."""
        if self.membership is None:
            return frozenset(self.law.parties)
        return self.membership.on(date) | frozenset(self.law.parties)

    def with_membership(self, membership: Membership) -> Agreement:
        """This agreement deciding with another list of the group's countries (e.g. one
        updated after a new Order); the list must be for the same group."""
        if self.membership is None or self.bind_membership is None:
            raise FactError(f"{self.name}: this agreement has no country group to replace")
        if membership.name != self.membership.name:
            raise FactError(
                f"{self.name}: the membership list is for group {membership.name!r}, "
                f"not {self.membership.name!r}"
            )
        return attrs.evolve(self, membership=membership, decide=self.bind_membership(membership))

    def with_declarations(self, register: Register | None) -> Agreement:
        """This agreement deciding every case against a declarations register (None:
        without one), for callers that are given an agreement (qualify, workbooks)."""
        return attrs.evolve(self, declarations=register)

    def check(self, case: Case, parties: frozenset[str] | None = None) -> None:
        """Facts, material attributes and adjustment kinds must be words this law knows."""
        unknown = sorted(set(case.facts) - set(self.facts))
        if unknown:
            known = ", ".join(sorted(self.facts)) or "none"
            raise FactError(
                f"{self.name}: unknown case fact(s) {', '.join(unknown)} (known: {known})"
            )
        for key, value in case.facts.items():
            kind = self.facts[key].group
            if (kind == "bool" and not isinstance(value, bool)) or (
                kind == "text" and (not isinstance(value, str) or not value.strip())
            ):
                expected = "true or false" if kind == "bool" else "non-empty text"
                raise FactError(f"facts.{key}: expected {expected}, found {value!r}")
        if parties is None:
            parties = frozenset(self.law.parties)
        abroad, worded = _scan(case.materials, parties)
        if abroad is not None:
            raise FactError(
                f"material {abroad.id!r} is declared originating but comes from "
                f"{abroad.origin_country}, which is not a party ({', '.join(sorted(parties))}): "
                "originating materials of this agreement come from a party"
            )
        if not worded:
            return  # no line carries a word to check (the law's words are not gathered)
        vocabularies = self.law.vocabularies
        attributes = vocabularies.get("material_attributes", {})
        adjustments = {
            *vocabularies.get("adjust_originating", {}),
            *vocabularies.get("adjust_non_originating", {}),
        }
        for material in worded:
            if material.attributes and not material.attributes <= attributes.keys():
                bad = ", ".join(sorted(material.attributes - attributes.keys()))
                raise FactError(
                    f"material {material.id!r}: unknown attribute(s) {bad} "
                    f"(known: {', '.join(sorted(attributes)) or 'none'})"
                )
            for adjustment in material.adjustments:
                if adjustment.kind not in adjustments:
                    raise FactError(
                        f"material {material.id!r}: unknown adjustment {adjustment.kind!r} "
                        f"(known: {', '.join(sorted(adjustments)) or 'none'})"
                    )

    def determine(
        self, case: Case, date: dt.date, declarations: Register | None = None
    ) -> Determination:
        """Refuse unencoded dates and unknown words before deciding anything. With a
        ``declarations`` register, materials count as originating only where a declaration
        backs them (origin.declarations), and the determination carries the evidence."""
        self.law.check_date(date)
        imported = case.consignment.imported_on if case.consignment else None
        if imported is not None and imported > self.law.horizon:
            raise LawNotEncoded(
                f"consignment.imported_on: the goods are stated as imported on "
                f"{imported.isoformat()}, after {self.law.horizon.isoformat()}, the last date "
                f"the toolkit applies the text of {self.law.name} as at "
                f"{self.law.text_version.isoformat()} to; no determination is made"
            )
        case = case.with_rule_of(self.name)  # the case's own rule for this agreement, if any
        register = declarations if declarations is not None else self.declarations
        evidence: tuple[DeclarationUse, ...] = ()
        if register is not None:
            from origin.declarations.resolve import resolve  # noqa: PLC0415 - with a register

            case, evidence = resolve(case, register, self, date)
        self.check(case, self.parties_on(date))
        determination = self.decide(case, date)
        if evidence:
            determination = attrs.evolve(determination, declarations=evidence)
        if self.membership is not None:
            note = f"countries of the group as at {date.isoformat()}: {self.membership.describe()}"
            determination = attrs.evolve(determination, notes=(*determination.notes, note))
        if date > self.law.text_version:
            # Dates after the encoded text are decided on it, and the output says so.
            note = (
                f"decided on the text as at {self.law.text_version.isoformat()}; amendments "
                f"after that date, if any, are not reflected"
            )
            determination = attrs.evolve(determination, notes=(*determination.notes, note))
        start = self.law.coverage.start
        if imported is not None and start is not None and imported < start:
            note = (
                f"the goods were imported on {imported.isoformat()}, before "
                f"{start.isoformat()}, from which the encoded text has been in force; they "
                f"are decided on the text as at {self.law.text_version.isoformat()} (as of "
                f"{date.isoformat()}), and the law in force at importation may have differed"
            )
            determination = attrs.evolve(determination, notes=(*determination.notes, note))
        return determination


def _registered(
    name: str, membership: Membership | None, declarations: Register | None = None
) -> Agreement:
    from origin import registry  # noqa: PLC0415 - the registry imports this module

    agreement = registry.get(name)
    if membership is not None and membership != agreement.membership:
        agreement = agreement.with_membership(membership)
    if declarations is not None:
        agreement = agreement.with_declarations(declarations)
    return agreement


def _scan(
    materials: Sequence[Material], parties: frozenset[str]
) -> tuple[Material | None, list[Material]]:
    """One flat pass over the BOM (any depth): the first material declared originating whose
    country is not a party, and the materials that carry attributes or adjustments (to be
    checked against the law's words). One pass, not two: a 100,000-line BOM walks it once."""
    abroad: Material | None = None
    worded: list[Material] = []
    originating = _ORIGINATING
    for material in materials:
        if (
            abroad is None
            and material.status is originating
            and material.origin_country is not None
            and material.origin_country not in parties
        ):
            abroad = material
        if material.attributes or material.adjustments:
            worded.append(material)
        if material.components:
            # Its sub-BOM, parents first: a stack of the BOMs being read, each read by a plain
            # loop that stops at a line with a BOM of its own, read next (no step per line).
            stack = [iter(material.components)]
            while stack:
                for inner in stack[-1]:
                    if (
                        abroad is None
                        and inner.status is originating
                        and inner.origin_country is not None
                        and inner.origin_country not in parties
                    ):
                        abroad = inner
                    if inner.attributes or inner.adjustments:
                        worded.append(inner)
                    if inner.components:
                        stack.append(iter(inner.components))
                        break
                else:
                    stack.pop()
    return abroad, worded


_ORIGINATING = OriginStatus.ORIGINATING
