"""Benchmark the calendar export and feed with 5,000 deadlines.

Run: python bench/feed.py [--deadlines 5000] [--runs 5] [--probes 400]

Prints, on a real SQLite file and the real web server on 127.0.0.1:
- render CPU: CSV, ICS cold (icalendar, nothing cached) and ICS warm (every event cached),
  medians over --runs, and the ratios ICS/CSV taken in the same run;
- the ICS render through the service, cold with nothing stored (every event serialized, then
  stored), cold after a restart (a new use case and cache over the same database: events read
  from `ics_events`), warm, and the first after a settings change that rewrites every alarm,
  wall-clock medians against CSV's in the same run;
- the export use case end to end (read + render), CSV and ICS warm;
- the feed over HTTP: cold, cached, after one change, 304 (If-None-Match and
  If-Modified-Since), gzip, with sizes;
- a store query's latency (p50/p99/max) while idle, and during a render of the feed done
  the old way (icalendar in a worker thread), sliced on the event loop (as without a
  renderer: the command line), and in the renderer's worker process (as the bot does).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp

from bot.clock import SystemClock
from bot.deadlines import Rule
from bot.export import EventCache, render
from bot.models import DeadlineExport, GuildDefaults, NewDeadline
from bot.service import Actor, Renderer, Services, feed_url
from bot.service.feeds import FeedUseCases, FeedVersion
from bot.service.rendering import RenderJob
from bot.storage import SqliteStore
from bot.web import WebServer, feed_routes

GUILD, USER = 1001, 7
ADMIN = Actor.everywhere(USER, manage_guild=True)
NEW_YORK = ZoneInfo("America/New_York")


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def deadlines(count: int, *, now: dt.datetime) -> list[NewDeadline]:
    """Varied deadlines: date-only and timed, links (some non-ASCII), notes of all lengths."""
    items = []
    for n in range(count):
        due = dt.date(2025, 8, 1) + dt.timedelta(days=n % 700)
        timed = n % 3 == 0
        at = dt.time(17, 0) if timed else dt.time(23, 59, 59)
        items.append(
            NewDeadline(
                guild_id=GUILD,
                channel_id=55 + n % 7,
                title=f"Records request {n}: sheriff's office, county {n % 58} — ünïcödé",
                start=dt.date(2025, 7, 17),
                rule=Rule.CALENDAR,
                calendar="US",
                period=f"{30 + n % 300} days",
                due=due,
                due_at=dt.datetime.combine(due, at, tzinfo=NEW_YORK).astimezone(dt.UTC),
                has_time=timed,
                explanation=("day 0: Thu 2025-07-17 (start date)", f"+{30 + n % 300} days"),
                created_by=USER,
                created_at=now,
                link=f"https://例え.jp/パス/{n}?q=ü" if n % 5 == 0 else f"https://ex.org/{n}",
                notes=("Notes, more; notes " * (n % 12)) or None,
            )
        )
    return items


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def mb(size: int) -> str:
    return f"{size / 2**20:6.2f} MB"


def cpu(fn: Callable[[], object]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


async def probe(services: Services, until: asyncio.Event, *, every: float) -> list[float]:
    """A store query's latency (ms), one every `every` seconds until `until` is set."""
    latencies = []
    while not until.is_set():
        start = time.perf_counter()
        async with services.unit.transaction() as tx:
            await tx.get_deadline(GUILD, 17)
        latencies.append((time.perf_counter() - start) * 1000)
        await asyncio.sleep(every)
    return latencies


async def during(
    services: Services, work: Callable[[], Awaitable[object]]
) -> tuple[list[float], float]:
    until = asyncio.Event()
    probing = asyncio.create_task(probe(services, until, every=0.005))
    await asyncio.sleep(0.05)
    start = time.perf_counter()
    await work()
    took = time.perf_counter() - start
    until.set()
    return await probing, took


def show_latency(label: str, values: Sequence[float], took: float | None = None) -> None:
    extra = f", render {took:.2f} s" if took is not None else ""
    print(
        f"  query latency {label:<38} p50 {pct(values, 0.5):6.2f} ms  p99 {pct(values, 0.99):6.2f}"
        f" ms  max {max(values):6.2f} ms  ({len(values)} queries{extra})"
    )


