"""The register reader meets the workbook reader's bar: every problem located (file, row,
column, what was expected) and returned as data; every row read, refused or blank; files
that are not registers, or are hostile, refused with one message."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from test_declarations import DOCS, d17

from origin.declarations import FIELDS, FORMAT, RegisterError, load, read
from origin.declarations.reader import MAX_COLUMNS, MAX_FIELD, write_csv
from origin.model import OriginStatus

HEADER = ",".join(FIELDS)
GOOD = (
    "D-1,Acme,A-7,,7318.15,AU,anzcerta;aanzfta,originating,2025-01-01,2025-12-31,"
    "LT-1,archive/D-1.pdf"
)


def _csv(tmp_path: Path, *lines: str, name: str = "register.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_good_csv_register(tmp_path: Path) -> None:
    result = read(_csv(tmp_path, f"format,{FORMAT}", HEADER, GOOD))
    assert result.ok and result.accounted()
    (d,) = result.declarations
    assert d.reference == "D-1" and d.agreements == ("anzcerta", "aanzfta")
    assert d.valid_from == dt.date(2025, 1, 1) and d.status is OriginStatus.ORIGINATING
    assert str(d.hs) == "7318.15" and d.kept_at == "archive/D-1.pdf"


def test_every_problem_located_and_nothing_lost(tmp_path: Path) -> None:
    lines = [
        HEADER,
        GOOD,
        "",
        "D-2,Acme,A-8,,,au,anzcerta,originating,2025-13-01,2025-12-31,,",
        "D-3,,,,,AU,nosuch,maybe,2025-01-01,2025-12-31,,,stray",
        "D-4,Acme,A-9,,9999.99,AU,anzcerta,originating,2025-06-01,2025-05-31,,",
        "D-5,,,,,AU,anzcerta,originating,2025-01-01,2025-12-31,,",
        "D-6,Acme,A-10,,,AU,,originating,2025-01-01,2025-06-30,,",
    ]
    result = read(_csv(tmp_path, *lines))
    found = [str(p) for p in result.problems]
    assert found == [
        "register.csv row 4 origin_country: 'au' is not a two-letter country code (ISO 3166, "
        "e.g. AU, NZ)",
        "register.csv row 4 valid_from: '2025-13-01' is not a date (expected YYYY-MM-DD)",
        "register.csv row 5 column 13: a value ('stray') in a column without a header",
        "register.csv row 5 agreements: 'nosuch' is not one of: " + ", ".join(sorted(_names())),
        "register.csv row 5 status: 'maybe' is not one of: originating, non-originating, "
        "undetermined",
        "register.csv row 6 hs: HS code '9999.99': chapter 99 does not exist in HS 2022",
        "register.csv row 7 material: names no material (expected our material id, or "
        "supplier and supplier_part)",
        "register.csv row 8 agreements: required (no value given)",
    ]
    assert [d.reference for d in result.declarations] == ["D-1"]
    assert result.rows == 7 and result.blank == 1 and result.refused == (4, 5, 6, 7, 8)
    assert result.accounted()
    with pytest.raises(RegisterError, match=r"register\.csv: .* problem"):
        load(tmp_path / "register.csv")


def test_valid_to_before_valid_from(tmp_path: Path) -> None:
    line = "D-4,Acme,A-9,,,AU,anzcerta,originating,2025-06-01,2025-05-31,,"
    (problem,) = read(_csv(tmp_path, HEADER, line)).problems
    assert str(problem) == (
        "register.csv row 2 valid_to: 2025-05-31 is before valid_from 2025-06-01 (expected "
        "the last day the declaration covers)"
    )


def test_header_problems_refuse_every_row_with_a_reason(tmp_path: Path) -> None:
    header = "reference,supplier,supplier_part,colour,status,valid_from,valid_to"
    result = read(_csv(tmp_path, header, "D-1,Acme,A-1,red,originating,2025-01-01,2025-12-31"))
    messages = [p.message for p in result.problems]
    assert messages[0].startswith("column 'colour' is not a register field (expected: reference,")
    assert messages[1] == "required column(s) missing: agreements"
    assert result.refused == (2,) and result.accounted() and not result.declarations


def test_a_format_other_than_version_1_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RegisterError, match="format 'origin-declarations/2' is not"):
        read(_csv(tmp_path, "format,origin-declarations/2", HEADER, GOOD))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"reference\x00,x\n", "line 1: a NUL byte"),
        (HEADER.encode() + b"\n\xff\xfe,bad\n", "line 2: not UTF-8"),
        (
            HEADER.encode() + b'\n"' + b"x" * (MAX_FIELD + 10) + b'"\n',
            "field larger than field limit",
        ),
        (
            HEADER.encode() + b"\n" + b"," * (MAX_COLUMNS + 5) + b"\n",
            r"columns \(a register has at most",
        ),
        (HEADER.encode() + b'\n"unclosed\n', "line 2"),
    ],
)
def test_hostile_csv_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "register.csv"
    path.write_bytes(content)
    with pytest.raises(RegisterError, match=message):
        read(path)


def test_json_register_round_trip_and_schema(tmp_path: Path) -> None:
    from origin.declarations import Register  # noqa: PLC0415

    register = Register.of([d17(), d17(reference="D-18", material="GLUE", supplier="")])
    data = register.to_json()
    schema = json.loads((DOCS / "declarations.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    path = tmp_path / "register.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load(path) == register


def test_json_problems_located_by_path(tmp_path: Path) -> None:
    data = {
        "format": FORMAT,
        "declarations": [
            d17().to_json(),
            {**d17().to_json(), "valid_to": "2025-02-30", "colour": "red"},
            "D-3",
            {**d17().to_json(), "agreements": "anzcerta", "status": 1.5},
        ],
        "extra": 1,
    }
    path = tmp_path / "register.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = read(path)
    assert [str(p) for p in result.problems] == [
        "register.json extra: key 'extra' is not part of a register (expected format, "
        "declarations)",
        "register.json row 2 declarations[1].colour: key 'colour' is not a declaration field",
        "register.json row 2 declarations[1].valid_to: '2025-02-30' is not a date (expected "
        "YYYY-MM-DD)",
        "register.json row 3 declarations[2]: expected an object, found str",
        "register.json row 4 declarations[3].status: '1.5' is not one of: originating, "
        "non-originating, undetermined",
    ]
    assert result.refused == (2, 3, 4) and len(result.declarations) == 1 and result.accounted()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"format": "origin-declarations/1", "declarations": [], "declarations": []}',
            "appears twice",
        ),
        ("[" * 5000 + "]" * 5000, "nested more than"),
        ('{"format": "origin-declarations/1", "declarations": [NaN]}', "line 1"),
        ('{"format": "something-else/1", "declarations": []}', "is not 'origin-declarations/1'"),
        ("{", "line 1 column 2"),
    ],
)
def test_hostile_json_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "register.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegisterError, match=message):
        read(path)


def _xlsx(tmp_path: Path, rows: list[list[object]], sheet: str = "Declarations") -> Path:
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active["A1"] = "read me"
    target = book.create_sheet(sheet)
    for row in rows:
        target.append(row)
    path = tmp_path / "register.xlsx"
    book.save(path)
    return path


def test_xlsx_register_with_located_cells(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        list(FIELDS),
        [
            "D-1",
            "Acme",
            7001,
            None,
            "7318.15",
            "AU",
            "anzcerta",
            "originating",
            dt.datetime(2025, 1, 1),
            dt.date(2025, 12, 31),
            None,
            None,
        ],
        [None] * 12,
        [
            "D-2",
            "Acme",
            "A-8",
            None,
            7318.15,
            "AU",
            "anzcerta",
            "originating",
            "2025-01-01",
            dt.datetime(2025, 12, 31, 13, 30),
            None,
            None,
        ],
    ]
    result = read(_xlsx(tmp_path, rows))
    (d,) = result.declarations
    assert d.supplier_part == "7001" and d.valid_from == dt.date(2025, 1, 1)
    assert [str(p) for p in result.problems] == [
        "register.xlsx Declarations!row 4 hs (E): HS code 7318.15 is not text (expected e.g. "
        "8471.30)",
        "register.xlsx Declarations!row 4 valid_to (J): 2025-12-31 13:30:00 is a date and time "
        "(expected a date)",
        "register.xlsx Declarations: sheet 'Notes' has values and is not read (the register is "
        "on sheet 'Declarations')",
    ]
    assert result.rows == 3 and result.blank == 1 and result.refused == (4,) and result.accounted()


def test_xlsx_other_sheets_with_values_are_reported(tmp_path: Path) -> None:
    path = _xlsx(tmp_path, [list(FIELDS)], sheet="Register")
    result = read(path)  # no Declarations sheet: the first sheet with a header row is read
    assert result.problems[0].message.startswith("column 'read me' is not a register field")


def test_hostile_xlsx_refused(tmp_path: Path) -> None:
    good = _xlsx(tmp_path, [list(FIELDS)])
    bomb = tmp_path / "bomb.xlsx"
    big = b"<sst>" + b"<si><t>" + b"A" * (40 * 1024 * 1024) + b"</t></si></sst>"
    with zipfile.ZipFile(good) as old, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item.filename, old.read(item.filename))
        new.writestr("xl/sharedStrings.xml", big)
    with pytest.raises(RegisterError, match=r"bomb\.xlsx"):
        read(bomb)
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"not a workbook at all")
    with pytest.raises(RegisterError, match=r"fake\.xlsx"):
        read(fake)


def test_other_suffixes_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(RegisterError, match=r"a register is \.csv, \.json or \.xlsx"):
        read(_csv(tmp_path, HEADER, name="register.txt"))
    with pytest.raises(RegisterError, match="cannot be read"):
        read(tmp_path / "absent.csv")


def test_written_csv_reads_back(tmp_path: Path) -> None:
    declarations = [d17(), d17(reference="D-18", agreements=["anzcerta", "aanzfta"])]
    path = tmp_path / "register.csv"
    write_csv(declarations, path)
    assert read(path).declarations == tuple(declarations)


def _names() -> list[str]:
    from origin import registry  # noqa: PLC0415

    return list(registry.names())
