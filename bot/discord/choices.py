"""When a phrase reads more than one way ("30 days or 45 days"), the bot asks instead of
guessing: one button per reading (and "Track both" for separate deadlines). The question waits
in memory for a while; only the member who asked may answer it. After a restart (or once it
has expired) a press says so, and the member types the reading they meant.
"""

from __future__ import annotations

import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import discord

from bot.deadlines import AmbiguousPhrase
from bot.service import ValidationError

from . import render
from .interact import reply, report_error
from .options import guild_id_of

QUESTION_SECONDS = 15 * 60
MAX_QUESTIONS = 1000
# Runs one reading for the member who pressed; returns what to show for it.
Answer = Callable[[discord.Interaction, str], Awaitable[discord.Embed]]


@dataclass(frozen=True, slots=True)
class Question:
    user_id: int
    guild_id: int | None
    readings: tuple[str, ...]
    both: bool
    answer: Answer | None
    asked_at: float
    found: tuple[Any, ...] = ()  # Track deadline: the deadlines found, for their forms


class Questions:
    """The open questions, by token (a bounded, expiring map; the bot holds one)."""

    def __init__(self, *, seconds: float = QUESTION_SECONDS, limit: int = MAX_QUESTIONS) -> None:
        self._open: OrderedDict[str, Question] = OrderedDict()
        self._seconds = seconds
        self._limit = limit

    def ask(self, question: Question) -> str:
        self._expire()
        while len(self._open) >= self._limit:
            self._open.popitem(last=False)
        token = secrets.token_hex(8)
        self._open[token] = question
        return token

    def take(self, token: str) -> Question | None:
        self._expire()
        return self._open.pop(token, None)

    def put_back(self, token: str, question: Question) -> None:
        """Keep a question open (pressed by someone who may not answer it)."""
        self._open[token] = question

    def _expire(self) -> None:
        now = time.monotonic()
        while self._open:
            token, oldest = next(iter(self._open.items()))
            if now - oldest.asked_at <= self._seconds:
                break
            del self._open[token]


def questions_of(interaction: discord.Interaction) -> Questions:
    questions = getattr(interaction.client, "questions", None)
    assert isinstance(questions, Questions)
    return questions


async def ask_which(
    interaction: discord.Interaction, error: AmbiguousPhrase, answer: Answer
) -> None:
    """Reply (privately) with the readings as buttons."""
    question = Question(
        interaction.user.id,
        guild_id_of(interaction),
        error.readings[:4],
        error.both,
        answer,
        time.monotonic(),
    )
    token = questions_of(interaction).ask(question)
    view = discord.ui.View(timeout=None)
    for index, reading in enumerate(question.readings):
        view.add_item(ReadingButton(token, str(index), label=reading))
    if question.both:
        view.add_item(ReadingButton(token, "all", label="Track both"))
    await reply(
        interaction, content=render.which_reading_text(error.message, question.readings),
        view=view, ephemeral=True,
    )  # fmt: skip


class ReadingButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"dd:pick:(?P<token>[0-9a-f]{16}):(?P<pick>\d|all)",
):
    """One reading of an ambiguous phrase (or all of them)."""

    def __init__(self, token: str, pick: str, *, label: str = "This one") -> None:
        super().__init__(
            discord.ui.Button(
                label=render.cut(label, 80),
                style=discord.ButtonStyle.primary
                if pick == "all"
                else discord.ButtonStyle.secondary,
                custom_id=f"dd:pick:{token}:{pick}",
            )
        )
        self.token, self.pick = token, pick

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReadingButton:
        return cls(match["token"], match["pick"])

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            questions = questions_of(interaction)
            question = questions.take(self.token)
            if question is None:
                raise ValidationError(
                    "this question has expired (or the bot restarted): run the command again "
                    "with the reading you meant",
                    example='/deadline add text:"Records, 30 days"',
                )
            if question.user_id != interaction.user.id or (
                question.guild_id != guild_id_of(interaction)
            ):
                questions.put_back(self.token, question)  # still open for the one who asked
                raise ValidationError("only the member who asked can choose")
            picked = _picked(question.readings, self.pick)
            answer = question.answer
            assert answer is not None
            embeds = [await answer(interaction, reading) for reading in picked]
            await interaction.response.edit_message(content=None, embeds=embeds, view=None)
        except Exception as error:
            await report_error(interaction, error)


def _picked(readings: Sequence[str], pick: str) -> Sequence[str]:
    if pick == "all":
        return readings
    index = int(pick)
    if index >= len(readings):
        raise ValidationError("that reading is not one of the question's")
    return [readings[index]]
