"""Bulk import (a spreadsheet, another tracker): all or nothing, in one transaction."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable

from bot.models import NewDeadline, Status
from bot.planning import plan_many

from .checks import checked_new
from .deadlines import MAX_ACTIVE_PER_GUILD
from .errors import LimitError
from .unit import Unit

log = logging.getLogger(__name__)


class ImportUseCases:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    async def import_deadlines(self, items: Iterable[NewDeadline]) -> list[int]:
        """Store `items`, each checked like one added by hand (title, notes, link, zone, the
        active limit of its guild), planned with its guild's settings, and recorded in its
        history as "imported". Returns their ids (each guild's own sequence), in order.

        One transaction holds the store for the whole batch (about 40 ms per 1,000 deadlines
        here): import in batches of a few thousand while the bot is serving.
        """
        news = [checked_new(new, index) for index, new in enumerate(items)]
        per_guild = Counter(new.guild_id for new in news)
        now = self._unit.now()
        async with self._unit.transaction() as tx:
            settings = {guild_id: await self._unit.settings(tx, guild_id) for guild_id in per_guild}
            for guild_id, count in per_guild.items():
                active = await tx.count_deadlines(guild_id, Status.ACTIVE)
                if active + count > MAX_ACTIVE_PER_GUILD:
                    raise LimitError(
                        f"server {guild_id} tracks {active} active deadlines; {count} more would "
                        f"pass the limit of {MAX_ACTIVE_PER_GUILD}, so nothing was imported",
                        example=f"import at most {MAX_ACTIVE_PER_GUILD - active} there",
                    )
            batch = list(zip(news, plan_many(news, settings, now=now), strict=True))
            ids = await tx.insert_deadlines(batch, history_action="imported")
        log.info("imported %d deadlines into %d servers", len(news), len(per_guild))
        for guild_id in per_guild:
            self._unit.changed(guild_id, None)
        return ids
