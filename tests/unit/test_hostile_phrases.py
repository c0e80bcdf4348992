"""Hostile input to the engine: fuzzed and pathological phrases get the engine's own errors,
in milliseconds, never anything else."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable

import pytest
from hostile_inputs import DIGITS_100KB, inputs
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.deadlines import DeadlineError, calculate, parse_phrase, parse_start_date

# -- the engine: only its own errors, fast -----------------------------------------------------


@given(inputs)
@settings(max_examples=1500, deadline=None)
def test_the_phrase_parser_raises_only_its_own_errors(text: str) -> None:
    try:
        parsed = parse_phrase(text)
    except DeadlineError:
        return
    assert parsed.title is None or parsed.title.strip() == parsed.title


@given(
    text=inputs,
    start=st.dates(),
    rule=st.one_of(st.sampled_from(["calendar", "roll", "court", "business"]), st.text()),
    calendar=st.one_of(st.sampled_from(["US", "US-CA", "us-ny"]), st.text(max_size=10)),
    tz=st.one_of(st.sampled_from(["America/New_York", "UTC", "Pacific/Kiritimati"]), st.text()),
)
@settings(max_examples=800, deadline=None)
def test_the_calculator_raises_only_its_own_errors(
    text: str, start: dt.date, rule: str, calendar: str, tz: str
) -> None:
    try:
        result = calculate(text, start=start, rule=rule, calendar=calendar, tz=tz)
    except DeadlineError:
        return
    assert dt.date(1900, 1, 1) <= result.due.due <= dt.date(2200, 12, 31)
    assert result.due.due_at.tzinfo is not None


@given(text=inputs, near=st.dates())
@settings(max_examples=500, deadline=None)
def test_start_dates_raise_only_their_own_errors(text: str, near: dt.date) -> None:
    with contextlib.suppress(DeadlineError):
        parse_start_date(text, near=near)


def timed(call: Callable[[], object]) -> tuple[float, BaseException | None]:
    """Seconds `call` took (best of three, so a busy machine does not fail it) and what it
    raised."""
    best, raised = float("inf"), None
    for _ in range(3):
        started = time.perf_counter()
        try:
            call()
            raised = None
        except BaseException as exc:
            raised = exc
        best = min(best, time.perf_counter() - started)
    return best, raised


PATHOLOGICAL = [
    DIGITS_100KB,
    DIGITS_100KB + " days",
    "Title, " + DIGITS_100KB + " business days",
    "9" * 499,
    "1 day + " * 62,
    "a, " * 166,
    ", " * 250,
    " - " * 166,
    "1 " * 250,
    "by " * 166,
    "x from " * 70,
    "1 day from " * 45,
    "jul 17 " * 70,
    "1" + " " * 497 + "d",
    "\u200b" * 499 + "1 day",
]


@pytest.mark.parametrize("text", PATHOLOGICAL, ids=lambda t: f"{t[:12]!r}x{len(t)}")
def test_huge_and_pathological_phrases_are_answered_in_milliseconds(text: str) -> None:
    near = dt.date(2025, 7, 17)
    for call in (
        lambda: parse_phrase(text),
        lambda: calculate(text, start=near),
        lambda: parse_start_date(text, near=near),
    ):
        took, raised = timed(call)
        assert took < 0.05, f"{took * 1000:.1f} ms"
        assert raised is None or isinstance(raised, DeadlineError), repr(raised)
