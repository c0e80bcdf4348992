"""The optional HTTP server inside the bot: calendar feeds, and room for more routes.

`GET /calendar/<token>.ics` serves the deadlines of the guild whose feed token that is (done
and deleted ones as cancelled events), as iCalendar, so Google Calendar, Outlook and Apple
Calendar can subscribe; a conditional request is answered from the guild's version alone.
The token is the only key: a malformed, unknown or replaced one gets the same 404 as any
missing page, whether or not the guild exists.

Tokens are secrets in URLs, so no access log is kept (aiohttp's would print every path), log
lines name a feed by the first characters of its token's hash only, and requests aiohttp cannot
parse are logged in a few words, rate-limited (`serverlog.py`). The server may be reachable from
the internet: `connections.py` bounds what a client can hold (open connections, idle and slow
clients) and lets the heartbeat check that a new client can still connect.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Final
from wsgiref.handlers import format_date_time

from aiohttp import web

from bot.config import ConfigError, WebSection
from bot.export import MEDIA_TYPES
from bot.metrics import CONTENT_TYPE, Metrics
from bot.service import FEED_PREFIX, FEED_SUFFIX, feed_token_hash
from bot.service.feeds import FeedUseCases, FeedVersion

from .connections import ConnectionGuard, GuardedSite, connection_cap, descriptor_limit, probe
from .serverlog import ServerLog

log = logging.getLogger(__name__)
# Subscribed calendars may poll often; make caches ask (with If-None-Match) every time, and
# keep shared caches (proxies) from storing a private calendar.
FEED_CACHE_CONTROL: Final = "private, no-cache"
RETRY_AFTER_SECONDS: Final = "30"
SHUTDOWN_SECONDS: Final = 2.0
CLIENT_TIMEOUT: Final = 10.0
MAX_CONNECTIONS: Final = 100

# The `health` verdict: healthy or not, and why.
HealthCheck = Callable[[], tuple[bool, str]]


def feed_routes(feeds: FeedUseCases) -> list[web.RouteDef]:
    """The calendar-feed route."""
    return [web.get(FEED_PREFIX + "{name}", _FeedHandler(feeds).handle)]


class _FeedHandler:
    def __init__(self, feeds: FeedUseCases) -> None:
        self._feeds = feeds

    async def handle(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if not name.endswith(FEED_SUFFIX):
            raise web.HTTPNotFound()
        token = name.removesuffix(FEED_SUFFIX)
        try:
            # The token and the guild's change counters only: enough to answer a 304.
            version = await self._feeds.feed_version(token)
            if version is None:
                log.debug("calendar feed %s: no such feed", _tag(token))
                raise web.HTTPNotFound()
            if _not_modified(request, version):
                return web.Response(status=304, headers=_feed_headers(version))
            feed = await self._feeds.feed_file(version)
        except web.HTTPException:
            raise
        except Exception:
            # E.g. the database closing during shutdown. Never log the request's path.
            log.warning("calendar feed %s: could not read the database", _tag(token), exc_info=True)
            raise web.HTTPServiceUnavailable(headers={"Retry-After": RETRY_AFTER_SECONDS}) from None
        log.debug(
            "calendar feed %s: guild %s, %d events", _tag(token), feed.version.guild_id, feed.events
        )
        headers = _feed_headers(feed.version)
        headers["Content-Type"] = MEDIA_TYPES["ics"]
        headers["Content-Disposition"] = f'inline; filename="{_file_name(feed.version.name)}"'
        headers["Vary"] = "Accept-Encoding"
        if _accepts_gzip(request):
            headers["Content-Encoding"] = "gzip"
            return web.Response(body=feed.gzipped, headers=headers)
        return web.Response(body=feed.body, headers=headers)


def _feed_headers(version: FeedVersion) -> dict[str, str]:
    headers = {"ETag": f'"{version.etag}"', "Cache-Control": FEED_CACHE_CONTROL}
    if version.changed_at is not None:
        headers["Last-Modified"] = format_date_time(version.changed_at.timestamp())
    return headers


def _not_modified(request: web.Request, version: FeedVersion) -> bool:
    """If-None-Match (weak comparison, as RFC 9110 says for it) names the ETag, or is *;
    without it, If-Modified-Since is no earlier than the last change (RFC 9110 13.2.2)."""
    wanted = request.if_none_match
    if wanted:
        return any(tag.value in ("*", version.etag) for tag in wanted)
    since = request.if_modified_since
    if since is None or version.changed_at is None:
        return False
    return version.changed_at.replace(microsecond=0) <= since


def _accepts_gzip(request: web.Request) -> bool:
    for coding in request.headers.get("Accept-Encoding", "").lower().split(","):
        name, _, params = coding.partition(";")
        if name.strip() == "gzip":
            q = params.strip().removeprefix("q=")
            return not params.strip() or _quality(q) > 0
    return False


def _quality(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 0.0


def _file_name(name: str) -> str:
    """An ASCII file name for the feed: the calendar's name, made safe, else the bot's."""
    words = re.findall(r"[A-Za-z0-9]+", unicodedata.normalize("NFKD", name))
    return "-".join(["deadline-desk", *words])[:80].lower() + FEED_SUFFIX


def _tag(token: str) -> str:
    """How logs name a feed: a short prefix of its token's hash, never the token."""
    return feed_token_hash(token)[:8] + "\u2026"