async def main(count: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with SqliteStore.open(Path(folder) / "bench.sqlite3") as store:
            services = Services.over(store, clock=SystemClock())
            await services.imports.import_deadlines(deadlines(count, now=services.unit.now()))
            for n in range(1, count, 10):  # every tenth done: the feed cancels them
                await services.deadlines.done(Actor(USER), GUILD, n)
            export = await services.feeds.export(GUILD, include_all=True, name="Newsroom")
            print(f"{len(export.deadlines)} deadlines, Python {sys.version.split()[0]}")

            print(f"render CPU (medians of {runs} runs; ratio ICS/CSV within each run):")
            rows = []
            for _ in range(runs):
                csv_s = cpu(lambda: render("csv", export))
                cold_s = cpu(lambda: render("ics", export, cache=EventCache()))
                cache = EventCache()
                render("ics", export, cache=cache)
                warm_s = cpu(lambda: render("ics", export, cache=cache))  # noqa: B023
                rows.append((csv_s, cold_s, warm_s, cold_s / csv_s, warm_s / csv_s))
            med = [statistics.median(r[i] for r in rows) for i in range(5)]
            print(f"  CSV           {ms(med[0])}")
            print(f"  ICS cold      {ms(med[1])}   ICS/CSV {med[3]:5.2f}x")
            print(f"  ICS warm      {ms(med[2])}   ICS/CSV {med[4]:5.2f}x (target <= 2x)")
            plain = render("ics", export)
            assert render("ics", export, cache=cache) == plain, "cached assembly differs"
            print(f"  sizes: ICS {mb(len(plain))}, the cache holds {mb(cache.size)}")

            await service_figures(services, store, runs)

            print("export use case, read + render (medians, wall):")
            ends: dict[str, list[float]] = {"csv": [], "ics": []}
            await services.feeds.render("ics", export)  # warm the service's cache
            for _ in range(runs):
                for fmt in ("csv", "ics"):
                    start = time.perf_counter()
                    data = await services.feeds.export(GUILD, include_all=True, name="Newsroom")
                    await services.feeds.render(fmt, data)  # type: ignore[arg-type]
                    ends[fmt].append(time.perf_counter() - start)
            csv_e, ics_e = (statistics.median(ends[f]) for f in ("csv", "ics"))
            print(f"  CSV {ms(csv_e)}, ICS warm {ms(ics_e)}: ICS/CSV {ics_e / csv_e:.2f}x")
            await worker_export_figures(services, store, runs)

            await http_figures(services, store)
            await latency_figures(services, store, export)


async def worker_export_figures(services: Services, store: SqliteStore, runs: int) -> None:
    """/deadline export as the bot makes it: read and rendered in the renderer's process."""
    print("export files made in the renderer's worker process (medians, wall):")
    renderer = Renderer(store.path)
    feeds = FeedUseCases(services.unit, renderer=renderer)
    times: dict[str, list[float]] = {"csv": [], "ics": [], "ics-restart": []}
    try:
        await feeds.export_file(GUILD, "csv")  # the worker started
        for _ in range(runs):
            for fmt in ("csv", "ics"):
                times[fmt].append(
                    await wall(lambda: feeds.export_file(GUILD, fmt, include_all=True))  # noqa: B023
                )
            fresh = Renderer(store.path)  # a new worker: events from the database
            try:
                await fresh.render(RenderJob(fresh.path, GUILD, GuildDefaults(), fmt="csv"))
                restarted = FeedUseCases(services.unit, renderer=fresh)
                times["ics-restart"].append(
                    await wall(lambda: restarted.export_file(GUILD, "ics", include_all=True))  # noqa: B023
                )
            finally:
                await fresh.close()
    finally:
        await renderer.close()
    csv_w, ics_w, ics_r = (statistics.median(times[k]) for k in ("csv", "ics", "ics-restart"))
    print(f"  CSV {ms(csv_w)}, ICS warm {ms(ics_w)}: ICS/CSV {ics_w / csv_w:.2f}x")
    print(f"  ICS after a restart (events stored) {ms(ics_r)}: ICS/CSV {ics_r / csv_w:.2f}x")


def forget_stored_events(store: SqliteStore) -> None:
    """Empty `ics_events`, as before migration 9 (a second connection: the bench's own SQL)."""
    raw = sqlite3.connect(store.path, timeout=5)
    try:
        raw.execute("DELETE FROM ics_events")
        raw.commit()
    finally:
        raw.close()


def stored_size(store: SqliteStore) -> tuple[int, int]:
    raw = sqlite3.connect(store.path, timeout=5)
    try:
        row = raw.execute(
            "SELECT COUNT(*), SUM(length(body) + length(cache_key)) FROM ics_events"
        ).fetchone()
    finally:
        raw.close()
    return int(row[0]), int(row[1] or 0)


async def wall(work: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await work()
    return time.perf_counter() - start


async def service_figures(services: Services, store: SqliteStore, runs: int) -> None:
    print(f"ICS through the service (medians of {runs} runs, wall; ICS/CSV within each run):")
    rows = []
    alert_times = [dt.time(9, 0), dt.time(8, 30)]
    for run in range(runs):
        export = await services.feeds.export(GUILD, include_all=True, name="Newsroom")
        start = time.perf_counter()
        csv_body = render("csv", export)
        csv_s = time.perf_counter() - start
        forget_stored_events(store)
        first = FeedUseCases(services.unit)  # nothing in memory, nothing stored
        cold_s = await wall(lambda: first.render("ics", export))  # noqa: B023
        assert (first.events.misses, first.stored_reads) == (len(export.deadlines), 0)
        restarted = FeedUseCases(services.unit)  # as after a restart: the database kept them
        restart_s = await wall(lambda: restarted.render("ics", export))  # noqa: B023
        assert (restarted.events.misses, restarted.stored_reads) == (0, len(export.deadlines))
        warm_s = await wall(lambda: restarted.render("ics", export))  # noqa: B023
        # A settings change that rewrites every alarm: every key changes.
        await services.settings.update(ADMIN, GUILD, alert_time=alert_times[run % 2 - 1])
        changed = await services.feeds.export(GUILD, include_all=True, name="Newsroom")
        change_s = await wall(lambda: restarted.render("ics", changed))  # noqa: B023
        assert restarted.events.misses == len(export.deadlines)
        rows.append((csv_s, cold_s, restart_s, warm_s, change_s))
        assert len(csv_body) > 0
    med = [statistics.median(r[i] for r in rows) for i in range(5)]
    ratio = [statistics.median(r[i] / r[0] for r in rows) for i in range(5)]
    print(f"  CSV                            {ms(med[0])}")
    print(f"  ICS cold, nothing stored       {ms(med[1])}   ICS/CSV {ratio[1]:5.2f}x")
    print(
        f"  ICS cold, after a restart      {ms(med[2])}   ICS/CSV {ratio[2]:5.2f}x (target <= 2x)"
    )
    print(f"  ICS warm                       {ms(med[3])}   ICS/CSV {ratio[3]:5.2f}x")
    print(f"  ICS after an alarms change     {ms(med[4])}   ICS/CSV {ratio[4]:5.2f}x")
    events, size = stored_size(store)
    print(f"  stored: {events} events, {mb(size)}, {size / max(events, 1):.0f} bytes per event")


async def http_figures(services: Services, store: SqliteStore) -> None:
    access = await services.feeds.calendar_feed(ADMIN, GUILD, served=True, name="Newsroom")
    assert access.token is not None
    # A fresh use case: nothing cached, as after a restart.
    feeds = FeedUseCases(services.unit)
    async with (
        WebServer(feed_routes(feeds), port=0) as server,
        aiohttp.ClientSession(auto_decompress=False) as http,
    ):
        url = feed_url(server.base_url, access.token)

        async def get(headers: dict[str, str]) -> tuple[float, int, int, aiohttp.ClientResponse]:
            start = time.perf_counter()
            async with http.get(url, headers=headers) as response:
                body = await response.read()
            return time.perf_counter() - start, response.status, len(body), response

        print("feed over HTTP:")
        took, status, size, response = await get({"Accept-Encoding": "identity"})
        etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
        print(f"  cold (events stored) {ms(took)}  {status}  {mb(size)}")
        cached = [await get({"Accept-Encoding": "identity"}) for _ in range(5)]
        med = statistics.median(c[0] for c in cached)
        print(f"  cached        {ms(med)}  {cached[0][1]}  {mb(cached[0][2])}")
        zipped = [await get({"Accept-Encoding": "gzip"}) for _ in range(5)]
        med = statistics.median(z[0] for z in zipped)
        print(f"  cached, gzip  {ms(med)}  {zipped[0][1]}  {mb(zipped[0][2])}")
        conditional = {
            "304 If-None-Match": {"If-None-Match": etag},
            "304 If-Modified-Since": {"If-Modified-Since": modified},
        }
        for label, headers in conditional.items():
            answers = [await get(headers) for _ in range(20)]
            med = statistics.median(a[0] for a in answers)
            print(f"  {label:<22} {med * 1000:6.2f} ms  {answers[0][1]}  {answers[0][2]} bytes")
        await services.deadlines.done(Actor(USER), GUILD, 2)
        took, status, size, _ = await get({"Accept-Encoding": "gzip"})
        print(f"  one change    {took * 1000:8.1f} ms  {status}  (1 event rendered, gzip)")

        # Four requests at once for an uncached feed: one render.
        fresh = FeedUseCases(services.unit)
        async with WebServer(feed_routes(fresh), port=0) as other:
            other_url = feed_url(other.base_url, access.token)
            start = time.perf_counter()

            async def fetch() -> int:
                async with http.get(other_url) as response:
                    await response.read()
                    return response.status

            statuses = await asyncio.gather(*(fetch() for _ in range(4)))
            took = time.perf_counter() - start
        print(f"  4 at once, cold: {statuses}, {took:.2f} s, renders: {fresh.renders}")


async def latency_figures(services: Services, store: SqliteStore, export: DeadlineExport) -> None:
    print("a store query every 5 ms:")
    until = asyncio.Event()
    idle = asyncio.create_task(probe(services, until, every=0.005))
    await asyncio.sleep(2)
    until.set()
    show_latency("idle", await idle)
    old, took = await during(services, lambda: asyncio.to_thread(render, "ics", export))
    show_latency("during a cold render, before", old, took)
    access = await services.feeds.calendar_feed(ADMIN, GUILD, served=True, rotate=True)
    assert access.token is not None
    forget_stored_events(store)
    fresh = FeedUseCases(services.unit)
    version = await fresh.feed_version(access.token)
    assert version is not None
    new, took = await during(services, lambda: fresh.feed_file(version))  # type: ignore[arg-type]
    show_latency("during a cold render, nothing stored", new, took)
    restarted = FeedUseCases(services.unit)
    again, took = await during(services, lambda: restarted.feed_file(version))  # type: ignore[arg-type]
    show_latency("during a cold render, events stored", again, took)
    newer = await fresh.feed_version(access.token)
    assert newer is not None
    await services.deadlines.done(Actor(USER), GUILD, 4)
    newest = await fresh.feed_version(access.token)
    assert newest is not None
    warm, took = await during(services, lambda: fresh.feed_file(newest))
    show_latency("during a warm render, after", warm, took)
    await worker_figures(services, store, access.token)


async def worker_figures(services: Services, store: SqliteStore, token: str, runs: int = 3) -> None:
    """The same renders in the renderer's worker process (as the bot makes them), each case
    `runs` times; latencies pooled over the runs, render times their median."""
    print(f"the same, made in the renderer's worker process ({runs} runs pooled):")
    cases: dict[str, list[tuple[list[float], float]]] = {}

    async def case(label: str, feeds: FeedUseCases, version: FeedVersion | None) -> None:
        assert version is not None
        cases.setdefault(label, []).append(await during(services, lambda: feeds.feed_file(version)))

    for run in range(runs):
        forget_stored_events(store)
        renderers = [Renderer(store.path), Renderer(store.path)]
        try:
            for renderer in renderers:  # started: a worker takes ~0.5 s to import its modules
                await renderer.render(RenderJob(renderer.path, GUILD, GuildDefaults(), fmt="csv"))
            first = FeedUseCases(services.unit, renderer=renderers[0])
            await case("cold, nothing stored", first, await first.feed_version(token))
            second = FeedUseCases(services.unit, renderer=renderers[1])
            await case("cold, events stored (new worker)", second, await second.feed_version(token))
            await services.deadlines.done(Actor(USER), GUILD, 5 + run)
            await case("warm, after one change", first, await first.feed_version(token))
        finally:
            for renderer in renderers:
                await renderer.close()
    for label, measured in cases.items():
        pooled = [latency for latencies, _ in measured for latency in latencies]
        show_latency(label, pooled, statistics.median(took for _, took in measured))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadlines", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.deadlines, args.runs))
