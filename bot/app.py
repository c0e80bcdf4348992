"""The composition root: the one place that builds the desk, starts it in order, and stops it
in reverse on SIGTERM or SIGINT.

Order (each part needs only those before it; shutdown runs backwards):
  1. the store (the SQLite file, migrated, and checked if the last run did not stop cleanly)
  2. the services (the use cases) and the change feed
  3. the web server (calendar feeds, /healthz, /metrics): it answers from here on
  4. the bot: built with the services, its cog and board keeper added, then logged in
     (`login` opens Discord's HTTP session and syncs the commands; no gateway yet)
  5. the dispatcher, posting through the Discord notifier (so after login: it needs the
     HTTP session, and a send before login would fail as unauthorized)
  6. the periodic jobs (minute re-scan, daily digests)
  7. the board keeper, then the heartbeat
  8. the gateway connection (`connect`), which runs until the bot stops or a signal comes
On the way down the heartbeat stops first, the dispatcher finishes the sends under way while
Discord's HTTP session is still open, then the bot disconnects, the web server stops, a
clean stop is recorded in the database (so the next start may skip the integrity check), and
the database closes last.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import discord
import discord.gateway
import discord.http
import yarl

from bot.clock import Clock, SystemClock
from bot.config import Config, ConfigError, WebSection, check_database_path, require_token
from bot.discord.boards import BoardKeeper
from bot.discord.client import DeadlineBot
from bot.discord.cog import DeadlineCog
from bot.discord.notifier import DiscordNotifier
from bot.dispatcher import Dispatcher
from bot.health import HEARTBEAT_SECONDS, GatewayLink, HeartbeatKeeper
from bot.metrics import Metrics
from bot.models import GuildDefaults
from bot.notices import MAX_PER_MESSAGE
from bot.operations import OperationError, instance_lock, lock_path
from bot.scheduling import PeriodicJobs
from bot.service import Renderer, Services
from bot.storage import SqliteStore, StorageError, refuse_if_deleted
from bot.web import WebServer, start_web, web_server

log = logging.getLogger(__name__)

SHUTDOWN_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class DeskOptions:
    """Everything the desk is built from (the config, or a test's choices)."""

    database: Path
    defaults: GuildDefaults = field(default_factory=GuildDefaults)
    sync_guild_ids: Sequence[int] = ()
    web: WebSection | None = None  # None, or enabled = false: no web server
    clock: Clock = field(default_factory=SystemClock)
    guild_ready_timeout: float = 2.0
    board_debounce: float = 2.0
    board_check_seconds: float = 60.0
    heartbeat_seconds: float = HEARTBEAT_SECONDS
    # Days closed deadlines are kept (0: forever); see bot.service.retention.
    retention_days: int = 0
    # Deadlines an alert message carries when due at one instant in one channel (1: each alone).
    alerts_per_message: int = MAX_PER_MESSAGE

    @classmethod
    def from_config(cls, config: Config) -> DeskOptions:
        return cls(
            database=config.database.path,
            defaults=config.guild_defaults(),
            sync_guild_ids=tuple(config.discord.sync_guild_ids),
            web=config.web,
            retention_days=config.retention.closed_days,
            alerts_per_message=config.discord.alerts_per_message,
        )


@dataclass(frozen=True, slots=True)
class Desk:
    """The running desk's parts (tests reach into them; the app only runs it)."""

    options: DeskOptions
    store: SqliteStore
    services: Services
    metrics: Metrics
    web: WebServer | None
    bot: DeadlineBot
    dispatcher: Dispatcher
    jobs: PeriodicJobs
    boards: BoardKeeper
    heartbeat: HeartbeatKeeper
    gateway: GatewayLink

    @property
    def clock(self) -> Clock:
        return self.options.clock


@contextlib.asynccontextmanager
async def open_desk(options: DeskOptions, *, token: str) -> AsyncIterator[Desk]:
    """Build and start every part but the gateway connection (see the module's order);
    stop them in reverse on exit. Connect with `desk.bot.connect()`."""
    clock = options.clock
    async with AsyncExitStack() as stack:
        store = await stack.enter_async_context(SqliteStore.open(options.database))

        async def mark_clean_stop(exc_type: type[BaseException] | None, *_: object) -> bool:
            # Runs after every other part stopped, just before the database closes; only on a
            # stop without an error (not when the shutdown timed out): the next start then
            # skips the integrity check (see SqliteStore.check_at_start).
            if exc_type is None:
                try:
                    await store.mark_clean_stop()
                except Exception:
                    log.exception("could not record the clean stop")
            return False

        stack.push_async_exit(mark_clean_stop)
        # Calendar files are made in a process of their own (started on the first file, so
        # not competing with the start): no command waits on a render.
        renderer = Renderer(store.path)
        stack.push_async_callback(renderer.close)
        services = Services.over(store, clock=clock, defaults=options.defaults, renderer=renderer)
        metrics = Metrics()
        gateway = GatewayLink()

        web: WebServer | None = None
        heartbeat: HeartbeatKeeper | None = None

        def health() -> tuple[bool, str]:
            if heartbeat is None:
                return False, "starting: no heartbeat yet"
            return heartbeat.verdict()

        if options.web is not None and options.web.enabled:
            web = web_server(options.web, services.feeds, health=health, metrics=metrics)
            await start_web(web, options.web)
            stack.push_async_callback(web.stop)

        bot = DeadlineBot(
            services,
            clock=clock,
            metrics=metrics,
            gateway=gateway,
            sync_guild_ids=options.sync_guild_ids,
            guild_ready_timeout=options.guild_ready_timeout,
        )
        stack.push_async_callback(bot.close)
        boards = BoardKeeper(
            bot,
            services.boards,
            clock=clock,
            debounce=options.board_debounce,
            check_seconds=options.board_check_seconds,
        )
        await bot.add_cog(
            DeadlineCog(services, boards, clock=clock, feed_base_url=web.base_url if web else None)
        )
        await bot.login(token)

        dispatcher = Dispatcher(
            store,
            DiscordNotifier(bot),
            clock=clock,
            defaults=options.defaults,
            observer=metrics,
            per_message=options.alerts_per_message,
        )
        await stack.enter_async_context(dispatcher)
        services.changes.subscribe(dispatcher.changed)
        days = options.retention_days
        retention = (lambda: services.retention.purge_closed(days=days)) if days > 0 else None
        jobs = await stack.enter_async_context(
            PeriodicJobs(
                store,
                dispatcher,
                clock=clock,
                retention=retention,
                stages=services.deadlines.advance_lapsed,
                repeats=services.repeats.advance,
            )
        )
        services.changes.subscribe(jobs.changed)
        await stack.enter_async_context(boards)
        services.changes.subscribe(boards.changed)
        heartbeat = HeartbeatKeeper(
            services.runtime,
            clock=clock,
            gateway=gateway,
            dispatcher=dispatcher,
            metrics=metrics,
            every=options.heartbeat_seconds,
            file_problem=lambda: store.file_problem() or store.integrity_problem,
            web_problem=web.check_accepting if web is not None else None,
        )
        await stack.enter_async_context(heartbeat)
        log.info("Deadline Desk ready: database %s", options.database)
        yield Desk(
            options, store, services, metrics, web, bot, dispatcher, jobs, boards, heartbeat,
            gateway,
        )  # fmt: skip


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
        # Before the lock file is made: a missing database with its lock, -wal or -shm still
        # there was deleted, and must not silently start over empty.
        refuse_if_deleted(config.database.path, lock=lock_path(config.database.path))
    except StorageError as exc:
        raise ConfigError(f"database: {exc}") from None
    try:
        with instance_lock(config.database.path):
            await _check_database(config)
            await _serve(DeskOptions.from_config(config), token)
    except OperationError as exc:
        raise ConfigError(str(exc)) from None


async def _check_database(config: Config) -> None:
    """Before connecting to Discord: the database opens, upgrades, and passes quick_check
    if the last run did not stop cleanly (else the check runs daily in the background)."""
    try:
        async with SqliteStore.open(config.database.path) as store:
            await store.check_at_start()
    except StorageError as exc:
        raise ConfigError(f"database: {exc}") from None


async def _serve(options: DeskOptions, token: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with contextlib.AsyncExitStack() as outer:
            try:
                desk = await outer.enter_async_context(open_desk(options, token=token))
            except Exception as exc:
                raise _explain(exc) from None
            runner = asyncio.create_task(desk.bot.connect(), name="discord-client")
            stopper = asyncio.create_task(stop.wait(), name="stop-signal")
            done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if stopper in done:
                log.info("stopping: signal received")
            else:
                stopper.cancel()
            # Leaving the block stops the parts in reverse; bounded so a stuck socket cannot
            # hold the process.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(outer.aclose(), timeout=SHUTDOWN_SECONDS)
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
    if isinstance(error, ConfigError):
        return error
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
