"""docs/determination.schema.json and docs/broker-export.schema.json against real output.

The schemas are promises to the programs that read the toolkit's output, so they are checked
against what the writers actually write: every worked case of every registered agreement
through ``origin.caseio.determination_to_json``, and the broker records of ``origin check
--export jsonl`` on the template workbook of several agreements (and on variants of it that
give a bound, an error record and, under ``--agreement all``, a product that could not be
read, and a file that could not be read at all). One invalid document per schema shows that
each can fail.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import worked
from jsonschema import Draft202012Validator

from origin import registry
from origin.caseio import DETERMINATION_SCHEMA, determination_to_json
from origin.cli import main
from origin.workbook import export

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _validator(name: str) -> Draft202012Validator:
    schema = json.loads((DOCS / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


DETERMINATION = _validator("determination.schema.json")
BROKER = _validator("broker-export.schema.json")
CASES = [(a, p) for a in registry.all_agreements() for p in worked.files(a)]


def _errors(validator: Draft202012Validator, document: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
        for e in validator.iter_errors(document)
    ]


# -- origin-determination/1 ---------------------------------------------------------------


def test_schema_names_the_format_the_writer_writes() -> None:
    assert DETERMINATION.schema["properties"]["schema"]["const"] == DETERMINATION_SCHEMA
    assert BROKER.schema["properties"]["schema"]["const"] == export.SCHEMA


def test_every_registered_agreement_has_worked_cases() -> None:
    """Validating 'every worked case' must not quietly cover no agreement."""
    assert {a.name for a, _ in CASES} >= {"anzcerta", "fic", "tpsep", "cptpp", "canada"}


@pytest.mark.parametrize(("agreement", "path"), CASES, ids=[f"{a.name}/{p.stem}" for a, p in CASES])
def test_worked_case_determination_is_valid(agreement: Any, path: Path) -> None:
    # Through JSON text, as a consumer reads it.
    document = json.loads(json.dumps(determination_to_json(worked.run(agreement, path))))
    assert _errors(DETERMINATION, document) == []


@functools.cache
def _anzcerta_text() -> str:
    """An originating ANZCERTA determination with an RVC, materials and obligations."""
    agreement = registry.get("anzcerta")
    for path in worked.files(agreement):
        document = determination_to_json(worked.run(agreement, path))
        if document["verdict"] == "originating" and all(
            document[k] for k in ("rvc", "materials", "steps", "obligations")
        ):
            return json.dumps(document)
    raise AssertionError("no originating ANZCERTA worked case with an RVC")


def _anzcerta_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(_anzcerta_text())
    assert _errors(DETERMINATION, document) == []
    return document


def _set(document: dict[str, Any], where: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    target: Any = changed
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    return changed


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("verdict",), "probably originating"),
        (("schema",), "origin-determination/2"),
        (("rvc", 0, "value", "exact"), "0.654"),  # a decimal is not an exact figure
        (("rvc", 0, "value", "exact"), "327/0"),
        (("materials", 0, "value"), 86.5),  # a float amount: never
        (("materials", 0, "counted_as"), "counted"),
        (("steps", 0, "outcome"), "passes"),
        (("steps", 0, "citation", "unit"), "section"),
        (("date",), "1/6/2025"),
        (("obligations", 0, "citation"), ""),
        (("basis",), "r 33(2)(c)"),  # a list, not text
    ],
)
def test_invalid_determination_is_refused(where: tuple[Any, ...], value: Any) -> None:
    assert _errors(DETERMINATION, _set(_anzcerta_document(), where, value))


def test_determination_field_left_out_is_refused() -> None:
    document = _anzcerta_document()
    del document["materials"][0]["vnm_value"]
    assert _errors(DETERMINATION, document)
    document = _anzcerta_document()
    del document["obligations"]
    assert _errors(DETERMINATION, document)


def test_determination_verdict_and_its_lists_agree() -> None:
    document = _anzcerta_document()
    assert _errors(DETERMINATION, _set(document, ("verdict",), "not originating"))
    assert _errors(DETERMINATION, _set(document, ("missing",), ["value of material T"]))


# -- origin-broker/4 ----------------------------------------------------------------------

TEMPLATE_AGREEMENTS = ("anzcerta", "aanzfta", "fic", "tpsep", "cptpp", "canada", "nz-uk")


def _records(capsys: pytest.CaptureFixture[str], argv: list[str]) -> list[dict[str, Any]]:
    capsys.readouterr()
    code = main(argv)
    out = capsys.readouterr().out
    assert code in (0, 1), f"{argv}: exit {code}"
    records = [json.loads(line) for line in out.splitlines()]
    assert records, f"{argv}: no records"
    return records


def _template(tmp_path: Path, agreement: str) -> Path:
    book = tmp_path / f"{agreement}.xlsx"
    assert main(["template", str(book), "--agreement", agreement, "--example"]) == 0
    return book


def _mutated(book: Path, sheet: str, header: str, value: Any, *, row: int, name: str) -> Path:
    """The template with one cell changed, found by its sheet and header."""
    wb = openpyxl.load_workbook(book)
    ws = wb[sheet]
    headers = [cell.value for cell in ws[1]]
    ws.cell(row=row, column=headers.index(header) + 1).value = value
    out = book.with_name(name)
    wb.save(out)
    return out


def _assert_valid(records: list[dict[str, Any]]) -> None:
    for record in records:
        assert _errors(BROKER, record) == [], record
        assert list(record) == list(export.FIELDS)  # the documented order, as in CSV


@pytest.mark.parametrize("agreement", TEMPLATE_AGREEMENTS)
def test_check_export_of_template_is_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], agreement: str
) -> None:
    book = _template(tmp_path, agreement)
    records = _records(capsys, ["check", str(book), "--agreement", agreement, "--export", "jsonl"])
    _assert_valid(records)
    assert {r["agreement"] for r in records} == {agreement}


def test_check_export_all_agreements_is_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = _template(tmp_path, "anzcerta")
    records = _records(capsys, ["check", str(book), "--agreement", "all", "--export", "jsonl"])
    _assert_valid(records)
    assert [r["rank"] for r in records] == [str(n) for n in range(1, len(records) + 1)]
    assert "not applicable" in {r["verdict"] for r in records} or len(records) > 1


def test_check_export_of_bounds_and_errors_is_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing originating value gives an 'at least' bound, a missing non-originating one
    (or any, for factory cost) an 'at most' bound; an unreadable product an error record, and
    under --agreement all one with an empty agreement."""
    book = _template(tmp_path, "anzcerta")
    variants = [
        _mutated(book, "BOM", "value", None, row=2, name="no-value-2.xlsx"),
        _mutated(book, "BOM", "value", None, row=3, name="no-value-3.xlsx"),
        _mutated(book, "Product", "hs", "zz", row=2, name="bad-hs.xlsx"),
        book.with_name("not-a-workbook.xlsx"),  # a file that cannot be read: one record too
    ]
    variants[-1].write_text("id,value\n1,2\n")
    seen: set[tuple[str, str, str]] = set()
    for variant in variants:
        for agreement in ("anzcerta", "all"):
            argv = ["check", str(variant), "--agreement", agreement, "--export", "jsonl"]
            records = _records(capsys, argv)
            _assert_valid(records)
            seen |= {(r["verdict"], r["rvc_bound"], r["agreement"] and "named") for r in records}
    bounds = {bound for _, bound, _ in seen}
    assert {"at least", "at most"} <= bounds, seen
    assert ("error", "", "named") in seen and ("error", "", "") in seen, seen


