"""``origin determine --schedule``: the rule comes from a loaded schedule, which is cited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from origin.cli import main

DEMO = Path(__file__).parents[1] / "origin" / "data" / "demo_case.json"


def _schedule(tmp_path: Path, agreement: str, rule: str) -> Path:
    """A hand-written schedule (docs/psr-schedule-format.md) for the demo's chairs (94.01)."""
    data = {
        "format": "origin-psr-schedule/1",
        "source": {
            "agreement": agreement,
            "title": "Test schedule",
            "document": "Hand-written annex for a test",
            "version": "7.1",
            "date": "2025-01-01",
            "hs_edition": 2022,
            "file": "test",
            "reference": "tests/test_cli_schedule.py",
        },
        "hs_edition": 2022,
        "transposition": None,
        "notes": [],
        "entries": [
            {"id": "row 2", "codes": "94.01", "status": "rule", "rule": rule, "text": rule},
        ],
    }
    path = tmp_path / "schedule.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _case_without_psr(tmp_path: Path) -> Path:
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data.pop("psr", None)
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_rule_taken_from_the_schedule_and_cited(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schedule = _schedule(tmp_path, "anzcerta", "CC")
    args = ["determine", str(_case_without_psr(tmp_path)), "--agreement", "anzcerta"]
    assert main([*args, "--date", "2025-06-01", "--schedule", str(schedule)]) == 0
    out = capsys.readouterr().out
    assert "Product-specific rule: CC" in out
    assert "Hand-written annex for a test" in out and "7.1" in out


def test_a_schedule_of_another_agreement_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schedule = _schedule(tmp_path, "nz-uk", "CTH")
    args = ["determine", str(_case_without_psr(tmp_path)), "--agreement", "anzcerta"]
    assert main([*args, "--date", "2025-06-01", "--schedule", str(schedule)]) == 2
    assert "nz-uk" in capsys.readouterr().err
