"""What the running bot keeps about itself: its heartbeat and the last synced commands."""

from __future__ import annotations

from bot.operations import HEARTBEAT_KEY, Heartbeat

from .unit import Unit

COMMANDS_HASH_KEY = "commands_hash"


class RuntimeUseCases:
    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    async def beat(self, heartbeat: Heartbeat) -> dict[str, int]:
        """Record the heartbeat (the write proves the database is writable); returns the
        number of deadlines by status, for the metrics."""
        async with self._unit.transaction() as tx:
            await tx.set_meta(HEARTBEAT_KEY, heartbeat.to_json())
        async with self._unit.read() as tx:  # the counts need not hold the write lock
            return await tx.count_by_status()

    async def commands_hash(self) -> str | None:
        """The hash of the slash commands as last synced globally."""
        async with self._unit.transaction() as tx:
            return await tx.get_meta(COMMANDS_HASH_KEY)

    async def remember_commands_hash(self, digest: str) -> None:
        async with self._unit.transaction() as tx:
            await tx.set_meta(COMMANDS_HASH_KEY, digest)
