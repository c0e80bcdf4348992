"""The calendar-feed web server: real HTTP requests to it on 127.0.0.1, a real SQLite file."""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import logging
import socket
from collections.abc import AsyncIterator
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import aiohttp
import icalendar
import pytest
from aiohttp import web
from support import FakeClock

from bot.config import ConfigError, WebSection
from bot.deadlines import parse_phrase
from bot.metrics import CONTENT_TYPE, Metrics
from bot.models import Deadline
from bot.service import Actor, Services, feed_url
from bot.storage import SqliteStore, Transaction
from bot.web import WebServer, feed_routes, start_web, web_server

GUILD, OTHER, USER = 1001, 2002, 7
ADMIN = Actor.everywhere(USER, manage_guild=True)  # Manage Server: may manage the feed


@pytest.fixture
async def server(services: Services) -> AsyncIterator[WebServer]:
    async with WebServer(feed_routes(services.feeds), host="127.0.0.1", port=0) as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def add(services: Services, text: str, guild: int = GUILD) -> None:
    await services.deadlines.add(
        Actor(USER), guild, channel_id=55, text=text, start=dt.date(2025, 7, 17)
    )


async def new_token(services: Services, guild: int = GUILD, *, rotate: bool = False) -> str:
    access = await services.feeds.calendar_feed(
        ADMIN, guild, served=True, rotate=rotate, name="Newsroom"
    )
    assert access.token is not None
    return access.token


def uids(body: bytes) -> set[str]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(event["uid"]) for event in calendar.walk("VEVENT")}


async def test_the_feed_serves_the_guilds_active_deadlines(
    server: WebServer, http: aiohttp.ClientSession, services: Services
) -> None:
    await add(services, "Bondi letter, 30 days")
    await add(services, "FOIA, 20 business days")
    token = await new_token(services)
    url = feed_url(server.base_url, token)
    assert url == f"http://127.0.0.1:{server.port}/calendar/{token}.ics"
    assert server.port != 0
    async with http.get(url) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert response.headers["ETag"].startswith('"')
        assert "private" in response.headers["Cache-Control"]
        body = await response.read()
    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["x-wr-calname"]) == "Deadline Desk: Newsroom"
    assert uids(body) == {f"deadline-{GUILD}-1@deadline-desk", f"deadline-{GUILD}-2@deadline-desk"}
    summaries = {str(event["summary"]) for event in calendar.walk("VEVENT")}
    assert summaries == {"Bondi letter", "FOIA"}


async def test_wrong_malformed_and_rotated_tokens_get_the_same_404(
    server: WebServer, http: aiohttp.ClientSession, services: Services
) -> None:
    await add(services, "Bondi letter, 30 days")
    old = await new_token(services)
    current = await new_token(services, rotate=True)
    wrong = current[:-2] + ("AA" if not current.endswith("AA") else "BB")
    paths = [
        f"/calendar/{wrong}.ics",  # well-formed, unknown
        "/calendar/not-a-token.ics",  # malformed
        f"/calendar/{'%21' * 40}.ics",
        f"/calendar/{current}.txt",
        f"/calendar/{old}.ics",  # rotated away
        "/nothing-here",
    ]
    answers = []
    for path in paths:
        async with http.get(server.base_url + path) as response:
            headers = {k: v for k, v in response.headers.items() if k not in ("Date",)}
            answers.append((response.status, headers, await response.read()))
    assert answers[0][0] == 404
    assert all(answer == answers[0] for answer in answers), answers
    assert b"calendar" not in answers[0][2].lower()
    async with http.get(feed_url(server.base_url, current)) as response:
        assert response.status == 200


async def test_if_none_match_gets_304_until_something_changes(
    server: WebServer, http: aiohttp.ClientSession, services: Services
) -> None:
    await add(services, "Bondi letter, 30 days")
    url = feed_url(server.base_url, await new_token(services))
    async with http.get(url) as response:
        etag = response.headers["ETag"]
        first = await response.read()
    async with http.get(url) as response:
        assert response.headers["ETag"] == etag
        assert await response.read() == first  # same data, same bytes
    for header in (etag, f'"other", {etag}', f"W/{etag}", "*"):
        async with http.get(url, headers={"If-None-Match": header}) as response:
            assert response.status == 304, header
            assert response.headers["ETag"] == etag
            assert await response.read() == b""
    async with http.get(url, headers={"If-None-Match": '"stale"'}) as response:
        assert response.status == 200
    await add(services, "FOIA, 20 business days")
    async with http.get(url, headers={"If-None-Match": etag}) as response:
        assert response.status == 200
        assert response.headers["ETag"] != etag
        assert len(uids(await response.read())) == 2


