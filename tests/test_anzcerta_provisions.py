"""ANZCERTA provisions whose conditions the other tests leave unexercised.

Each test holds one condition of regs 33(2)(d), 33(2)(e) or 37 to its text: the case is
built so that, were the condition dropped, the verdict would change. The arithmetic is in
each test's docstring or comments, from the regulation text.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
import worked
from anzcerta_cases import ANZCERTA, case, decide, material, uncited

from origin.citation import cite
from origin.determination import Determination, Outcome, Step, Verdict

TIMBER = "4407.11"  # heading 44.07, chapter 44
LOGS = "4403.21"  # unwrought logs: an unmanufactured raw product (r 32 (d))
FITTINGS = "8302.42"
WAGES_AU = {"id": "W", "category": "wages", "amount": "200.00", "incurred_in": "AU"}


def _class(d: Determination, label: str) -> Step:
    """The top-level step for the r 33(2) class whose title starts with ``label``."""
    return next(s for s in d.steps if s.test.startswith(label))


def _factory_cost(d: Determination) -> Fraction | None:
    return next(r.value for r in d.rvc if r.method == "factory-cost")


# --------------------------------------------------------------------------- r 37


@pytest.mark.parametrize(
    ("psr", "verdict"),
    [
        # r 37(1): the regulation applies where 50% (factory cost) is required; 49% is in the
        # r 37(2)(a) band, so the statement deems it at least 50%.
        ("RVC50 (factory-cost)", Verdict.ORIGINATING),
        # A 55% requirement is not one r 37 relieves: 49% < 55% fails, statement or not.
        ("RVC55 (factory-cost)", Verdict.NOT_ORIGINATING),
    ],
)
def test_tolerance_applies_only_where_50_percent_is_required(psr: str, verdict: Verdict) -> None:
    """FC = 510.00 + 290.00 + wages 200.00 = 1000.00; QE = 290.00 + 200.00 = 490.00 → 49%."""
    d = decide(
        case(
            psr,
            materials=[
                material("T", TIMBER, "510.00", "non-originating", origin_country="US"),
                material("F", FITTINGS, "290.00", "originating", origin_country="AU"),
            ],
            costs=[WAGES_AU],
            facts={"r37_statement": "CE statement 2025/014 of 2025-03-02"},
        )
    )
    assert _factory_cost(d) == 49
    assert d.verdict is verdict


@pytest.mark.parametrize(
    ("value", "rvc", "verdict"),
    [
        # Glue at 10.00: FC = 510.00 + 10.00 + 290.00 + wages 200.00 = 1010.00, QE = 290.00
        # + 200.00 = 490.00 → 48.51…% = 4900/101, in the r 37(2)(a) band (48% ≤ RVC < 50%):
        # the statement deems it at least 50% (r 37(3)(a)).
        ("10.00", Fraction(4900, 101), Verdict.ORIGINATING),
        # Glue's value unknown: the known figures give FC = 1000.00, QE = 490.00 → 49%. The
        # glue is non-originating, so its value x adds to FC only: RVC = 490 / (1000 + x)
        # × 100 ≤ 49%, an upper bound. For x > 20.83 it is below 48%, which r 37(2)(a) does
        # not let a statement cover: the value is needed.
        (None, Fraction(49), Verdict.NEEDS_INFORMATION),
    ],
)
def test_tolerance_on_an_upper_bound_needs_the_missing_value(
    value: str | None, rvc: Fraction, verdict: Verdict
) -> None:
    glue = material("G", "3506.91", "0", "non-originating", origin_country="US")
    glue["value"] = value
    d = decide(
        case(
            "RVC50 (factory-cost)",
            materials=[
                material("T", TIMBER, "510.00", "non-originating", origin_country="US"),
                glue,
                material("F", FITTINGS, "290.00", "originating", origin_country="AU"),
            ],
            costs=[WAGES_AU],
            facts={"r37_statement": "CE statement 2025/014 of 2025-03-02"},
        )
    )
    fc = next(r for r in d.rvc if r.method == "factory-cost")
    assert fc.value == rvc
    assert d.verdict is verdict
    if value is None:
        assert fc.bound == "at most"
        assert fc.outcome is Outcome.NEEDS_INFO
        assert any("value of material G" in m for m in d.missing)


# --------------------------------------------------------------------------- r 33(2)(e)


def _class_e_case(last: str) -> dict[str, Any]:
    """Imported 2011-06-01 with the r 39C(2) election, so r 33(2)(e) alone decides.

    FC = 400.00 + 300.00 + wages 300.00 = 1000.00; QE = 300.00 + 300.00 = 600.00 → 60%
    ≥ 50% (r 33(2)(e)(ii)); only the place of the last process differs.
    """
    data = case(
        None,
        materials=[
            material("T", TIMBER, "400.00", "non-originating", origin_country="US"),
            material("F", FITTINGS, "300.00", "originating", origin_country="NZ"),
        ],
        costs=[{"id": "W", "category": "wages", "amount": "300.00", "incurred_in": last}],
        facts={"election_33_2_e": True},
        produced_in=["AU", "NZ"],
        last_process_in=last,
    )
    data["consignment"]["imported_on"] = "2011-06-01"
    return data


@pytest.mark.parametrize(
    ("last", "verdict"),
    [
        ("AU", Verdict.ORIGINATING),
        # r 33(2)(e)(i): the last process must be performed in Australia, not just in a party.
        ("NZ", Verdict.NOT_ORIGINATING),
    ],
)
def test_class_e_last_process_must_be_in_australia(last: str, verdict: Verdict) -> None:
    d = decide(_class_e_case(last))
    assert _factory_cost(d) == 60
    assert d.verdict is verdict
    step = _class(d, "class 33(2)(e)")
    last_step = next(s for s in step.walk() if s.test == "last process in Australia")
    assert last_step.citation == cite("r 33(2)(e)(i)")
    assert last_step.outcome is Outcome.of(last == "AU")


# --------------------------------------------------------------------------- r 33(2)(d)


def _raw_case(last: str, psr: str | None) -> dict[str, Any]:
    """Sawn timber from logs (r 33(2)(d)(i)); the logs' origin is not established, so
    r 33(2)(b) fails, and CC (logs 44.03 → timber 44.07 stay in chapter 44, 600.00 of
    1000.00 = 60% > 10% de minimis) fails r 33(2)(c)."""
    return case(
        psr,
        materials=[
            material(
                "LOGS", LOGS, "600.00", "undetermined", attributes=["unmanufactured_raw_product"]
            )
        ],
        hs=TIMBER,
        operations=["sawing", "kiln drying"],
        last_process_in=last,
    )


@pytest.mark.parametrize("psr", [None, "CC"])
def test_class_d_last_process_outside_the_parties_fails(psr: str | None) -> None:
    """r 33(2)(d): the goods must be wholly manufactured in the parties; a last process in
    Singapore means they were not, though every material is an unmanufactured raw product."""
    d = decide(_raw_case("SG", psr))
    step = _class(d, "class 33(2)(d)")
    assert step.outcome is Outcome.FAILS
    assert any(s.summary == "last process in SG" for s in step.walk())
    assert d.verdict is not Verdict.ORIGINATING
    if psr is not None:  # with every other class failing, the verdict is a plain no
        assert d.verdict is Verdict.NOT_ORIGINATING


def test_class_d_last_process_in_a_party_passes() -> None:
    """The same goods last processed in Australia fall in r 33(2)(d)(i)."""
    d = decide(_raw_case("AU", "CC"))
    assert _class(d, "class 33(2)(d)").outcome is Outcome.MEETS
    assert d.verdict is Verdict.ORIGINATING
    assert any("r 33(2)(d)" in b for b in d.basis)


def _manufactured_raw_case(facts: dict[str, Any] | None) -> dict[str, Any]:
    """Aluminium plate rolled in Australia from imported Chinese ingots relied on as
    manufactured raw materials (r 33(2)(d)(iii)). Classes (a) and (b) fail (the ingots are
    non-originating); CC fails (ingots 76.01 → plate 76.06, same chapter; 600.00 of
    1000.00 = 60% > 10% de minimis), so (d) alone can decide."""
    return case(
        "CC",
        materials=[
            material(
                "INGOTS",
                "7601.10",
                "600.00",
                "non-originating",
                origin_country="CN",
                attributes=["manufactured_raw_material"],
            )
        ],
        facts=facts,
        hs="7606.12",
        operations=["rolling", "annealing"],
    )


def test_manufactured_raw_material_needs_the_chief_executives_determination() -> None:
    d = decide(_manufactured_raw_case(None))
    assert d.verdict is Verdict.NEEDS_INFORMATION
    assert any("r 33(2)(d)(iii) determination" in m for m in d.missing)
    step = _class(d, "class 33(2)(d)")
    assert step.outcome is Outcome.NEEDS_INFO
    ce = next(s for s in step.walk() if s.test == "chief executive determination")
    assert ce.citation == cite("r 33(2)(d)(iii)")


def test_manufactured_raw_material_with_the_determination_originates() -> None:
    d = decide(_manufactured_raw_case({"manufactured_raw_material_determination": "CE 2024/07"}))
    assert d.verdict is Verdict.ORIGINATING
    assert any("r 33(2)(d)" in b for b in d.basis)


# --------------------------------------------------------------------------- citations (issue 13)


def _tolerance_case(facts: dict[str, object], timber: str = "510.00") -> dict[str, Any]:
    """FC = timber + 290.00 + wages 200.00; QE = 290.00 + 200.00 = 490.00. With timber at
    510.00, RVC = 490.00 / 1000.00 × 100 = 49%, in the r 37(2)(a) band."""
    return case(
        "RVC50 (factory-cost)",
        materials=[
            material("T", TIMBER, timber, "non-originating", origin_country="US"),
            material("F", FITTINGS, "290.00", "originating", origin_country="AU"),
        ],
        costs=[WAGES_AU],
        facts=facts,
    )


@pytest.mark.parametrize(
    ("facts", "cited"),
    [
        # r 37(3)(a): the goods the statement was made for; r 37(1), (2)(a), (2) relied on.
        ({"r37_statement": "CE 2025/1"}, {"r 37(1)", "r 37(2)", "r 37(2)(a)", "r 37(3)(a)"}),
        # r 37(3)(b) with r 37(5): similar goods in a later shipment.
        (
            {"r37_statement": "CE 2025/1", "r37_similar_goods": True},
            {"r 37(2)", "r 37(3)(b)", "r 37(5)"},
        ),
    ],
)
def test_tolerance_deeming_is_a_cited_step(facts: dict[str, object], cited: set[str]) -> None:
    """Before issue 13 the deeming was named only in the RVC note: ``citations`` had none of
    r 37's provisions."""
    d = decide(_tolerance_case(facts))
    assert d.verdict is Verdict.ORIGINATING
    assert cited <= {str(c) for c in d.citations()}
    step = next(s for top in d.steps for s in top.walk() if s.test == "r 37 tolerance")
    assert step.outcome is Outcome.MEETS
    assert uncited(d) == []


