"""The feed server with 300 connections that never send a byte (issue 14, item 8), before and
after its connection limits, in the same run.

Run: python bench/web.py [--idle 300] [--requests 2000] [--descriptors 256]

Each server is a process of its own (a real SQLite file, 20 deadlines, one calendar feed):
"before" is the server as it was (aiohttp's AppRunner and TCPSite, no access log: what
WebServer.start did), "after" is today's WebServer. Two scenarios:

1. Cost: both servers at once, each holding --idle idle connections, then --requests feed
   requests to each, alternating in rounds, each on a new connection (so accepting is
   measured too): p50 and p99, and the ratio after/before. The cap is raised above --idle for
   "after" here, so that both serve every request.
2. A descriptor limit (--descriptors, as in the incident) with the default settings: the idle
   connections, then requests for 3 s (1 s timeout each): how many were served, refused or
   unanswered; the server's largest event-loop stall; how much it logged; and how long until a
   feed was served again.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import logging
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's bot, not an installed one

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

DEADLINES = 20


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# -- the server process -----------------------------------------------------------------------


async def serve(variant: str, *, max_connections: int, client_timeout: float) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-web-") as name:
        await _serve(
            variant, Path(name), max_connections=max_connections, client_timeout=client_timeout
        )


async def _serve(
    variant: str, folder: Path, *, max_connections: int, client_timeout: float
) -> None:
    from bot.clock import SystemClock
    from bot.service import Actor, Services
    from bot.storage import SqliteStore
    from bot.web import SHUTDOWN_SECONDS, WebServer, feed_routes

    log_file = folder / "server.log"
    handler = logging.FileHandler(log_file)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    lags: list[float] = []

    async def ticker() -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(0.01)
            lags.append(time.monotonic() - before - 0.01)

    async with SqliteStore.open(folder / "deadlines.sqlite3") as store:
        services = Services.over(store, clock=SystemClock())
        for number in range(DEADLINES):
            await services.deadlines.add(
                Actor(7), 1, channel_id=55, text=f"Request {number}, 30 days",
                start=dt.date(2026, 1, 5),
            )  # fmt: skip
        access = await services.feeds.calendar_feed(
            Actor.everywhere(7, manage_guild=True), 1, served=True, rotate=False, name="Bench"
        )
        routes = feed_routes(services.feeds)
        if variant == "before":
            app = web.Application()
            app.add_routes(routes)
            runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = int(runner.addresses[0][1])
            stop = runner.cleanup
        else:
            server = WebServer(
                routes, port=0, max_connections=max_connections, client_timeout=client_timeout
            )
            await server.start()
            port = server.port
            stop = server.stop
        tick = asyncio.create_task(ticker())
        print(json.dumps({"port": port, "token": access.token}), flush=True)
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while command := (await reader.readline()).decode().strip():
            if command == "mark":
                lags.clear()
                print(json.dumps({"log_bytes": log_file.stat().st_size}), flush=True)
            elif command == "report":
                print(
                    json.dumps(
                        {"max_lag": max(lags, default=0.0), "log_bytes": log_file.stat().st_size}
                    ),
                    flush=True,
                )
                break
        tick.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(stop(), 3)


# -- the client --------------------------------------------------------------------------------


class Server:
    def __init__(self, variant: str, *, descriptors: int | None, **options: object) -> None:
        args = [sys.executable, __file__, "--serve", variant]
        for key, value in options.items():
            args += [f"--{key.replace('_', '-')}", str(value)]
        limit = None if descriptors is None else descriptors

        def limited() -> None:
            if limit is not None:
                hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
                resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))

        self.process = subprocess.Popen(
            args, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            preexec_fn=limited,
        )  # fmt: skip
        hello = json.loads(self.ask(None))
        self.port: int = hello["port"]
        self.url = f"http://127.0.0.1:{self.port}/calendar/{hello['token']}.ics"

    def ask(self, command: str | None) -> str:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        if command is not None:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
        return self.process.stdout.readline()

    def finish(self) -> dict[str, float]:
        report: dict[str, float] = json.loads(self.ask("report"))
        self.process.wait(timeout=10)
        return report


async def idle_clients(port: int, count: int) -> list[socket.socket]:
    """`count` connections that send nothing, opened 8 at a time: fewer than the kernel queues
    for the server after (16), so that each one reaches it rather than waiting a second for
    its SYN to be sent again."""
    clients = []
    for _ in range(count):
        client = socket.socket()
        client.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            client.connect(("127.0.0.1", port))
        clients.append(client)
        if len(clients) % 8 == 0:
            await asyncio.sleep(0.005)
    return clients


async def fetch(http: aiohttp.ClientSession, url: str, timeout: float) -> tuple[str, float]:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout), http.get(url) as response:
            await response.read()
            outcome = str(response.status)
    except TimeoutError:
        outcome = "no answer"
    except aiohttp.ClientError:
        outcome = "reset"
    return outcome, time.perf_counter() - started


async def cost(idle: int, requests: int, rounds: int = 10) -> dict[str, list[float]]:
    """Both servers at once, each with `idle` idle connections; requests alternate between
    them in rounds, so that a slower phase of the machine weighs on both alike."""
    servers = {
        variant: Server(variant, descriptors=None, max_connections=idle + 100, client_timeout=600)
        for variant in ("before", "after")
    }
    clients = [c for server in servers.values() for c in await idle_clients(server.port, idle)]
    await asyncio.sleep(0.5)
    times: dict[str, list[float]] = {variant: [] for variant in servers}
    connector = aiohttp.TCPConnector(force_close=True)  # a new connection per request
    async with aiohttp.ClientSession(connector=connector) as http:
        for server in servers.values():
            for _ in range(50):  # warm-up: the feed's render cache
                await fetch(http, server.url, 5)
        for _ in range(rounds):
            for variant, server in servers.items():
                for _ in range(requests // rounds):
                    outcome, took = await fetch(http, server.url, 5)
                    assert outcome == "200", outcome
                    times[variant].append(took)
    for client in clients:
        client.close()
    for server in servers.values():
        server.finish()
    return times


async def limited(variant: str, idle: int, descriptors: int) -> dict[str, object]:
    server = Server(variant, descriptors=descriptors, max_connections=100, client_timeout=10)
    base_log = json.loads(server.ask("mark"))["log_bytes"]
    clients = await idle_clients(server.port, idle)
    flood_at = time.monotonic()
    await asyncio.sleep(1.0)
    outcomes: dict[str, int] = {}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as http:
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:
            outcome, _ = await fetch(http, server.url, 1.0)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        recovered: float | None = None
        while time.monotonic() - flood_at < 16:
            outcome, _ = await fetch(http, server.url, 1.0)
            if outcome == "200":
                recovered = time.monotonic() - flood_at
                break
            await asyncio.sleep(0.2)
    for client in clients:
        client.close()
    report = server.finish()
    return {
        "outcomes": outcomes,
        "max_lag": report["max_lag"],
        "logged": report["log_bytes"] - base_log,
        "recovered": recovered,
    }


async def main(args: argparse.Namespace) -> None:
    print(f"{args.idle} idle connections; feed of {DEADLINES} deadlines; 2-core loopback")
    times = await cost(args.idle, args.requests)
    before, after = times["before"], times["after"]
    for name, times in (("before", before), ("after", after)):
        print(
            f"cost {name:6}: {len(times)} requests, p50 {statistics.median(times) * 1000:.2f} ms, "
            f"p99 {pct(times, 0.99) * 1000:.2f} ms"
        )
    print(
        f"cost ratio after/before: p50 {statistics.median(after) / statistics.median(before):.2f}"
        f", p99 {pct(after, 0.99) / pct(before, 0.99):.2f}"
    )
    for variant in ("before", "after"):
        found = await limited(variant, args.idle, args.descriptors)
        recovered = found["recovered"]
        print(
            f"limit {args.descriptors} {variant:6}: requests in the 3 s after the flood "
            f"{found['outcomes']}; largest loop stall {float(found['max_lag']) * 1000:.0f} ms; "  # type: ignore[arg-type]
            f"logged {found['logged']} bytes; a feed served again "
            + (f"{recovered:.1f} s after the flood" if recovered else "never within 16 s")
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=int, default=300)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--descriptors", type=int, default=256)
    parser.add_argument("--serve", choices=["before", "after"])
    parser.add_argument("--max-connections", type=int, default=100)
    parser.add_argument("--client-timeout", type=float, default=10.0)
    options = parser.parse_args()
    if options.serve:
        asyncio.run(
            serve(
                options.serve,
                max_connections=options.max_connections,
                client_timeout=options.client_timeout,
            )
        )
    else:
        asyncio.run(main(options))
