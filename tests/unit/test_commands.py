"""The slash commands as Discord shows them: every command and option says what it is for
(discord.py shows "..." for an option nobody described)."""

from __future__ import annotations

from discord import app_commands

from bot.discord.cog import DeadlineCog


def test_every_option_of_every_command_is_described() -> None:
    undescribed = []
    for group in (DeadlineCog.deadline, DeadlineCog.settings):
        for command in group.walk_commands():
            if not isinstance(command, app_commands.Command):
                continue
            if not command.description or command.description == "\u2026":
                undescribed.append(command.qualified_name)
            undescribed += [
                f"{command.qualified_name} {parameter.name}"
                for parameter in command.parameters
                if not parameter.description or parameter.description == "\u2026"
            ]
    assert undescribed == []