def test_tolerance_without_statement_cites_what_it_names() -> None:
    """49% in the band without a statement fails; the note names r 37(2), now cited."""
    d = decide(_tolerance_case({}))
    assert d.verdict is Verdict.NOT_ORIGINATING
    assert {"r 37(2)", "r 37(2)(a)"} <= {str(c) for c in d.citations()}
    assert uncited(d) == []


def test_minimal_operations_cite_their_paragraphs() -> None:
    """Packing (r 33A(1)(d)) and quality control (r 33A(1)(e)) alone confer no origin: each
    paragraph relied on is a cited step."""
    d = decide(case("CTH", operations=["packing", "inspection"]))
    assert d.verdict is Verdict.NOT_ORIGINATING
    assert {"r 33A(1)(d)", "r 33A(1)(e)"} <= {str(c) for c in d.citations()}
    assert uncited(d) == []


@pytest.mark.parametrize("path", worked.files(ANZCERTA), ids=lambda p: p.stem)
def test_every_provision_named_is_cited(path: Any) -> None:
    """Every provision a worked case's determination names in its text (steps, RVC notes,
    notes, obligations, material notes) is among its structured citations."""
    assert uncited(worked.run(ANZCERTA, path)) == []


# --------------------------------------------------------------------------- r 37(4), r 39D, r 39G


