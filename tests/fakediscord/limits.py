"""What Discord refuses in the messages, modals and autocomplete answers a bot sends, by its
documented limits (commands: :mod:`command_limits`).

Each check names the page of discord/discord-api-docs it comes from (paths in that repository,
read at c98d64bc, August 2026). Where the docs and the OpenAPI schema (discord/discord-api-spec
``specs/openapi.json``) differ, the docs win (content 2000 characters, not the schema's 4000; a
modal 1-5 components, not 40); the schema fills in what the docs leave out (id lists' unique
items, the 1-45 of a text input's deprecated label).

The checks return Discord's nested form errors (developers/reference.mdx "Error Messages"):
keys down to the offending field, list items by index, then ``_errors``, a list of
``{"code", "message"}``; an error about a whole request sits at the top level's ``_errors``.
The REST handlers wrap them in 400 ``{"code": 50035, "message": "Invalid Form Body"}``.
Error codes are the ones Discord answers with (``BASE_TYPE_MAX_LENGTH``,
``MAX_EMBED_SIZE_EXCEEDED``, ``COMPONENT_CUSTOM_ID_DUPLICATED``, ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

JSON = dict[str, Any]
Path = tuple[str | int, ...]

# developers/resources/message.mdx, Create Message "JSON/Form Params".
MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_NONCE = 25
NONCE_RANGE = (-(2**63), 2**63 - 1)  # "integer or string"; the schema's int64
# developers/resources/message.mdx, "Embed Limits" (trimmed lengths, inclusive).
EMBED_TITLE, EMBED_DESCRIPTION, EMBED_FIELDS = 256, 4096, 25
FIELD_NAME, FIELD_VALUE, FOOTER_TEXT, AUTHOR_NAME = 256, 1024, 2048, 256
EMBEDS_TOTAL = 6000
# developers/resources/message.mdx, "Allowed Mentions Object".
MENTION_TYPES = ("roles", "users", "everyone")
MAX_MENTION_IDS = 100
# developers/resources/message.mdx, "Message Object" flags; components/reference.mdx intro.
IS_COMPONENTS_V2 = 1 << 15
MAX_V2_COMPONENTS = 40
# developers/components/reference.mdx, "Legacy Message Component Behavior", "Action Row",
# "Custom ID", "Button", "String Select", "Text Input", "Label".
MAX_LEGACY_ROWS = 5
MAX_ROW_BUTTONS = 5
CUSTOM_ID = (1, 100)
BUTTON_LABEL, BUTTON_URL = 80, 512
SELECT_PLACEHOLDER, SELECT_OPTIONS, SELECT_VALUES = 150, 25, 25
OPTION_TEXT = 100  # a select option's label, value and description
TEXT_INPUT_LABEL = 45  # deprecated on the text input; the schema keeps 1-45
TEXT_INPUT_VALUE, TEXT_INPUT_PLACEHOLDER, TEXT_INPUT_LENGTH = 4000, 100, 4000
LABEL_LABEL, LABEL_DESCRIPTION = 45, 100
# developers/interactions/receiving-and-responding.mdx, "Modal" and "Autocomplete".
MODAL_TITLE, MODAL_COMPONENTS = 45, (1, 5)
MAX_AUTOCOMPLETE_CHOICES = 25
# developers/interactions/application-commands.mdx, "Application Command Option Choice
# Structure" (autocomplete results are choices too).
CHOICE_NAME, CHOICE_VALUE = 100, 100

BUTTON, STRING_SELECT, TEXT_INPUT, ACTION_ROW, LABEL, TEXT_DISPLAY = 2, 3, 4, 1, 18, 10
SELECTS = frozenset({3, 5, 6, 7, 8})
LINK, PREMIUM = 5, 6
# Component types by where the component reference's "Usage" column allows them.
LEGACY_MESSAGE_TYPES = frozenset({ACTION_ROW, BUTTON, *SELECTS})
V2_MESSAGE_TYPES = LEGACY_MESSAGE_TYPES | {9, 10, 11, 12, 13, 14, 17}
LABEL_CHILDREN = frozenset({*SELECTS, TEXT_INPUT, 19, 21, 22, 23})


class FormErrors:
    """Collects errors into Discord's nested ``errors`` object."""

    def __init__(self) -> None:
        self.tree: JSON = {}

    def add(self, path: Path, code: str, message: str) -> None:
        node = self.tree
        for key in path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def text(
        self,
        path: Path,
        value: object,
        most: int,
        *,
        least: int = 0,
        required: bool = False,
        strip: bool = False,
    ) -> int:
        """Check a string field's length; returns the length counted (0 when absent)."""
        if value is None:
            if required:
                self.add(path, "BASE_TYPE_REQUIRED", "This field is required")
            return 0
        if not isinstance(value, str):
            self.add(path, "STRING_TYPE_CONVERT", "Could not interpret value as string.")
            return 0
        size = len(value.strip() if strip else value)
        if required and size == 0 and least == 0:
            self.add(path, "BASE_TYPE_REQUIRED", "This field is required")
        elif least and not least <= size <= most:
            self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {least} and {most} in length.")
        elif size > most:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {most} or fewer in length.")
        return size

    def items(self, path: Path, value: object, most: int, *, least: int = 0) -> list[Any]:
        """Check an array field's length; returns its items ([] when absent or not a list)."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(path, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
            return []
        if least and not least <= len(value) <= most:
            self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {least} and {most} in length.")
        elif len(value) > most:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {most} or fewer in length.")
        return value

    def unique(self, path: Path, values: Iterable[object]) -> None:
        """Each repeat is refused at its own index, as Discord refuses a set's repeats."""
        seen: set[str] = set()
        for index, value in enumerate(values):
            if str(value) in seen:
                self.add(
                    (*path, index),
                    "SET_TYPE_ALREADY_CONTAINS_VALUE",
                    "The set already contains this value",
                )
            seen.add(str(value))

    def choice(self, path: Path, value: object, allowed: Iterable[object]) -> None:
        allowed = tuple(allowed)
        if value not in allowed:
            listed = ", ".join(repr(a) for a in allowed)
            self.add(path, "BASE_TYPE_CHOICES", f"Value must be one of ({listed}).")

    def number(self, path: Path, value: object, least: int, most: int) -> None:
        if value is None:
            return
        if not isinstance(value, int) or isinstance(value, bool):
            self.add(path, "NUMBER_TYPE_COERCE", f"Value {value!r} is not int.")
        elif value < least:
            self.add(
                path, "NUMBER_TYPE_MIN", f"int value should be greater than or equal to {least}."
            )
        elif value > most:
            self.add(path, "NUMBER_TYPE_MAX", f"int value should be less than or equal to {most}.")

    def result(self) -> JSON | None:
        return self.tree or None


