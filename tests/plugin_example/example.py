"""A test-only agreement of the common families: its regime is all in ``example.toml``.

This module holds only what the law file cannot say: its classes (wholly obtained, art 2(a);
produced meeting the product-specific rule, art 2(b)) and the minimal operations test (art 5).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from origin.agreement import Agreement
from origin.citation import Citation
from origin.decision import Decision
from origin.determination import MEETS, NEEDS_INFO, Determination, Step, Verdict
from origin.engine import minimal_operations_step
from origin.law import LawBook
from origin.model import Case
from origin.regime import DeclaredRegime

HERE = Path(__file__).parent
LAW = LawBook.load(HERE / "example.toml")


def art(text: str) -> Citation:
    return Citation.parse(text, LAW.instrument)


class _Run(Decision):
    law = LAW
    declared = DeclaredRegime.read(LAW)

    def wholly_obtained_class(self) -> Step:
        return self.wholly_obtained(art("art 2(a)"), "wholly obtained")

    def determine(self) -> Determination:
        wholly = self.wholly_obtained_class()
        place = self.produced_in_parties(art("art 2(b)"))
        minimal = LAW.vocabulary("minimal_operations")
        operations = minimal_operations_step(
            self.case.good.operations, minimal, art("art 5"), "operations performed on the goods"
        )
        rule = self.parse_psr()
        psr = (
            self.evaluate_psr(rule, art("art 2(b)"))
            if rule is not None
            else Step("rule", art("art 2(b)"), NEEDS_INFO, "no rule", missing=("the rule",))
        )
        produced = place.outcome & psr.outcome & operations.outcome
        verdict = Verdict.from_outcome(wholly.outcome | produced)
        basis = ["art 2(a)"] if wholly.outcome is MEETS else [f"art 2(b) ({self.case.psr})"]
        return self.conclude(verdict, basis, [wholly, place, psr, operations])


def decide(case: Case, date: dt.date) -> Determination:
    return _Run.decide(case, date)


AGREEMENT = Agreement("example", LAW.title, LAW.regulations, LAW, decide)
