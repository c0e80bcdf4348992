"""The fake gateway: a websocket speaking Discord's gateway protocol (JSON encoding).

Supported: HELLO, IDENTIFY -> READY + one GUILD_CREATE per guild, HEARTBEAT -> ACK,
RESUME (replays missed dispatches, then RESUMED; unknown/invalidated sessions get
INVALID_SESSION false), REQUEST_GUILD_MEMBERS -> one GUILD_MEMBERS_CHUNK, and
``compress=zlib-stream`` transport compression (the default of discord.py 2.7.1 when the
``zstandard`` module is absent). If a client asks for ``zstd-stream`` the fake answers with
uncompressed text frames, which discord.py accepts. ``encoding=etf`` is refused (close 4002).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .records import GatewayFrame
from .world import World

log = logging.getLogger(__name__)

JSON = dict[str, Any]

# Opcodes.
DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE_UPDATE = 0, 1, 2, 3
RESUME, RECONNECT, REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 6, 7, 8, 9, 10, 11

# Intents that decide whether message events are sent.
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15

# Close codes after which a real gateway has dropped the session (resume will fail).
SESSION_ENDING_CLOSE_CODES = frozenset({4004, 4007, 4009, 4010, 4011, 4012, 4013, 4014})


class Connection:
    """One websocket connection. ``send`` is serialised so zlib frames stay in order."""

    def __init__(self, number: int, ws: web.WebSocketResponse, path: str, compress: str | None):
        self.number = number
        self.ws = ws
        self.path = path
        self.compress = compress
        self.session: Session | None = None
        self._zlib = zlib.compressobj() if compress == "zlib-stream" else None
        self._lock = asyncio.Lock()

    async def send(self, payload: JSON) -> None:
        text = json.dumps(payload, separators=(",", ":"))
        async with self._lock:
            if self._zlib is not None:
                data = self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                await self.ws.send_bytes(data)
            else:
                await self.ws.send_str(text)


@dataclass
class Session:
    """A gateway session: survives disconnects so the client can RESUME it."""

    id: str
    identify: JSON
    seq: int = 0
    events: list[JSON] = field(default_factory=list)
    connection: Connection | None = None
    valid: bool = True
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def intents(self) -> int:
        return int(self.identify.get("intents") or 0)


class Gateway:
    """Serves websocket connections and keeps the sessions. Owned by :class:`FakeDiscord`."""

    def __init__(
        self,
        world: World,
        *,
        heartbeat_interval_ms: int,
        resume_url: Callable[[], str],
        on_change: Callable[[], None],
        token_ok: Callable[[str | None], bool],
    ) -> None:
        self.world = world
        self.heartbeat_interval_ms = heartbeat_interval_ms
        #: Set False to stop acknowledging heartbeats (zombie-connection tests).
        self.ack_heartbeats = True
        self.frames: list[GatewayFrame] = []
        self.connections: list[Connection] = []
        self.sessions: dict[str, Session] = {}
        self.current: Session | None = None
        self._resume_url = resume_url
        self._on_change = on_change
        self._token_ok = token_ok

    # -- websocket handler -------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        compress = request.query.get("compress")
        conn = Connection(len(self.connections), ws, request.path, compress)
        self.connections.append(conn)
        self._on_change()
        if request.query.get("encoding", "json") != "json":
            await ws.close(code=4002, message=b"fakediscord only speaks encoding=json")
            return ws
        try:
            await self._send(
                conn, {"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}}
            )
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    await ws.close(code=4002, message=b"expected a JSON text frame")
                    break
                payload = json.loads(msg.data)
                self._record("in", payload, conn)
                await self._on_frame(conn, payload)
        except ConnectionResetError:
            log.debug("gateway connection %s reset", conn.number)
        finally:
            if conn.session is not None and conn.session.connection is conn:
                conn.session.connection = None
            self._on_change()
        return ws

    async def _on_frame(self, conn: Connection, payload: JSON) -> None:
        op, data = payload.get("op"), payload.get("d") or {}
        if op == HEARTBEAT:
            if self.ack_heartbeats:
                await self._send(conn, {"op": HEARTBEAT_ACK})
        elif op == IDENTIFY:
            await self._identify(conn, data)
        elif op == RESUME:
            await self._resume(conn, data)
        elif op == REQUEST_MEMBERS:
            await self._members_chunk(conn, data)
        elif op == PRESENCE_UPDATE:
            pass  # recorded in self.frames; nothing to answer
        else:
            log.info("fakediscord gateway: ignoring op %s", op)

    async def _identify(self, conn: Connection, data: JSON) -> None:
        if conn.session is not None:
            await conn.ws.close(code=4005, message=b"Already authenticated.")
            return
        if not self._token_ok(data.get("token")):
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        session = Session(self.world.snowflakes.next(), data)
        self.sessions[session.id] = session
        self.current = session
        conn.session = session
        async with session.lock:
            session.connection = conn
            ready: JSON = {
                "v": 10,
                "user": self.world.bot.payload() | {"verified": True, "mfa_enabled": False},
                "guilds": [{"id": gid, "unavailable": True} for gid in self.world.guilds],
                "session_id": session.id,
                "session_type": "normal",
                "resume_gateway_url": self._resume_url(),
                "application": {"id": self.world.application_id, "flags": 0},
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "guild_join_requests": [],
                "geo_ordered_rtc_regions": [],
                "user_settings": {},
            }
            if "shard" in data:
                ready["shard"] = data["shard"]
            await self._dispatch_locked(session, "READY", ready)
            for guild in self.world.guilds.values():
                await self._dispatch_locked(
                    session, "GUILD_CREATE", guild.create_payload(self.world)
                )
        self._on_change()

    async def _resume(self, conn: Connection, data: JSON) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or not session.valid or not self._token_ok(data.get("token")):
            await self._send(conn, {"op": INVALID_SESSION, "d": False})
            return
        old = session.connection
        if old is not None and old is not conn:
            await old.ws.close(code=4000, message=b"session resumed elsewhere")
        conn.session = session
        self.current = session
        async with session.lock:
            session.connection = conn
            seq = int(data.get("seq") or 0)
            for frame in session.events:
                if frame["s"] > seq:
                    await self._send(conn, frame)
            await self._dispatch_locked(session, "RESUMED", {})
        self._on_change()

    async def _members_chunk(self, conn: Connection, data: JSON) -> None:
        guild = self.world.guilds.get(str(data.get("guild_id")))
        if guild is None or conn.session is None:
            return
        wanted = {str(u) for u in data.get("user_ids") or []}
        query = str(data.get("query") or "").lower()
        members = [
            m
            for m in guild.members.values()
            if (not wanted or m.user_id in wanted)
            and self.world.users[m.user_id].username.lower().startswith(query)
        ]
        limit = int(data.get("limit") or 0)
        chunk: JSON = {
            "guild_id": guild.id,
            "members": [m.payload(self.world) for m in (members[:limit] if limit else members)],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": sorted(wanted - {m.user_id for m in members}),
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    # -- sending -------------------------------------------------------------------------------

    async def dispatch(self, event: str, data: JSON) -> int:
        """Send a DISPATCH event on the current session and return its sequence number.

        If the client is disconnected the event is kept and replayed when it RESUMEs.
        Raises RuntimeError if no client has identified yet.
        """
        session = self.current
        if session is None:
            raise RuntimeError(f"cannot dispatch {event}: no client has identified yet")
        async with session.lock:
            return await self._dispatch_locked(session, event, data)

    async def dispatch_message_event(self, event: str, data: JSON) -> None:
        """Send a MESSAGE_* event if a session exists and its intents ask for it."""
        session = self.current
        if session is None:
            return
        is_dm = self.world.channels[data["channel_id"]].guild_id is None
        if session.intents & (DIRECT_MESSAGES if is_dm else GUILD_MESSAGES):
            await self.dispatch(event, data)

    async def _dispatch_locked(self, session: Session, event: str, data: JSON) -> int:
        session.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
        session.events.append(frame)
        conn = session.connection
        if conn is not None and not conn.ws.closed:
            with contextlib.suppress(ConnectionResetError):
                await self._send(conn, frame)
        return session.seq

    async def _send(self, conn: Connection, payload: JSON) -> None:
        self._record("out", payload, conn)
        await conn.send(payload)

    def _record(self, direction: str, payload: JSON, conn: Connection) -> None:
        self.frames.append(GatewayFrame(direction, payload, conn.number))
        self._on_change()

    # -- control -------------------------------------------------------------------------------

    async def close(self, code: int, *, invalidate_session: bool | None = None) -> None:
        """Close the current session's websocket with ``code``.

        ``invalidate_session`` None means: drop the session (so a RESUME is refused) only for
        close codes after which Discord would not accept a resume, e.g. 4009.
        """
        session = self.current
        if session is None or session.connection is None:
            raise RuntimeError("no connected gateway session to close")
        if invalidate_session is None:
            invalidate_session = code in SESSION_ENDING_CLOSE_CODES
        if invalidate_session:
            session.valid = False
        conn = session.connection
        session.connection = None
        await conn.ws.close(code=code, message=b"closed by fakediscord")

    async def send_op(self, op: int, data: Any = None) -> None:
        """Send a raw non-dispatch opcode (e.g. RECONNECT 7, INVALID_SESSION 9)."""
        session = self.current
        if session is None or session.connection is None:
            raise RuntimeError("no connected gateway session")
        if op == INVALID_SESSION and not data:
            session.valid = False
        await self._send(session.connection, {"op": op, "d": data})

    async def shutdown(self) -> None:
        for conn in self.connections:
            if not conn.ws.closed:
                await conn.ws.close(code=1001, message=b"fakediscord shutting down")
