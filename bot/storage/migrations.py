"""Numbered schema migrations; `PRAGMA user_version` holds the number applied last.

Append new migrations; never edit one that has shipped. Instants (columns ending in `_at`, and
`snoozed_until`) are INTEGER microseconds since 1970-01-01 UTC: compact, exact, and fast to
index (in SQL, `datetime(due_at / 1000000, 'unixepoch')` shows one); dates are ISO text.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: guild settings, deadlines, planned alerts, append-only history.
    """
    CREATE TABLE guild_settings (
        guild_id            INTEGER PRIMARY KEY,
        timezone            TEXT    NOT NULL,
        alert_time          TEXT    NOT NULL,
        reminder_days       TEXT    NOT NULL,
        calendar            TEXT    NOT NULL,
        counting            TEXT    NOT NULL,
        default_channel_id  INTEGER,
        manager_role_id     INTEGER,
        escalation_role_id  INTEGER,
        escalate_after      INTEGER NOT NULL DEFAULT 3 CHECK (escalate_after >= 1),
        overdue_repeat_days INTEGER NOT NULL DEFAULT 1 CHECK (overdue_repeat_days >= 1),
        digest_enabled      INTEGER NOT NULL DEFAULT 0 CHECK (digest_enabled IN (0, 1)),
        updated_at          INTEGER NOT NULL
    );

    CREATE TABLE deadlines (
        guild_id      INTEGER NOT NULL,
        id            INTEGER NOT NULL CHECK (id > 0),
        channel_id    INTEGER NOT NULL,
        title         TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
        start_on      TEXT    NOT NULL,
        rule          TEXT    NOT NULL CHECK (rule IN ('calendar', 'roll', 'court', 'business')),
        calendar      TEXT    NOT NULL,
        period        TEXT    NOT NULL,
        due_on        TEXT    NOT NULL,
        due_at        INTEGER NOT NULL,
        has_time      INTEGER NOT NULL CHECK (has_time IN (0, 1)),
        explanation   TEXT    NOT NULL,
        timezone      TEXT,
        mention_kind  TEXT CHECK (mention_kind IN ('role', 'user')),
        mention_id    INTEGER,
        link          TEXT,
        notes         TEXT CHECK (notes IS NULL OR length(notes) <= 1000),
        created_by    INTEGER NOT NULL,
        status        TEXT    NOT NULL DEFAULT 'active'
                      CHECK (status IN ('active', 'done', 'cancelled')),
        snoozed_until INTEGER,
        revision      INTEGER NOT NULL DEFAULT 0,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        PRIMARY KEY (guild_id, id),
        CHECK ((mention_kind IS NULL) = (mention_id IS NULL))
    );
    CREATE INDEX deadlines_by_status_due ON deadlines (guild_id, status, due_at);

    CREATE TABLE alerts (
        id              INTEGER PRIMARY KEY,
        guild_id        INTEGER NOT NULL,
        deadline_id     INTEGER NOT NULL,
        kind            TEXT    NOT NULL
                        CHECK (kind IN ('reminder', 'hour_before', 'due_today', 'overdue')),
        send_at         INTEGER NOT NULL,
        seq             INTEGER NOT NULL DEFAULT 0,
        escalate        INTEGER NOT NULL DEFAULT 0,
        days_before     INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        claimed_at      INTEGER,
        sent_at         INTEGER,
        failed_at       INTEGER,
        error           TEXT,
        message_id      INTEGER,
        UNIQUE (guild_id, deadline_id, kind, send_at),
        FOREIGN KEY (guild_id, deadline_id) REFERENCES deadlines (guild_id, id)
            ON DELETE CASCADE
    );
    -- The dispatcher's only hot query: the earliest unsent, unclaimed alerts.
    CREATE INDEX alerts_pending ON alerts (next_attempt_at)
        WHERE sent_at IS NULL AND failed_at IS NULL AND claimed_at IS NULL;

    CREATE TABLE history (
        id          INTEGER PRIMARY KEY,
        guild_id    INTEGER NOT NULL,
        deadline_id INTEGER,
        at          INTEGER NOT NULL,
        actor_id    INTEGER,
        action      TEXT    NOT NULL,
        detail      TEXT    NOT NULL DEFAULT ''
    );
    CREATE INDEX history_by_deadline ON history (guild_id, deadline_id, id);
    CREATE TRIGGER history_is_append_only_update BEFORE UPDATE ON history
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
    CREATE TRIGGER history_is_append_only_delete BEFORE DELETE ON history
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
    """,
    # 2: small key/value state the bot keeps about itself (e.g. the hash of the last
    # slash-command sync, so commands are re-synced only when they change).
    """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 3: calendar feeds, one per guild. Only the SHA-256 of the secret token is kept, so a
    # copy of the database does not give anyone the feed URLs.
    """
    CREATE TABLE calendar_feeds (
        guild_id   INTEGER PRIMARY KEY,
        token_hash TEXT    NOT NULL UNIQUE CHECK (length(token_hash) = 64),
        name       TEXT    NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL,
        created_by INTEGER
    );
    """,
    # 4: live boards, at most one per channel: a message the bot edits whenever a deadline it
    # lists changes.
    """
    CREATE TABLE boards (
        guild_id   INTEGER NOT NULL,
        channel_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        scope      TEXT    NOT NULL CHECK (scope IN ('channel', 'all')),
        created_by INTEGER,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (guild_id, channel_id)
    );
    """,
    # 5: the same deadlines and alerts tables with CHECKs written as OR chains. SQLite builds
    # a temporary table for `x IN (a, b, c)` with three or more constants each time a CHECK
    # runs, which cost ~4 us per row written (most of a bulk import); `x = a OR ...` costs
    # ~0.3 us. Rebuilt the documented way (new table, copy, drop, rename), with foreign keys
    # off and checked by the migration runner before it commits.
    """
    CREATE TABLE deadlines_v5 (
        guild_id      INTEGER NOT NULL,
        id            INTEGER NOT NULL CHECK (id > 0),
        channel_id    INTEGER NOT NULL,
        title         TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
        start_on      TEXT    NOT NULL,
        rule          TEXT    NOT NULL CHECK (rule = 'calendar' OR rule = 'roll'
                                              OR rule = 'court' OR rule = 'business'),
        calendar      TEXT    NOT NULL,
        period        TEXT    NOT NULL,
        due_on        TEXT    NOT NULL,
        due_at        INTEGER NOT NULL,
        has_time      INTEGER NOT NULL CHECK (has_time = 0 OR has_time = 1),
        explanation   TEXT    NOT NULL,
        timezone      TEXT,
        mention_kind  TEXT CHECK (mention_kind = 'role' OR mention_kind = 'user'),
        mention_id    INTEGER,
        link          TEXT,
        notes         TEXT CHECK (notes IS NULL OR length(notes) <= 1000),
        created_by    INTEGER NOT NULL,
        status        TEXT    NOT NULL DEFAULT 'active'
                      CHECK (status = 'active' OR status = 'done' OR status = 'cancelled'),
        snoozed_until INTEGER,
        revision      INTEGER NOT NULL DEFAULT 0,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        PRIMARY KEY (guild_id, id),
        CHECK ((mention_kind IS NULL) = (mention_id IS NULL))
    );
    INSERT INTO deadlines_v5 SELECT * FROM deadlines;
    DROP TABLE deadlines;
    ALTER TABLE deadlines_v5 RENAME TO deadlines;
    CREATE INDEX deadlines_by_status_due ON deadlines (guild_id, status, due_at);

    CREATE TABLE alerts_v5 (
        id              INTEGER PRIMARY KEY,
        guild_id        INTEGER NOT NULL,
        deadline_id     INTEGER NOT NULL,
        kind            TEXT    NOT NULL
                        CHECK (kind = 'reminder' OR kind = 'hour_before'
                               OR kind = 'due_today' OR kind = 'overdue'),
        send_at         INTEGER NOT NULL,
        seq             INTEGER NOT NULL DEFAULT 0,
        escalate        INTEGER NOT NULL DEFAULT 0,
        days_before     INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        claimed_at      INTEGER,
        sent_at         INTEGER,
        failed_at       INTEGER,
        error           TEXT,
        message_id      INTEGER,
        UNIQUE (guild_id, deadline_id, kind, send_at),
        FOREIGN KEY (guild_id, deadline_id) REFERENCES deadlines (guild_id, id)
            ON DELETE CASCADE
    );
    INSERT INTO alerts_v5 SELECT * FROM alerts;
    DROP TABLE alerts;
    ALTER TABLE alerts_v5 RENAME TO alerts;
    -- The dispatcher's only hot query: the earliest unsent, unclaimed alerts.
    CREATE INDEX alerts_pending ON alerts (next_attempt_at)
        WHERE sent_at IS NULL AND failed_at IS NULL AND claimed_at IS NULL;
    """,
    # 6: when an alert's message may have been posted without its result being recorded (a
    # crash or stop mid-send, or a send that is retried): the claim's time, kept. Before such
    # an alert is sent again, the channel is read from then on for the alert's own message.
    """
    ALTER TABLE alerts ADD COLUMN attempted_at INTEGER;
    """,
    # 7: the extension a deadline's law allows ("15 days"), offered on its alerts until used.
    """
    ALTER TABLE deadlines ADD COLUMN allowed_extension TEXT
        CHECK (allowed_extension IS NULL OR length(allowed_extension) <= 100);
    """,
    # 8: a change counter per guild, so a calendar feed can answer "not modified" without
    # reading its deadlines. Kept by triggers, so no write path can forget it: `version`
    # counts every change to the guild's deadlines, settings and feed; `changed_at` is the
    # latest change's time (the rows' updated_at; the feed's rename has none). `alarms_version`
    # counts the settings changes that rewrite every event's alarms (time zone, alert time,
    # reminders; a guild's first stored settings may change them from the defaults), with
    # `alarms_changed_at` its time: calendar events add them to SEQUENCE and LAST-MODIFIED.
    """
    CREATE TABLE guild_versions (
        guild_id          INTEGER PRIMARY KEY,
        version           INTEGER NOT NULL DEFAULT 0,
        changed_at        INTEGER NOT NULL DEFAULT 0,
        alarms_version    INTEGER NOT NULL DEFAULT 0,
        alarms_changed_at INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO guild_versions (guild_id, version, changed_at)
        SELECT guild_id, COUNT(*), MAX(updated_at) FROM deadlines GROUP BY guild_id;
    INSERT INTO guild_versions (guild_id, version, changed_at)
        SELECT guild_id, 1, updated_at FROM guild_settings WHERE true
        ON CONFLICT (guild_id) DO UPDATE SET version = version + 1,
            changed_at = max(changed_at, excluded.changed_at);
    CREATE TRIGGER deadline_inserted_bumps_guild AFTER INSERT ON deadlines BEGIN
        INSERT INTO guild_versions (guild_id, version, changed_at)
            VALUES (NEW.guild_id, 1, NEW.updated_at)
            ON CONFLICT (guild_id) DO UPDATE SET version = version + 1,
                changed_at = max(changed_at, excluded.changed_at);
    END;
    CREATE TRIGGER deadline_updated_bumps_guild AFTER UPDATE ON deadlines BEGIN
        INSERT INTO guild_versions (guild_id, version, changed_at)
            VALUES (NEW.guild_id, 1, NEW.updated_at)
            ON CONFLICT (guild_id) DO UPDATE SET version = version + 1,
                changed_at = max(changed_at, excluded.changed_at);
    END;
    CREATE TRIGGER deadline_deleted_bumps_guild AFTER DELETE ON deadlines BEGIN
        UPDATE guild_versions SET version = version + 1 WHERE guild_id = OLD.guild_id;
    END;
    CREATE TRIGGER settings_inserted_bumps_guild AFTER INSERT ON guild_settings BEGIN
        INSERT INTO guild_versions (guild_id, version, changed_at, alarms_version,
                alarms_changed_at)
            VALUES (NEW.guild_id, 1, NEW.updated_at, 1, NEW.updated_at)
            ON CONFLICT (guild_id) DO UPDATE SET version = version + 1,
                changed_at = max(changed_at, excluded.changed_at),
                alarms_version = alarms_version + 1,
                alarms_changed_at = max(alarms_changed_at, excluded.alarms_changed_at);
    END;
    CREATE TRIGGER settings_updated_bumps_guild AFTER UPDATE ON guild_settings BEGIN
        INSERT INTO guild_versions (guild_id, version, changed_at)
            VALUES (NEW.guild_id, 1, NEW.updated_at)
            ON CONFLICT (guild_id) DO UPDATE SET version = version + 1,
                changed_at = max(changed_at, excluded.changed_at);
        UPDATE guild_versions SET alarms_version = alarms_version + 1,
                alarms_changed_at = max(alarms_changed_at, NEW.updated_at)
            WHERE guild_id = NEW.guild_id AND (OLD.timezone IS NOT NEW.timezone
                OR OLD.alert_time IS NOT NEW.alert_time
                OR OLD.reminder_days IS NOT NEW.reminder_days);
    END;
    CREATE TRIGGER feed_inserted_bumps_guild AFTER INSERT ON calendar_feeds BEGIN
        INSERT INTO guild_versions (guild_id, version) VALUES (NEW.guild_id, 1)
            ON CONFLICT (guild_id) DO UPDATE SET version = version + 1;
    END;
    CREATE TRIGGER feed_updated_bumps_guild AFTER UPDATE ON calendar_feeds BEGIN
        INSERT INTO guild_versions (guild_id, version) VALUES (NEW.guild_id, 1)
            ON CONFLICT (guild_id) DO UPDATE SET version = version + 1;
    END;
    """,
    # 9: each calendar event's bytes as icalendar serialized them, so the first feed or export
    # after a start need not serialize thousands again (~0.4 ms each). `cache_key` is a digest
    # of everything the bytes depend on (bot.export.stored_key): a row whose key is not the
    # current one is ignored, rendered again and replaced. Gone with its deadline.
    """
    CREATE TABLE ics_events (
        guild_id    INTEGER NOT NULL,
        deadline_id INTEGER NOT NULL,
        cache_key   TEXT    NOT NULL,
        body        BLOB    NOT NULL,
        PRIMARY KEY (guild_id, deadline_id),
        FOREIGN KEY (guild_id, deadline_id) REFERENCES deadlines (guild_id, id)
            ON DELETE CASCADE
    );
    """,
    # 10: what a user or the bot waits for may not grow with the past.
    # - claims left by a stopped run are found through their own (tiny) index, not by
    #   scanning every alert ever planned;
    # - deadlines per guild, status and channel are counted by triggers (so no write path
    #   can forget them): the heartbeat's totals and `list`'s page counts read a few rows;
    # - `list` in one channel has an index of its own;
    # - a settings version tells the digest re-check whether anything changed.
    """
    CREATE INDEX alerts_claimed ON alerts (id)
        WHERE claimed_at IS NOT NULL AND sent_at IS NULL AND failed_at IS NULL;
    CREATE INDEX deadlines_by_channel ON deadlines (guild_id, channel_id, status, due_at);

    CREATE TABLE deadline_counts (
        guild_id   INTEGER NOT NULL,
        status     TEXT    NOT NULL,
        channel_id INTEGER NOT NULL,
        n          INTEGER NOT NULL,
        PRIMARY KEY (guild_id, status, channel_id)
    ) WITHOUT ROWID;
    INSERT INTO deadline_counts (guild_id, status, channel_id, n)
        SELECT guild_id, status, channel_id, COUNT(*) FROM deadlines
        GROUP BY guild_id, status, channel_id;
    CREATE TRIGGER deadline_inserted_counts AFTER INSERT ON deadlines BEGIN
        INSERT INTO deadline_counts (guild_id, status, channel_id, n)
            VALUES (NEW.guild_id, NEW.status, NEW.channel_id, 1)
            ON CONFLICT (guild_id, status, channel_id) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER deadline_moved_counts AFTER UPDATE OF status, channel_id ON deadlines
        WHEN OLD.status IS NOT NEW.status OR OLD.channel_id IS NOT NEW.channel_id BEGIN
        UPDATE deadline_counts SET n = n - 1
            WHERE guild_id = OLD.guild_id AND status = OLD.status
                AND channel_id = OLD.channel_id;
        INSERT INTO deadline_counts (guild_id, status, channel_id, n)
            VALUES (NEW.guild_id, NEW.status, NEW.channel_id, 1)
            ON CONFLICT (guild_id, status, channel_id) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER deadline_deleted_counts AFTER DELETE ON deadlines BEGIN
        UPDATE deadline_counts SET n = n - 1
            WHERE guild_id = OLD.guild_id AND status = OLD.status
                AND channel_id = OLD.channel_id;
    END;

    -- Bumped by every change to any guild's settings: the minute's digest re-check reads
    -- this one row and does nothing more when it has not moved.
    CREATE TABLE settings_version (
        id      INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL
    );
    INSERT INTO settings_version (id, version) VALUES (1, 0);
    CREATE TRIGGER settings_inserted_version AFTER INSERT ON guild_settings BEGIN
        UPDATE settings_version SET version = version + 1;
    END;
    CREATE TRIGGER settings_updated_version AFTER UPDATE ON guild_settings BEGIN
        UPDATE settings_version SET version = version + 1;
    END;
    CREATE TRIGGER settings_deleted_version AFTER DELETE ON guild_settings BEGIN
        UPDATE settings_version SET version = version + 1;
    END;
    """,
    # 11: retention of closed deadlines. The daily clean-up finds done and cancelled
    # deadlines by when they were closed (or last edited: updated_at) through this index of
    # only those rows, so it reads no more than it deletes; active rows cost nothing more.
    """
    CREATE INDEX deadlines_closed ON deadlines (updated_at)
        WHERE status = 'done' OR status = 'cancelled';
    """,
    # 12: tolling (`/deadline pause`): since when a deadline's clock is stopped, and the days
    # of its rule it had left then.
    """
    ALTER TABLE deadlines ADD COLUMN paused_at INTEGER;
    ALTER TABLE deadlines ADD COLUMN paused_left INTEGER
        CHECK (paused_left IS NULL OR paused_left >= 0);
    """,
    # 13: records-law stages: the preset a deadline was counted by, the stage it is in and
    # how many follow. The minute's re-scan finds the stages nobody marked done through an
    # index of only the active deadlines with a stage still to come.
    """
    ALTER TABLE deadlines ADD COLUMN preset TEXT;
    ALTER TABLE deadlines ADD COLUMN stage INTEGER NOT NULL DEFAULT 0 CHECK (stage >= 0);
    ALTER TABLE deadlines ADD COLUMN stages_left INTEGER NOT NULL DEFAULT 0
        CHECK (stages_left >= 0);
    CREATE INDEX deadlines_staged ON deadlines (due_at)
        WHERE stages_left > 0 AND status = 'active';
    """,
    # 14: repeating deadlines (issue 18): one row per occurrence. `recurrence` is the repeat
    # (JSON: the RRULE, its first date, its words), `occurrence_on` the rule's date this row
    # is, `next_id` the occurrence that followed once the series moved on. The minute's job
    # finds current occurrences overdue past the grace through the partial index.
    """
    ALTER TABLE deadlines ADD COLUMN recurrence TEXT
        CHECK (recurrence IS NULL OR length(recurrence) <= 1000);
    ALTER TABLE deadlines ADD COLUMN occurrence_on TEXT;
    ALTER TABLE deadlines ADD COLUMN next_id INTEGER;
    CREATE INDEX deadlines_repeating ON deadlines (due_at)
        WHERE recurrence IS NOT NULL AND next_id IS NULL AND status = 'active';
    """,
    # 15: a personal copy of a deadline's alerts by direct message. `dm_copies` says who
    # asked for copies of which deadline; each copy is an alert row of its own (`dm_user_id`
    # set), so it is claimed, sent, retried and recorded exactly as the channel alert is,
    # once. The
    # table is rebuilt because its UNIQUE key must now tell copies apart (SQLite cannot
    # change a table's constraint in place). The storage's planning methods copy each
    # channel alert they plan for everyone who asked (AlertQueries._copy_for_dms); not a
    # trigger, which doubled the cost of every alert a bulk import writes (2.0 -> 4.5 us).
    # Its ids are AUTOINCREMENT, never reused: without it SQLite gives a deleted largest id
    # to the next insert, and a replan that deletes an alert in flight and plans anew gave
    # the new plan's first alert that id, so the send's result (and its nonce, `dda<id>`)
    # landed on the new alert. The copy below sets sqlite_sequence to the largest id kept.
    """
    CREATE TABLE alerts_v15 (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        guild_id        INTEGER NOT NULL,
        deadline_id     INTEGER NOT NULL,
        kind            TEXT    NOT NULL
                        CHECK (kind = 'reminder' OR kind = 'hour_before'
                               OR kind = 'due_today' OR kind = 'overdue'),
        send_at         INTEGER NOT NULL,
        seq             INTEGER NOT NULL DEFAULT 0,
        escalate        INTEGER NOT NULL DEFAULT 0,
        days_before     INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        claimed_at      INTEGER,
        sent_at         INTEGER,
        failed_at       INTEGER,
        error           TEXT,
        message_id      INTEGER,
        attempted_at    INTEGER,
        dm_user_id      INTEGER,  -- NULL: the deadline's channel; else a DM copy to this user
        FOREIGN KEY (guild_id, deadline_id) REFERENCES deadlines (guild_id, id)
            ON DELETE CASCADE
    );
    INSERT INTO alerts_v15 (id, guild_id, deadline_id, kind, send_at, seq, escalate,
            days_before, next_attempt_at, attempts, claimed_at, sent_at, failed_at, error,
            message_id, attempted_at)
        SELECT id, guild_id, deadline_id, kind, send_at, seq, escalate, days_before,
            next_attempt_at, attempts, claimed_at, sent_at, failed_at, error, message_id,
            attempted_at
        FROM alerts;
    DROP TABLE alerts;
    ALTER TABLE alerts_v15 RENAME TO alerts;
    CREATE UNIQUE INDEX alerts_key
        ON alerts (guild_id, deadline_id, kind, send_at, ifnull(dm_user_id, 0));
    CREATE INDEX alerts_pending ON alerts (next_attempt_at)
        WHERE sent_at IS NULL AND failed_at IS NULL AND claimed_at IS NULL;
    CREATE INDEX alerts_claimed ON alerts (id)
        WHERE claimed_at IS NOT NULL AND sent_at IS NULL AND failed_at IS NULL;

    CREATE TABLE dm_copies (
        guild_id    INTEGER NOT NULL,
        deadline_id INTEGER NOT NULL,
        user_id     INTEGER NOT NULL,
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (guild_id, deadline_id, user_id),
        FOREIGN KEY (guild_id, deadline_id) REFERENCES deadlines (guild_id, id)
            ON DELETE CASCADE
    ) WITHOUT ROWID;
    """,
    # 16: a roll or court rule's statutory last day, before the roll moved it to `due_on`
    # (NULL: `due_on` is the last day). Pausing counts the days left to it, resuming and
    # extending count from it, and the roll is applied once at the end.
    """
    ALTER TABLE deadlines ADD COLUMN last_day_on TEXT;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
