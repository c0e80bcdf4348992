"""Transaction methods for guild settings, history and the meta table."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from bot.models import GuildSettings, GuildVersion, HistoryEntry

from .queries_base import Queries
from .rows import _history, _settings, parse_ts, ts


class SettingsQueries(Queries):
    """Guild settings, history and meta (Transaction's part)."""

    # -- guild settings ---------------------------------------------------------------

    async def get_settings(self, guild_id: int) -> GuildSettings | None:
        row = await self._one("SELECT * FROM guild_settings WHERE guild_id = ?", (guild_id,))
        return None if row is None else _settings(row)

    async def put_settings(self, settings: GuildSettings, *, now: dt.datetime) -> None:
        await self._conn.execute(
            """
            INSERT INTO guild_settings (guild_id, timezone, alert_time, reminder_days, calendar,
                counting, default_channel_id, manager_role_id, escalation_role_id,
                escalate_after, overdue_repeat_days, digest_enabled, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (guild_id) DO UPDATE SET
                timezone = excluded.timezone, alert_time = excluded.alert_time,
                reminder_days = excluded.reminder_days, calendar = excluded.calendar,
                counting = excluded.counting, default_channel_id = excluded.default_channel_id,
                manager_role_id = excluded.manager_role_id,
                escalation_role_id = excluded.escalation_role_id,
                escalate_after = excluded.escalate_after,
                overdue_repeat_days = excluded.overdue_repeat_days,
                digest_enabled = excluded.digest_enabled, updated_at = excluded.updated_at
            """,
            (
                settings.guild_id,
                settings.timezone,
                settings.alert_time.strftime("%H:%M"),
                json.dumps(list(settings.reminder_days)),
                settings.calendar,
                settings.counting.value,
                settings.default_channel_id,
                settings.manager_role_id,
                settings.escalation_role_id,
                settings.escalate_after,
                settings.overdue_repeat_days,
                int(settings.digest_enabled),
                ts(now),
            ),
        )

    async def settings_version(self) -> int:
        """A number every change to any guild's settings moves (kept by triggers)."""
        row = await self._one("SELECT version FROM settings_version")
        return int(row[0]) if row else 0

    async def guild_settings_all(self) -> list[GuildSettings]:
        return [_settings(row) for row in await self._all("SELECT * FROM guild_settings")]

    async def settings_for(self, guild_ids: Iterable[int]) -> dict[int, GuildSettings]:
        """Stored settings of these guilds (guilds still on defaults are absent)."""
        ids = list(set(guild_ids))
        if not ids:
            return {}
        rows = await self._all(
            f"SELECT * FROM guild_settings WHERE guild_id IN ({', '.join('?' * len(ids))})", ids
        )
        return {row["guild_id"]: _settings(row) for row in rows}

    async def guild_version(self, guild_id: int) -> GuildVersion:
        """The guild's change counters (one primary-key lookup: never a scan of deadlines)."""
        row = await self._one(
            "SELECT version, changed_at, alarms_version, alarms_changed_at FROM guild_versions "
            "WHERE guild_id = ?",
            (guild_id,),
        )
        if row is None:
            return GuildVersion()
        version, changed_at, alarms_version, alarms_changed_at = row
        return GuildVersion(
            version=int(version),
            changed_at=parse_ts(changed_at) if changed_at else None,
            alarms_version=int(alarms_version),
            alarms_changed_at=parse_ts(alarms_changed_at) if alarms_changed_at else None,
        )

    # -- history ----------------------------------------------------------------------

    async def add_history(self, *entries: HistoryEntry) -> None:
        await self._conn.executemany(
            "INSERT INTO history (guild_id, deadline_id, at, actor_id, action, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (e.guild_id, e.deadline_id, ts(e.at), e.actor_id, e.action, e.detail)
                for e in entries
            ],
        )

    async def history(self, guild_id: int, deadline_id: int) -> list[HistoryEntry]:
        rows = await self._all(
            "SELECT guild_id, deadline_id, at, actor_id, action, detail FROM history "
            "WHERE guild_id = ? AND deadline_id = ? ORDER BY id",
            (guild_id, deadline_id),
        )
        return [_history(row) for row in rows]

    async def guild_history(self, guild_id: int, *, limit: int = 50) -> list[HistoryEntry]:
        """The guild's latest history entries that are not about one deadline (settings,
        calendar feeds, boards), oldest first."""
        rows = await self._all(
            "SELECT guild_id, deadline_id, at, actor_id, action, detail FROM history "
            "WHERE guild_id = ? AND deadline_id IS NULL ORDER BY id DESC LIMIT ?",
            (guild_id, limit),
        )
        return [_history(row) for row in reversed(rows)]

    # -- meta -------------------------------------------------------------------------

    async def get_meta(self, key: str) -> str | None:
        row = await self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    async def set_meta(self, key: str, value: str) -> None:
        await self._conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    async def take_meta(self, key: str) -> str | None:
        """Read and delete: the value, or None if there was none."""
        row = await self._one("DELETE FROM meta WHERE key = ? RETURNING value", (key,))
        return None if row is None else str(row[0])
