-- Helpdock reference server, schema 2: tickets.
--
-- Portable SQL, as 0001: BIGINT milliseconds, JSON as TEXT, flags as BIGINT
-- 0/1, ids made by the server. Never edit this file once released.

-- Named counters. 'ticket_number' numbers tickets (HD-000001, …): bumping
-- it is the first write of the transaction that creates a ticket, so two
-- tickets never get the same number on either engine, and a rolled-back
-- creation gives its number back.
CREATE TABLE counters (
    name   TEXT PRIMARY KEY,
    value  BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('ticket_number', 0);

-- A ticket: a problem written down once and answered later. (visitor_id,
-- client_id) makes creating idempotent. user_id is the verified user's id
-- when the visitor was one, so they find it from any device. queue is where
-- routing put it (from category and urgency). attachments, fields and
-- transcript are JSON copies made at creation. last_seq is the highest
-- entry seq: bumping it is the first write of the transaction that adds an
-- entry. visitor_read_seq and agent_read_seq are how far each side read.
CREATE TABLE tickets (
    id                TEXT PRIMARY KEY,
    number            BIGINT NOT NULL UNIQUE,
    visitor_id        TEXT NOT NULL REFERENCES visitors (id),
    user_id           TEXT,
    client_id         TEXT NOT NULL,
    title             TEXT NOT NULL,
    category          TEXT NOT NULL,
    urgency           TEXT NOT NULL,
    queue             TEXT NOT NULL,
    description       TEXT NOT NULL,
    fields            TEXT NOT NULL,
    attachments       TEXT NOT NULL,
    transcript        TEXT NOT NULL,
    email             TEXT,
    locale            TEXT,
    status            TEXT NOT NULL,
    agent_id          TEXT REFERENCES agents (id),
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    last_seq          BIGINT NOT NULL,
    visitor_read_seq  BIGINT NOT NULL,
    agent_read_seq    BIGINT NOT NULL,
    rating_score      BIGINT,
    rating_comment    TEXT,
    UNIQUE (visitor_id, client_id)
);
CREATE INDEX tickets_visitor ON tickets (visitor_id, updated_at);
CREATE INDEX tickets_user ON tickets (user_id, updated_at);
CREATE INDEX tickets_status ON tickets (status, created_at);
CREATE INDEX tickets_agent ON tickets (agent_id, status);

-- A ticket's thread: replies, agents' internal notes (internal = 1, never
-- shown to the visitor) and status changes (status set). author_name is
-- the agent's name when written, so the thread reads the same after a
-- rename. The unique client_id per ticket makes a resent reply store
-- nothing twice; status changes have none. by_email = 1 for a reply that
-- arrived by e-mail.
CREATE TABLE ticket_entries (
    ticket_id    TEXT NOT NULL REFERENCES tickets (id),
    seq          BIGINT NOT NULL,
    client_id    TEXT,
    author_kind  TEXT NOT NULL,
    author_name  TEXT,
    agent_id     TEXT REFERENCES agents (id),
    body         TEXT NOT NULL,
    attachments  TEXT NOT NULL,
    internal     BIGINT NOT NULL,
    status       TEXT,
    by_email     BIGINT NOT NULL,
    at           BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, seq),
    UNIQUE (ticket_id, client_id)
);
