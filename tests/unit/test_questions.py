"""The open "which did you mean?" questions: bounded, expiring, answered once."""

from __future__ import annotations

import time

from bot.discord.choices import Question, Questions


async def _answer(interaction: object, reading: str) -> object:
    raise AssertionError("not called here")


def question(asked_at: float | None = None) -> Question:
    return Question(1, 2, ("a, 30 days", "a, 45 days"), False, _answer,  # type: ignore[arg-type]
                    time.monotonic() if asked_at is None else asked_at)  # fmt: skip


def test_a_question_is_answered_once() -> None:
    questions = Questions()
    token = questions.ask(question())
    assert questions.take(token) is not None
    assert questions.take(token) is None


def test_an_old_question_expires() -> None:
    questions = Questions(seconds=60)
    stale = questions.ask(question(asked_at=time.monotonic() - 61))
    fresh = questions.ask(question())
    assert questions.take(stale) is None
    assert questions.take(fresh) is not None


def test_the_oldest_question_goes_when_full() -> None:
    questions = Questions(limit=2)
    first, second, third = (questions.ask(question()) for _ in range(3))
    assert questions.take(first) is None
    assert questions.take(second) is not None
    assert questions.take(third) is not None
