"""One conformance test over every registered agreement: same interface, same guarantees."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect

import pytest
import worked
from anzcerta_cases import uncited

from origin import registry
from origin.agreement import Agreement, FactError
from origin.caseio import case_from_json
from origin.determination import Verdict
from origin.law import LawNotEncoded

AGREEMENTS = registry.all_agreements()
IDS = [a.name for a in AGREEMENTS]


def _minimal_case() -> dict[str, object]:
    return {
        "schema": "origin-case/1",
        "currency": "NZD",
        "psr": "CTH",
        "good": {
            "id": "g",
            "hs": "8471.30",
            "adjusted_value": "100",
            "fob": "100",
            "produced_in": ["NZ"],
            "last_process_in": "NZ",
            "operations": ["assembly"],
        },
        "materials": [{"id": "m", "hs": "8542.31", "value": "10", "status": "non-originating"}],
        "consignment": {"transit": []},
    }


@pytest.mark.parametrize("agreement", AGREEMENTS, ids=IDS)
def test_plugin_shape(agreement: Agreement) -> None:
    module = importlib.import_module(registry.table()[agreement.name].partition(":")[0])
    doc = inspect.getdoc(module) or ""
    assert agreement.regulations.split()[-1] in doc or agreement.regulations in doc, (
        "module docstring must name the regulations it encodes"
    )
    assert ">>>" in doc, "module docstring carries a doctest example"
    assert agreement.law.name == agreement.name
    assert agreement.law.coverage.start is not None, "coverage must start somewhere"


@pytest.mark.parametrize("agreement", AGREEMENTS, ids=IDS)
def test_refuses_dates_before_coverage(agreement: Agreement) -> None:
    start = agreement.law.coverage.start
    assert start is not None
    case = case_from_json(_minimal_case())
    with pytest.raises(LawNotEncoded, match=start.isoformat()):
        agreement.determine(case, start - dt.timedelta(days=1))
    assert isinstance(agreement.determine(case, start).verdict, Verdict)


@pytest.mark.parametrize("agreement", AGREEMENTS, ids=IDS)
def test_refuses_unknown_facts(agreement: Agreement) -> None:
    data = _minimal_case() | {"facts": {"no_such_fact": True}}
    with pytest.raises(FactError, match="no_such_fact"):
        agreement.determine(case_from_json(data), agreement.law.coverage.start or dt.date.today())


@pytest.mark.parametrize("agreement", AGREEMENTS, ids=IDS)
def test_every_parameter_and_term_is_cited(agreement: Agreement) -> None:
    law = agreement.law
    for parameter in law.parameters.values():
        assert parameter.values, parameter.name
        for value in parameter.values:
            assert str(value.reference).startswith(("r ", "cl ", "art ", "sch ")), parameter.name
    for vocabulary in law.vocabularies.values():
        for term in vocabulary.values():
            assert str(term.reference) and term.text, term.key


# The preferential abbreviations of the NZ Working Tariff Document (Introduction, part 3 and
# the "Rates of Duty" list, 1 January 2022): brokers enter goods under exactly these.
WTD_PREFERENCE_CODES = frozenset(
    [
        "AAN",
        "AU",
        "CA",
        "CN",
        "CPT",
        "GB",
        "HK",
        "KR",
        "LDC",
        "LLDC",
        "MY",
        "Pac",
        "PPP",
        "RCEP",
        "SG",
        "TH",
        "TPA",
        "TW",
    ]
)


@pytest.mark.parametrize("agreement", AGREEMENTS, ids=IDS)
def test_tariff_preference_codes(agreement: Agreement) -> None:
    codes = agreement.law.preference_codes
    # An agreement younger than the WTD read (1 January 2022) may find no code there: its
    # reference says so rather than invent one (nz-eu, decision 0018).
    assert codes or "no abbreviation" in agreement.law.preference_reference, (
        "every agreement names the tariff preference it is entered under"
    )
    assert set(codes) <= WTD_PREFERENCE_CODES, codes
    assert "Working Tariff Document" in agreement.law.preference_reference


@pytest.mark.parametrize("agreement", AGREEMENTS, ids=IDS)
def test_has_worked_cases(agreement: Agreement) -> None:
    assert len(worked.files(agreement)) >= 3, "each agreement ships worked legal cases"


CASES = [(a, p) for a in AGREEMENTS for p in worked.files(a)]


@pytest.mark.parametrize(("agreement", "path"), CASES, ids=[f"{a.name}/{p.stem}" for a, p in CASES])
def test_worked_case(agreement: Agreement, path: object) -> None:
    worked.check(agreement, path)  # type: ignore[arg-type]


@pytest.mark.parametrize(("agreement", "path"), CASES, ids=[f"{a.name}/{p.stem}" for a, p in CASES])
def test_every_provision_named_is_cited(agreement: Agreement, path: object) -> None:
    """Issue 13: every provision a worked case's steps, RVC notes, notes, obligations or
    material notes name is among the determination's structured citations (so an auditor
    reading ``citations`` sees all the law it relied on)."""
    d = worked.run(agreement, path)  # type: ignore[arg-type]
    allowed = NAMED_NOT_RELIED_ON.get(agreement.name, set())
    assert [m for m in uncited(d) if not any(f"'{a}'" in m for a in allowed)] == []


# A provision a text names only to say the determination does not rest on it.
NAMED_NOT_RELIED_ON = {"china": {"r 51ZD"}}
