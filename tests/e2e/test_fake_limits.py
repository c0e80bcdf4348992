"""The fake Discord refuses what Discord documents it refuses, and accepts what it allows.

Each broken body goes over HTTP (aiohttp, as discord.py sends it) to every route that takes
it: messages to Create and Edit Message, the interaction callback (reply and update), the
follow-up and the edit of ``@original``; modals and autocomplete results to the callback;
commands to the bulk overwrite and to Create Command. Each must come back 400 Invalid Form
Body (50035) with the error at the field Discord names, as in discord-api-docs
developers/reference.mdx "Error Messages"; and a body at every limit must be accepted, so the
fake is not simply refusing everything. The limits are in ``fakediscord/limits.py`` and
``fakediscord/command_limits.py``, with the docs each comes from.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from fakediscord import FakeDiscord, FakeUser, command_limits, limits
from fakediscord.interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    new_interaction,
)

JSON = dict[str, Any]
Path = tuple[str | int, ...]

MESSAGE_ROUTES = ("create", "edit", "reply", "update", "followup", "edit-original")
CALLBACK_PREFIX = {"reply": ("data",), "update": ("data",)}


@dataclass(frozen=True)
class Broken:
    """A body Discord refuses, where it says so (``path`` below ``errors``) and with what."""

    why: str
    body: Any
    path: Path
    code: str


def button(custom_id: str, **extra: Any) -> JSON:
    return {"type": 2, "style": 1, "label": "Go", "custom_id": custom_id, **extra}


def row(*components: JSON) -> JSON:
    return {"type": 1, "components": list(components)}


def select(custom_id: str = "pick", options: int = 1, **extra: Any) -> JSON:
    choices = [{"label": f"o{i}", "value": f"v{i}"} for i in range(options)]
    return {"type": 3, "custom_id": custom_id, "options": choices, **extra}


def embed(**fields: Any) -> JSON:
    return {"type": "rich", **fields}


def field(name: str = "n", value: str = "v") -> JSON:
    return {"name": name, "value": value, "inline": False}


BROKEN_MESSAGES = [
    Broken("content over 2000", {"content": "x" * 2001}, ("content",), "BASE_TYPE_MAX_LENGTH"),
    Broken("11 embeds", {"embeds": [embed(title="t")] * 11}, ("embeds",), "BASE_TYPE_MAX_LENGTH"),
    Broken("embed title over 256", {"embeds": [embed(title="t" * 257)]},
           ("embeds", 0, "title"), "BASE_TYPE_MAX_LENGTH"),
    Broken("embed description over 4096", {"embeds": [embed(description="d" * 4097)]},
           ("embeds", 0, "description"), "BASE_TYPE_MAX_LENGTH"),
    Broken("26 embed fields", {"embeds": [embed(fields=[field()] * 26)]},
           ("embeds", 0, "fields"), "BASE_TYPE_MAX_LENGTH"),
    Broken("field name over 256", {"embeds": [embed(fields=[field(), field(name="n" * 257)])]},
           ("embeds", 0, "fields", 1, "name"), "BASE_TYPE_MAX_LENGTH"),
    Broken("field value over 1024", {"embeds": [embed(fields=[field(value="v" * 1025)])]},
           ("embeds", 0, "fields", 0, "value"), "BASE_TYPE_MAX_LENGTH"),
    Broken("field without a value", {"embeds": [embed(fields=[{"name": "n"}])]},
           ("embeds", 0, "fields", 0, "value"), "BASE_TYPE_REQUIRED"),
    Broken("footer text over 2048", {"embeds": [embed(footer={"text": "f" * 2049})]},
           ("embeds", 0, "footer", "text"), "BASE_TYPE_MAX_LENGTH"),
    Broken("author name over 256", {"embeds": [embed(author={"name": "a" * 257})]},
           ("embeds", 0, "author", "name"), "BASE_TYPE_MAX_LENGTH"),
    Broken("embeds over 6000 in all",
           {"embeds": [embed(description="d" * 4000), embed(description="e" * 2001)]},
           ("embeds",), "MAX_EMBED_SIZE_EXCEEDED"),
    Broken("one embed over 6000",
           {"embeds": [embed(title="t" * 256, description="d" * 4096,
                             fields=[field("n" * 256, "v" * 1024)] * 2)]},
           ("embeds",), "MAX_EMBED_SIZE_EXCEEDED"),
    Broken("6 action rows", {"components": [row(button(f"b{i}")) for i in range(6)]},
           ("components",), "BASE_TYPE_MAX_LENGTH"),
    Broken("6 buttons in a row", {"components": [row(*[button(f"b{i}") for i in range(6)])]},
           ("components", 0, "components"), "BASE_TYPE_BAD_LENGTH"),
    Broken("an empty action row", {"components": [row()]},
           ("components", 0, "components"), "BASE_TYPE_BAD_LENGTH"),
    Broken("a select beside a button", {"components": [row(select(), button("b"))]},
           ("components", 0, "components"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED"),
    Broken("a button outside an action row", {"components": [button("b")]},
           ("components", 0, "type"), "UNION_TYPE_CHOICES"),
    Broken("custom_id over 100", {"components": [row(button("c" * 101))]},
           ("components", 0, "components", 0, "custom_id"), "BASE_TYPE_BAD_LENGTH"),
    Broken("empty custom_id", {"components": [row(button(""))]},
           ("components", 0, "components", 0, "custom_id"), "BASE_TYPE_BAD_LENGTH"),
    Broken("a button without a custom_id",
           {"components": [row({"type": 2, "style": 1, "label": "Go"})]},
           ("components", 0, "components", 0, "custom_id"), "BASE_TYPE_REQUIRED"),
    Broken("custom_id twice in a message",
           {"components": [row(button("same"), button("other")), row(button("same"))]},
           ("components", 1, "components", 0, "custom_id"), "COMPONENT_CUSTOM_ID_DUPLICATED"),
    Broken("custom_id twice in a row", {"components": [row(button("same"), button("same"))]},
           ("components", 0, "components", 1, "custom_id"), "COMPONENT_CUSTOM_ID_DUPLICATED"),
    Broken("button label over 80", {"components": [row(button("b", label="l" * 81))]},
           ("components", 0, "components", 0, "label"), "BASE_TYPE_MAX_LENGTH"),
    Broken("a link button with a custom_id",
           {"components": [row({"type": 2, "style": 5, "label": "Docs",
                                "url": "https://example.org", "custom_id": "x"})]},
           ("components", 0, "components", 0, "custom_id"),
           "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED"),
    Broken("a select with 26 options", {"components": [row(select(options=26))]},
           ("components", 0, "components", 0, "options"), "BASE_TYPE_BAD_LENGTH"),
    Broken("a select option label over 100",
           {"components": [row(select() | {"options": [{"label": "l" * 101, "value": "v"}]})]},
           ("components", 0, "components", 0, "options", 0, "label"), "BASE_TYPE_BAD_LENGTH"),
    Broken("a text input in a message",
           {"components": [row({"type": 4, "custom_id": "t", "style": 1, "label": "T"})]},
           ("components", 0, "components", 0, "type"), "BASE_TYPE_CHOICES"),
    Broken("parse users with a users list",
           {"content": "<@1>", "allowed_mentions": {"parse": ["users"], "users": ["1"]}},
           ("allowed_mentions",), "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE"),
    Broken("parse roles with a roles list",
           {"content": "<@&1>", "allowed_mentions": {"parse": ["roles"], "roles": [1]}},
           ("allowed_mentions",), "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE"),
    Broken("a user id twice (issue 19)",
           {"content": "<@1>", "allowed_mentions": {"parse": [], "users": ["1", "2", "1"]}},
           ("allowed_mentions", "users", 2), "SET_TYPE_ALREADY_CONTAINS_VALUE"),
    Broken("a role id twice, as ints (issue 19)",
           {"content": "<@&5>", "allowed_mentions": {"parse": [], "roles": [5, 5]}},
           ("allowed_mentions", "roles", 1), "SET_TYPE_ALREADY_CONTAINS_VALUE"),
    Broken("101 user ids",
           {"content": "hi", "allowed_mentions": {"users": [str(i) for i in range(101)]}},
           ("allowed_mentions", "users"), "BASE_TYPE_MAX_LENGTH"),
    Broken("an unknown mention type",
           {"content": "hi", "allowed_mentions": {"parse": ["here"]}},
           ("allowed_mentions", "parse", 0), "BASE_TYPE_CHOICES"),
    Broken("content with IS_COMPONENTS_V2",
           {"content": "hi", "flags": 1 << 15, "components": [{"type": 10, "content": "t"}]},
           ("content",), "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2"),
]  # fmt: skip

BROKEN_NONCES = [
    Broken("nonce over 25", {"content": "hi", "nonce": "n" * 26}, ("nonce",),
           "BASE_TYPE_MAX_LENGTH"),
    Broken("nonce neither integer nor string", {"content": "hi", "nonce": [1]}, ("nonce",),
           "NONCE_TYPE_INVALID_TYPE"),
]  # fmt: skip


def text_input(custom_id: str = "t", **extra: Any) -> JSON:
    return {"type": 4, "custom_id": custom_id, "style": 1, "label": "Text", **extra}


def label(component: JSON, text: str = "Label", **extra: Any) -> JSON:
    return {"type": 18, "label": text, "component": component, **extra}


def modal(*components: JSON, **extra: Any) -> JSON:
    return {"custom_id": "form", "title": "A form", "components": list(components), **extra}


BROKEN_MODALS = [
    Broken("title over 45", modal(row(text_input()), title="t" * 46), ("data", "title"),
           "BASE_TYPE_BAD_LENGTH"),
    Broken("no title", {"custom_id": "form", "components": [row(text_input())]},
           ("data", "title"), "BASE_TYPE_REQUIRED"),
    Broken("custom_id over 100", modal(row(text_input()), custom_id="c" * 101),
           ("data", "custom_id"), "BASE_TYPE_BAD_LENGTH"),
    Broken("no components", modal(), ("data", "components"), "BASE_TYPE_BAD_LENGTH"),
    Broken("6 components", modal(*[row(text_input(f"t{i}")) for i in range(6)]),
           ("data", "components"), "BASE_TYPE_BAD_LENGTH"),
    Broken("text input label over 45", modal(row(text_input(label="l" * 46))),
           ("data", "components", 0, "components", 0, "label"), "BASE_TYPE_BAD_LENGTH"),
    Broken("a text input in a row without a label",
           modal(row({"type": 4, "custom_id": "t", "style": 1})),
           ("data", "components", 0, "components", 0, "label"), "BASE_TYPE_REQUIRED"),
    Broken("Label text over 45", modal(label({"type": 4, "custom_id": "t", "style": 1},
                                             "l" * 46)),
           ("data", "components", 0, "label"), "BASE_TYPE_BAD_LENGTH"),
    Broken("Label description over 100",
           modal(label({"type": 4, "custom_id": "t", "style": 1}, description="d" * 101)),
           ("data", "components", 0, "description"), "BASE_TYPE_MAX_LENGTH"),
    Broken("a button in a Label", modal(label(button("b"))),
           ("data", "components", 0, "component", "type"), "BASE_TYPE_CHOICES"),
    Broken("a button in a modal's row", modal(row(button("b"))),
           ("data", "components", 0, "components"), "UNION_TYPE_CHOICES"),
    Broken("text input custom_id twice", modal(row(text_input("t")), row(text_input("t"))),
           ("data", "components", 1, "components", 0, "custom_id"),
           "COMPONENT_CUSTOM_ID_DUPLICATED"),
    Broken("text input max_length over 4000", modal(row(text_input(max_length=4001))),
           ("data", "components", 0, "components", 0, "max_length"), "NUMBER_TYPE_MAX"),
    Broken("text input style 3", modal(row(text_input(style=3))),
           ("data", "components", 0, "components", 0, "style"), "BASE_TYPE_CHOICES"),
]  # fmt: skip


def choice(name: str = "a choice", value: Any = "v") -> JSON:
    return {"name": name, "value": value}


BROKEN_AUTOCOMPLETES = [
    Broken("26 choices", {"choices": [choice(value=str(i)) for i in range(26)]},
           ("data", "choices"), "BASE_TYPE_MAX_LENGTH"),
    Broken("choice name over 100", {"choices": [choice(), choice("n" * 101)]},
           ("data", "choices", 1, "name"), "BASE_TYPE_BAD_LENGTH"),
    Broken("empty choice name", {"choices": [choice("")]}, ("data", "choices", 0, "name"),
           "BASE_TYPE_BAD_LENGTH"),
    Broken("string choice value over 100", {"choices": [choice(value="v" * 101)]},
           ("data", "choices", 0, "value"), "BASE_TYPE_MAX_LENGTH"),
    Broken("a choice without a value", {"choices": [{"name": "n"}]},
           ("data", "choices", 0, "value"), "BASE_TYPE_REQUIRED"),
]  # fmt: skip


# (interaction type, callback type): answers receiving-and-responding.mdx does not allow.
BROKEN_CALLBACK_TYPES = [
    ("choices for a slash command", APPLICATION_COMMAND, 8, {"choices": []}),
    ("a message for an autocomplete", AUTOCOMPLETE, 4, {"content": "hi"}),
    ("a deferral for an autocomplete", AUTOCOMPLETE, 5, {}),
    ("a modal for a modal submit", MODAL_SUBMIT, 9, modal(row(text_input()))),
    ("an unknown callback type", APPLICATION_COMMAND, 3, {"content": "hi"}),
]


def option(name: str, kind: int = 3, **extra: Any) -> JSON:
    return {"type": kind, "name": name, "description": f"The {name}", **extra}


def command(name: str = "desk", **extra: Any) -> JSON:
    return {"type": 1, "name": name, "description": "Deadline Desk", **extra}


def sized(total: int) -> JSON:
    """A chat input command whose names, descriptions and choices come to ``total`` (7939 to
    8039) of the 8000 characters Discord allows, counted by hand: the command 4 + 100, option
    "first" 5 + 9 with 25 choices of 100 + 100, "second" 6 + 10 with 14 such choices, then
    "third" 5 and its description the rest."""
    choices = [choice("n" * 100, "v" * 100)] * 25
    counted = (4 + 100) + (5 + 9 + 25 * 200) + (6 + 10 + 14 * 200) + 5
    return command("size", description="d" * 100, options=[
        option("first", choices=choices),
        option("second", choices=choices[:14]),
        option("third", description="d" * (total - counted)),
    ])  # fmt: skip


BROKEN_COMMANDS = [
    Broken("chat input name with capitals", [command("Has Capitals")], (0, "name"),
           "APPLICATION_COMMAND_INVALID_NAME"),
    Broken("chat input name with a space", [command("two words")], (0, "name"),
           "APPLICATION_COMMAND_INVALID_NAME"),
    Broken("chat input name over 32", [command("x" * 33)], (0, "name"),
           "APPLICATION_COMMAND_INVALID_NAME"),
    Broken("chat input name with a dot", [command("v1.2")], (0, "name"),
           "APPLICATION_COMMAND_INVALID_NAME"),
    Broken("message command name over 32", [{"name": "x" * 33, "type": 3}], (0, "name"),
           "BASE_TYPE_BAD_LENGTH"),
    Broken("chat input without a description", [command(description="")],
           (0, "description"), "BASE_TYPE_BAD_LENGTH"),
    Broken("chat input description over 100", [command(description="d" * 101)],
           (0, "description"), "BASE_TYPE_BAD_LENGTH"),
    Broken("message command with a description",
           [{"name": "Track deadline", "type": 3, "description": "not allowed here"}],
           (0, "description"), "APPLICATION_COMMAND_INVALID_DESCRIPTION"),
    Broken("user command with options",
           [{"name": "Deadlines", "type": 2, "options": [option("x")]}], (0, "options"),
           "APPLICATION_COMMAND_OPTIONS_NOT_ALLOWED"),
    Broken("26 options", [command(options=[option(f"o{i}") for i in range(26)])],
           (0, "options"), "BASE_TYPE_MAX_LENGTH"),
    Broken("required after optional",
           [command(options=[option("later"), option("first", required=True)])],
           (0, "options", 1), "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID"),
    Broken("option name with capitals", [command(options=[option("Title")])],
           (0, "options", 0, "name"), "APPLICATION_COMMAND_INVALID_NAME"),
    Broken("option without a description",
           [command(options=[{"type": 3, "name": "x", "description": ""}])],
           (0, "options", 0, "description"), "BASE_TYPE_BAD_LENGTH"),
    Broken("option description over 100", [command(options=[option("x",
                                                                  description="d" * 101)])],
           (0, "options", 0, "description"), "BASE_TYPE_BAD_LENGTH"),
    Broken("two options of one name", [command(options=[option("x"), option("x", kind=4)])],
           (0, "options", 1, "name"), "APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME"),
    Broken("26 choices", [command(options=[option("x", choices=[choice(value=str(i))
                                                                 for i in range(26)])])],
           (0, "options", 0, "choices"), "BASE_TYPE_MAX_LENGTH"),
    Broken("choice name over 100",
           [command(options=[option("x", choices=[choice("n" * 101)])])],
           (0, "options", 0, "choices", 0, "name"), "BASE_TYPE_BAD_LENGTH"),
    Broken("choices with autocomplete",
           [command(options=[option("x", choices=[choice()], autocomplete=True)])],
           (0, "options", 0, "autocomplete"), "APPLICATION_COMMAND_AUTOCOMPLETE_CHOICES"),
    Broken("max_length over 6000", [command(options=[option("x", max_length=6001)])],
           (0, "options", 0, "max_length"), "NUMBER_TYPE_MAX"),
    Broken("a subcommand in a subcommand",
           [command(options=[option("add", 1, options=[option("more", 1)])])],
           (0, "options", 0, "options", 0, "type"), "APPLICATION_COMMAND_OPTION_TYPE_INVALID"),
    Broken("a plain option in a group",
           [command(options=[option("deadline", 2, options=[option("title")])])],
           (0, "options", 0, "options", 0, "type"), "APPLICATION_COMMAND_OPTION_TYPE_INVALID"),
    Broken("subcommands beside options", [command(options=[option("add", 1), option("x")])],
           (0, "options"), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID"),
    Broken("8001 characters", [sized(8001)], (0,), "APPLICATION_COMMAND_TOO_LARGE"),
    Broken("two chat input commands of one name", [command("desk"), command("desk")],
           (1, "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME"),
    Broken("16 message commands", [{"name": f"M{i}", "type": 3} for i in range(16)], (),
           "APPLICATION_COMMANDS_TOO_MANY"),
    Broken("not a list", {"name": "desk"}, (), "LIST_TYPE_CONVERT"),
]  # fmt: skip


ACCEPTED_MESSAGES = [
    {"content": "x" * 2000},
    {"embeds": [embed(title="t")] * 10},
    # "Leading and trailing whitespace characters are not included" in the limits.
    {"embeds": [embed(title="  " + "t" * 256 + "\n", description="d" * 4096)]},
    {"embeds": [embed(fields=[field()] * 25)]},
    {"embeds": [embed(fields=[field("n" * 256, "v" * 1024)], footer={"text": "f" * 2048},
                      author={"name": "a" * 256})]},
    {"embeds": [embed(description="d" * 4096, title="t" * 256),
                embed(footer={"text": "f" * 1648})]},
    {"components": [row(*[button(f"{r}-{b}".ljust(100, "x")) for b in range(5)])
                    for r in range(5)]},
    {"components": [row(select(options=25, placeholder="p" * 150, max_values=25)),
                    row({"type": 2, "style": 5, "label": "l" * 80, "url": "https://example.org"})]},
    {"content": "<@1>", "allowed_mentions": {"parse": ["users", "roles"], "users": []}},
    {"content": "@everyone <@1> <@2>",
     "allowed_mentions": {"parse": ["everyone"], "users": ["1", "2"]}},
    {"content": "hi", "allowed_mentions": {"parse": [], "users": [str(i) for i in range(100)],
                                           "roles": [1, 2], "replied_user": False}},
    {"flags": 1 << 15, "components": [{"type": 10, "content": "t"}, row(button("b"))]},
]  # fmt: skip

ACCEPTED_NONCES = [
    {"content": "hi", "nonce": "n" * 25, "enforce_nonce": True},
    {"content": "hi", "nonce": 2**62},
]

ACCEPTED_MODALS = [
    modal(*[row(text_input(f"t{i}", label="l" * 45, max_length=4000)) for i in range(5)],
          title="t" * 45, custom_id="c" * 100),
    # The Label (type 18) discord.py 2.7 can send, and what it may hold.
    modal(label({"type": 4, "custom_id": "t", "style": 2}, "l" * 45, description="d" * 100),
          label(select("s", options=25)), {"type": 10, "content": "Some text"}),
]  # fmt: skip

ACCEPTED_AUTOCOMPLETES = [
    {"choices": [choice("n" * 100, f"{i}".ljust(100, "v")) for i in range(25)]},
    {"choices": [choice("an integer", 2**40), choice("a number", 2.5)]},
    {"choices": []},
]

ACCEPTED_COMMANDS = [
    [command("über-daten"), command("नमस्ते"), command("o'clock_1")],
    [{"name": "Track deadline", "type": 3}, {"name": "Deadlines of", "type": 2},
     command("desk"), {"name": "desk", "type": 3}],
    [sized(8000)],
    [command(options=[option(f"r{i}", required=True) for i in range(12)]
             + [option(f"o{i}") for i in range(13)])],
    [command(options=[option("deadline", 2, options=[option("add", 1, options=[
        option("title", required=True), option("when", choices=[choice()] * 25)])]),
        option("status", 1)])],
    [{"name": f"M{i}", "type": 3} for i in range(15)],
]  # fmt: skip


# -- the stage: a fake with a channel, a message, interactions to answer ------------------------


class Stage:
    """One fake Discord and an HTTP session that talks to it as a bot does."""

    def __init__(self, fake: FakeDiscord, http: aiohttp.ClientSession) -> None:
        self.fake = fake
        self.http = http
        guild = fake.add_guild("Newsroom", channels=["desk"])
        self.guild_id = guild.id
        self.channel = guild.channel_id("desk")
        self.user: FakeUser = fake.add_user("alice")
        fake.add_member(guild.id, self.user)
        self.message = fake.world.create_message(self.channel, {"content": "an alert",
                                                                "components": []})  # fmt: skip

    async def call(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        async with self.http.request(
            method, self.fake.api_base_url + path, json=body,
            headers={"Authorization": "Bot fake-token"},
        ) as response:  # fmt: skip
            answer = await response.json() if response.status != 204 else None
            return response.status, answer

    def interaction(self, kind: int) -> tuple[str, str]:
        data: JSON = {"custom_id": "b", "component_type": 2}
        if kind != MESSAGE_COMPONENT:
            data = {"id": "1", "name": "desk", "type": 1, "options": []}
        record, _ = new_interaction(
            self.fake.world, type=kind, data=data, guild_id=self.guild_id,
            channel_id=self.channel, user_id=self.user.id, permissions=None, locale="en-US",
            message=self.message if kind == MESSAGE_COMPONENT else None,
        )  # fmt: skip
        return record.id, record.token

    async def callback(self, kind: int, rtype: int, data: Any) -> tuple[int, Any]:
        interaction, token = self.interaction(kind)
        path = f"/interactions/{interaction}/{token}/callback"
        return await self.call("POST", path, {"type": rtype, "data": data})

    async def answered(self) -> str:
        """A token of an interaction already answered, for follow-ups and @original."""
        interaction, token = self.interaction(APPLICATION_COMMAND)
        path = f"/interactions/{interaction}/{token}/callback"
        status, _ = await self.call("POST", path, {"type": 4, "data": {"content": "ok"}})
        assert status == 204
        return token

    async def send(self, route: str, body: Any) -> tuple[int, Any]:
        app = self.fake.application_id
        if route == "create":
            return await self.call("POST", f"/channels/{self.channel}/messages", body)
        if route == "edit":
            path = f"/channels/{self.channel}/messages/{self.message['id']}"
            return await self.call("PATCH", path, body)
        if route == "reply":
            return await self.callback(APPLICATION_COMMAND, 4, body)
        if route == "update":
            return await self.callback(MESSAGE_COMPONENT, 7, body)
        if route == "followup":
            return await self.call("POST", f"/webhooks/{app}/{await self.answered()}", body)
        if route == "edit-original":
            token = await self.answered()
            return await self.call("PATCH", f"/webhooks/{app}/{token}/messages/@original", body)
        if route == "modal":
            return await self.callback(APPLICATION_COMMAND, 9, body)
        if route == "autocomplete":
            return await self.callback(AUTOCOMPLETE, 8, body)
        if route == "commands":
            return await self.call("PUT", f"/applications/{app}/commands", body)
        if route == "guild-commands":
            path = f"/applications/{app}/guilds/{self.guild_id}/commands"
            return await self.call("PUT", path, body)
        if route == "command":
            return await self.call("POST", f"/applications/{app}/commands", body)
        raise AssertionError(f"no route {route}")


@pytest.fixture
async def stage() -> AsyncIterator[Stage]:
    async with FakeDiscord() as fake, aiohttp.ClientSession() as http:
        yield Stage(fake, http)


def errors_at(errors: JSON, path: Path) -> list[str]:
    """The error codes Discord lists at ``path`` of an ``errors`` object."""
    node: Any = errors
    for key in path:
        if not isinstance(node, dict) or str(key) not in node:
            return []
        node = node[str(key)]
    return [e["code"] for e in node.get("_errors", [])] if isinstance(node, dict) else []


async def assert_refused(stage: Stage, route: str, case: Broken, prefix: Path = ()) -> None:
    stored = len(stage.fake.world.messages)
    status, answer = await stage.send(route, case.body)

    assert (status, answer["code"], answer["message"]) == (400, 50035, "Invalid Form Body")
    path = (*prefix, *case.path)
    assert case.code in errors_at(answer["errors"], path), (path, answer["errors"])
    # Nothing was done: no message stored (follow-up routes store their original first).
    assert len(stage.fake.world.messages) <= stored + 1
    assert [r.status for r in stage.fake.take_refusals()] == [400]


@pytest.mark.parametrize("route", MESSAGE_ROUTES)
@pytest.mark.parametrize("case", BROKEN_MESSAGES, ids=lambda c: c.why)
async def test_a_broken_message_is_refused_on_every_route(
    stage: Stage, route: str, case: Broken
) -> None:
    await assert_refused(stage, route, case, CALLBACK_PREFIX.get(route, ()))


@pytest.mark.parametrize("case", BROKEN_NONCES, ids=lambda c: c.why)
async def test_a_broken_nonce_is_refused(stage: Stage, case: Broken) -> None:
    await assert_refused(stage, "create", case)


@pytest.mark.parametrize("case", BROKEN_MODALS, ids=lambda c: c.why)
async def test_a_broken_modal_is_refused(stage: Stage, case: Broken) -> None:
    await assert_refused(stage, "modal", case)


@pytest.mark.parametrize("case", BROKEN_AUTOCOMPLETES, ids=lambda c: c.why)
async def test_a_broken_autocomplete_answer_is_refused(stage: Stage, case: Broken) -> None:
    await assert_refused(stage, "autocomplete", case)


@pytest.mark.parametrize("route", ["commands", "guild-commands"])
@pytest.mark.parametrize("case", BROKEN_COMMANDS, ids=lambda c: c.why)
async def test_a_broken_command_list_is_refused(stage: Stage, route: str, case: Broken) -> None:
    await assert_refused(stage, route, case)
    assert stage.fake.commands() == stage.fake.commands(stage.guild_id) == {}


@pytest.mark.parametrize(
    "case",
    [c for c in BROKEN_COMMANDS if isinstance(c.body, list) and len(c.body) == 1],
    ids=lambda c: c.why,
)
async def test_a_broken_command_is_refused_by_create_command(stage: Stage, case: Broken) -> None:
    # Create Command takes one command: its errors are not under an index.
    await assert_refused(stage, "command", Broken(case.why, case.body[0], case.path[1:], case.code))


@pytest.mark.parametrize(("why", "kind", "rtype", "data"), BROKEN_CALLBACK_TYPES,
                         ids=[c[0] for c in BROKEN_CALLBACK_TYPES])  # fmt: skip
async def test_a_callback_type_the_interaction_cannot_take_is_refused(
    stage: Stage, why: str, kind: int, rtype: int, data: JSON
) -> None:
    status, answer = await stage.callback(kind, rtype, data)

    assert (status, answer["code"]) == (400, 50035), why
    assert errors_at(answer["errors"], ("type",)), answer["errors"]
    assert len(stage.fake.take_refusals()) == 1


async def test_a_refused_callback_leaves_the_interaction_unanswered(stage: Stage) -> None:
    interaction, token = stage.interaction(APPLICATION_COMMAND)
    path = f"/interactions/{interaction}/{token}/callback"
    refused, _ = await stage.call("POST", path, {"type": 4, "data": {"content": "x" * 2001}})
    accepted, _ = await stage.call("POST", path, {"type": 4, "data": {"content": "fits"}})

    assert (refused, accepted) == (400, 204)
    assert len(stage.fake.take_refusals()) == 1


@pytest.mark.parametrize("route", MESSAGE_ROUTES)
@pytest.mark.parametrize("body", ACCEPTED_MESSAGES, ids=lambda b: str(sorted(b)))
async def test_a_message_at_the_limits_is_accepted(stage: Stage, route: str, body: JSON) -> None:
    status, answer = await stage.send(route, body)

    assert status in (200, 204), answer
    assert stage.fake.refusals == []


@pytest.mark.parametrize("body", ACCEPTED_NONCES, ids=lambda b: type(b["nonce"]).__name__)
async def test_a_nonce_at_the_limit_is_accepted(stage: Stage, body: JSON) -> None:
    status, answer = await stage.send("create", body)

    assert status == 200, answer
    assert answer["nonce"] == body["nonce"]


@pytest.mark.parametrize(("route", "body"), [
    *[("modal", b) for b in ACCEPTED_MODALS],
    *[("autocomplete", b) for b in ACCEPTED_AUTOCOMPLETES],
])  # fmt: skip
async def test_a_modal_or_autocomplete_answer_at_the_limits_is_accepted(
    stage: Stage, route: str, body: JSON
) -> None:
    status, answer = await stage.send(route, body)

    assert status == 204, answer


@pytest.mark.parametrize("route", ["commands", "guild-commands"])
@pytest.mark.parametrize("body", ACCEPTED_COMMANDS, ids=lambda b: b[0]["name"])
async def test_commands_at_the_limits_are_accepted(
    stage: Stage, route: str, body: list[JSON]
) -> None:
    status, answer = await stage.send(route, body)

    assert status == 200, answer
    assert [c["name"] for c in answer] == [c["name"] for c in body]


async def test_create_command_accepts_one_at_the_limit(stage: Stage) -> None:
    status, answer = await stage.send("command", sized(8000))

    assert status == 201, answer
    assert stage.fake.commands()["size"]["options"][0]["name"] == "first"


async def test_a_refusal_nobody_took_fails_the_test_at_the_end() -> None:
    with pytest.raises(AssertionError, match="refused bodies Discord would refuse") as caught:
        async with FakeDiscord() as fake, aiohttp.ClientSession() as http:
            await Stage(fake, http).send("create", {"content": "x" * 2001})

    assert "content" in str(caught.value)


async def test_a_refusal_the_test_took_does_not_fail_it() -> None:
    async with FakeDiscord() as fake, aiohttp.ClientSession() as http:
        await Stage(fake, http).send("create", {"content": "x" * 2001})
        (taken,) = fake.take_refusals()

    assert taken.status == 400


async def test_an_empty_message_is_a_refusal_too() -> None:
    async with FakeDiscord() as fake, aiohttp.ClientSession() as http:
        status, answer = await Stage(fake, http).send("create", {"content": ""})
        taken = fake.take_refusals()

    assert (status, answer["code"]) == (400, 50006)
    assert len(taken) == 1


def node_paths(value: Any, prefix: Path = ()) -> list[Path]:
    """Every place in a JSON value, itself included."""
    inner: list[tuple[str | int, Any]] = []
    if isinstance(value, dict):
        inner = list(value.items())
    elif isinstance(value, list):
        inner = list(enumerate(value))
    return [prefix] + [p for key, item in inner for p in node_paths(item, (*prefix, key))]


def replaced(value: Any, path: Path, new: Any) -> Any:
    if not path:
        return new
    head, *rest = path
    if isinstance(value, dict):
        return {**value, head: replaced(value[head], tuple(rest), new)}
    copy = list(value)
    copy[int(head)] = replaced(copy[int(head)], tuple(rest), new)
    return copy


# Bodies of every kind the fake accepts, to break in one place each.
GOOD_BODIES = [*ACCEPTED_MESSAGES, *ACCEPTED_MODALS, *ACCEPTED_AUTOCOMPLETES, *ACCEPTED_COMMANDS]


# What a bug might put anywhere: values of every JSON type but the one expected.
WRONG_VALUES = [None, True, -1, 2**40, 2.5, "", "x" * 120, [], [{}], {}, {"type": {}}]


@pytest.mark.parametrize("good", GOOD_BODIES, ids=lambda b: str(b)[:40])
def test_the_checks_answer_any_body_without_crashing(good: Any) -> None:
    # A malformed body is the bot's mistake to be told about (400), never the fake's 500:
    # every value of every accepted body, replaced by each wrong value in turn.
    for path in node_paths(good):
        for wrong in WRONG_VALUES:
            body = replaced(good, path, wrong)
            as_object = body if isinstance(body, dict) else {"content": body}
            limits.message_errors(as_object, creating=True)
            limits.modal_errors(as_object)
            limits.autocomplete_errors(as_object)
            command_limits.commands_errors(body)
            for kind in (APPLICATION_COMMAND, AUTOCOMPLETE, MODAL_SUBMIT):
                limits.callback_type_errors(kind, body)
