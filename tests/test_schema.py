"""docs/case.schema.json against the reader it documents (origin.caseio.case_from_json).

The schema is a promise to people who write cases: a document it accepts must be read, and
the documents it refuses must be refused by the reader too. So every worked case and the demo
must validate, and so must what the writer makes of them. Each invalid document below is
refused by both, the reader naming the field's path.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from origin import caseio
from origin.caseio import CaseFormatError, case_from_json, case_to_json
from origin.model import AccessoryKind, OriginStatus, Packaging, ValueBasis

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "docs" / "case.schema.json"
WORKED = sorted((ROOT / "agreements" / "cases").glob("*/*.json"))


def _load(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


SCHEMA: dict[str, Any] = _load(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _demo() -> dict[str, Any]:
    text = resources.files("origin").joinpath("data", "demo_case.json").read_text("utf-8")
    data: dict[str, Any] = _load(text)
    return data


def _documents() -> list[Any]:
    docs = [pytest.param(_load(p.read_text("utf-8"))["case"], id=p.stem) for p in WORKED]
    return [*docs, pytest.param(_demo(), id="demo_case")]


def _errors(document: object) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
        for e in VALIDATOR.iter_errors(document)
    ]


# --------------------------------------------------------------------------- the schema itself


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"]
    assert SCHEMA["title"]
    assert SCHEMA["x-version"] == "1"
    assert SCHEMA["properties"]["schema"]["const"] == caseio.SCHEMA


@pytest.mark.parametrize(
    ("definition", "fields"),
    [
        pytest.param(None, caseio._TOP, id="top"),
        pytest.param("good", caseio._GOOD, id="good"),
        pytest.param("material", caseio._MATERIAL, id="material"),
        pytest.param("cost", caseio._COST, id="cost"),
    ],
)
def test_schema_fields_are_the_fields_the_reader_allows(
    definition: str | None, fields: tuple[str, ...]
) -> None:
    node = SCHEMA if definition is None else SCHEMA["$defs"][definition]
    assert node["additionalProperties"] is False
    assert set(node["properties"]) == set(fields)
    for name, prop in node["properties"].items():
        assert prop.get("description"), f"{definition or 'top'}.{name} has no description"


def _enum(definition: str, field: str) -> set[str]:
    prop = SCHEMA["$defs"][definition]["properties"][field]
    options = [alt["enum"] for alt in prop["anyOf"] if "enum" in alt]
    assert len(options) == 1
    return set(options[0])


@pytest.mark.parametrize(
    ("definition", "field", "kind"),
    [
        ("material", "status", OriginStatus),
        ("material", "packaging", Packaging),
        ("material", "basis", ValueBasis),
        ("accessory", "kind", AccessoryKind),
    ],
)
def test_schema_enumerations_match_the_model(definition: str, field: str, kind: Any) -> None:
    assert _enum(definition, field) == {member.value for member in kind}


def test_every_worked_case_is_checked() -> None:
    assert len(WORKED) >= 25, f"expected the 25 ANZCERTA worked cases, found {len(WORKED)}"


# --------------------------------------------------------------------------- valid documents


@pytest.mark.parametrize("document", _documents())
def test_worked_and_demo_cases_validate(document: dict[str, Any]) -> None:
    assert _errors(document) == []
    case_from_json(document)  # and the reader agrees


@pytest.mark.parametrize("document", _documents())
def test_written_cases_validate(document: dict[str, Any]) -> None:
    written = case_to_json(case_from_json(document))
    # Through JSON text, as a file would be written and read back.
    reread = _load(json.dumps(written))
    assert _errors(reread) == []
    case_from_json(reread)


def _base() -> dict[str, Any]:
    """A small case touching every object kind: component, adjustment, accessory, cost, stop."""
    return {
        "schema": "origin-case/1",
        "currency": "AUD",
        "psr": "CTH",
        "good": {
            "id": "DESK-1",
            "hs": "9403.30",
            "adjusted_value": "1000.00",
            "produced_in": ["AU"],
            "last_process_in": "AU",
            "operations": ["joinery"],
        },
        "materials": [
            {
                "id": "TIMBER",
                "hs": "4407.11",
                "value": "300.00",
                "status": "non-originating",
                "origin_country": "US",
                "adjustments": [{"kind": "freight", "amount": "20.00"}],
            },
            {
                "id": "DRAWERS",
                "hs": "9403.91",
                "value": "200.00",
                "self_produced": True,
                "components": [{"id": "D-TIMBER", "hs": "4407.11", "value": "80.00"}],
            },
            {
                "id": "KEY",
                "value": "1.50",
                "status": "non-originating",
                "accessory": {"kind": "tool", "invoiced_separately": False, "customary": True},
            },
        ],
        "costs": [{"id": "L1", "category": "wages", "amount": "150.00", "incurred_in": "AU"}],
        "consignment": {
            "exported_from": "AU",
            "imported_on": "2025-06-01",
            "transit": [{"country": "SG", "operations": ["unloading"]}],
        },
        "facts": {"r37_statement": "CE statement 2025/014"},
    }


_DELETE = object()


def _changed(path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    document = copy.deepcopy(_base())
    *parents, last = path
    node: Any = document
    for key in parents:
        node = node[key]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return document


def test_base_document_is_valid() -> None:
    # The invalid documents below each differ from this one in a single field.
    assert _errors(_base()) == []
    case_from_json(_base())


@pytest.mark.parametrize(
    ("path", "value"),
    [
        pytest.param(("good", "adjusted_value"), "0", id="zero-string"),
        pytest.param(("good", "adjusted_value"), 0, id="zero-number"),
        pytest.param(("good", "adjusted_value"), Decimal("1234.5"), id="decimal-number"),
        pytest.param(("good", "adjusted_value"), "1E+3", id="exponent-string"),
        pytest.param(("good", "adjusted_value"), "0.50", id="plain-decimal"),
        pytest.param(("good", "adjusted_value"), None, id="null-amount"),
        pytest.param(("good", "hs"), "94", id="hs-chapter"),
        pytest.param(("good", "hs"), "940330", id="hs-without-dots"),
        pytest.param(("good", "hs"), "9403.30.00", id="hs-tariff-item"),
        pytest.param(("good", "operations"), None, id="operations-not-stated"),
        pytest.param(("good", "operations"), [], id="operations-none"),
        pytest.param(("consignment", "transit"), None, id="transit-not-stated"),
        pytest.param(("materials", 0, "status"), "undetermined", id="status-undetermined"),
        pytest.param(("materials", 0, "packaging"), "retail", id="packaging-retail"),
        pytest.param(("materials", 2, "accessory"), {}, id="accessory-defaults"),
        pytest.param(("materials", 1, "produced_in"), "NZ", id="intermediate-produced-in"),
        pytest.param(("facts",), None, id="facts-null"),
    ],
)
def test_schema_accepts_only_what_the_reader_reads(path: tuple[Any, ...], value: object) -> None:
    document = _changed(path, value)
    assert _errors(document) == []
    case_from_json(document)


# --------------------------------------------------------------------------- invalid documents


@pytest.mark.parametrize(
    ("path", "value", "problem_at"),
    [
        pytest.param(("extra",), 1, "extra", id="unknown-top-field"),
        pytest.param(("good", "adjusted_value"), ".5", "good.adjusted_value", id="leading-point"),
        pytest.param(("good", "adjusted_value"), "5.", "good.adjusted_value", id="trailing-point"),
        pytest.param(("good", "adjusted_value"), " 5", "good.adjusted_value", id="spaces"),
        pytest.param(("good", "adjusted_value"), "1_000", "good.adjusted_value", id="underscore"),
        pytest.param(("good", "adjusted_value"), "+5", "good.adjusted_value", id="plus-sign"),
        pytest.param(("good", "adjusted_value"), "-0.00", "good.adjusted_value", id="minus-zero"),
        pytest.param(
            ("good", "adjusted_value"),
            "\u0661\u0662",
            "good.adjusted_value",
            id="arabic-indic-digits",
        ),
        pytest.param(
            ("good", "last_process_in"), "AU\n", "good.last_process_in", id="country-newline"
        ),
        pytest.param(
            ("consignment", "imported_on"),
            "20250601",
            "consignment.imported_on",
            id="date-basic-format",
        ),
        pytest.param(("good", "colour"), "black", "good.colour", id="unknown-good-field"),
        pytest.param(
            ("materials", 1, "components", 0, "grade"),
            "A",
            "materials[1].components[0].grade",
            id="unknown-component-field",
        ),
        pytest.param(
            ("materials", 2, "accessory", "boxed"),
            True,
            "materials[2].accessory.boxed",
            id="unknown-accessory-field",
        ),
        pytest.param(
            ("good", "adjusted_value"), "-1.00", "good.adjusted_value", id="negative-string"
        ),
        pytest.param(("materials", 0, "value"), -5, "materials[0].value", id="negative-number"),
        pytest.param(
            ("materials", 0, "adjustments", 0, "amount"),
            "-20.00",
            "materials[0].adjustments[0].amount",
            id="negative-adjustment",
        ),
        pytest.param(
            ("materials", 1, "components", 0, "value"),
            "-80",
            "materials[1].components[0].value",
            id="negative-component-value",
        ),
        pytest.param(("costs", 0, "amount"), "-150", "costs[0].amount", id="negative-cost"),
        pytest.param(("materials", 0, "value"), "1O0", "materials[0].value", id="not-a-number"),
        pytest.param(("materials", 0, "value"), True, "materials[0].value", id="boolean-amount"),
        pytest.param(
            ("good", "last_process_in"), "Australia", "good.last_process_in", id="country-name"
        ),
        pytest.param(
            ("materials", 0, "origin_country"),
            "us",
            "materials[0].origin_country",
            id="country-lower-case",
        ),
        pytest.param(("good", "produced_in"), ["AUS"], "good.produced_in[0]", id="country-alpha3"),
        pytest.param(("good", "produced_in"), "AU", "good.produced_in", id="countries-not-list"),
        pytest.param(
            ("consignment", "transit", 0, "country"),
            "S1",
            "consignment.transit[0].country",
            id="transit-country",
        ),
        pytest.param(
            ("consignment", "transit", 0, "country"),
            _DELETE,
            "consignment.transit[0].country",
            id="transit-country-missing",
        ),
        pytest.param(
            ("materials", 0, "status"), "originating?", "materials[0].status", id="bad-status"
        ),
        pytest.param(
            ("materials", 0, "status"), "Originating", "materials[0].status", id="status-case"
        ),
        pytest.param(
            ("materials", 0, "packaging"), "carton", "materials[0].packaging", id="bad-packaging"
        ),
        pytest.param(("materials", 0, "basis"), "invoice", "materials[0].basis", id="bad-basis"),
        pytest.param(
            ("materials", 2, "accessory", "kind"),
            "gift",
            "materials[2].accessory.kind",
            id="bad-accessory-kind",
        ),
        pytest.param(
            ("materials", 2, "accessory", "customary"),
            "yes",
            "materials[2].accessory.customary",
            id="flag-not-boolean",
        ),
        pytest.param(("good", "hs"), _DELETE, "good.hs", id="missing-good-hs"),
        pytest.param(("good", "hs"), "94033", "good.hs", id="hs-odd-digits"),
        pytest.param(("good", "hs"), 9403.30, "good.hs", id="hs-number"),
        pytest.param(("good", "id"), "  ", "good.id", id="blank-good-id"),
        pytest.param(("good",), _DELETE, "good", id="missing-good"),
        pytest.param(("materials", 0, "id"), _DELETE, "materials[0].id", id="missing-id"),
        pytest.param(("costs", 0, "category"), _DELETE, "costs[0].category", id="no-category"),
        pytest.param(
            ("materials", 0, "adjustments", 0, "kind"),
            _DELETE,
            "materials[0].adjustments[0].kind",
            id="adjustment-without-kind",
        ),
        pytest.param(("currency",), "aud", "currency", id="currency-lower-case"),
        pytest.param(("currency",), _DELETE, "currency", id="missing-currency"),
        pytest.param(("schema",), "origin-case/2", "schema", id="other-version"),
        pytest.param(("schema",), _DELETE, "schema", id="missing-schema"),
        pytest.param(
            ("consignment", "imported_on"),
            "01/06/2025",
            "consignment.imported_on",
            id="date-format",
        ),
        pytest.param(
            ("consignment", "imported_on"),
            "2025-02-30",
            "consignment.imported_on",
            id="date-not-in-calendar",
        ),
        pytest.param(("good", "operations"), ["joinery", 7], "good.operations", id="word-number"),
        pytest.param(("materials",), {"id": "X"}, "materials", id="materials-not-list"),
        pytest.param(("facts",), "none", "facts", id="facts-not-object"),
    ],
)
def test_invalid_documents_are_refused_by_schema_and_reader(
    path: tuple[Any, ...], value: object, problem_at: str
) -> None:
    document = _changed(path, value)
    assert _errors(document), "the schema accepted it"
    with pytest.raises(CaseFormatError) as raised:
        case_from_json(document)
    paths = [problem.path for problem in raised.value.problems]
    assert problem_at in paths, f"reader reported {paths}, not {problem_at}"


def test_duplicate_material_ids_are_a_reader_check() -> None:
    # JSON Schema cannot see across BOM levels; the schema says so and the reader checks it.
    document = _changed(("materials", 1, "components", 0, "id"), "TIMBER")
    assert _errors(document) == []
    with pytest.raises(CaseFormatError) as raised:
        case_from_json(document)
    assert [p.path for p in raised.value.problems] == ["materials[1].components[0].id"]


def test_a_rule_per_agreement_validates_and_is_read() -> None:
    demo = _demo()
    demo["psr"] = {"*": "CTH", "anzcerta": "CC", "cptpp": "CTSH"}
    demo["good"]["customs_value"] = "260.00"
    assert _errors(demo) == []
    case = case_from_json(demo)
    assert case.psr == "CTH" and case.psr_by_agreement == {"anzcerta": "CC", "cptpp": "CTSH"}
    assert case_to_json(case)["psr"] == demo["psr"]
    for bad in ({}, {"anzcerta": ""}, {"anzcerta": 5}, ["CTH"]):
        demo["psr"] = bad
        assert _errors(demo), bad
        if bad != {}:
            with pytest.raises(CaseFormatError):
                case_from_json(demo)
