"""Beyond one machine (issue #20): the batch functions decide on a Dask cluster, here a
LocalCluster of two worker processes, with the serial run's results in input order, a
failure against its item, and the task (law, schedules) sent once, not with each chunk."""

from __future__ import annotations

import datetime as dt
import functools
import io
import operator
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

distributed = pytest.importorskip(
    "distributed", reason='Dask is not installed here (pip install "origin[dask]")'
)

from origin import parallel, registry  # noqa: E402 - after the skip
from origin.comparison import comparison_to_json, qualify, qualify_many  # noqa: E402
from origin.errors import InputError  # noqa: E402
from origin.workbook import batch, export  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from engine_bench import generate  # noqa: E402

DATE = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as local:
        yield local


class _Counted:
    """A task that counts how often it is pickled in this process."""

    pickled = 0

    def __call__(self, value: int) -> int:
        return value + 1

    def __reduce__(self) -> tuple[type[_Counted], tuple[()]]:
        _Counted.pickled += 1
        return (_Counted, ())


def test_results_in_input_order_with_a_failure_in_its_place(cluster: Any) -> None:
    seen: list[int] = []
    task = functools.partial(operator.truediv, 1)
    results = parallel.run(task, [1, 0, 2, 4, 8], scheduler=cluster, chunk=2, progress=seen.append)
    assert results[0] == 1 and results[2:] == [0.5, 0.25, 0.125]
    assert results[1] == parallel.Failed(1, "ZeroDivisionError: division by zero")
    assert seen == [2, 2, 1]


def test_the_task_travels_once_not_with_each_chunk(cluster: Any) -> None:
    _Counted.pickled = 0
    assert parallel.run(_Counted(), list(range(40)), scheduler=cluster, chunk=4) == list(
        range(1, 41)
    )
    assert _Counted.pickled == 1  # ten chunks, one copy of the task sent


def test_qualify_many_on_the_cluster_is_the_serial_run(cluster: Any) -> None:
    countries = ("AU", "TH", "CN", "KR", "GB", "JP")
    cases = [
        generate(20, seed=i, country=countries[i % len(countries)], psr="CTH or RVC40")
        for i in range(12)
    ]
    serial = [comparison_to_json(qualify(case, DATE)) for case in cases]
    with distributed.Client(cluster, set_as_default=False) as client:  # a client given
        many = qualify_many(cases, DATE, scheduler=client)
    assert [comparison_to_json(c) for c in many] == serial
    texts = qualify_many(
        cases, DATE, scheduler=cluster.scheduler_address, render=comparison_to_json
    )
    assert texts == serial


def test_folder_check_on_the_cluster_equals_serial(
    cluster: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from origin.cli import main  # noqa: PLC0415
    from origin.workbook.template import write_template  # noqa: PLC0415

    agreement = registry.get("anzcerta")
    for i in range(4):
        case = generate(12, seed=i, country="AU", psr="CTH or RVC40 (build-down)")
        write_template(tmp_path / f"book-{i}.xlsx", agreement, [case])
    (tmp_path / "broken.xlsx").write_bytes(b"not a workbook")
    paths = batch.workbooks(tmp_path)

    def exported(result: batch.Batch) -> str:
        out = io.StringIO()
        export.write(result.decided, "jsonl", out)
        return out.getvalue()

    serial = batch.check(paths, agreement, DATE)
    on_cluster = batch.check(paths, agreement, DATE, scheduler=cluster.scheduler_address)
    assert exported(on_cluster) == exported(serial)
    assert [str(i) for i in on_cluster.issues] == [str(i) for i in serial.issues]
    assert on_cluster.ledger == serial.ledger
    args = ["check", str(tmp_path), "--agreement", "anzcerta", "--export", "jsonl"]
    assert main(args) == 1  # the broken workbook
    alone = capsys.readouterr().out
    assert main([*args, "--scheduler", cluster.scheduler_address]) == 1
    assert capsys.readouterr().out == alone


def test_an_unreachable_scheduler_is_said() -> None:
    import dask  # noqa: PLC0415

    with (
        dask.config.set({"distributed.comm.timeouts.connect": "1s"}),
        pytest.raises(InputError, match="cannot reach the Dask scheduler"),
    ):
        parallel.run(len, ["a"], scheduler="tcp://127.0.0.1:9")
