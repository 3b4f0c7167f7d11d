-- The staff: admins and copilots, their groups, their sign-in links and sessions,
-- and the audit log of what they do.

CREATE TABLE staff (
    id         INTEGER PRIMARY KEY,
    email      TEXT    NOT NULL UNIQUE,
    role       TEXT    NOT NULL CHECK (role IN ('admin', 'copilot')),
    created_at INTEGER NOT NULL
);

-- The groups a copilot may read.
CREATE TABLE staff_groups (
    staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    PRIMARY KEY (staff_id, group_id)
) WITHOUT ROWID;

-- Single-use sign-in links; only the hash of the token is stored.
CREATE TABLE staff_links (
    id         INTEGER PRIMARY KEY,
    token_hash BLOB    NOT NULL UNIQUE,
    staff_id   INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);

-- Sessions; the cookie holds a random id, the table its hash.
CREATE TABLE sessions (
    id_hash      BLOB    PRIMARY KEY,
    staff_id     INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) WITHOUT ROWID;

-- What staff did. Staff are named by id, registrants by registration id; details
-- is JSON. Append-only: the triggers refuse any change.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY,
    at              INTEGER NOT NULL,
    staff_id        INTEGER,
    action          TEXT    NOT NULL,
    group_id        INTEGER,
    registration_id INTEGER,
    details         TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'le journal ne se modifie pas'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'le journal ne se modifie pas'); END;
