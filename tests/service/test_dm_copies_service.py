"""Who may have DM copies of a deadline's alerts, and how they are turned on and off (issue
18.5): the use cases over a real SQLite file."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from bot.deadlines import parse_phrase
from bot.models import Status
from bot.service import Actor, ChannelRights, NotAllowed, Services, ValidationError

GUILD, CREATOR, COLLEAGUE, CHANNEL, HIDDEN = 100, 5, 6, 10, 12


def sees_all_but_hidden(user_id: int) -> Actor:
    """A plain member who cannot see the HIDDEN channel (Discord gives no rights there)."""

    def rights(channel_id: int) -> ChannelRights:
        if channel_id == HIDDEN:
            return ChannelRights()
        return ChannelRights(send_messages=True, view_channel=True)

    return Actor(user_id, rights=rights)


async def add(services: Services, *, dm: bool = False, channel: int = CHANNEL) -> int:
    added = await services.deadlines.add(
        Actor.everywhere(CREATOR), GUILD, channel_id=channel, text="Bondi letter, 30 days",
        start=dt.date(2025, 7, 17), dm=dm,
    )  # fmt: skip
    assert added.dm is dm
    return added.deadline.id


def copies(db_path: Path) -> dict[int, int]:
    """Unsent DM copies per user (read as another process would)."""
    with sqlite3.connect(db_path) as raw:
        return dict(
            raw.execute(
                "SELECT dm_user_id, COUNT(*) FROM alerts WHERE dm_user_id IS NOT NULL "
                "AND sent_at IS NULL AND failed_at IS NULL GROUP BY dm_user_id"
            ).fetchall()
        )


async def test_dm_true_on_add_gives_the_adder_a_copy_of_each_alert(
    services: Services, db_path: Path
) -> None:
    deadline_id = await add(services, dm=True)
    status = await services.deadlines.status(GUILD, deadline_id, viewer_id=CREATOR)
    assert copies(db_path) == {CREATOR: len(status.next_alerts)} == {CREATOR: 5}
    assert status.dm is not None
    assert status.dm.on
    assert not status.dm.failed_last
    # Someone else's status shows nothing of it; status without a viewer neither.
    assert (await services.deadlines.status(GUILD, deadline_id, viewer_id=COLLEAGUE)).dm is None
    assert (await services.deadlines.status(GUILD, deadline_id)).dm is None


async def test_nobody_gets_copies_of_a_channel_they_cannot_see(
    services: Services, db_path: Path
) -> None:
    deadline_id = await add(services, channel=HIDDEN)
    outsider = sees_all_but_hidden(COLLEAGUE)
    with pytest.raises(NotAllowed, match="you cannot see <#12>"):
        await services.deadlines.dm_copies(outsider, GUILD, deadline_id, on=True)
    with pytest.raises(NotAllowed, match="you cannot see"):
        await services.deadlines.edit(outsider, GUILD, deadline_id, dm=True)
    with pytest.raises(NotAllowed, match="you cannot see"):
        await services.deadlines.add(
            outsider, GUILD, channel_id=None, here_channel_id=HIDDEN, text="FOIA, 20 days",
            dm=True,
        )  # fmt: skip
    assert copies(db_path) == {}
    page = await services.deadlines.page(GUILD)
    assert page.total == 1  # the refused add stored nothing


async def test_each_member_turns_on_and_off_only_their_own_copies(
    services: Services, db_path: Path
) -> None:
    deadline_id = await add(services, dm=True)
    colleague = sees_all_but_hidden(COLLEAGUE)
    # A member who may not change the deadline may still ask for their own copy...
    _, changed = await services.deadlines.dm_copies(colleague, GUILD, deadline_id, on=True)
    assert changed
    assert copies(db_path) == {CREATOR: 5, COLLEAGUE: 5}
    _, changed = await services.deadlines.dm_copies(colleague, GUILD, deadline_id, on=True)
    assert not changed
    assert copies(db_path) == {CREATOR: 5, COLLEAGUE: 5}
    # ... but not change anything else along with it.
    with pytest.raises(NotAllowed, match="you cannot change"):
        await services.deadlines.edit(colleague, GUILD, deadline_id, title="Mine", dm=False)
    assert copies(db_path) == {CREATOR: 5, COLLEAGUE: 5}
    # Turning them off removes the caller's only.
    await services.deadlines.edit(colleague, GUILD, deadline_id, dm=False)
    assert copies(db_path) == {CREATOR: 5}
    _, changed = await services.deadlines.dm_copies(colleague, GUILD, deadline_id, on=False)
    assert not changed
    await services.deadlines.dm_copies(Actor.everywhere(CREATOR), GUILD, deadline_id, on=False)
    assert copies(db_path) == {}


async def test_a_closed_deadline_has_no_copies_to_turn_on_and_loses_its_unsent_ones(
    services: Services, db_path: Path
) -> None:
    deadline_id = await add(services, dm=True)
    done = await services.deadlines.done(Actor.everywhere(CREATOR), GUILD, deadline_id)
    assert done.status is Status.DONE
    assert copies(db_path) == {}  # replanned with the channel's alerts: none left
    with pytest.raises(ValidationError, match="is done"):
        await services.deadlines.dm_copies(
            sees_all_but_hidden(COLLEAGUE), GUILD, deadline_id, on=True
        )


async def test_copies_follow_the_schedule_when_it_moves(services: Services, db_path: Path) -> None:
    deadline_id = await add(services, dm=True)
    await services.deadlines.extend(
        Actor.everywhere(CREATOR), GUILD, deadline_id, change=parse_phrase("14 days").spec
    )
    status = await services.deadlines.status(GUILD, deadline_id, viewer_id=CREATOR)
    with sqlite3.connect(db_path) as raw:
        channel = raw.execute(
            "SELECT kind, send_at FROM alerts WHERE dm_user_id IS NULL AND sent_at IS NULL "
            "ORDER BY send_at"
        ).fetchall()
        mine = raw.execute(
            "SELECT kind, send_at FROM alerts WHERE dm_user_id = ? AND sent_at IS NULL "
            "ORDER BY send_at",
            (CREATOR,),
        ).fetchall()
    assert mine == channel
    assert len(channel) == len(status.next_alerts)


async def test_moving_the_alerts_to_another_channel_stops_the_others_copies(
    services: Services, db_path: Path
) -> None:
    deadline_id = await add(services, dm=True)
    await services.deadlines.dm_copies(sees_all_but_hidden(COLLEAGUE), GUILD, deadline_id, on=True)
    # The creator moves them to a channel the colleague cannot see (whether they can is not
    # known to the service: it only has the editor's rights).
    await services.deadlines.edit(Actor.everywhere(CREATOR), GUILD, deadline_id, channel_id=HIDDEN)
    assert copies(db_path) == {CREATOR: 5}
    status = await services.deadlines.status(GUILD, deadline_id)
    assert (status.history[-1].action, status.history[-1].detail) == (
        "DM copies stopped",
        "the alert channel changed: 1 member no longer gets DM copies until they ask again "
        "(DM me too)",
    )
