"""Worked cases of materials relying on supplier declarations (issue 21).

The desk of ANZCERTA worked case 07, with one more line: glue from an Australian supplier,
worth one cent, originating only because the supplier's declaration D-17 says so. Its rule
is RVC50 build-down (r 36(1)): RVC = (AV − VNM) / AV × 100, AV = 200.00.

* D-17 valid on the importation day (2025-06-01): VNM = 60.00 + 40.00 = 100.00, RVC =
  (200.00 − 100.00) / 200.00 × 100 = 50 %: originating (exactly at the threshold).
* D-17 expired the day before (valid to 2025-05-31): the glue is of undetermined origin,
  counted as non-originating (r 32 "non-originating materials"): VNM = 100.01, RVC =
  (200.00 − 100.01) / 200.00 × 100 = 99.99 / 2 = 49.995 %: fails by one cent.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest

from origin import registry
from origin.caseio import determination_to_json
from origin.declarations import Declaration, DeclarationError, Register
from origin.declarations.resolve import Match, Use
from origin.determination import Determination, Verdict
from origin.explain import explain
from origin.model import Case, Consignment, Good, Material, OriginStatus

ANZCERTA = registry.get("anzcerta")
DOCS = Path(__file__).resolve().parent.parent / "docs"
IMPORTED = dt.date(2025, 6, 1)


def desk(**glue: object) -> Case:
    values: dict[str, object] = {
        "hs": "3506.91",
        "value": "0.01",
        "status": "originating",
        "origin_country": "AU",
        "supplier": "Bondwell Pty",
        "supplier_part": "BW-500",
    }
    values.update(glue)
    return Case(
        Good(
            "DESK-1",
            hs="9403.30",
            adjusted_value="200.00",
            produced_in=("AU",),
            last_process_in="AU",
            operations=("sawing", "joinery", "assembly", "finishing"),
        ),
        "AUD",
        materials=(
            Material(
                "TIMBER", hs="4407.11", value="60.00", status="non-originating", origin_country="US"
            ),
            Material(
                "FITTINGS",
                hs="8302.42",
                value="40.00",
                status="non-originating",
                origin_country="CN",
            ),
            Material("GLUE", **values),  # type: ignore[arg-type]
        ),
        consignment=Consignment(exported_from="AU", imported_on=IMPORTED, transit=()),
        psr="RVC50 (build-down)",
    )


def d17(**changes: object) -> Declaration:
    values: dict[str, object] = {
        "reference": "D-17",
        "supplier": "Bondwell Pty",
        "supplier_part": "BW-500",
        "hs": "3506.91",
        "origin_country": "AU",
        "agreements": ["anzcerta"],
        "status": "originating",
        "valid_from": "2025-01-01",
        "valid_to": "2025-12-31",
        "document": "LTSD-2025-017",
        "kept_at": "s3://evidence/declarations/D-17.pdf",
    }
    values.update(changes)
    return Declaration.of(**values)


def decide(register: Register | None, case: Case | None = None) -> tuple[Determination, Any]:
    """The desk decided under ANZCERTA, and the glue's evidence (None: no register)."""
    d = ANZCERTA.determine(case or desk(), IMPORTED, declarations=register)
    glue = next((u for u in d.declarations if u.material == "GLUE"), None)
    return d, glue


def build_down(d: Determination) -> Fraction | None:
    return next(r.value for r in d.rvc if r.method == "build-down")


def test_valid_on_the_import_date_backs_the_glue() -> None:
    d, glue = decide(Register.of([d17()]))
    assert d.verdict is Verdict.ORIGINATING
    # (200.00 − 100.00) / 200.00 × 100 = 50 exactly.
    assert build_down(d) == Fraction(50)
    assert glue.use is Use.BACKED and glue.declaration == "D-17"
    assert glue.matched_by is Match.SUPPLIER_PART
    assert glue.status is OriginStatus.ORIGINATING
    assert glue.kept_at == "s3://evidence/declarations/D-17.pdf"
    assert glue.on == IMPORTED
    row = next(r for r in d.materials if r.id == "GLUE")
    assert row.counted_as == "VOM"


def test_expired_the_day_before_fails_the_rvc_by_one_cent() -> None:
    d, glue = decide(Register.of([d17(valid_to="2025-05-31")]))
    assert d.verdict is Verdict.NOT_ORIGINATING
    # VNM = 60.00 + 40.00 + 0.01 = 100.01; (200.00 − 100.01) / 200.00 × 100 = 49.995 < 50.
    assert (
        build_down(d)
        == (Decimal("200.00") - Decimal("100.01")) / Decimal("2.00")
        == Decimal("49.995")
    )
    assert build_down(d) == Fraction(9999, 200)
    assert glue.use is Use.EXPIRED
    assert glue.status is OriginStatus.UNDETERMINED
    assert "D-17 expired on 2025-05-31" in glue.reason
    assert "counted as non-originating" in glue.reason
    cited = {str(c) for c in glue.citations}
    assert {"r 32 non-originating materials", "r 39E(2)"} <= cited
    row = next(r for r in d.materials if r.id == "GLUE")
    assert row.counted_as == "VNM" and row.status == "non-originating"