class WebServer:
    """An aiohttp server on `host`:`port` (0: a free port) serving `routes`.

    Use `async with WebServer(...)`, or `start()` then `stop()`. Add routes with
    `add_routes` before starting. `base_url` is where people reach it: `public_url` if set,
    else http://host:port with the port actually bound.
    """

    def __init__(
        self,
        routes: Iterable[web.RouteDef] = (),
        *,
        host: str = "127.0.0.1",
        port: int = 8080,
        public_url: str = "",
        client_timeout: float = CLIENT_TIMEOUT,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self.host = host
        self.public_url = public_url.rstrip("/")
        self.client_timeout = client_timeout
        self.max_connections = max_connections
        self._port = port
        self._app = web.Application()
        self._app.add_routes(list(routes))
        self._runner: web.AppRunner | None = None
        self._guard: ConnectionGuard | None = None
        self._log = ServerLog(log)

    def add_routes(self, routes: Sequence[web.RouteDef]) -> None:
        if self._runner is not None:
            raise RuntimeError("add routes before starting the server")
        self._app.add_routes(routes)

    @property
    def port(self) -> int:
        """The port listened on (the one picked, when 0 was asked, once started)."""
        return self._port

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._port}"

    @property
    def open_connections(self) -> int:
        return self._guard.open if self._guard is not None else 0

    async def start(self) -> None:
        """Listen; raises OSError if the address is taken or not ours."""
        limit = descriptor_limit()
        cap = connection_cap(self.max_connections, descriptor_limit=limit)
        if cap < self.max_connections:
            log.warning(
                "web.max_connections is %d, but the process may open only %d files: allowing "
                "%d connections, so that Discord and the database keep theirs (raise the "
                "limit, e.g. ulimit -n, to allow more)",
                self.max_connections,
                limit,
                cap,
            )
        guard = ConnectionGuard(cap=cap, client_timeout=self.client_timeout)
        runner = web.AppRunner(
            self._app,
            # The access log would print request paths, which hold feed tokens.
            access_log=None,
            # Malformed requests in a few words, never the request line (ServerLog).
            logger=self._log,
            # A short shutdown: the bot has SHUTDOWN_SECONDS to stop, and feed requests are
            # quick.
            shutdown_timeout=SHUTDOWN_SECONDS,
            # Counted from the connection's start (or its last answer) to a whole request:
            # a client sending nothing, or its headers a byte at a time, is closed after it.
            keepalive_timeout=self.client_timeout,
            # How long to read and drop a request body nobody asked for.
            lingering_time=self.client_timeout,
        )
        await runner.setup()
        try:
            site = GuardedSite(runner, self.host, self._port, guard)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner, self._guard = runner, guard
        address = runner.addresses[0]
        self._port = int(address[1])
        log.info("web server listening on %s:%d (%s)", self.host, self._port, self.base_url)

    async def stop(self) -> None:
        """Stop listening and finish; idempotent."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
            self._log.flush()
            if self._guard is not None:
                self._guard.refusals.flush()
            log.info("web server stopped")

    async def check_accepting(self) -> str | None:
        """None if a new client can connect and be answered now; else why not, in one line."""
        guard = self._guard
        if self._runner is None or guard is None:
            return "the web server is not listening"
        refusing = (
            f"the web server is refusing connections: {guard.cap} open, its cap "
            "(web.max_connections)"
        )
        if guard.open >= guard.cap:
            return refusing
        problem = await probe(self.host, self._port)
        if problem is None:
            return None
        # Filled up meanwhile: the probe was refused (a 503, or reset before it read one).
        return refusing if guard.open >= guard.cap else f"the web server {problem}"

    async def __aenter__(self) -> WebServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


def web_server(
    section: WebSection, feeds: FeedUseCases, *, health: HealthCheck, metrics: Metrics
) -> WebServer:
    """The [web] server: calendar feeds, /healthz and /metrics (start it to listen)."""
    if section.host in ("0.0.0.0", "::") and not section.public_url:
        log.warning(
            "web.host is %s but web.public_url is empty: feed addresses will name %s, which "
            "nobody else can open; set web.public_url",
            section.host,
            section.host,
        )
    return WebServer(
        [*feed_routes(feeds), *ops_routes(health, metrics)],
        host=section.host,
        port=section.port,
        public_url=section.public_url,
        client_timeout=section.client_timeout,
        max_connections=section.max_connections,
    )


async def start_web(server: WebServer, section: WebSection) -> WebServer:
    """Listen; raises ConfigError (naming the [web] keys) if the address cannot be had."""
    try:
        await server.start()
    except OSError as exc:
        raise ConfigError(
            f"web: cannot listen on {section.host}:{section.port}: {exc.strerror or exc} "
            "(for example: another port in [web] port, or enabled = false)"
        ) from None
    return server


def ops_routes(health: HealthCheck, metrics: Metrics) -> list[web.RouteDef]:
    """GET /healthz (the `health` verdict, as JSON) and GET /metrics (Prometheus text)."""

    async def healthz(request: web.Request) -> web.Response:
        healthy, reason = health()
        return web.json_response(
            {"healthy": healthy, "reason": reason}, status=200 if healthy else 503
        )

    async def render_metrics(request: web.Request) -> web.Response:
        response = web.Response(body=metrics.render())
        response.headers["Content-Type"] = CONTENT_TYPE
        return response

    return [web.get("/healthz", healthz), web.get("/metrics", render_metrics)]
