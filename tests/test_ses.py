"""SES self-check: the questionnaire follows the Exporter Minimum Standards; gap reports."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from levies.reader import Row, Table
from levies.ses import STANDARDS, GapItem, checklist_rows, gap_report, gaps_from_table
from origin.errors import InputError

SEEDS = Path("/work/shared/seeds")


def _seed_clauses() -> list[str]:
    files = sorted(SEEDS.glob("002_*.txt")) if SEEDS.exists() else []
    if not files:
        pytest.skip(f"SES Exporter Minimum Standards (002_*.txt) not found under {SEEDS}")
    text = files[0].read_text(encoding="utf-8")
    found = re.findall(r"^([1-7]\.\d+)\.\s", text, flags=re.MULTILINE)
    return sorted(set(found), key=lambda c: tuple(map(int, c.split("."))))


def test_one_question_per_clause_of_the_standards() -> None:
    """Clauses 1.1–7.1 of the seed text, no more, no fewer."""
    assert [c.id for c in STANDARDS.clauses] == _seed_clauses()
    assert STANDARDS.clauses[0].id == "1.1" and STANDARDS.clauses[-1].id == "7.1"


def test_obligations_follow_the_words() -> None:
    """'should' clauses (1.4, 5.4) are advice; the rest are 'must'."""
    should = [c.id for c in STANDARDS.clauses if c.obligation == "should"]
    assert should == ["1.4", "5.4"]


def answers(tmp_path: Path, rows: dict[str, str], fill: str | None = "yes") -> Path:
    """A filled checklist: every clause answered ``fill`` unless ``rows`` says otherwise."""
    template = checklist_rows()
    for row in template:
        row["answer"] = (
            rows.get(row["id"], fill if not row["id"].startswith("scope.") else "yes") or ""
        )
    path = tmp_path / "answers.csv"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(template[0]))
    writer.writeheader()
    writer.writerows(template)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def status(report_items: tuple[GapItem, ...], clause: str) -> str:
    return next(i.status for i in report_items if i.clause.id == clause)


def test_all_yes_has_no_gaps(tmp_path: Path) -> None:
    report = gap_report(answers(tmp_path, {}))
    assert report.count("gap") == 0 and report.count("met") == len(STANDARDS.questions())
    assert report.problems == ()


def test_must_no_is_a_gap_should_no_is_advice(tmp_path: Path) -> None:
    report = gap_report(answers(tmp_path, {"2.12": "no", "1.4": "no", "4.2": "partial"}))
    assert status(report.items, "2.12") == "gap"
    assert status(report.items, "4.2") == "gap"
    assert status(report.items, "1.4") == "advice"
    gap = next(i for i in report.items if i.clause.id == "2.12")
    assert str(gap.clause.citation) == "cl 2.12"
    assert gap.clause.citation.instrument == "SES Exporter Minimum Standards"


def test_scope_decides_which_clauses_apply(tmp_path: Path) -> None:
    report = gap_report(
        answers(
            tmp_path, {"scope.sea": "no", "scope.accreditations": "no", "2.6": "na", "7.1": "na"}
        )
    )
    assert status(report.items, "2.6") == "not applicable"
    assert status(report.items, "2.17") == "not applicable"
    assert status(report.items, "2.18") == "met"  # air still applies
    assert status(report.items, "7.1") == "not applicable"


def test_na_on_a_clause_that_applies_is_a_gap(tmp_path: Path) -> None:
    report = gap_report(answers(tmp_path, {"2.6": "na", "3.1": "n/a"}))
    assert status(report.items, "2.6") == "gap"
    assert status(report.items, "3.1") == "gap"


def test_unanswered_is_a_gap(tmp_path: Path) -> None:
    report = gap_report(answers(tmp_path, {}, fill=None))
    assert report.count("gap") == len(STANDARDS.clauses)


def test_exporters_without_seals_are_asked_about_their_sites(tmp_path: Path) -> None:
    report = gap_report(answers(tmp_path, {"scope.handles_seals": "no"}))
    item = next(i for i in report.items if i.clause.id == "2.2")
    assert item.question.startswith("Do you ensure your secure load sites meet this")


def test_bad_answers_are_located(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text("clause,answer\n2.6,yes\n2.6,no\n9.9,yes\n1.1,perhaps\n", encoding="utf-8")
    report = gap_report(path)
    assert report.problems == (
        "answers.csv row 3, column 'id' (column 1): clause 2.6 answered twice "
        "(first at answers.csv row 2)",
        "answers.csv row 4, column 'id' (column 1): '9.9' is not a clause of the SES Exporter "
        "Minimum Standards (1.1–7.1)",
        "answers.csv row 5, column 'answer' (column 2): 'perhaps' is not yes, no, partial or na",
    )


def test_answers_file_needs_its_columns(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text("clause,evidence\n2.6,register\n", encoding="utf-8")
    with pytest.raises(InputError, match="answer"):
        gap_report(path)


def test_seal_training_and_lost_seals_apply_to_air_exporters(tmp_path: Path) -> None:
    """Review finding 5: only 2.6 says "If exporting via sea freight". 2.9 (training in seal
    handling) and 2.12 (record and report lost or tampered seals) bind an air-only exporter
    that applies seals; the register clauses (2.6, 2.7, 2.10, 2.11) stay sea-only."""
    path = answers(
        tmp_path,
        {
            "scope.sea": "no",
            "scope.air": "yes",
            "scope.handles_seals": "yes",
            "2.9": "no",
            "2.12": "no",
            "2.6": "",
            "2.7": "",
        },
    )
    report = gap_report(path)
    assert status(report.items, "2.9") == "gap"
    assert status(report.items, "2.12") == "gap"
    for clause in ("2.6", "2.7", "2.10", "2.11", "2.13"):
        assert status(report.items, clause) == "not applicable"


def test_clause_id_turned_into_a_number_gets_a_hint() -> None:
    """Review finding 12: Excel turns 2.10 into 2.1; 'answered twice' now says why."""
    rows = (
        Row(2, "answers.xlsx row 2", {"id": 2.1, "answer": "yes"}),
        Row(3, "answers.xlsx row 3", {"id": 2.1, "answer": "yes"}),  # typed 2.10
    )
    report = gaps_from_table(Table("answers.xlsx", ("id", "answer"), rows))
    assert len(report.problems) == 1
    assert "answered twice" in report.problems[0]
    assert report.problems[0].endswith("format the id column as text")


def test_should_part_of_a_must_clause_is_advice(tmp_path: Path) -> None:
    """Review finding 6: 1.1 ("results ... should be retained"), 4.2 ("checks should be
    documented") and 5.2 ("passwords should be assigned to individual users") mix must and
    should; the should part is its own question, and missing it is advice, not a gap."""
    assert sorted(STANDARDS.advice) == ["1.1", "4.2", "5.2"]
    report = gap_report(
        answers(tmp_path, {"1.1.should": "no", "4.2.should": "partial", "5.2": "no"})
    )
    assert status(report.items, "1.1") == "met"
    assert status(report.items, "1.1.should") == "advice"
    assert status(report.items, "4.2") == "met"
    assert status(report.items, "4.2.should") == "advice"
    assert status(report.items, "5.2") == "gap"  # users must be prompted to change passwords
    assert report.count("gap") == 1
    advice = next(i for i in report.items if i.clause.id == "4.2.should")
    assert str(advice.clause.citation) == "cl 4.2"