def test_without_a_register_nothing_changes() -> None:
    plain = ANZCERTA.determine(desk(), IMPORTED)
    assert plain.declarations == ()
    assert plain.verdict is Verdict.ORIGINATING  # the typed status is taken as given
    assert plain == ANZCERTA.determine(desk(), IMPORTED, declarations=None)


def test_not_yet_valid() -> None:
    d, glue = decide(Register.of([d17(valid_from="2025-06-02")]))
    assert d.verdict is Verdict.NOT_ORIGINATING
    assert glue.use is Use.NOT_YET_VALID
    assert "valid from 2025-06-02" in glue.reason


def test_for_another_agreement_only() -> None:
    d, glue = decide(Register.of([d17(agreements=["aanzfta"])]))
    assert d.verdict is Verdict.NOT_ORIGINATING
    assert build_down(d) == Fraction(9999, 200)
    assert glue.use is Use.OTHER_AGREEMENT
    assert "given for aanzfta, not anzcerta" in glue.reason
    # The same register backs the glue under AANZFTA (the declaration is for it).
    aanzfta = registry.get("aanzfta")
    aanzfta_desk = attrs.evolve(desk(), psr="RVC40 (indirect)")
    only_aanzfta = Register.of([d17(agreements=["aanzfta"])])
    under = aanzfta.determine(aanzfta_desk, IMPORTED, declarations=only_aanzfta)
    assert next(u for u in under.declarations if u.material == "GLUE").use is Use.BACKED


def test_missing_declaration() -> None:
    d, glue = decide(Register.of([d17(supplier_part="BW-501")]))
    assert glue.use is Use.MISSING and glue.declaration == ""
    assert d.verdict is Verdict.NOT_ORIGINATING


def test_a_named_declaration_not_in_the_register() -> None:
    _, glue = decide(Register.of([d17()]), desk(declaration="D-99"))
    assert glue.use is Use.MISSING and glue.declaration == "D-99"
    assert "'D-99' is not in the register" in glue.reason


def test_named_and_by_material_id() -> None:
    named = Register.of([d17(supplier="", supplier_part="", material="X-1")])
    _, glue = decide(named, desk(declaration="D-17", supplier=None, supplier_part=None))
    assert glue.use is Use.BACKED and glue.matched_by is Match.NAMED
    by_id = Register.of([d17(supplier="", supplier_part="", material="GLUE")])
    _, glue = decide(by_id, desk(supplier=None, supplier_part=None))
    assert glue.use is Use.BACKED and glue.matched_by is Match.MATERIAL_ID


def test_overlapping_declarations_agreeing_back_with_the_latest() -> None:
    renewed = d17(reference="D-18", valid_from="2025-05-01", valid_to="2026-04-30")
    d, glue = decide(Register.of([d17(), renewed]))
    assert d.verdict is Verdict.ORIGINATING
    assert glue.declaration == "D-18" and glue.others == ("D-17",)
    assert "overlapping: D-17" in glue.reason


def test_overlapping_declarations_disagreeing_leave_origin_undetermined() -> None:
    contrary = d17(reference="D-18", status="non-originating", valid_from="2025-05-01")
    d, glue = decide(Register.of([d17(), contrary]))
    assert d.verdict is Verdict.NOT_ORIGINATING
    assert glue.use is Use.CONFLICTING
    assert "D-17 originating; D-18 non-originating" in glue.reason


def test_a_declaration_from_outside_the_parties_does_not_back() -> None:
    _, glue = decide(Register.of([d17(origin_country="CN")]), desk(origin_country=None))
    assert glue.use is Use.MISMATCH
    assert "not a party" in glue.reason


def test_the_declaration_fills_in_country_and_hs() -> None:
    case = desk(origin_country=None, hs=None)
    d, glue = decide(Register.of([d17()]), case)
    assert glue.use is Use.BACKED
    row = next(r for r in d.materials if r.id == "GLUE")
    assert row.hs == "3506.91"


