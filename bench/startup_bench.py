"""Start-up: ``origin --help`` against ``python -c pass``, fresh processes, interleaved.

Issue #20's goal: ``origin --help`` ≤ 1.5 × ``python -c pass`` + 100 ms. The top-level help
lists every command without importing the modules that run them (origin.cli.COMMANDS).
Prints min/median/max of each and the goal computed from the same run. Run::

    python bench/startup_bench.py [REPEATS]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    bare: list[float] = []
    help_: list[float] = []
    determine: list[float] = []
    for _ in range(repeats):
        bare.append(timed([sys.executable, "-c", "pass"]))
        help_.append(timed([sys.executable, "-m", "origin.cli", "--help"]))
        determine.append(timed([sys.executable, "-m", "origin.cli", "demo"]))

    def spread(values: list[float]) -> str:
        ordered = sorted(values)
        return (
            f"min {ordered[0] * 1000:.0f} median {statistics.median(ordered) * 1000:.0f} "
            f"max {ordered[-1] * 1000:.0f} ms"
        )

    goal = 1.5 * statistics.median(bare) + 0.1
    print(f"python -c pass: {spread(bare)}")
    print(f"origin --help: {spread(help_)}; goal <= {goal * 1000:.0f} ms (1.5 x pass + 100 ms)")
    ratios = sorted(h / b for h, b in zip(help_, bare, strict=True))
    print(f"ratio --help / pass: min {ratios[0]:.2f} median {statistics.median(ratios):.2f} "
          f"max {ratios[-1]:.2f}")  # fmt: skip
    print(f"origin demo (one determination, the engine loaded): {spread(determine)}")


if __name__ == "__main__":
    main()