def _record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    book = _template(tmp_path, "anzcerta")
    argv = ["check", str(book), "--agreement", "anzcerta", "--export", "jsonl"]
    record = _records(capsys, argv)[0]
    assert _errors(BROKER, record) == []
    assert record["claim_preference"] == "yes"
    return record


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rvc_percent", 61.53),  # every value is a string
        ("rvc_percent", "61.5"),  # two places
        ("verdict", "maybe"),
        ("schema", "origin-broker/2"),
        ("schema", "origin-broker/3"),
        ("fingerprint", "md5:abc"),
        ("determination_date", "01/06/2025"),
        ("rvc_bound", "at least"),  # a bound beside the RVC itself, and without its figure
        ("missing", "value of material TIMBER"),  # a claim on an incomplete determination
        ("rank", "0"),
        ("country_of_origin", "au"),
        ("tariff_item", "9403.30"),  # an NZ tariff item has 8 digits
        ("statistical_key", "00"),  # always empty: not in a case
        ("currency", "A$"),
        ("value", "1E+3"),  # plain decimal text
        ("value_basis", "declared value"),
        ("value", ""),  # a basis without its value
        ("product_id", ""),  # only an error record may have no product
    ],
)
def test_invalid_broker_record_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, value: Any
) -> None:
    record = _record(tmp_path, capsys)
    record[field] = value
    assert _errors(BROKER, record)


def test_broker_record_with_unknown_or_without_a_field_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = _record(tmp_path, capsys)
    assert _errors(BROKER, {**record, "exporter": "ACME"})  # a new field: a new schema
    del record["duty_saved"]
    assert _errors(BROKER, record)


def test_broker_schema_lists_the_fields_in_export_order() -> None:
    assert list(BROKER.schema["properties"]) == list(export.FIELDS)
    assert BROKER.schema["required"] == list(export.FIELDS)
