"""Who a deadline's alerts reach is what the member may reach (issue 14.2): a channel they
picked must be one they may post in, a role one they may mention there, and @everyone never;
links show where they go and invisible characters are not stored (14.4, 14.6)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.models import Mention, MentionKind
from bot.service import Actor, ChannelRights, NotAllowed, Services, ValidationError

GUILD, USER, DESK, GENERAL = 100, 5, 10, 11
SECRET_ROLE, OPEN_ROLE = 7, 8
BONDI = dict(text="Bondi letter, 30 days", start=dt.date(2025, 7, 17))


def reader_in_general(**desk: bool) -> Actor:
    """Posts in #desk (with `desk` rights there); in #general may only read."""

    def rights(channel: int) -> ChannelRights:
        if channel == DESK:
            return ChannelRights(send_messages=True, **desk)
        return ChannelRights()

    return Actor(USER, rights=rights, mentionable_roles=frozenset({OPEN_ROLE}))


async def test_a_channel_the_member_cannot_post_in_is_refused(services: Services) -> None:
    with pytest.raises(NotAllowed, match="cannot send messages in <#11>"):
        await services.deadlines.add(reader_in_general(), GUILD, channel_id=GENERAL, **BONDI)
    assert (await services.deadlines.page(GUILD, show="all")).total == 0
    added = await services.deadlines.add(reader_in_general(), GUILD, channel_id=DESK, **BONDI)
    with pytest.raises(NotAllowed, match="cannot send messages in <#11>"):
        await services.deadlines.edit(
            reader_in_general(), GUILD, added.deadline.id, channel_id=GENERAL
        )
    assert (await services.deadlines.status(GUILD, added.deadline.id)).deadline.channel_id == DESK


async def test_the_servers_own_alert_channel_needs_no_posting_right(services: Services) -> None:
    admin = Actor.everywhere(1, manage_guild=True)
    await services.settings.update(admin, GUILD, default_channel_id=GENERAL)
    added = await services.deadlines.add(reader_in_general(), GUILD, **BONDI)
    assert added.deadline.channel_id == GENERAL  # the admin chose it; the member did not


async def test_a_role_mention_needs_a_mentionable_role_or_mention_all_roles(
    services: Services,
) -> None:
    secret = Mention(MentionKind.ROLE, SECRET_ROLE)
    with pytest.raises(NotAllowed, match="may not mention <@&7> in <#10>"):
        await services.deadlines.add(
            reader_in_general(), GUILD, channel_id=DESK, mention=secret, **BONDI
        )
    assert (await services.deadlines.page(GUILD, show="all")).total == 0
    opened = await services.deadlines.add(
        reader_in_general(), GUILD, channel_id=DESK, mention=Mention(MentionKind.ROLE, OPEN_ROLE),
        **BONDI,
    )  # fmt: skip
    with pytest.raises(NotAllowed, match="may not mention"):
        await services.deadlines.edit(
            reader_in_general(), GUILD, opened.deadline.id, mention=secret
        )
    allowed = reader_in_general(mention_everyone=True)
    edited = await services.deadlines.edit(allowed, GUILD, opened.deadline.id, mention=secret)
    assert edited.mention == secret
    person = Mention(MentionKind.USER, 99)  # naming a person needs nothing
    added = await services.deadlines.add(
        reader_in_general(), GUILD, channel_id=DESK, mention=person, text="Other, 5 days"
    )
    assert added.deadline.mention == person


async def test_everyone_is_never_a_mention(services: Services) -> None:
    everyone = Mention(MentionKind.ROLE, GUILD)  # Discord's @everyone role has the guild's id
    anyone = Actor.everywhere(USER, manage_guild=True, mention_everyone=True)
    with pytest.raises(ValidationError, match="cannot ping @everyone"):
        await services.deadlines.add(anyone, GUILD, channel_id=DESK, mention=everyone, **BONDI)
    added = await services.deadlines.add(anyone, GUILD, channel_id=DESK, **BONDI)
    with pytest.raises(ValidationError, match="cannot ping @everyone"):
        await services.deadlines.edit(anyone, GUILD, added.deadline.id, mention=everyone)
    for key in ("escalation_role_id", "manager_role_id"):
        with pytest.raises(ValidationError, match="@everyone cannot be"):
            await services.settings.update(anyone, GUILD, **{key: GUILD})


@pytest.mark.parametrize(
    ("link", "refusal"),
    [
        ("https://www.justice.gov/[DOJ_letter.pdf](https://evil.example/phish)", "holds \\[ \\]"),
        ("https://www.justice.gov@evil.example/letter.pdf", "name before its host"),
        ("https://www.justice.gov/<@&123>", "holds < >"),
        ("https://example.org/@everyone", "@everyone"),
        ("https://example.org/a b", "space"),
        ("https://example.org/`code`", "holds `"),
        ("https://example.org/||spoiler||", "holds \\|"),
        ("javascript:alert(1)", "http\\(s\\) web address"),
    ],
)
async def test_links_that_would_show_other_than_they_go_are_refused(
    services: Services, link: str, refusal: str
) -> None:
    with pytest.raises(ValidationError, match=refusal):
        await services.deadlines.add(Actor(USER), GUILD, channel_id=DESK, link=link, **BONDI)
    assert (await services.deadlines.page(GUILD, show="all")).total == 0


async def test_a_look_alike_host_is_stored_as_it_really_is(services: Services) -> None:
    # A Cyrillic "j" (U+0458) in place of the Latin one: shown in its ASCII (punycode) form.
    added = await services.deadlines.add(
        Actor(USER), GUILD, channel_id=DESK, link="https://www.\u0458ustice.gov/letter.pdf", **BONDI
    )
    assert added.deadline.link == "https://www.xn--ustice-2vf.gov/letter.pdf"
    plain = await services.deadlines.add(
        Actor(USER), GUILD, channel_id=DESK, link="https://en.wikipedia.org/wiki/Foo_(bar)",
        text="Other, 5 days",
    )  # fmt: skip
    assert plain.deadline.link == "https://en.wikipedia.org/wiki/Foo_(bar)"


async def test_invisible_characters_are_not_stored(services: Services) -> None:
    added = await services.deadlines.add(
        Actor(USER), GUILD, channel_id=DESK, notes="\u200b\ufeff\u2060", title="\u202eBondi\u200b",
        **BONDI,
    )  # fmt: skip
    assert added.deadline.notes is None  # only format characters: no notes at all
    assert added.deadline.title == "Bondi"
    with pytest.raises(ValidationError, match="title"):
        await services.deadlines.add(
            Actor(USER), GUILD, channel_id=DESK, title="\u200b\u200d", text="Other, 5 days"
        )