def type_of(value: object, default: int | None = None) -> int | None:
    """The ``type`` of a component, command or option if it is an integer, else None (which
    no check accepts); ``default`` when it is absent."""
    kind = as_mapping(value).get("type", default)
    return kind if isinstance(kind, int) and not isinstance(kind, bool) else None


def as_list(value: object) -> list[Any]:
    """A JSON array as is, anything else as an empty one (see ``as_mapping``)."""
    return value if isinstance(value, list) else []


def as_mapping(value: object) -> Mapping[str, Any]:
    """A JSON object as is, anything else as an empty one (a malformed body is refused by
    the field checks, not by a crash)."""
    return value if isinstance(value, Mapping) else {}


# -- messages ----------------------------------------------------------------------------------


def message_errors(body: Mapping[str, Any], *, creating: bool, prefix: Path = ()) -> JSON | None:
    """What Discord refuses in a message body: Create or Edit Message, Execute Webhook, Edit
    Webhook Message, or an interaction callback's ``data`` (pass ``prefix=("data",)``).

    Only Create Message takes a ``nonce`` (``creating``). Checks content, embeds,
    allowed_mentions and components; "empty message" (50006) is the caller's.
    """
    errors = FormErrors()
    errors.text((*prefix, "content"), body.get("content"), MAX_CONTENT)
    flags = body.get("flags")
    v2 = isinstance(flags, int) and bool(flags & IS_COMPONENTS_V2)
    if v2:
        # message.mdx, Create Message: with IS_COMPONENTS_V2 "the message can only contain
        # components"; content, embeds, sticker_ids and poll fail.
        for legacy in ("content", "embeds", "sticker_ids", "poll"):
            if body.get(legacy):
                errors.add(
                    (*prefix, legacy),
                    "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                    f"The '{legacy}' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
                )
    _embeds(errors, (*prefix, "embeds"), body.get("embeds"))
    if "allowed_mentions" in body and body["allowed_mentions"] is not None:
        _allowed_mentions(errors, (*prefix, "allowed_mentions"), body["allowed_mentions"])
    if creating and body.get("nonce") is not None:
        _nonce(errors, (*prefix, "nonce"), body["nonce"])
    if body.get("components") is not None:
        _message_components(errors, (*prefix, "components"), body["components"], v2=v2)
    return errors.result()


