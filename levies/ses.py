"""SES self-check: a questionnaire from the Exporter Minimum Standards and a gap report.

The questions (``ses_standards.toml``) follow clauses 1.1–7.1 one for one. Four scope
questions come first (sea freight, air cargo, who applies seals, other accreditations); they
decide which clauses apply (2.6–2.8, 2.10, 2.11 and 2.13–2.17 only for sea freight — the seal
register is a sea-freight requirement of 2.6 — 2.18–2.20 only for air, 7.1 only when other
accreditations were relied on; 2.9 training and 2.12 lost or tampered seals apply to all).
An exporter that does not apply seals is asked whether it ensures its secure load sites meet
the seal clauses (preamble to section 2).

Answers are ``yes``, ``no``, ``partial`` or ``na``. The report gives each clause a status:
``met``; ``gap`` (a "must" clause answered no or partial, a clause that applies answered na, or
a clause left unanswered); ``advice`` (a "should" clause not met); ``not applicable``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from levies.provisions import SES_STANDARDS, ses
from levies.reader import Table, normalise, read_table
from origin.citation import Citation
from origin.errors import InputError

STANDARDS_FILE = Path(__file__).with_name("ses_standards.toml")
ANSWER_COLUMNS = (
    "id",
    "answer",
    "evidence",
    "note",
    "section",
    "obligation",
    "applies",
    "question",
)
ANSWERS = {
    "yes": "yes",
    "y": "yes",
    "no": "no",
    "n": "no",
    "partial": "partial",
    "partly": "partial",
    "na": "na",
    "n/a": "na",
    "not_applicable": "na",
}


@attrs.frozen
class Clause:
    id: str
    section: str
    obligation: str  # must | should
    applies: tuple[str, ...]
    question: str
    citation: Citation


@attrs.frozen
class Standards:
    title: str
    source: str
    scope: Mapping[str, str]  # scope key -> question
    clauses: tuple[Clause, ...]
    # clause id -> the "should" part of a clause that mixes must and should (1.1, 4.2, 5.2),
    # asked separately as "<id>.should" so that missing it is advice, not a gap
    advice: Mapping[str, Clause] = attrs.field(factory=dict)
    background: str = ""  # the scheme's own description, by its title

    def questions(self) -> list[Clause]:
        """Every question in order: each clause, then its "should" part if it has one."""
        out: list[Clause] = []
        for clause in self.clauses:
            out.append(clause)
            if clause.id in self.advice:
                out.append(self.advice[clause.id])
        return out

    @classmethod
    def load(cls, path: Path = STANDARDS_FILE) -> Standards:
        with path.open("rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
        scope = {key: spec["question"] for key, spec in data["scope"].items()}
        clauses = []
        advice: dict[str, Clause] = {}
        for number, spec in data["clauses"].items():
            applies = tuple(spec.get("applies", ()))
            unknown = set(applies) - set(scope)
            if unknown or spec["obligation"] not in ("must", "should"):
                raise ValueError(f"{path.name}: clause {number}: bad applies/obligation")
            clauses.append(
                Clause(
                    number,
                    spec["section"],
                    spec["obligation"],
                    applies,
                    spec["question"],
                    ses(f"cl {number}"),
                )
            )
            if "should" in spec:
                advice[number] = Clause(
                    f"{number}.should",
                    spec["section"],
                    "should",
                    applies,
                    spec["should"],
                    ses(f"cl {number}"),
                )
        clauses.sort(key=lambda c: tuple(int(p) for p in c.id.split(".")))
        document = data["document"]
        return cls(
            document["title"],
            document["source"],
            scope,
            tuple(clauses),
            advice,
            document.get("background", ""),
        )


STANDARDS = Standards.load()


def question_for(clause: Clause, handles_seals: bool | None) -> str:
    """Section 2 asked of an exporter whose secure load sites apply the seals."""
    if clause.id.startswith("2.") and handles_seals is False:
        return f"Do you ensure your secure load sites meet this: {clause.question}"
    return clause.question


def checklist_rows(standards: Standards = STANDARDS) -> list[dict[str, str]]:
    """The questionnaire as rows, ready to be saved as an answers template."""
    rows = [
        {
            "id": f"scope.{key}",
            "section": "Scope",
            "obligation": "",
            "applies": "",
            "question": question,
            "answer": "",
            "evidence": "",
        }
        for key, question in standards.scope.items()
    ]
    rows.extend(
        {
            "id": clause.id,
            "section": clause.section,
            "obligation": clause.obligation,
            "applies": " and ".join(clause.applies) or "all",
            "question": clause.question,
            "answer": "",
            "evidence": "",
        }
        for clause in standards.questions()
    )
    return rows


@attrs.frozen
class GapItem:
    clause: Clause
    question: str
    answer: str  # yes / no / partial / na / "" (unanswered)
    status: str  # met / gap / advice / not applicable
    reason: str
    evidence: str = ""
    location: str = ""


@attrs.frozen
class GapReport:
    source: str
    scope: Mapping[str, bool | None]
    items: tuple[GapItem, ...]
    problems: tuple[str, ...] = ()

    def count(self, status: str) -> int:
        return sum(1 for item in self.items if item.status == status)


def gap_report(path: Path, standards: Standards = STANDARDS) -> GapReport:
    table = read_table(path, ANSWER_COLUMNS, required=("id", "answer"), aliases={"clause": "id"})
    return gaps_from_table(table, standards)


def gaps_from_table(table: Table, standards: Standards = STANDARDS) -> GapReport:
    known = {c.id: c for c in standards.questions()}
    scope: dict[str, bool | None] = dict.fromkeys(standards.scope)
    answers: dict[str, tuple[str, str, str]] = {}
    problems: list[str] = []
    for row in table.rows:
        raw_id = row.cells.get("id")
        ident = str(raw_id).strip() if raw_id is not None else ""
        raw = row.cells.get("answer")
        text = normalise(str(raw)) if raw is not None and str(raw).strip() else ""
        answer = ANSWERS.get(text.replace("_", "/") if text == "n_a" else text)
        if text and answer is None:
            problems.append(f"{row.where('answer')}: {raw!r} is not yes, no, partial or na")
            continue
        if ident.startswith("scope."):
            key = ident.removeprefix("scope.")
            if key not in scope:
                problems.append(f"{row.where('id')}: unknown scope question {ident!r}")
            elif answer in ("yes", "no"):
                scope[key] = answer == "yes"
            elif answer is not None:
                problems.append(f"{row.where('answer')}: a scope question is answered yes or no")
            continue
        if ident not in known:
            problems.append(
                f"{row.where('id')}: {ident!r} is not a clause of the {SES_STANDARDS} (1.1–7.1)"
            )
            continue
        if ident in answers:
            hint = (
                "; a spreadsheet turned the id into a number (2.10 reads as 2.1): format the "
                "id column as text"
                if not isinstance(raw_id, str)
                else ""
            )
            problems.append(
                f"{row.where('id')}: clause {ident} answered twice (first at "
                f"{answers[ident][2]}){hint}"
            )
            continue
        evidence = str(row.cells.get("evidence") or "").strip()
        answers[ident] = (answer or "", evidence, row.location)
    items = []
    for clause in standards.questions():
        answer, evidence, location = answers.get(clause.id, ("", "", ""))
        applies = all(scope.get(key) is not False for key in clause.applies)
        unknown_scope = [key for key in clause.applies if scope.get(key) is None]
        status, reason = _status(clause, answer, applies, unknown_scope)
        items.append(
            GapItem(
                clause,
                question_for(clause, scope.get("handles_seals")),
                answer,
                status,
                reason,
                evidence,
                location,
            )
        )
    return GapReport(table.source, scope, tuple(items), tuple(problems))


def _status(
    clause: Clause, answer: str, applies: bool, unknown_scope: list[str]
) -> tuple[str, str]:
    if not applies:
        return (
            "not applicable",
            f"applies only if {' and '.join(clause.applies)} (scope answered no)",
        )
    assumed = (
        f" (scope {', '.join(unknown_scope)} unanswered: assumed to apply)" if unknown_scope else ""
    )
    if answer == "yes":
        return "met", "answered yes" + assumed
    if answer == "" and clause.id.endswith(".should"):
        return "advice", "unanswered; the standard says 'should' (recommended)" + assumed
    if answer == "":
        return "gap", "unanswered" + assumed
    if answer == "na":
        return "gap", "answered n/a, but the clause applies" + (
            f" (scope: {' and '.join(clause.applies)})" if clause.applies else " to every exporter"
        ) + assumed
    if clause.obligation == "should":
        return "advice", f"answered {answer}; the standard says 'should' (recommended)" + assumed
    return "gap", f"answered {answer}; the standard says 'must'" + assumed


def report_rows(report: GapReport) -> list[dict[str, str]]:
    return [
        {
            "clause": str(item.clause.citation),
            "section": item.clause.section,
            "obligation": item.clause.obligation,
            "status": item.status,
            "answer": item.answer,
            "reason": item.reason,
            "question": item.question,
            "evidence": item.evidence,
            "location": item.location,
        }
        for item in report.items
    ]


def report_text(report: GapReport) -> str:
    lines = [f"SES self-check against the {SES_STANDARDS}: {report.source}"]
    scope = ", ".join(
        f"{k}={'yes' if v else 'no' if v is False else 'unanswered'}"
        for k, v in report.scope.items()
    )
    lines.append(f"Scope: {scope}")
    for problem in report.problems:
        lines.append(f"ERROR {problem}")
    for status in ("gap", "advice"):
        chosen = [i for i in report.items if i.status == status]
        if chosen:
            lines.append(f"\n{status.upper()}S ({len(chosen)})")
            lines.extend(f"  [{i.clause.citation}] {i.question} — {i.reason}" for i in chosen)
    lines.append(
        f"\n{report.count('met')} met, {report.count('gap')} gaps, "
        f"{report.count('advice')} advice, {report.count('not applicable')} not applicable, "
        f"of {len(report.items)} questions"
    )
    return "\n".join(lines)


def checklist_text(standards: Standards = STANDARDS) -> str:
    lines = [f"{standards.title}: self-check questionnaire", f"Source: {standards.source}"]
    if standards.background:
        lines.append(f"About the scheme: {standards.background}")
    lines.append("")
    lines.append("Scope (answer yes or no)")
    lines.extend(f"  scope.{k}: {q}" for k, q in standards.scope.items())
    section = ""
    for clause in standards.questions():
        if clause.section != section:
            section = clause.section
            lines.append(f"\n{section}")
        scope = f" [only if {' and '.join(clause.applies)}]" if clause.applies else ""
        lines.append(f"  {clause.id} ({clause.obligation}){scope}: {clause.question}")
    lines.append(
        "\nAnswer each with yes, no, partial or na, e.g. in the CSV from "
        "`origin ses checklist --format csv`, then run `origin ses gaps ANSWERS.csv`."
    )
    return "\n".join(lines)


def check_no_problems(report: GapReport) -> None:
    """For callers that want bad answers files to stop them."""
    if report.problems:
        raise InputError("; ".join(report.problems))
