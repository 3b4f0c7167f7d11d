-- Core schema: groups, registrants and their registrations, the links we email,
-- and the outbox of emails waiting to be sent.

-- A project group, or the collaborative space (kind = 'space').
CREATE TABLE groups (
    id                INTEGER PRIMARY KEY,
    slug              TEXT    NOT NULL UNIQUE,
    kind              TEXT    NOT NULL CHECK (kind IN ('project', 'space')),
    number            INTEGER,
    title             TEXT    NOT NULL,
    objective         TEXT    NOT NULL,
    copilots          TEXT    NOT NULL,
    position          INTEGER NOT NULL,
    is_open           INTEGER NOT NULL DEFAULT 1 CHECK (is_open IN (0, 1)),
    closes_at         INTEGER,
    capacity          INTEGER CHECK (capacity IS NULL OR capacity > 0),
    requires_approval INTEGER NOT NULL DEFAULT 0 CHECK (requires_approval IN (0, 1)),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

-- A person, known by their email address (trimmed, lower-cased).
CREATE TABLE registrants (
    id         INTEGER PRIMARY KEY,
    email      TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

-- One person's sign-up to one group. The details are those given with this sign-up,
-- so an export shows what the person said when they joined that group.
CREATE TABLE registrations (
    id             INTEGER PRIMARY KEY,
    registrant_id  INTEGER NOT NULL REFERENCES registrants (id) ON DELETE CASCADE,
    group_id       INTEGER NOT NULL REFERENCES groups (id),
    state          TEXT    NOT NULL CHECK (state IN ('pending_email', 'confirmed', 'approved', 'rejected', 'withdrawn')),
    first_name     TEXT    NOT NULL,
    last_name      TEXT    NOT NULL,
    role           TEXT    NOT NULL CHECK (role IN ('agent', 'elected')),
    function       TEXT    NOT NULL,
    authority_kind TEXT    NOT NULL CHECK (authority_kind IN ('commune', 'epci', 'departement', 'region', 'autre')),
    authority_name TEXT    NOT NULL,
    authority_code TEXT,
    phone          TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    confirmed_at   INTEGER,
    decided_at     INTEGER,
    decision_reason TEXT,
    withdrawn_at   INTEGER,
    UNIQUE (registrant_id, group_id)
);
CREATE INDEX registrations_group_state ON registrations (group_id, state);

-- Links sent by email. Only the SHA-256 of the random token is stored.
-- purpose 'confirm' proves the address and confirms the registrations listed in
-- link_registrations; 'manage' opens the registrant's own page.
CREATE TABLE links (
    id            INTEGER PRIMARY KEY,
    token_hash    BLOB    NOT NULL UNIQUE,
    purpose       TEXT    NOT NULL CHECK (purpose IN ('confirm', 'manage')),
    registrant_id INTEGER NOT NULL REFERENCES registrants (id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    used_at       INTEGER
);
CREATE INDEX links_registrant ON links (registrant_id);

CREATE TABLE link_registrations (
    link_id         INTEGER NOT NULL REFERENCES links (id) ON DELETE CASCADE,
    registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    PRIMARY KEY (link_id, registration_id)
) WITHOUT ROWID;

-- Emails queued in the same transaction as the change that causes them, sent by
-- the worker. message_id is the Message-ID header, fixed at queue time so that a
-- retry after an uncertain failure is recognisable by the receiving side.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    message_id      TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body_text       TEXT    NOT NULL,
    body_html       TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    sent_at         INTEGER,
    -- Set when the server refused the email for good (unknown mailbox…).
    gave_up_at      INTEGER
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND gave_up_at IS NULL;