def _nonce(errors: FormErrors, path: Path, nonce: object) -> None:
    """message.mdx: "integer or string ... (up to 25 characters)"."""
    if isinstance(nonce, bool) or not isinstance(nonce, int | str):
        errors.add(path, "NONCE_TYPE_INVALID_TYPE", "Nonce must be an integer or string.")
    elif isinstance(nonce, int):
        errors.number(path, nonce, *NONCE_RANGE)
    else:
        errors.text(path, nonce, MAX_NONCE)


def _embeds(errors: FormErrors, path: Path, value: object) -> None:
    """message.mdx "Embed Limits": per-field limits on trimmed text, and 6000 in all."""
    total = 0
    for index, embed in enumerate(errors.items(path, value, MAX_EMBEDS)):
        at = (*path, index)
        embed = as_mapping(embed)
        total += errors.text((*at, "title"), embed.get("title"), EMBED_TITLE, strip=True)
        total += errors.text(
            (*at, "description"), embed.get("description"), EMBED_DESCRIPTION, strip=True
        )
        for number, field in enumerate(
            errors.items((*at, "fields"), embed.get("fields"), EMBED_FIELDS)
        ):
            field = as_mapping(field)
            where = (*at, "fields", number)
            # The field structure has no optional marks: name and value are required.
            total += errors.text(
                (*where, "name"), field.get("name"), FIELD_NAME, required=True, strip=True
            )
            total += errors.text(
                (*where, "value"), field.get("value"), FIELD_VALUE, required=True, strip=True
            )
        if embed.get("footer") is not None:
            footer = as_mapping(embed["footer"])
            total += errors.text(
                (*at, "footer", "text"), footer.get("text"), FOOTER_TEXT, strip=True
            )
        if embed.get("author") is not None:
            author = as_mapping(embed["author"])
            total += errors.text(
                (*at, "author", "name"), author.get("name"), AUTHOR_NAME, strip=True
            )
    if total > EMBEDS_TOTAL:
        errors.add(
            path, "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {EMBEDS_TOTAL}"
        )


def _allowed_mentions(errors: FormErrors, path: Path, value: object) -> None:
    """message.mdx "Allowed Mentions Object": parse types; users and roles at most 100 ids
    each, no id twice (the schema's ``uniqueItems``); and ``parse`` naming "users" (or
    "roles") together with a non-empty ``users`` (``roles``) list is refused ("an *invalid*
    configuration"); an empty or null list is not."""
    mentions = as_mapping(value)
    parse = errors.items((*path, "parse"), mentions.get("parse"), len(MENTION_TYPES))
    for index, kind in enumerate(parse):
        errors.choice((*path, "parse", index), kind, MENTION_TYPES)
    errors.unique((*path, "parse"), parse)
    for kind in ("users", "roles"):
        ids = errors.items((*path, kind), mentions.get(kind), MAX_MENTION_IDS)
        errors.unique((*path, kind), ids)
        if kind in parse and ids:
            errors.add(
                path,
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
            )


def _message_components(errors: FormErrors, path: Path, value: object, *, v2: bool) -> None:
    """components/reference.mdx: legacy messages take up to 5 action rows at the top level;
    with IS_COMPONENTS_V2, up to 40 components in all. Custom ids unique in the message."""
    allowed = V2_MESSAGE_TYPES if v2 else LEGACY_MESSAGE_TYPES
    top = errors.items(path, value, MAX_V2_COMPONENTS if v2 else MAX_LEGACY_ROWS)
    walker = _Components(errors, allowed)
    for index, component in enumerate(top):
        component = as_mapping(component)
        if not v2 and type_of(component) != ACTION_ROW:
            errors.add(
                (*path, index, "type"),
                "UNION_TYPE_CHOICES",
                'Value of field "type" must be one of (1,).',
            )
            continue
        walker.component((*path, index), component, top_level=True)
    if v2 and walker.count > MAX_V2_COMPONENTS:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_V2_COMPONENTS} or fewer in length.")
    walker.report_duplicates()


