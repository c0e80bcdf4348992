"""Benchmark the deadline engine: warm parse + compute per phrase, and the CLI process.

Run: python bench/engine.py   (targets: < 0.2 ms per phrase warm; CLI process < 0.3 s)
"""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bot.deadlines import calculate

PHRASES = [
    ("Bondi letter, 30 days", "roll"),
    ("FOIA to FBI, 20 business days", "calendar"),
    ("County records - 10 days + 14-day extension", "court"),
    ("Reply by Aug 15 5pm", "calendar"),
    ("Appeal: 3 months", "roll"),
    ("Bondi letter, 30 days from July 17 2025", "calendar"),
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_warm(rounds: int = 3000) -> list[float]:
    start = dt.date(2025, 11, 20)
    for text, rule in PHRASES:  # warm caches (holiday years, regexes)
        calculate(text, start=start, rule=rule)
    samples = []
    for i in range(rounds):
        text, rule = PHRASES[i % len(PHRASES)]
        t0 = time.perf_counter()
        calculate(text, start=start, rule=rule)
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def bench_cli(runs: int = 10) -> list[float]:
    root = Path(__file__).resolve().parents[1]
    cmd = [sys.executable, "-m", "bot", "due", "Bondi letter, 30 days", "--from", "2025-07-17"]
    walls = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([*cmd, "--json"], cwd=root, check=True, capture_output=True)
        walls.append(time.perf_counter() - t0)
    return walls


def main() -> None:
    warm = bench_warm()
    print(
        f"engine warm parse+compute: median {statistics.median(warm):.3f} ms, "
        f"p99 {percentile(warm, 0.99):.3f} ms over {len(warm)} phrases (target < 0.2 ms)"
    )
    walls = bench_cli()
    print(
        f"CLI `python -m bot due --json`: median {statistics.median(walls):.3f} s, "
        f"max {max(walls):.3f} s over {len(walls)} runs (target < 0.3 s)"
    )


if __name__ == "__main__":
    main()
