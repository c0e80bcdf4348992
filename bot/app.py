"""Run the bot: check the config, point discord.py at the right servers, start, and stop
cleanly on SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import aiohttp
import discord
import discord.gateway
import discord.http
import yarl

from bot.config import Config, ConfigError, check_database_path, require_token
from bot.discord.client import DeadlineBot
from bot.operations import OperationError, instance_lock
from bot.storage import SqliteStore, StorageError
from bot.web import ops_routes, start_web

log = logging.getLogger(__name__)

SHUTDOWN_SECONDS = 5.0


def point_at_servers(config: Config) -> None:
    """Use another Discord-compatible server when configured (the tests' fake Discord)."""
    if config.discord.api_base_url:
        discord.http.Route.BASE = config.discord.api_base_url.rstrip("/")
    if config.discord.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(config.discord.gateway_url)


async def serve(config: Config) -> None:
    """Run until the bot stops or a signal asks it to. Raises ConfigError for bad setup."""
    token = require_token(config)
    check_database_path(config.database.path)
    point_at_servers(config)
    try:
        with instance_lock(config.database.path):
            await _check_database(config)
            await _serve(config, token)
    except OperationError as exc:
        raise ConfigError(str(exc)) from None


async def _check_database(config: Config) -> None:
    """Before connecting to Discord: the database opens, upgrades, and passes quick_check."""
    try:
        async with SqliteStore.open(config.database.path) as store:
            await store.check_integrity()
    except StorageError as exc:
        raise ConfigError(f"database: {exc}") from None


async def _serve(config: Config, token: str) -> None:
    bot = DeadlineBot(
        database=config.database.path,
        defaults=config.guild_defaults(),
        sync_guild_ids=config.discord.sync_guild_ids,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with bot:
            # Calendar feeds, /healthz and /metrics when [web] is enabled; close() stops it.
            await start_web(config, bot, routes=ops_routes(bot))
            runner = asyncio.create_task(bot.start(token), name="discord-client")
            stopper = asyncio.create_task(stop.wait(), name="stop-signal")
            done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if stopper in done:
                log.info("stopping: signal received")
            else:
                stopper.cancel()
            # close() stops the dispatcher (finishing the send under way), closes the
            # database and disconnects; bounded so a stuck socket cannot hold the process.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(bot.close(), timeout=SHUTDOWN_SECONDS)
            if runner.done() and not runner.cancelled() and runner.exception() is not None:
                raise _explain(runner.exception())  # type: ignore[arg-type]
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await runner
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)


def _explain(error: BaseException) -> BaseException:
    """Startup failures a newsroom admin can fix, as one clear line."""
    if isinstance(error, discord.LoginFailure):
        return ConfigError(
            "Discord rejected the token: copy it again from the Developer Portal's Bot page "
            "into DISCORD_TOKEN"
        )
    if isinstance(error, StorageError):
        return ConfigError(f"database: {error}")
    if isinstance(error, aiohttp.ClientError | OSError):
        return ConfigError(f"cannot reach Discord ({type(error).__name__}): check the network")
    return error
