"""The web server against clients from the internet: raw sockets on 127.0.0.1 that send
nothing, send slowly, stop reading, open too many connections or send garbage, against the
real server over a real SQLite file (issue 14, item 8)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import resource
import socket
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from support import FakeClock

from bot.health import GatewayLink, HeartbeatKeeper
from bot.metrics import Metrics
from bot.operations import read_heartbeat, verdict
from bot.service import Actor, Services, feed_url
from bot.web import WebServer, feed_routes, ops_routes
from bot.web.connections import RESERVED_DESCRIPTORS, connection_cap, probe
from bot.web.serverlog import LogBudget

GUILD = 1001
ADMIN = Actor.everywhere(7, manage_guild=True)
TIMEOUT = 0.5  # web.client_timeout in these tests
# What a client waits for the server to act, at most: far above TIMEOUT, so a slow machine
# cannot fail a test that should pass, and far below "never", which is what a test that
# should fail would see.
PATIENCE = 5.0
FAKE_TOKEN = "SeCrEtFeEdToKeN0123456789abcdefghijklmnopq"


async def new_token(services: Services) -> str:
    await services.deadlines.add(
        Actor(7), GUILD, channel_id=55, text="Bondi letter, 30 days", start=dt.date(2025, 7, 17)
    )
    access = await services.feeds.calendar_feed(
        ADMIN, GUILD, served=True, rotate=False, name="Newsroom"
    )
    assert access.token is not None
    return access.token


async def big_answer(request: web.Request) -> web.Response:
    return web.Response(body=b"x" * 20_000_000)


@pytest.fixture
async def server(services: Services) -> AsyncIterator[WebServer]:
    running = WebServer(
        [*feed_routes(services.feeds), web.get("/big", big_answer)],
        port=0,
        client_timeout=TIMEOUT,
    )
    async with running:
        yield running


async def closed_after(reader: asyncio.StreamReader) -> float:
    """Seconds until the server closes the connection (reading and dropping what it sends)."""
    started = time.monotonic()
    try:
        async with asyncio.timeout(PATIENCE):
            while await reader.read(65536):
                pass
    except ConnectionResetError:
        pass
    except TimeoutError:
        pytest.fail(f"the server kept the connection open for {PATIENCE} s")
    return time.monotonic() - started


async def eventually(condition: Callable[[], bool], what: str) -> None:
    async with asyncio.timeout(PATIENCE):
        while not condition():
            await asyncio.sleep(0.02)
    assert condition(), what


async def test_a_client_that_sends_nothing_is_closed_after_the_timeout(server: WebServer) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        waited = await closed_after(reader)
    finally:
        writer.close()
    assert TIMEOUT * 0.8 <= waited < PATIENCE
    await eventually(lambda: server.open_connections == 0, "the server forgot the connection")


async def test_a_kept_alive_connection_is_closed_once_idle_for_the_timeout(
    server: WebServer, services: Services
) -> None:
    token = await new_token(services)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        writer.write(f"GET /calendar/{token}.ics HTTP/1.1\r\nHost: desk\r\n\r\n".encode())
        status = await asyncio.wait_for(reader.readline(), PATIENCE)
        assert status.startswith(b"HTTP/1.1 200")
        waited = await closed_after(reader)  # reads the answer, then waits idle
    finally:
        writer.close()
    assert waited < PATIENCE


async def test_a_client_sending_its_headers_a_byte_at_a_time_is_closed(server: WebServer) -> None:
    request = b"GET /big HTTP/1.1\r\nHost: desk\r\nUser-Agent: " + b"s" * 80 + b"\r\n\r\n"
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)

    async def trickle() -> int:
        sent = 0
        for byte in request:
            try:
                writer.write(bytes([byte]))
                await writer.drain()
            except ConnectionError:
                break
            sent += 1
            await asyncio.sleep(0.05)  # 100 bytes: 5 s for the whole request
        return sent

    sender = asyncio.create_task(trickle())
    try:
        waited = await closed_after(reader)
    finally:
        sender.cancel()
        writer.close()
    assert waited < PATIENCE - 1  # well before the request could have been finished
    assert not sender.done() or sender.result() < len(request)


async def test_a_client_that_stops_reading_an_answer_is_cut_off(server: WebServer) -> None:
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    client.setblocking(False)
    try:
        await asyncio.get_running_loop().sock_connect(client, ("127.0.0.1", server.port))
        client.send(b"GET /big HTTP/1.1\r\nHost: desk\r\n\r\n")
        await eventually(lambda: server.open_connections == 1, "the request is being answered")
        started = time.monotonic()
        # 20 MB are waiting for a client that reads nothing.
        await eventually(lambda: server.open_connections == 0, "the stalled client cut off")
        assert time.monotonic() - started < PATIENCE
    finally:
        client.close()


async def test_connections_over_the_cap_are_refused_at_once_and_the_loop_keeps_going(
    services: Services,
) -> None:
    """The default cap of 100, and 130 clients that send nothing (as in the incident, where
    300 such connections under a 256-descriptor limit stopped the bot)."""
    token = await new_token(services)
    lags: list[float] = []

    async def ticker() -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(0.01)
            lags.append(time.monotonic() - before - 0.01)

    async with WebServer(feed_routes(services.feeds), port=0) as server:
        ticking = asyncio.create_task(ticker())
        opened = [await asyncio.open_connection("127.0.0.1", server.port) for _ in range(130)]
        try:
            refused: list[bytes] = []

            async def answer(reader: asyncio.StreamReader) -> None:
                try:
                    refused.append(await asyncio.wait_for(reader.read(), 1.0))
                except ConnectionResetError:
                    refused.append(b"(reset)")
                except TimeoutError:
                    pass  # held open: admitted

            await asyncio.gather(*(answer(reader) for reader, _ in opened))
            assert len(refused) == 30, f"{len(refused)} of 130 connections refused"
            assert all(got == b"(reset)" or got.startswith(b"HTTP/1.1 503 ") for got in refused), (
                refused[:3]
            )
            assert server.open_connections == 100
            problem = await server.check_accepting()
            assert problem is not None
            assert "refusing connections: 100 open, its cap (web.max_connections)" in problem
            # A slot frees up: the next calendar app is served at once.
            opened[0][1].close()
            await eventually(lambda: server.open_connections == 99, "one connection closed")
            async with aiohttp.ClientSession() as http:
                started = time.monotonic()
                async with http.get(feed_url(server.base_url, token)) as response:
                    assert response.status == 200
                    await response.read()
                assert time.monotonic() - started < 1.0
        finally:
            ticking.cancel()
            for _, writer in opened:
                writer.close()
        await eventually(lambda: server.open_connections == 0, "all closed")
        assert await server.check_accepting() is None
    assert lags, "the ticker ran"
    assert max(lags) < 0.25, f"the event loop stalled {max(lags):.3f} s"


def test_the_cap_leaves_descriptors_for_the_rest_of_the_bot() -> None:
    assert connection_cap(100, descriptor_limit=20_000) == 100
    assert connection_cap(1000, descriptor_limit=20_000) == 1000
    assert connection_cap(100, descriptor_limit=256) == 100  # the incident's limit
    assert connection_cap(1000, descriptor_limit=256) == 256 - RESERVED_DESCRIPTORS
    assert connection_cap(100, descriptor_limit=200) == 200 - RESERVED_DESCRIPTORS
    assert connection_cap(100, descriptor_limit=RESERVED_DESCRIPTORS) == 1
    assert connection_cap(100, descriptor_limit=resource.RLIM_INFINITY) == 100


BAD_REQUESTS = [
    # Over 8,190 bytes of request line, holding a feed token: once an ERROR quoting it.
    f"GET /calendar/{FAKE_TOKEN}{'A' * 9000}.ics HTTP/1.1\r\nHost: desk\r\n\r\n".encode(),
    f"GET /calendar/{FAKE_TOKEN}.ics HTTP/1.1\r\nBad Header {FAKE_TOKEN}\r\n\r\n".encode(),
    f"GET /calendar/{FAKE_TOKEN}.ics HTTP/1.1\r\nX-A: {'b' * 9000}\r\n\r\n".encode(),
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + FAKE_TOKEN.encode() + b"\r\n\r\n",
    f"GET /calendar/{FAKE_TOKEN}.ics HTTP/9.9\r\n\r\n".encode(),
]


async def test_bad_requests_are_logged_in_a_few_words_rate_limited_never_with_the_token(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    answers: list[bytes] = []
    async with WebServer(feed_routes(services.feeds), port=0) as server:
        for number in range(200):
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(BAD_REQUESTS[number % len(BAD_REQUESTS)])
            try:
                answers.append(await asyncio.wait_for(reader.readline(), PATIENCE))
            except ConnectionResetError:
                answers.append(b"(reset)")
            writer.close()
    assert sum(answer.startswith(b"HTTP/1.0 400") for answer in answers) >= 150, answers[:5]
    assert FAKE_TOKEN not in caplog.text  # messages, tracebacks and all
    assert all(record.levelno < logging.ERROR for record in caplog.records), [
        record.getMessage()[:200] for record in caplog.records if record.levelno >= logging.ERROR
    ][:3]
    bad = [r.getMessage() for r in caplog.records if "bad request" in r.getMessage()]
    assert len(bad) == 11, bad  # 10 in the minute, then the count of the rest
    assert bad[0] == "bad request from 127.0.0.1: request line or header too long (400)"
    assert all(len(line) < 100 for line in bad)
    assert bad[-1] == "190 more bad requests in the last 60 s, not logged"


async def test_a_log_budget_reports_what_it_left_out_when_its_window_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("tests.budget")
    caplog.set_level(logging.INFO, logger="tests.budget")
    budget = LogBudget(logger, "knocks", limit=2, window=0.3)
    for number in range(5):
        budget.log("knock %d", number)
    assert [r.getMessage() for r in caplog.records] == ["knock 0", "knock 1"]
    await asyncio.sleep(0.3 + 1.0)  # the window's end, and a margin
    assert caplog.records[-1].getMessage() == "3 more knocks in the last 0.3 s, not logged"
    budget.log("knock %d", 5)  # a new window
    assert caplog.records[-1].getMessage() == "knock 5"
    assert budget.total == 6


async def test_the_heartbeat_records_a_web_server_that_cannot_take_a_client(
    services: Services, clock: FakeClock, db_path: Path
) -> None:
    class Dispatcher:
        loop_beat_at = clock.now()

    async with WebServer(
        ops_routes(lambda: (True, "ok"), Metrics()), port=0, max_connections=3
    ) as server:
        gateway = GatewayLink()
        gateway.connected = True
        keeper = HeartbeatKeeper(
            services.runtime,
            clock=clock,
            gateway=gateway,
            dispatcher=Dispatcher(),
            metrics=Metrics(),
            web_problem=server.check_accepting,
        )

        async def beat() -> tuple[bool, str]:
            await keeper.check_web()
            await keeper.record()
            # What `python -m bot health` reads, and what /healthz says.
            written = verdict(read_heartbeat(db_path), now=clock.now())
            assert keeper.verdict() == written
            return written

        assert (await beat())[0] is True
        held = [await asyncio.open_connection("127.0.0.1", server.port) for _ in range(3)]
        await eventually(lambda: server.open_connections == 3, "three connections held")
        healthy, reason = await beat()
        assert not healthy
        assert reason == (
            "the web server is refusing connections: 3 open, its cap (web.max_connections)"
        )
        for _, writer in held:
            writer.close()
        await eventually(lambda: server.open_connections == 0, "released")
        assert (await beat())[0] is True


async def test_the_probe_says_when_nothing_answers() -> None:
    with socket.socket() as deaf:  # listens, never accepts: the kernel completes connects
        deaf.bind(("127.0.0.1", 0))
        deaf.listen()
        port = deaf.getsockname()[1]
        assert await probe("127.0.0.1", port, within=0.5) == (
            "did not answer a connection within 0.5 s"
        )
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    problem = await probe("127.0.0.1", port, within=0.5)
    assert problem is not None
    assert problem.startswith("cannot be connected to: ")


async def test_check_accepting_probes_every_interface_on_loopback(services: Services) -> None:
    async with WebServer(feed_routes(services.feeds), host="0.0.0.0", port=0) as server:
        assert await server.check_accepting() is None
    assert await server.check_accepting() == "the web server is not listening"