def test_non_originating_and_intermediates_need_no_declaration() -> None:
    d, _ = decide(Register.of([d17()]))
    uses = {u.material: u for u in d.declarations}
    assert uses["TIMBER"].use is Use.NOT_NEEDED
    assert uses["TIMBER"].status is OriginStatus.NON_ORIGINATING
    # A sub-assembly with its own BOM is decided from its components, each relying on its
    # own declaration: the glue inside it expired, so the sub-assembly is decided without it.
    glue = desk().material("GLUE")
    sub = Material(
        "DRAWER",
        hs="9403.99",
        value="0.01",
        status="originating",
        origin_country="AU",
        self_produced=True,
        components=(attrs.evolve(glue, id="GLUE-2"),),
    )
    case = desk().without("GLUE").adding(sub)
    d, _ = decide(Register.of([d17(valid_to="2025-05-31")]), case)
    uses = {u.material: u for u in d.declarations}
    assert uses["DRAWER"].use is Use.NOT_NEEDED and "components" in uses["DRAWER"].reason
    assert uses["GLUE-2"].use is Use.EXPIRED


def test_what_if_a_declaration_lapses() -> None:
    register = Register.of([d17()])
    lapsed = register.lapsed("D-17", on=IMPORTED)
    assert lapsed.get("D-17").valid_to == dt.date(2025, 5, 31)
    assert register.get("D-17").valid_to == dt.date(2025, 12, 31)  # a new register
    d, _ = decide(lapsed)
    assert d.verdict is Verdict.NOT_ORIGINATING
    assert decide(register.without("D-17"))[1].use is Use.MISSING
    with pytest.raises(KeyError, match="D-99"):
        register.lapsed("D-99", on=IMPORTED)
    # Lapsing before it started leaves nothing of it.
    assert not register.lapsed("D-17", on=dt.date(2025, 1, 1)).named("D-17")


def test_evidence_json_is_stable_and_comparable() -> None:
    _, g1 = decide(Register.of([d17()]))
    _, g2 = decide(Register.of([d17()]))
    assert g1 == g2
    data = g1.to_json()
    assert data["use"] == "backed" and data["declaration"] == "D-17"
    assert data["matched_by"] == "supplier part" and data["on"] == "2025-06-01"


def test_the_declaration_field_rules_are_the_case_readers() -> None:
    with pytest.raises(DeclarationError, match=r"valid_to: '2025-02-30' is not a date"):
        d17(valid_to="2025-02-30")
    with pytest.raises(DeclarationError, match=r"origin_country: 'au' is not a two-letter"):
        d17(origin_country="au")
    with pytest.raises(DeclarationError, match=r"agreements: 'nosuch' is not one of"):
        d17(agreements=["nosuch"])
    with pytest.raises(DeclarationError, match=r"valid_to: 2024-12-31 is before valid_from"):
        d17(valid_to="2024-12-31")


def test_the_json_determination_carries_the_evidence_only_with_a_register() -> None:
    schema = json.loads((DOCS / "determination.schema.json").read_text(encoding="utf-8"))
    d, _ = decide(Register.of([d17(valid_to="2025-05-31")]))
    data = determination_to_json(d)
    jsonschema.validate(data, schema)
    glue = next(u for u in data["declarations"] if u["material"] == "GLUE")
    assert glue["use"] == "expired" and glue["declaration"] == "D-17"
    assert glue["citations"][0]["text"] == "r 32 non-originating materials"
    assert "declarations" not in determination_to_json(ANZCERTA.determine(desk(), IMPORTED))


def test_explain_names_the_declaration_and_why() -> None:
    d, _ = decide(Register.of([d17(valid_to="2025-05-31")]))
    text = explain(d)
    assert "Supplier declarations (on 2025-06-01: 0 material(s) backed, 1 not backed" in text
    assert "GLUE           expired          D-17 (by supplier part)" in text
    backed = explain(decide(Register.of([d17()]))[0])
    assert "document LTSD-2025-017, kept at s3://evidence/declarations/D-17.pdf" in backed
    assert "Supplier declarations" not in explain(ANZCERTA.determine(desk(), IMPORTED))


def test_the_broker_export_names_the_declarations() -> None:
    from origin.workbook import export  # noqa: PLC0415 - the export's own module

    def row(register: Register | None) -> dict[str, str]:
        d, _ = decide(register)
        return export.broker_row(export.Decided("desk.xlsx", "DESK-1", ANZCERTA, desk(), d))

    assert row(Register.of([d17()]))["declarations"] == "GLUE=D-17"
    lapsed = row(Register.of([d17(valid_to="2025-05-31")]))
    assert lapsed["declarations"] == "" and lapsed["declarations_not_backed"] == (
        "GLUE: expired D-17"
    )
    assert lapsed["claim_preference"] == "no"
    plain = row(None)
    assert plain["declarations"] == plain["declarations_not_backed"] == ""
    assert plain["schema"] == "origin-broker/5"