async def test_an_unchanged_feed_is_rendered_once(
    server: WebServer, http: aiohttp.ClientSession, services: Services
) -> None:
    await add(services, "Bondi letter, 30 days")
    url = feed_url(server.base_url, await new_token(services))
    bodies = []
    for _ in range(3):  # as Google Calendar polls: no If-None-Match
        async with http.get(url) as response:
            bodies.append(await response.read())
    assert services.feeds.renders == 1
    assert bodies[0] == bodies[1] == bodies[2]
    await add(services, "FOIA, 20 business days")
    async with http.get(url) as response:
        assert len(uids(await response.read())) == 2
    assert services.feeds.renders == 2
    assert services.feeds.events.misses == 2  # the first event came from the cache


async def test_four_requests_at_once_for_an_uncached_feed_render_it_once(
    server: WebServer, http: aiohttp.ClientSession, services: Services
) -> None:
    for n in range(60):
        await add(services, f"Letter {n}, {n + 2} days")
    url = feed_url(server.base_url, await new_token(services))

    async def fetch() -> tuple[str, bytes]:
        async with http.get(url) as response:
            assert response.status == 200
            return response.headers["ETag"], await response.read()

    answers = await asyncio.gather(*(fetch() for _ in range(4)))
    assert services.feeds.renders == 1
    assert services.feeds.events.misses == 60
    assert len(set(answers)) == 1
    assert len(uids(answers[0][1])) == 60


async def test_conditional_requests_are_answered_without_reading_deadlines(
    server: WebServer,
    http: aiohttp.ClientSession,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
    clock: FakeClock,
) -> None:
    await add(services, "Bondi letter, 30 days")
    url = feed_url(server.base_url, await new_token(services))
    async with http.get(url) as response:
        etag = response.headers["ETag"]
        last_modified = response.headers["Last-Modified"]
    assert last_modified == format_datetime(clock.now().replace(microsecond=0), usegmt=True)
    reads: list[int] = []
    original = Transaction.guild_deadlines

    async def counted(self: Transaction, guild_id: int, **kwargs: Any) -> list[Deadline]:
        reads.append(guild_id)
        return await original(self, guild_id, **kwargs)

    monkeypatch.setattr(Transaction, "guild_deadlines", counted)
    later = format_datetime(clock.now() + dt.timedelta(minutes=5), usegmt=True)
    for headers in (
        {"If-None-Match": etag},
        {"If-Modified-Since": last_modified},
        {"If-Modified-Since": later},
        {"If-None-Match": etag, "If-Modified-Since": "not a date"},
    ):
        async with http.get(url, headers=headers) as response:
            assert response.status == 304, headers
            assert response.headers["ETag"] == etag
            assert response.headers["Last-Modified"] == last_modified
            assert await response.read() == b""
    assert reads == []
    earlier = format_datetime(clock.now() - dt.timedelta(minutes=5), usegmt=True)
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
    for headers in (
        {"If-Modified-Since": earlier},
        {"If-None-Match": '"x"', "If-Modified-Since": later},
    ):
        async with http.get(url, headers=headers) as response:
            assert response.status == 200, headers
    clock.advance(minutes=10)
    await add(services, "FOIA, 20 business days")
    async with http.get(url, headers={"If-Modified-Since": later}) as response:
        assert response.status == 200
        assert response.headers["Last-Modified"] == format_datetime(
            clock.now().replace(microsecond=0), usegmt=True
        )
    assert reads == [GUILD]  # the render after the change, once


async def test_gzip_when_asked_and_a_file_name(server: WebServer, services: Services) -> None:
    for n in range(40):
        await add(services, f"Letter {n}, {n + 2} days")
    url = feed_url(server.base_url, await new_token(services))
    async with aiohttp.ClientSession(auto_decompress=False) as raw:
        async with raw.get(url, headers={"Accept-Encoding": "identity"}) as response:
            plain = await response.read()
            assert "Content-Encoding" not in response.headers
            assert response.headers["Vary"] == "Accept-Encoding"
            disposition = response.headers["Content-Disposition"]
        for accept in ("gzip", "br, gzip;q=0.8", "GZIP, deflate"):
            async with raw.get(url, headers={"Accept-Encoding": accept}) as response:
                assert response.headers["Content-Encoding"] == "gzip", accept
                assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
                packed = await response.read()
            assert gzip.decompress(packed) == plain
            assert len(packed) < len(plain) / 5
        async with raw.get(url, headers={"Accept-Encoding": "gzip;q=0"}) as response:
            assert await response.read() == plain
    assert disposition == 'inline; filename="deadline-desk-newsroom.ics"'
    assert len(uids(plain)) == 40


