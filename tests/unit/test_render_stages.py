"""Rendering a records-law deadline: the allowed extension's button names the law within
Discord's 80 characters, and a staged deadline shows its chain."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.deadlines import calculate
from bot.deadlines.laws import laws
from bot.discord import render
from bot.models import Deadline, Status


def preset_deadline(key: str, start: dt.date = dt.date(2025, 7, 17)) -> Deadline:
    result = calculate("", start=start, preset=key)
    due = result.due
    now = dt.datetime(2025, 7, 17, 12, 0, tzinfo=dt.UTC)
    return Deadline(
        guild_id=1, id=12, channel_id=2, title=result.title or "", start=due.start,
        rule=due.rule, calendar=due.calendar, period=result.period, due=due.due,
        due_at=due.due_at, has_time=False, explanation=due.explanation, created_by=3,
        created_at=now, updated_at=now, allowed_extension=result.allowed,
        timezone=due.timezone, preset=key, stages_left=len(result.stages) - 1,
    )  # fmt: skip


def test_the_california_button_cites_the_statute() -> None:
    # Due Mon Jul 28 (rolled from Sun Jul 27); + 14 days -> Mon Aug 11.
    label = render.allowed_label(preset_deadline("ca"))
    assert label == "Extend to Mon 2025-08-11: unusual circumstances, Cal. Gov. Code § 7922.535(b)"
    assert len(label) == 77


@pytest.mark.parametrize("law", [law for law in laws() if law.extension], ids=lambda law: law.key)
def test_every_allowed_extension_label_fits_and_names_its_citation(law: object) -> None:
    deadline = preset_deadline(law.key)  # type: ignore[attr-defined]
    label = render.allowed_label(deadline)
    assert len(label) <= render.BUTTON_LABEL_LIMIT
    assert label.startswith("Extend to ")
    citation = law.extension.citation  # type: ignore[attr-defined]
    if len(f"Extend to Mon 2025-01-01: {citation}") <= render.BUTTON_LABEL_LIMIT:
        assert citation in label
    else:  # the whole law's citation (no subsection checked): the alert's field names it
        assert label.endswith("(allowed)")
    assert citation in render.allowed_text(deadline)


def test_a_phrase_extension_without_a_law_keeps_the_plain_label() -> None:
    deadline = dataclasses.replace(preset_deadline("ca"), preset=None)
    assert render.allowed_label(deadline) == "Extend to Mon 2025-08-11 (allowed)"


def test_the_stage_chain_of_a_new_york_request() -> None:
    deadline = preset_deadline("ny")
    text = render.stages_text(deadline)
    lines = text.split("\n")
    assert lines[0].endswith(
        "**1. acknowledge: 5 business days from receipt, due Thu 2025-07-24** (current; "
        "N.Y. Pub. Off. Law § 89(3)(a))"
    )
    assert "2. grant or deny: 20 business days from the acknowledgment" in lines[1]
    assert "by Thu 2025-08-21 if that is its due date, or nobody marks it" in lines[1]
    assert "moves on by itself, counted from that due date (History says so)" in lines[2]
    assert render.stage_line(deadline) == (
        "Stage 1 of 2: acknowledge (N.Y. Pub. Off. Law § 89(3)(a)); then: grant or deny, "
        "20 business days from the acknowledgment"
    )
    # Without stages: nothing shown.
    assert render.stages_text(preset_deadline("ca")) == ""
    assert render.stage_line(preset_deadline("ca")) == ""
    # Closed in its last stage: the chain, nothing to come.
    closed = dataclasses.replace(deadline, stage=1, stages_left=0, status=Status.DONE)
    assert "(done;" in render.stages_text(closed)
    assert "\u23ed" not in render.stages_text(closed)
    assert render.done_text(closed) == "\u2705 #12 New York FOIL request is done."


def test_oregons_next_stage_says_it_counts_from_the_due_date() -> None:
    # Received Thu 2025-07-17: acknowledge by Thu Jul 24; then 10 business days from Jul 24
    # (ORS 192.329), whenever it is done: Jul 25, Jul 28-Aug 1, Aug 4-7 -> Thu Aug 7.
    text = render.stages_text(preset_deadline("or"))
    assert (
        "10 business days from the date the acknowledgment was due (ORS 192.329), counted "
        "from stage 1's due date, whenever it is marked done: by Thu 2025-08-07"
    ) in text
    explained = " ".join(calculate("", start=dt.date(2025, 7, 17), preset="or").due.explanation)
    assert (
        "by Thu 2025-08-07 counted from the due date above, whenever stage 1 is done"
    ) in explained
    # New York's still counts from the day its acknowledgment is marked done.
    assert "counted from the day stage 1 is marked done" in render.stages_text(
        preset_deadline("ny")
    )
