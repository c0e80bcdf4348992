"""/deadline import: a CSV attached to the slash command, read by the real bot from the fake
Discord's CDN, answered privately within Discord's limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fakediscord import MANAGE_GUILD
from fakediscord.world import DEFAULT_MEMBER_PERMISSIONS
from newsroom import DEFERRED, EPHEMERAL, Newsroom, open_newsroom

ADMIN = DEFAULT_MEMBER_PERMISSIONS | MANAGE_GUILD


async def import_file(
    room: Newsroom, data: bytes, *, filename: str = "deadlines.csv", dry_run: bool = False,
    permissions: int = ADMIN,
) -> dict[str, Any]:  # fmt: skip
    attachment = room.fake.add_attachment(filename, data)
    options: dict[str, Any] = {"file": attachment["id"]}
    if dry_run:
        options["dry_run"] = True
    return await room.answer("import", options, permissions=permissions)


async def test_import_a_sheet_through_discord(tmp_path: Path) -> None:
    async with open_newsroom(tmp_path) as room:
        alerts = room.alerts
        sheet = (
            "title,due,text,from,channel\r\n"
            f"Bondi letter,,30 days,2025-07-17,<#{alerts}>\r\n"
            "County records,2025-08-15,,,\r\n"
        ).encode()

        dry = await import_file(room, sheet, dry_run=True)
        assert dry["type"] == DEFERRED
        assert dry["data"]["flags"] & EPHEMERAL
        assert "would add **2** deadlines" in dry["data"]["content"]
        assert "row 2: Bondi letter \u2014 due Sat 2025-08-16 in <#" in dry["data"]["content"]
        assert (await room.services.deadlines.page(int(room.guild.id))).total == 0

        done = await import_file(room, sheet)
        assert "Imported **2** deadlines (#1-#2)" in done["data"]["content"]
        bondi, county = await room.deadline(1), await room.deadline(2)
        assert bondi.channel_id == int(alerts)
        assert county.channel_id == int(room.general)  # where the command was typed
        assert await room.history(1) == [
            ("imported", "due Sat 2025-08-16 (30 days; calendar rule)")
        ]


async def test_problems_are_listed_within_one_message_and_nothing_is_saved(
    tmp_path: Path,
) -> None:
    async with open_newsroom(tmp_path) as room:
        rows = "".join(f"Story {n} with a long title to fill the line,someday {n}\r\n"
                       for n in range(60))  # fmt: skip
        answer = await import_file(room, ("title,due\r\n" + rows).encode())
        content = answer["data"]["content"]
        assert answer["data"]["flags"] & EPHEMERAL
        assert len(content) <= 2000
        assert content.startswith("\u274c Nothing was imported: 60 problems in the file.")
        assert "row 2, due: 'someday 0' is not a date" in content
        assert content.rstrip().split("\n")[-1].startswith("\u2026and ")
        assert (await room.services.deadlines.page(int(room.guild.id), show="all")).total == 0


async def test_only_manage_server_may_import_and_only_csv(tmp_path: Path) -> None:
    async with open_newsroom(tmp_path) as room:
        sheet = b"title,due\r\nA,2025-08-15\r\n"
        refused = await import_file(room, sheet, permissions=DEFAULT_MEMBER_PERMISSIONS)
        assert refused["data"]["flags"] & EPHEMERAL
        assert "Manage Server" in refused["data"]["content"]
        excel = await import_file(room, b"PK\x03\x04", filename="deadlines.xlsx")
        assert "save it as CSV" in excel["data"]["content"]
        assert (await room.services.deadlines.page(int(room.guild.id), show="all")).total == 0
