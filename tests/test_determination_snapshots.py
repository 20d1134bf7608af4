"""Every worked case's JSON determination, byte for byte, as committed in tests/determinations/.

A refactoring (issue 14: regimes declared in law files, one case builder) must not change a
single determination; a change in the law's reading must show up here as a reviewed diff.
After a deliberate change, regenerate with ``ORIGIN_UPDATE_SNAPSHOTS=1 python3 -m pytest
tests/test_determination_snapshots.py`` and commit the diff with the change that explains it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import worked

from origin import registry, strict_json
from origin.agreement import Agreement
from origin.caseio import determination_to_json

SNAPSHOTS = Path(__file__).parent / "determinations"
CASES = [(a, p) for a in registry.all_agreements() for p in worked.files(a)]


def _text(agreement: Agreement, path: Path) -> str:
    data = determination_to_json(worked.run(agreement, path))
    return strict_json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


@pytest.mark.parametrize(("agreement", "path"), CASES, ids=[f"{a.name}/{p.stem}" for a, p in CASES])
def test_determination_is_unchanged(agreement: Agreement, path: Path) -> None:
    snapshot = SNAPSHOTS / agreement.name / f"{path.stem}.json"
    text = _text(agreement, path)
    if os.environ.get("ORIGIN_UPDATE_SNAPSHOTS") == "1":
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(text, encoding="utf-8")
    assert snapshot.exists(), f"no snapshot for {agreement.name}/{path.name}: regenerate"
    assert text == snapshot.read_text(encoding="utf-8")


def test_no_snapshot_without_its_case() -> None:
    """A snapshot whose worked case was renamed or removed would pass unnoticed."""
    expected = {SNAPSHOTS / a.name / f"{p.stem}.json" for a, p in CASES}
    assert set(SNAPSHOTS.glob("*/*.json")) == expected
