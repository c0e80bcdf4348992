"""Benchmark the deadline engine: warm parse + compute per phrase, and the CLI process.

Run: python bench/engine.py
Targets (issue 13): parse+count p99 < 1 ms a phrase; `python -m bot due` at most 5x a bare
interpreter's start, both measured in the same run, interleaved.
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
    ("Bondi gave sheriffs thirty (30) days to comply.", "calendar"),
    ("The county has until Aug. 15 to respond.", "calendar"),
    ("Records, one hundred twenty (120) days of receipt, extendable by 15 days", "roll"),
    ("Reply by 3:30 p.m. ET on Sept. 5", "calendar"),
    ("Appeal, 30 days before Aug. 15", "court"),
    ("Comment period ends by noon next Friday", "calendar"),
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


def bench_cli(runs: int = 20) -> tuple[list[float], list[float]]:
    """Wall times of `python -m bot due ... --json` and of a bare `python -c pass`,
    interleaved so that both see the same machine."""
    root = Path(__file__).resolve().parents[1]
    due = [sys.executable, "-m", "bot", "due", "--from", "2025-07-17", "--json"]
    walls, bare = [], []
    for i in range(runs):
        # Alternately a count in calendar days (no holiday calendar needed) and in business
        # days (the `holidays` package loaded).
        text = "Bondi letter, 30 days" if i % 2 else "FOIA to the FBI, 20 business days"
        t0 = time.perf_counter()
        subprocess.run([*due, text], cwd=root, check=True, capture_output=True)
        walls.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], cwd=root, check=True, capture_output=True)
        bare.append(time.perf_counter() - t0)
    return walls, bare


def main() -> None:
    warm = bench_warm()
    print(
        f"engine warm parse+compute: median {statistics.median(warm):.3f} ms, "
        f"p99 {percentile(warm, 0.99):.3f} ms over {len(warm)} phrases (target p99 < 1 ms)"
    )
    walls, bare = bench_cli()
    base = statistics.median(bare)
    for name, runs in (("business days", walls[0::2]), ("calendar days", walls[1::2])):
        median = statistics.median(runs)
        print(
            f"CLI `python -m bot due --json` ({name}): median {median:.3f} s, bare interpreter "
            f"median {base:.3f} s: {median / base:.1f}x (target <= 5x), {len(runs)} runs"
        )


if __name__ == "__main__":
    main()
