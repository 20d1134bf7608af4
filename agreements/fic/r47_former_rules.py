"""r 47(a)(iv)-(v) and r 47(c): qualifying materials "as defined in regulation 35".

Only what these paragraphs make unique: they refer to "regulation 35", "regulation
35(c)(ii)" and "the 50% threshold requirement specified in regulation 33(1)(c)", the
ANZCERTA rules replaced in 2007. By default (``facts.cross_references = "former-rules"``) they
are read as the former rules were: a material last processed in Australia or New Zealand
counts in full under r 47(a)(iv), and one last processed in New Zealand under r 47(a)(v) by
its own Australian/New Zealand share of factory cost (r 47(c)); ``"full"`` counts both in full
and ``"none"`` neither. Every determination that relies on them says which reading it applied
(decision record 0008).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from agreements.fic.r44_interpretation import (
    AUSTRALIA_NZ,
    FULL_SHARE,
    NONE_SHARE,
    UNKNOWN_SHARE,
    Line,
    Option,
)
from agreements.fic.r46_factory_cost import FactoryCost, Rows, Sheet, ids, own_step
from agreements.fic.r50_allocation_of_expenditure import expenditure
from origin.citation import Citation, cite
from origin.determination import MEETS, NEEDS_INFO, Outcome, Step
from origin.model import Material, OriginStatus


class FormerRules(FactoryCost):
    """r 47(a)(iv)-(v) with r 47(b)-(c), read as the case says (``self.reading``)."""

    def former_rules(self, m: Material) -> Iterable[Option]:
        """r 47(a)(iv)-(v) with r 47(b)-(c), which refer to former regs 33(1)(c) and 35
        (decision record 0008). Both need the last process in Australia or New Zealand."""
        if self.reading == "none":
            return
        made = m.produced_in
        full = "anzcerta_qualifying_full" in m.attributes
        paragraph = "r 47(a)(iv)" if full else "r 47(a)(v)"
        if made is None:
            fact = f"country of the last process of material {m.id} ({paragraph})"
            yield Option(
                UNKNOWN_SHARE, NONE_SHARE, paragraph, paragraph, NEEDS_INFO, missing=(fact,)
            )
            return
        if full and made in AUSTRALIA_NZ:
            # r 45(3)(c) when last processed in Australia.
            yield Option(
                FULL_SHARE,
                NONE_SHARE,
                paragraph,
                "qualifying r 47(a)(iv)",
                Outcome.of(made == "AU"),
            )
        elif not full and made == "NZ":
            yield self.former_partial(m)

    def former_partial(self, m: Material) -> Option:
        """r 47(a)(v) with r 47(c): "treated as expenditure on qualifying materials under
        regulation 35(c)(ii)", a provision that no longer exists. Read as the former rule
        was: the share of the material's own factory cost spent in Australia or New Zealand
        counts; ``full`` counts all of it."""
        citation = "r 47(c)"
        if self.reading == "full":
            return Option(FULL_SHARE, NONE_SHARE, citation, "qualifying r 47(a)(v), read in full")
        if not (m.components or m.costs):
            fact = f"cost sheet (components and costs) of material {m.id} (r 47(c))"
            step = Step(
                f"own cost sheet of {m.id}",
                cite(citation),
                NEEDS_INFO,
                f"{m.id} counts by its own Australian/New Zealand content; no cost sheet given",
                missing=(fact,),
            )
            return Option(
                UNKNOWN_SHARE, NONE_SHARE, citation, "r 47(a)(v) share", step=step, missing=(fact,)
            )
        sheet = self.anz_sheet(m)
        ratio = sheet.ratio(lambda line: line.qac)
        step = own_step(m, sheet, ratio, cite(citation), "Australian/New Zealand content")
        return Option(
            ratio.share(),
            NONE_SHARE,
            citation,
            "partly qualifying r 47(a)(v)",
            step=step,
            missing=step.missing,
        )

    def anz_sheet(self, m: Material) -> Sheet:
        """The former rule's content of an Australian/New Zealand-made material: its own
        materials of Australian or New Zealand origin and its factory items incurred there."""
        lines: list[Line] = []
        missing: list[str] = []
        for c in m.components:
            amount, _, wanted, _ = expenditure(c)
            missing.extend(wanted)
            anz = c.status is OriginStatus.ORIGINATING and c.origin_country in AUSTRALIA_NZ
            anz |= bool(
                c.attributes
                & {"unmanufactured_raw_product", "wholly_manufactured_from_raw_products"}
                and (c.produced_in or c.origin_country) in AUSTRALIA_NZ
            )
            share = FULL_SHARE if anz else NONE_SHARE
            lines.append(Line(amount, share, NONE_SHARE))
        cost_rows = []
        for cost in m.costs:
            line, cost_row, asked = self.cost(cost, m.produced_in, AUSTRALIA_NZ)
            cost_rows.append(cost_row)
            missing.extend(asked)
            if line is not None:
                lines.append(line)
        return Sheet(tuple(lines), Rows((), 0, {}), tuple(cost_rows), (), (), (), tuple(missing))

    @functools.cached_property
    def _former(self) -> dict[Citation, list[str]]:
        found: dict[Citation, list[str]] = {}
        for _, m in self.nested:
            if "anzcerta_qualifying_full" in m.attributes:
                found.setdefault(cite("r 47(a)(iv)"), []).append(m.id)
            if "anzcerta_qualifying_partial" in m.attributes:
                found.setdefault(cite("r 47(a)(v)"), []).append(m.id)
                found.setdefault(cite("r 47(c)"), []).append(m.id)
        return found

    def former_paragraphs(self) -> dict[Citation, list[str]]:
        """The paragraphs referring to the former rules (r 47(a)(iv), r 47(a)(v) with
        r 47(c)) that materials of the case are claimed under, with the materials (found
        once per determination, in ``self.nested``: a top-level line without attributes
        claims none)."""
        return self._former

    def readings(self) -> tuple[Step, ...]:
        """How the references to former regs 33(1)(c) and 35 were read, per paragraph."""
        return tuple(
            Step(
                "reference to the former rules",
                paragraph,
                MEETS,
                f"{ids(names)}: {paragraph} refers to former regs 33(1)(c) and 35; read as "
                f"'{self.reading}' (decision record 0008; case fact cross_references)",
                (("reading", self.reading),),
            )
            for paragraph, names in self.former_paragraphs().items()
        )