class _Components:
    """Walks a component tree: each component's own limits, and custom ids across the tree."""

    def __init__(self, errors: FormErrors, allowed: frozenset[int]) -> None:
        self.errors = errors
        self.allowed = allowed
        self.count = 0
        self.custom_ids: dict[str, list[Path]] = {}

    def component(self, path: Path, component: Mapping[str, Any], *, top_level: bool) -> None:
        self.count += 1
        kind = type_of(component)
        if kind not in self.allowed:
            self.errors.choice((*path, "type"), kind, sorted(self.allowed))
            return
        if kind == ACTION_ROW:
            self._row(path, component, top_level=top_level)
        elif kind == BUTTON:
            self._button(path, component)
        elif kind in SELECTS:
            self._select(path, component)
        elif kind == TEXT_INPUT:
            self._text_input(path, component, labelled=False)
        elif kind == LABEL:
            self._label(path, component)
        else:
            for key in ("components", "accessory"):
                children = component.get(key)
                children = children if isinstance(children, list) else [children]
                for index, child in enumerate(c for c in children if isinstance(c, Mapping)):
                    where = (*path, key, index) if key == "components" else (*path, key)
                    self.component(where, child, top_level=False)

    def _custom_id(self, path: Path, custom_id: object) -> None:
        self.errors.text(
            (*path, "custom_id"), custom_id, CUSTOM_ID[1], least=CUSTOM_ID[0], required=True
        )
        if isinstance(custom_id, str):
            self.custom_ids.setdefault(custom_id, []).append(path)

    def report_duplicates(self) -> None:
        """reference.mdx "Custom ID": "Multiple components on the same message must not share
        the same custom_id"; Discord names every repeat after the first."""
        for paths in self.custom_ids.values():
            for path in paths[1:]:
                self.errors.add(
                    (*path, "custom_id"),
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                    "Component custom id cannot be duplicated",
                )

    def _row(self, path: Path, row: Mapping[str, Any], *, top_level: bool) -> None:
        """An action row: 1-5 buttons, or a single select (reference.mdx "Action Row"); in a
        modal, text inputs (deprecated there, still accepted)."""
        if not top_level:
            self.errors.add(
                (*path, "type"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "An action row cannot be nested"
            )
            return
        children = self.errors.items(
            (*path, "components"), row.get("components"), MAX_ROW_BUTTONS, least=1
        )
        if row.get("components") is None:
            self.errors.add((*path, "components"), "BASE_TYPE_REQUIRED", "This field is required")
        kinds = [type_of(c) for c in children]
        if any(k in SELECTS for k in kinds) and len(kinds) > 1:
            self.errors.add(
                (*path, "components"),
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "The specified component exceeds the maximum width",
            )
        for index, child in enumerate(children):
            child = as_mapping(child)
            if type_of(child) in (ACTION_ROW, LABEL):
                self.errors.add(
                    (*path, "components", index, "type"),
                    "UNION_TYPE_CHOICES",
                    "An action row holds buttons, a select or text inputs",
                )
                continue
            self.component((*path, "components", index), child, top_level=False)

    def _button(self, path: Path, button: Mapping[str, Any]) -> None:
        """reference.mdx "Button": label max 80, url max 512; non-link, non-premium buttons
        must have a custom_id; link buttons a url and no custom_id."""
        style = button.get("style")
        self.errors.choice((*path, "style"), style, range(1, 7))
        self.errors.text((*path, "label"), button.get("label"), BUTTON_LABEL)
        self.errors.text((*path, "url"), button.get("url"), BUTTON_URL)
        if style == LINK:
            if not button.get("url"):
                self.errors.add(
                    (*path, "url"), "BUTTON_COMPONENT_URL_REQUIRED", "A url is required"
                )
            if button.get("custom_id") is not None:
                self.errors.add(
                    (*path, "custom_id"),
                    "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED",
                    "A custom id cannot be specified",
                )
        elif style == PREMIUM:
            if button.get("custom_id") is not None:
                self.errors.add(
                    (*path, "custom_id"),
                    "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED",
                    "A custom id cannot be specified",
                )
        elif style in range(1, 5):
            self._custom_id(path, button.get("custom_id"))
            if button.get("url") is not None:
                self.errors.add(
                    (*path, "url"), "BUTTON_COMPONENT_URL_NOT_ALLOWED", "A url cannot be specified"
                )

    def _select(self, path: Path, select: Mapping[str, Any]) -> None:
        """reference.mdx, the select menus: custom_id 1-100, placeholder max 150, min_values
        0-25, max_values 1-25; a string select has 1-25 options of label and value 1-100
        (the schema's minimum) and description max 100."""
        self._custom_id(path, select.get("custom_id"))
        self.errors.text((*path, "placeholder"), select.get("placeholder"), SELECT_PLACEHOLDER)
        self.errors.number((*path, "min_values"), select.get("min_values"), 0, SELECT_VALUES)
        self.errors.number((*path, "max_values"), select.get("max_values"), 1, SELECT_VALUES)
        if type_of(select) != STRING_SELECT:
            return
        options = self.errors.items(
            (*path, "options"), select.get("options"), SELECT_OPTIONS, least=1
        )
        if select.get("options") is None:
            self.errors.add((*path, "options"), "BASE_TYPE_REQUIRED", "This field is required")
        for index, option in enumerate(options):
            option = as_mapping(option)
            at = (*path, "options", index)
            for key in ("label", "value"):
                self.errors.text((*at, key), option.get(key), OPTION_TEXT, least=1, required=True)
            self.errors.text((*at, "description"), option.get("description"), OPTION_TEXT)

    def _text_input(self, path: Path, text_input: Mapping[str, Any], *, labelled: bool) -> None:
        """reference.mdx "Text Input": custom_id 1-100, style 1 or 2, min_length 0-4000,
        max_length 1-4000, value max 4000, placeholder max 100; its own label (deprecated,
        required outside a Label) 1-45 as the schema has it."""
        self._custom_id(path, text_input.get("custom_id"))
        self.errors.choice((*path, "style"), text_input.get("style"), (1, 2))
        label = text_input.get("label")
        if label is not None or not labelled:
            self.errors.text((*path, "label"), label, TEXT_INPUT_LABEL, least=1, required=True)
        self.errors.number(
            (*path, "min_length"), text_input.get("min_length"), 0, TEXT_INPUT_LENGTH
        )
        self.errors.number(
            (*path, "max_length"), text_input.get("max_length"), 1, TEXT_INPUT_LENGTH
        )
        self.errors.text((*path, "value"), text_input.get("value"), TEXT_INPUT_VALUE)
        self.errors.text(
            (*path, "placeholder"), text_input.get("placeholder"), TEXT_INPUT_PLACEHOLDER
        )

    def _label(self, path: Path, label: Mapping[str, Any]) -> None:
        """reference.mdx "Label" (type 18, modals): label max 45 (required), description max
        100, and one component of the label child types."""
        self.errors.text((*path, "label"), label.get("label"), LABEL_LABEL, least=1, required=True)
        self.errors.text((*path, "description"), label.get("description"), LABEL_DESCRIPTION)
        child = label.get("component")
        if not isinstance(child, Mapping):
            self.errors.add((*path, "component"), "BASE_TYPE_REQUIRED", "This field is required")
            return
        if type_of(child) not in LABEL_CHILDREN:
            self.errors.choice(
                (*path, "component", "type"), child.get("type"), sorted(LABEL_CHILDREN)
            )
            return
        if type_of(child) == TEXT_INPUT:
            self.count += 1
            self._text_input((*path, "component"), child, labelled=True)
        else:
            self.component((*path, "component"), child, top_level=False)


# -- interaction callbacks ---------------------------------------------------------------------

# Interaction types and the callback types the fake answers (of receiving-and-responding.mdx
# "Interaction Callback Type"; PONG, the deprecated 10 and Activities' 12 it does not model).
PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
CALLBACK_TYPES = (4, 5, 6, 7, 8, 9)
AUTOCOMPLETE_RESULT, MODAL = 8, 9


def callback_type_errors(interaction_type: int, callback_type: object) -> JSON | None:
    """receiving-and-responding.mdx "Interaction Callback Type": an autocomplete interaction
    is answered with its choices (8) and only those are answers to one; a modal (9) is "Not
    available for MODAL_SUBMIT and PING interactions". (6 and 7, "Only valid for
    component-based interactions", need the message the caller checks for.)"""
    errors = FormErrors()
    errors.choice(("type",), callback_type, CALLBACK_TYPES)
    if errors.tree:
        return errors.result()
    if (callback_type == AUTOCOMPLETE_RESULT) != (interaction_type == AUTOCOMPLETE) or (
        callback_type == MODAL and interaction_type in (MODAL_SUBMIT, PING)
    ):
        errors.add(("type",), "INTERACTION_CALLBACK_TYPE_INVALID",
                   f"Callback type {callback_type} cannot answer an interaction of type "
                   f"{interaction_type}")  # fmt: skip
    return errors.result()


def modal_errors(data: Mapping[str, Any]) -> JSON | None:
    """receiving-and-responding.mdx "Modal": custom_id 1-100, title max 45 (required; the
    schema's minimum is 1), between 1 and 5 components: Labels (type 18), Text Displays, or
    the deprecated action rows of text inputs. Paths start at the callback's ``data``."""
    errors = FormErrors()
    path: Path = ("data",)
    errors.text(
        (*path, "custom_id"), data.get("custom_id"), CUSTOM_ID[1], least=CUSTOM_ID[0], required=True
    )
    errors.text((*path, "title"), data.get("title"), MODAL_TITLE, least=1, required=True)
    if data.get("components") is None:
        errors.add((*path, "components"), "BASE_TYPE_REQUIRED", "This field is required")
    top = errors.items(
        (*path, "components"),
        data.get("components"),
        MODAL_COMPONENTS[1],
        least=MODAL_COMPONENTS[0],
    )
    walker = _Components(errors, frozenset({ACTION_ROW, LABEL, TEXT_DISPLAY}) | LABEL_CHILDREN)
    for index, component in enumerate(top):
        component = as_mapping(component)
        at = (*path, "components", index)
        if type_of(component) not in (ACTION_ROW, LABEL, TEXT_DISPLAY):
            errors.choice((*at, "type"), component.get("type"), (ACTION_ROW, TEXT_DISPLAY, LABEL))
            continue
        if type_of(component) == ACTION_ROW:
            kinds = {type_of(c) for c in as_list(component.get("components"))}
            if kinds - {TEXT_INPUT}:
                errors.add(
                    (*at, "components"),
                    "UNION_TYPE_CHOICES",
                    "A modal's action rows hold text inputs only",
                )
                continue
        walker.component(at, component, top_level=True)
    walker.report_duplicates()
    return errors.result()


def autocomplete_errors(data: Mapping[str, Any]) -> JSON | None:
    """receiving-and-responding.mdx "Autocomplete": at most 25 choices; each choice
    (application-commands.mdx "Application Command Option Choice Structure") a name of 1-100
    characters and a value of up to 100 characters if a string."""
    errors = FormErrors()
    path: Path = ("data", "choices")
    for index, choice in enumerate(
        errors.items(path, data.get("choices"), MAX_AUTOCOMPLETE_CHOICES)
    ):
        check_choice(errors, (*path, index), as_mapping(choice))
    return errors.result()


def check_choice(errors: FormErrors, path: Path, choice: Mapping[str, Any]) -> None:
    errors.text((*path, "name"), choice.get("name"), CHOICE_NAME, least=1, required=True)
    for locale, name in as_mapping(choice.get("name_localizations")).items():
        errors.text((*path, "name_localizations", locale), name, CHOICE_NAME, least=1)
    value = choice.get("value")
    if value is None:
        errors.add((*path, "value"), "BASE_TYPE_REQUIRED", "This field is required")
    elif isinstance(value, str):
        errors.text((*path, "value"), value, CHOICE_VALUE)