def test_revoked_statement_deems_nothing() -> None:
    """r 37(4): "The chief executive may at any time amend or revoke any statement made under
    subclause (2)". Revoked, the statement no longer deems 49% to be at least 50%: it fails
    (before issue 13 there was no fact for a revocation: the case was refused)."""
    facts: dict[str, object] = {"r37_statement": "CE 2025/1", "r37_statement_revoked": True}
    d = decide(_tolerance_case(facts))
    assert d.verdict is Verdict.NOT_ORIGINATING
    step = next(s for top in d.steps for s in top.walk() if s.test == "statement in force")
    assert str(step.citation) == "r 37(4)" and step.outcome is Outcome.FAILS
    assert "r 37(4)" not in {str(o.citation) for o in d.obligations}
    assert uncited(d) == []


def test_statement_relied_on_lists_r_37_4() -> None:
    """A determination that relies on a statement says that it may be amended or revoked."""
    d = decide(_tolerance_case({"r37_statement": "CE 2025/1"}))
    assert d.verdict is Verdict.ORIGINATING
    assert any(str(o.citation) == "r 37(4)" and "CE 2025/1" in o.text for o in d.obligations)


def test_claims_and_decisions_are_listed_with_citations() -> None:
    """r 39D(1), (3) and r 39G(1)–(3) say how a claim is made and decided; none of them
    changes whether goods are originating, so they are obligations, each cited."""
    d = decide(case("CTH", materials=[material("T", TIMBER, "300.00", "non-originating")]))
    listed = [str(o.citation) for o in d.obligations]
    for provision in ("r 39D(1)", "r 39D(2)", "r 39D(3)", "r 39E(3)", "r 39F"):
        assert provision in listed
    for provision in ("r 39G(1)", "r 39G(2)", "r 39G(3)"):
        assert provision in listed
    assert {"r 39D(1)", "r 39D(3)", "r 39G(1)"} <= {str(c) for c in d.citations()}
    assert uncited(d) == []


@pytest.mark.parametrize(
    ("unknown", "verdict"),
    [
        # Only an originating value is missing: QE and FC both grow by it, so the RVC is at
        # least (490.00 + x) / (1000.00 + x) ≥ 49% ≥ 48%: either 50% or more, or in the band
        # the statement covers. Originating (before issue 13: needs information).
        (["originating"], Verdict.ORIGINATING),
        # An originating and a non-originating value are missing: the RVC may be anything,
        # below 48% too, which no statement covers (before issue 13: deemed, originating).
        (["originating", "non-originating"], Verdict.NEEDS_INFORMATION),
    ],
)
def test_tolerance_with_missing_values_deems_only_what_is_surely_48(
    unknown: list[str], verdict: Verdict
) -> None:
    data = _tolerance_case({"r37_statement": "CE 2025/1"})
    for n, status in enumerate(unknown):
        country = "AU" if status == "originating" else "US"
        extra = material(f"X{n}", "3506.91", "0", status, origin_country=country)
        extra["value"] = None
        data["materials"].append(extra)
    d = decide(data)
    fc = next(r for r in d.rvc if r.method == "factory-cost")
    assert fc.value == 49
    assert d.verdict is verdict
