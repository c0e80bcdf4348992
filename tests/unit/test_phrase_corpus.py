"""The phrase corpora (tests/unit/phrase_corpus.py, phrase_corpus2.py): every phrasing gets
its independently worked-out due date (to the minute and zone where it has a time), or is
refused. Nothing is
read silently wrong; nothing that must be refused gets a date. The few refusals of phrases a
newsroom would expect to work are listed, so one that starts working is noticed."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from phrase_corpus import DEBATABLE, NOW, C
from phrase_corpus2 import C as C2
from phrase_corpus3 import C as C3

from bot.deadlines import DeadlineError, calculate

DAY0 = dt.date(2025, 7, 17)
# Refused, though a date exists (issue 13's note says why each is left).
KNOWN_REFUSALS = {
    "10 days, excluding weekends",  # weekends but not holidays: not a rule the bot counts
    "at least 10 days before Aug 29",  # a minimum: refused like "at least 30 days"
    "48 hrs",  # hours need "within" or "from now" to be read as from now
}


def _hms(text: str) -> dt.time:
    parts = [int(x) for x in text.split(":")] + [0]
    return dt.time(parts[0], parts[1], parts[2] if len(parts) > 2 else 0)


def _right(case: dict[str, Any], due: Any) -> bool:
    expected = case["e"]
    if isinstance(expected, list):  # several acceptable answers
        return any(_right({**case, "e": one}, due) for one in expected if one != "R")
    if isinstance(expected, dt.date):
        return bool(due.due == expected and not due.has_time)
    if expected[0] == "H":
        return bool(due.due_at == expected[1])
    zone = zoneinfo.ZoneInfo(expected[-1])
    low = dt.datetime.combine(expected[1], _hms(expected[2]), zone)
    high = dt.datetime.combine(expected[1], _hms(expected[3 if expected[0] == "W" else 2]), zone)
    if expected[0] == "W":
        high += dt.timedelta(seconds=59)
        if due.due_at == dt.datetime.combine(expected[1] + dt.timedelta(days=1), dt.time(), zone):
            return True
    return bool(due.has_time and low <= due.due_at <= high)


def _may_refuse(case: dict[str, Any]) -> bool:
    expected = case["e"]
    must = expected == "R" or (isinstance(expected, list) and "R" in expected)
    return must or case["ok"] or case["p"] in KNOWN_REFUSALS


CASES = [case for case in [*C, *C2, *C3] if (case["p"], case["rule"]) not in DEBATABLE]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['p']}|{c['rule']}|{c['tz']}" for c in CASES])
def test_every_phrasing_reads_right_or_is_refused(case: dict[str, Any]) -> None:
    try:
        result = calculate(case["p"], start=DAY0, rule=case["rule"], tz=case["tz"], now=NOW)
    except DeadlineError:
        assert _may_refuse(case), "refused"
        return
    assert case["e"] != "R", f"must be refused, got {result.due.due_at} ({result.period!r})"
    assert case["p"] not in KNOWN_REFUSALS, "now read: take it off KNOWN_REFUSALS"
    assert _right(case, result.due), (
        f"silently wrong: {result.due.due_at.astimezone(zoneinfo.ZoneInfo(result.due.timezone))}"
        f" (has_time={result.due.has_time}), expected {case['e']}"
    )
