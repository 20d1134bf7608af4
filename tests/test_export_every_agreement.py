"""The broker export and the JSON determination work for every registered agreement, with no
case of their own in those layers: each worked case decided, exported (CSV and JSON lines),
read back, and its claim given only on a complete originating determination under one code.
"""

from __future__ import annotations

import io
import json

import pytest
import worked

from origin import registry, strict_json
from origin.agreement import Agreement
from origin.caseio import case_from_json, determination_to_json
from origin.determination import Verdict
from origin.workbook.export import Decided, broker_row, read_csv, write

AGREEMENTS = [a for a in registry.all_agreements() if worked.files(a)]


@pytest.mark.parametrize("agreement", AGREEMENTS, ids=[a.name for a in AGREEMENTS])
def test_every_worked_case_exports_and_reads_back(agreement: Agreement) -> None:
    items = []
    for path in worked.files(agreement):
        d = worked.run(agreement, path)
        case = case_from_json(worked.load(path)["case"])
        # The JSON determination is complete and strict JSON.
        assert strict_json.loads(strict_json.dumps(determination_to_json(d)))["verdict"] == (
            d.verdict.value
        )
        items.append(Decided(path.name, case.good.id, agreement, case, d))
    rows = [broker_row(item) for item in items]
    for item, row in zip(items, rows, strict=True):
        decided = item.determination
        assert decided is not None
        codes = agreement.law.preference_codes_of(item.case)
        assert row["agreement"] == agreement.name
        assert row["preference_code"] == ";".join(codes)
        complete = (
            decided.verdict is Verdict.ORIGINATING and not decided.missing and len(codes) == 1
        )
        assert row["claim_preference"] == ("yes" if complete else "no"), item.workbook
    csv_out, lines_out = io.StringIO(), io.StringIO()
    write(items, "csv", csv_out)
    write(items, "jsonl", lines_out)
    from_csv = [dict(r) for r in read_csv(csv_out.getvalue())]
    from_lines = [json.loads(line) for line in lines_out.getvalue().splitlines()]
    assert from_csv == from_lines
    assert [(r["product_id"], r["verdict"], r["claim_preference"]) for r in from_csv] == [
        (r["product_id"], r["verdict"], r["claim_preference"]) for r in rows
    ]
