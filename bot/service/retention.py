"""Retention: done and cancelled deadlines older than the configured number of days are
deleted, in small transactions, by a daily job (bot.scheduling). Off (keep forever) by default.

What goes: the deadline, its alerts and its stored calendar event. What stays: its history
(append-only, the record of who did what), plus one entry per guild and batch saying how many
closed deadlines were removed and up to when. A guild's newest deadline always stays, so that
its number is never given again (see Transaction.delete_closed).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Final

from bot.models import HistoryEntry

from .unit import Unit

log = logging.getLogger(__name__)

# Deadlines deleted per transaction: each batch holds the write lock for a few milliseconds,
# and other work runs between batches.
RETENTION_BATCH: Final = 1000
RETENTION_ACTION: Final = "retention"


class RetentionUseCases:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    async def purge_closed(self, *, days: int, batch: int = RETENTION_BATCH) -> int:
        """Delete the deadlines done or cancelled (or last edited) more than `days` days ago;
        `days` 0 keeps everything. Returns how many were deleted."""
        if days <= 0:
            return 0
        now = self._unit.now()
        before = now - dt.timedelta(days=days)
        total = 0
        while True:
            async with self._unit.transaction() as tx:
                removed = await tx.delete_closed(closed_before=before, limit=batch)
                await tx.add_history(
                    *(
                        HistoryEntry(
                            guild_id, None, now, None, RETENTION_ACTION,
                            f"{n} done or cancelled deadline(s) closed before "
                            f"{before:%Y-%m-%d %H:%M} UTC deleted (kept {days} days); "
                            "their history is kept",
                        )
                        for guild_id, n in sorted(removed.items())
                    )
                )  # fmt: skip
            done = sum(removed.values())
            total += done
            if done < batch:
                break
            await asyncio.sleep(0)  # let commands and alerts in between batches
        if total:
            log.info("retention: %d closed deadline(s) older than %d days deleted", total, days)
        return total
