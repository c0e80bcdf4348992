"""Benchmark the deadline engine: warm parse + compute per phrase, and the CLI process.

Run: python bench/engine.py
Targets (issue 13): parse+count p99 < 1 ms a phrase; `python -m bot due` at most 5x a bare
interpreter's start, both measured in the same run, interleaved, with the bot's bytecode kept
as an install keeps it (also shown: compiled from source every run).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.deadlines import calculate
from bot.deadlines.finding import find_deadlines

PARAGRAPHS = [
    "The state auditor on Tuesday sent notices to three school districts, asking for all "
    "invoices since Jan. 1 and every contract signed by the board.",
    "The districts have 20 business days to respond, and one district has until March 31 to "
    "file its audit, officials said on Wednesday.",
    "Ortiz, 52, said the districts were given 10 days last year and missed it. On Feb. 11, "
    "the board met for 3 hours and voted 5 to 2 to hire an outside lawyer.",
    '"We expect full cooperation," she said. The county clerk must reply within 30 days of '
    "receipt of the request, and may be extended by 15 days in unusual circumstances.",
]

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


def bench_cli(runs: int = 21, *, bytecode: bool = True) -> dict[str, list[float]]:
    """Wall times of `python -m bot due ... --json` and of a bare `python -c pass`, interleaved
    so that all see the same machine: a count in calendar days (no holiday calendar needed), in
    business days with the CLI's holiday cache filled (bot/holiday_cache.py), and in business
    days with an empty cache (the first run after an install: the `holidays` package loaded).

    `bytecode`: as an installed bot runs, its modules' compiled bytecode kept (pip compiles it
    at install; here in a temporary PYTHONPYCACHEPREFIX, filled by a first run). Without it,
    every run compiles the bot's modules from source, as in a checkout run with
    PYTHONDONTWRITEBYTECODE set (this machine's editable install): ~50 ms more a run."""
    root = Path(__file__).resolve().parents[1]
    due = [sys.executable, "-m", "bot", "due", "--from", "2025-07-17", "--json"]
    cases = {
        "calendar days": "Bondi letter, 30 days",
        "business days, cache filled": "FOIA to the FBI, 20 business days",
        "business days, empty cache": "FOIA to the FBI, 20 business days",
    }
    times: dict[str, list[float]] = {name: [] for name in [*cases, "bare"]}
    with tempfile.TemporaryDirectory() as folder:
        base = dict(os.environ)
        if bytecode:
            base.pop("PYTHONDONTWRITEBYTECODE", None)
            base["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
        else:
            base["PYTHONDONTWRITEBYTECODE"] = "1"
        filled = {**base, "XDG_CACHE_HOME": str(Path(folder) / "filled")}
        subprocess.run([*due, cases["business days, cache filled"]], env=filled, check=True,
                       cwd=root, capture_output=True)  # fmt: skip
        for i in range(runs):
            for name, text in cases.items():
                env = filled
                if name.endswith("empty cache"):
                    env = {**base, "XDG_CACHE_HOME": str(Path(folder) / f"empty-{i}")}
                t0 = time.perf_counter()
                subprocess.run([*due, text], cwd=root, env=env, check=True, capture_output=True)
                times[name].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-c", "pass"], cwd=root, env=base, check=True, capture_output=True
            )
            times["bare"].append(time.perf_counter() - t0)
    return times


def article(size: int = 5000) -> str:
    parts = ["date 2025-03-06"]
    while sum(len(p) + 2 for p in parts) < size:
        parts.append(PARAGRAPHS[len(parts) % len(PARAGRAPHS)])
    return "\n\n".join(parts)[:size]


def bench_find(rounds: int = 60) -> tuple[list[float], int, int]:
    text = article()
    find_deadlines(text, date=dt.date(2025, 3, 6))  # warm
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        found = find_deadlines(text, date=dt.date(2025, 3, 6))
        samples.append((time.perf_counter() - t0) * 1000)
    return samples, len(text), len(found)


def main() -> None:
    warm = bench_warm()
    print(
        f"engine warm parse+compute: median {statistics.median(warm):.3f} ms, "
        f"p99 {percentile(warm, 0.99):.3f} ms over {len(warm)} phrases (target p99 < 1 ms)"
    )
    found, size, count = bench_find()
    print(
        f"find in a {size:,}-character article ({count} deadlines): median "
        f"{statistics.median(found):.2f} ms, p99 {percentile(found, 0.99):.2f} ms over "
        f"{len(found)} runs (target < 20 ms)"
    )
    for bytecode in (True, False):
        times = bench_cli(bytecode=bytecode)
        base = statistics.median(times.pop("bare"))
        how = "bytecode kept, as installed" if bytecode else "compiled every run, no bytecode"
        target = " (target <= 5x)" if bytecode else ""
        for name, runs in times.items():
            median = statistics.median(runs)
            print(
                f"CLI `python -m bot due --json` ({name}; {how}): median {median:.3f} s, bare "
                f"interpreter median {base:.3f} s: {median / base:.1f}x{target}, {len(runs)} runs"
            )


if __name__ == "__main__":
    main()
