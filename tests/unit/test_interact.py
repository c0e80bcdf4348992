"""A late deferral racing the answer (bot/discord/interact.py): discord.py marks an interaction
answered only when Discord's reply to the deferral arrives, so an answer made while the
deferral's request is under way must wait for it, then edit through the webhook; a second
first answer is refused by Discord (40060). A stand-in for discord.py's response object: the
race needs its request held open at a chosen moment, which the fake Discord cannot do."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from bot.discord import interact


class AlreadyAcknowledged(Exception):
    """Discord's 40060."""


class HeldResponse:
    def __init__(self) -> None:
        self.acknowledged = False  # what Discord knows
        self._type: int | None = None  # what discord.py knows

    def is_done(self) -> bool:
        return self._type is not None

    async def defer(self, **_: object) -> None:
        self.acknowledged = True  # the request reached Discord...
        await asyncio.sleep(0.2)  # ...and its answer is on its way back
        self._type = 6

    async def edit_message(self, **_: object) -> None:
        if self.acknowledged:
            raise AlreadyAcknowledged("40060 Interaction has already been acknowledged")
        self._type = 7


async def test_an_answer_made_while_the_deferral_is_under_way_edits_after_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(interact, "DEFER_AFTER_SECONDS", 0.05)
    edited: list[dict[str, Any]] = []

    async def edit_original_response(**fields: Any) -> None:
        edited.append(fields)

    response = HeldResponse()
    interaction: Any = SimpleNamespace(
        extras={}, response=response, edit_original_response=edit_original_response
    )
    interact.defer_update_if_slow(interaction)
    await asyncio.sleep(0.1)  # the work (Mark done) ends just after the deferral began
    await interact.update_message(interaction, content="done", view=None)
    assert response.is_done()
    assert [e["content"] for e in edited] == ["done"]  # through the webhook, after the defer


async def test_an_answer_before_the_deferral_began_drops_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(interact, "DEFER_AFTER_SECONDS", 0.2)
    response = HeldResponse()
    interaction: Any = SimpleNamespace(extras={}, response=response)
    interact.defer_update_if_slow(interaction)
    await interact.update_message(interaction, content="done", view=None)
    await asyncio.sleep(0.3)
    assert response._type == 7  # answered in place; the deferral never went
    assert not response.acknowledged
