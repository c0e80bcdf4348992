"""What Discord refuses in the application commands a bot registers, by its documented limits.

The checks of developers/interactions/application-commands.mdx (discord/discord-api-docs at
c98d64bc), answered as the form errors of :mod:`limits`: under the command's index in a bulk
overwrite, so ``{"0": {"name": {"_errors": [...]}}}``, and at the command's own ``_errors``
for a whole-command refusal such as ``APPLICATION_COMMAND_TOO_LARGE``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from .limits import JSON, FormErrors, Path, as_list, as_mapping, check_choice, type_of

# "Application Command Naming", the command and option structures, "Slash Commands" (the
# 8000), "Registering a Command" (how many of each type, per scope).
COMMAND_NAME, COMMAND_DESCRIPTION, MAX_OPTIONS, MAX_CHOICES = 32, 100, 25, 25
OPTION_LENGTH = 6000
COMMAND_SIZE = 8000
COMMANDS_PER_TYPE = {1: 100, 2: 15, 3: 15, 4: 1}
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
CHAT_INPUT = 1


def commands_errors(commands: object) -> JSON | None:
    """What Discord refuses in a bulk overwrite (a list of commands): each command as in
    ``command_errors`` under its index, no two of one type with the same name, and at most
    100 chat input, 15 user and 15 message commands (application-commands.mdx "Registering a
    Command": per scope)."""
    errors = FormErrors()
    if not isinstance(commands, list):
        errors.add((), "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        return errors.result()
    seen: set[tuple[str, str]] = set()
    counts: dict[int, int] = {}
    for index, body in enumerate(commands):
        _command(errors, (index,), body)
        body = as_mapping(body)
        kind = type_of(body, CHAT_INPUT)
        key = (repr(kind), repr(body.get("name")))
        if key in seen:
            errors.add(
                (index, "name"),
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                "Application command names must be unique",
            )
        seen.add(key)
        if kind is not None:
            counts[kind] = counts.get(kind, 0) + 1
    for kind, count in counts.items():
        most = COMMANDS_PER_TYPE.get(kind)
        if most is not None and count > most:
            errors.add(
                (),
                "APPLICATION_COMMANDS_TOO_MANY",
                f"Maximum number of application commands of type {kind} reached ({most})",
            )
    return errors.result()


def command_errors(body: object) -> JSON | None:
    """What Discord refuses in one command (Create, or an item of a bulk overwrite)."""
    errors = FormErrors()
    _command(errors, (), body)
    return errors.result()


_NAME_PUNCTUATION = frozenset("-_'")


def chat_input_name_ok(name: str) -> bool:
    """application-commands.mdx "Application Command Naming": chat input command and option
    names match ``^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$`` and use the lowercase
    variant of any letter that has one."""
    if not 1 <= len(name) <= COMMAND_NAME or name != name.lower():
        return False
    for char in name:
        if char in _NAME_PUNCTUATION or unicodedata.category(char)[0] in "LN":
            continue
        script = unicodedata.name(char, "")
        if not script.startswith(("DEVANAGARI", "THAI")):
            return False
    return True


def _command(errors: FormErrors, path: Path, body: object) -> None:
    """Names 1-32 (chat input: the naming rule), descriptions 1-100 for chat input and empty
    for user and message commands, options only for chat input, and the 8000 in all."""
    if not isinstance(body, Mapping):
        errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    name, kind = body.get("name"), type_of(body, CHAT_INPUT)
    errors.choice((*path, "type"), kind, COMMANDS_PER_TYPE)
    if not isinstance(name, str):
        errors.add((*path, "name"), "BASE_TYPE_REQUIRED", "This field is required")
    elif kind == CHAT_INPUT:
        if not chat_input_name_ok(name):
            errors.add(
                (*path, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
            )
    else:
        errors.text((*path, "name"), name, COMMAND_NAME, least=1)
    description = body.get("description")
    if kind == CHAT_INPUT:
        errors.text(
            (*path, "description"), description, COMMAND_DESCRIPTION, least=1, required=True
        )
        _options(errors, (*path, "options"), body.get("options"), level="command")
        if _size(body) > COMMAND_SIZE:
            errors.add(
                path,
                "APPLICATION_COMMAND_TOO_LARGE",
                f"Command exceeds maximum size ({COMMAND_SIZE})",
            )
    else:
        if description:
            errors.add(
                (*path, "description"),
                "APPLICATION_COMMAND_INVALID_DESCRIPTION",
                "Description must be empty for user and message commands",
            )
        if body.get("options"):
            errors.add(
                (*path, "options"),
                "APPLICATION_COMMAND_OPTIONS_NOT_ALLOWED",
                "Only chat input commands take options",
            )


def _options(errors: FormErrors, path: Path, value: object, *, level: str) -> None:
    """The option structure: up to 25 at each level, names as for commands and unique in
    their list, descriptions 1-100, "Required options must be listed before optional
    options", choices up to 25 and not with autocomplete, min/max_length 0-6000 / 1-6000.
    Nesting ("Subcommands and Subcommand Groups"): a command holds subcommands and groups or
    plain options, never both; a group holds subcommands only; a subcommand plain options."""
    options = errors.items(path, value, MAX_OPTIONS)
    optional_seen = False
    for index, option in enumerate(options):
        at = (*path, index)
        option = as_mapping(option)
        kind, name = type_of(option), option.get("name")
        errors.choice((*at, "type"), kind, range(1, 12))
        if not isinstance(name, str) or not chat_input_name_ok(name):
            errors.add((*at, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Option name is invalid")
        errors.text(
            (*at, "description"),
            option.get("description"),
            COMMAND_DESCRIPTION,
            least=1,
            required=True,
        )
        nested = kind in (SUB_COMMAND, SUB_COMMAND_GROUP)
        fits = {
            "command": True,
            "group": kind == SUB_COMMAND,
            "subcommand": not nested,
        }[level]
        if not fits:
            errors.add(
                (*at, "type"),
                "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                f"This option type cannot be nested in a {level}",
            )
            continue
        if nested:
            inner = "group" if kind == SUB_COMMAND_GROUP else "subcommand"
            _options(errors, (*at, "options"), option.get("options"), level=inner)
            continue
        if option.get("required"):
            if optional_seen:
                errors.add(
                    at,
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            optional_seen = True
        choices = errors.items((*at, "choices"), option.get("choices"), MAX_CHOICES)
        for number, choice in enumerate(choices):
            check_choice(errors, (*at, "choices", number), as_mapping(choice))
        if choices and option.get("autocomplete"):
            errors.add(
                (*at, "autocomplete"),
                "APPLICATION_COMMAND_AUTOCOMPLETE_CHOICES",
                "Autocomplete cannot be set with choices",
            )
        errors.number((*at, "min_length"), option.get("min_length"), 0, OPTION_LENGTH)
        errors.number((*at, "max_length"), option.get("max_length"), 1, OPTION_LENGTH)
    kinds = {type_of(o) for o in options}
    if kinds & {SUB_COMMAND, SUB_COMMAND_GROUP} and kinds - {SUB_COMMAND, SUB_COMMAND_GROUP}:
        errors.add(
            path,
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
            "Subcommands cannot be mixed with other options",
        )
    seen: set[str] = set()
    for index, option in enumerate(options):
        name = repr(as_mapping(option).get("name"))
        if name in seen:
            errors.add(
                (*path, index, "name"),
                "APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME",
                "Option names must be unique",
            )
        seen.add(name)


def _size(body: Mapping[str, Any]) -> int:
    """The 8000 count (application-commands.mdx "Slash Commands"): name, description and
    value of the command, its options at every depth and their choices; of a localized field
    only the longest of it and its localizations."""

    def longest(node: Mapping[str, Any], key: str) -> int:
        value = node.get(key)
        if value is None:
            return 0
        sizes = [len(str(value))]
        sizes += [len(str(v)) for v in as_mapping(node.get(f"{key}_localizations")).values()]
        return max(sizes)

    total = longest(body, "name") + longest(body, "description")
    for option in as_list(body.get("options")):
        option = as_mapping(option)
        total += _size(option)
        for choice in as_list(option.get("choices")):
            choice = as_mapping(choice)
            total += longest(choice, "name") + longest(choice, "value")
    return total