async def test_an_extension_changes_the_feed(
    server: WebServer, http: aiohttp.ClientSession, services: Services
) -> None:
    await add(services, "Bondi letter, 30 days")
    url = feed_url(server.base_url, await new_token(services))
    async with http.get(url) as response:
        etag = response.headers["ETag"]
    await services.deadlines.extend(Actor(USER), GUILD, 1, change=parse_phrase("14 days").spec)
    async with http.get(url, headers={"If-None-Match": etag}) as response:
        assert response.status == 200
        event = icalendar.Calendar.from_ical(await response.read()).walk("VEVENT")[0]
    assert event["sequence"] == 1
    assert event["dtstart"].dt == dt.date(2025, 8, 30)


async def test_no_guild_sees_another_guilds_deadlines(
    server: WebServer, http: aiohttp.ClientSession, services: Services
) -> None:
    await add(services, "Ours, 30 days")
    await add(services, "Theirs, 10 days", guild=OTHER)
    await add(services, "Theirs too, 12 days", guild=OTHER)
    ours, theirs = await new_token(services), await new_token(services, OTHER)
    async with http.get(feed_url(server.base_url, ours)) as response:
        body = await response.read()
    assert uids(body) == {f"deadline-{GUILD}-1@deadline-desk"}
    assert b"Theirs" not in body
    async with http.get(feed_url(server.base_url, theirs)) as response:
        other = await response.read()
    assert uids(other) == {f"deadline-{OTHER}-1@deadline-desk", f"deadline-{OTHER}-2@deadline-desk"}
    assert b"Ours" not in other


async def test_tokens_never_reach_the_logs(
    server: WebServer,
    http: aiohttp.ClientSession,
    services: Services,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = await new_token(services)
    wrong = "Z" * 32
    caplog.set_level(logging.DEBUG)
    for candidate in (token, wrong):
        async with http.get(feed_url(server.base_url, candidate)) as response:
            await response.read()
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "calendar feed" in text  # it does log, by hash prefix
    assert token not in text
    assert wrong not in text


async def test_503_when_the_database_cannot_be_read(
    db_path: Path, clock: FakeClock, http: aiohttp.ClientSession
) -> None:
    async with SqliteStore.open(db_path) as store:
        services = Services.over(store, clock=clock)
        token = await new_token(services)
    # The store is closed now, as during shutdown.
    async with (
        WebServer(feed_routes(services.feeds), port=0) as server,
        http.get(feed_url(server.base_url, token)) as response,
    ):
        assert response.status == 503
        assert response.headers["Retry-After"] == "30"


async def test_routes_can_be_added_before_start_only() -> None:
    async def ping(request: web.Request) -> web.Response:
        return web.Response(text="pong")

    server = WebServer(port=0)
    server.add_routes([web.get("/ping", ping)])
    async with server, aiohttp.ClientSession() as http:
        async with http.get(server.base_url + "/ping") as response:
            assert await response.text() == "pong"
        with pytest.raises(RuntimeError):
            server.add_routes([web.get("/late", ping)])


def test_base_url_prefers_the_public_url() -> None:
    assert WebServer(port=8080).base_url == "http://127.0.0.1:8080"
    assert WebServer(host="::1", port=81).base_url == "http://[::1]:81"
    public = WebServer(port=0, public_url="https://desk.example.org/feeds/")
    assert public.base_url == "https://desk.example.org/feeds"
    assert feed_url(public.base_url, "tok") == "https://desk.example.org/feeds/calendar/tok.ics"


async def test_web_server_serves_feeds_health_and_metrics_until_stopped(
    services: Services, http: aiohttp.ClientSession
) -> None:
    section = WebSection(enabled=True, port=0)
    verdict = (False, "starting: no heartbeat yet")
    metrics = Metrics()
    server = web_server(section, services.feeds, health=lambda: verdict, metrics=metrics)
    assert await start_web(server, section) is server
    try:
        assert server.base_url == f"http://127.0.0.1:{server.port}"
        assert server.port != 0
        url = feed_url(server.base_url, await new_token(services))
        async with http.get(url) as response:
            assert response.status == 200
        async with http.get(server.base_url + "/healthz") as response:
            assert response.status == 503
            assert await response.json() == {"healthy": False, "reason": verdict[1]}
        verdict = (True, "ok")
        async with http.get(server.base_url + "/healthz") as response:
            assert response.status == 200
            assert await response.json() == {"healthy": True, "reason": "ok"}
        async with http.get(server.base_url + "/metrics") as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == CONTENT_TYPE
            assert b"deadline_desk_deadlines" in await response.read()
    finally:
        await server.stop()
    with pytest.raises(aiohttp.ClientConnectionError):
        async with http.get(url) as response:
            pass


async def test_start_web_explains_a_taken_port(services: Services) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        section = WebSection(enabled=True, port=port)
        server = web_server(section, services.feeds, health=lambda: (True, "ok"), metrics=Metrics())
        with pytest.raises(ConfigError, match=f"web: cannot listen on 127.0.0.1:{port}"):
            await start_web(server, section)
        await server.stop()  # nothing to stop: it never listened
