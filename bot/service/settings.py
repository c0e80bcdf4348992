"""Guild settings: read them, and change them (Manage Server), replanning every alert."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from bot.deadlines import zone
from bot.models import GuildSettings, HistoryEntry, StoredAlert
from bot.storage import Transaction

from .actor import SETTINGS_RULE, Actor, may_change_settings
from .checks import check_settings
from .deadlines import replan_deadline
from .errors import NotAllowed, ValidationError
from .unit import Unit

log = logging.getLogger(__name__)

_CHANGEABLE = frozenset(f.name for f in dataclasses.fields(GuildSettings)) - {"guild_id"}
# What planning reads: a change to anything else (channel, roles, digest, counting for new
# deadlines) leaves every alert as it is, pending retries included.
_PLANNED_BY = frozenset(
    {"timezone", "alert_time", "reminder_days", "escalate_after", "escalation_role_id",
     "overdue_repeat_days"}
)  # fmt: skip


class SettingsUseCases:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    async def get(self, guild_id: int) -> GuildSettings:
        async with self._unit.transaction() as tx:
            return await self._unit.settings(tx, guild_id)

    async def update(self, actor: Actor, guild_id: int, **changes: Any) -> GuildSettings:
        """Change guild settings (Manage Server only) and replan every active deadline."""
        if not may_change_settings(actor):
            raise NotAllowed(SETTINGS_RULE, example="ask someone with Manage Server")
        unknown = set(changes) - _CHANGEABLE
        if unknown:
            raise ValidationError(f"unknown settings: {', '.join(sorted(unknown))}")
        now = self._unit.now()
        async with self._unit.transaction() as tx:
            old = await self._unit.settings(tx, guild_id)
            new = check_settings(dataclasses.replace(old, **changes))
            await tx.put_settings(new, now=now)
            detail = ", ".join(f"{key}={_show(value)}" for key, value in sorted(changes.items()))
            entries = [HistoryEntry(guild_id, None, now, actor.user_id, "settings", detail)]
            if any(getattr(new, key) != getattr(old, key) for key in _PLANNED_BY):
                entries += await self._replan_all(tx, old, new, now=now, because=detail)
            await tx.add_history(*entries)
        self._unit.remember_settings(new)  # committed (a failed change leaves the old)
        log.info("settings changed guild=%s by=%s: %s", guild_id, actor.user_id, detail)
        self._unit.changed(guild_id, None)
        return new

    async def _replan_all(
        self,
        tx: Transaction,
        old: GuildSettings,
        new: GuildSettings,
        *,
        now: dt.datetime,
        because: str,
    ) -> list[HistoryEntry]:
        """Replan every active deadline of the guild under `new` settings."""
        due: dict[int, list[StoredAlert]] = defaultdict(list)
        for alert in await tx.due_alerts(new.guild_id, before=now):
            due[alert.deadline_id].append(alert)
        entries: list[HistoryEntry] = []
        for deadline in await tx.active_deadlines(new.guild_id):
            if new.timezone != old.timezone and not deadline.has_time and not deadline.timezone:
                # A date-only deadline ends at midnight where the newsroom is.
                end = dt.datetime.combine(deadline.due, dt.time(23, 59, 59), zone(new.timezone))
                deadline = dataclasses.replace(deadline, due_at=end.astimezone(dt.UTC))
                await tx.update_deadline(deadline)
            entries += await replan_deadline(
                tx, deadline, new, now=now, because=f"settings: {because}",
                due=due.get(deadline.id, ()),
            )  # fmt: skip
        return entries


def _show(value: object) -> str:
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    return str(value)
