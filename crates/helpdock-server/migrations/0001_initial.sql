-- Helpdock reference server, schema 1.
--
-- Portable SQL: the same file runs on SQLite and PostgreSQL. Times are Unix
-- milliseconds (BIGINT); JSON documents are TEXT; there are no booleans, no
-- database-generated ids and no engine-specific types except BYTEA, which
-- SQLite stores as a blob. Never edit this file once released: add 0002_….

-- A visitor is one browser, or one verified user of the host across all of
-- their devices (user_id is then set and unique).
CREATE TABLE visitors (
    id          TEXT PRIMARY KEY,
    user_id     TEXT UNIQUE,
    name        TEXT,
    email       TEXT,
    locale      TEXT,
    created_at  BIGINT NOT NULL
);

-- Bearer tokens of visitors, stored only as SHA-256 hex: a leaked database
-- does not let anyone act as a visitor. A verified user has one per device.
CREATE TABLE visitor_tokens (
    token_hash  TEXT PRIMARY KEY,
    visitor_id  TEXT NOT NULL REFERENCES visitors (id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX visitor_tokens_visitor ON visitor_tokens (visitor_id);

-- Support agents. password_hash is an argon2id PHC string; topics is a
-- comma-separated list of topics or queue names (empty: all of them).
CREATE TABLE agents (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL,
    topics         TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);

-- Console sign-ins: the cookie's token as SHA-256 hex, and the CSRF token
-- the console echoes in X-CSRF-Token.
CREATE TABLE agent_sessions (
    token_hash  TEXT PRIMARY KEY,
    agent_id    TEXT NOT NULL REFERENCES agents (id),
    csrf_token  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);

-- A conversation handed from the bot to people. (visitor_id, client_id)
-- makes starting idempotent. queue is where routing put it (from topic);
-- queued_at orders the queue and is reset when a transfer requeues it.
-- last_seq is the highest message seq: bumping it is the first write of
-- the transaction that stores a message, so concurrent senders serialise.
CREATE TABLE conversations (
    id                TEXT PRIMARY KEY,
    visitor_id        TEXT NOT NULL REFERENCES visitors (id),
    client_id         TEXT NOT NULL,
    topic             TEXT,
    queue             TEXT NOT NULL,
    locale            TEXT,
    reason            TEXT,
    transcript        TEXT NOT NULL,
    fields            TEXT NOT NULL,
    status            TEXT NOT NULL,
    agent_id          TEXT REFERENCES agents (id),
    queued_at         BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    closed_at         BIGINT,
    last_seq          BIGINT NOT NULL,
    visitor_read_seq  BIGINT NOT NULL,
    agent_read_seq    BIGINT NOT NULL,
    rating_score      BIGINT,
    rating_comment    TEXT,
    UNIQUE (visitor_id, client_id)
);
CREATE INDEX conversations_queue ON conversations (status, queue, queued_at);
CREATE INDEX conversations_agent ON conversations (agent_id, status);

-- Messages, numbered per conversation from 1. The unique client_id per
-- conversation is what makes a resend store nothing twice; system lines
-- (joins, transfers, closing) have none. attachments is a JSON array of
-- protocol Attachment objects, copied when the message is stored.
CREATE TABLE messages (
    conversation_id  TEXT NOT NULL REFERENCES conversations (id),
    seq              BIGINT NOT NULL,
    client_id        TEXT,
    author_kind      TEXT NOT NULL,
    agent_id         TEXT REFERENCES agents (id),
    body             TEXT NOT NULL,
    attachments      TEXT NOT NULL,
    at               BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, seq),
    UNIQUE (conversation_id, client_id)
);

-- Uploaded files, in the database so a backup holds everything. secret is
-- the unguessable part of the capability URL; owner is who uploaded it
-- ('visitor' or 'agent' and the id), the only one who may attach it.
CREATE TABLE attachments (
    id            TEXT PRIMARY KEY,
    secret        TEXT NOT NULL,
    owner_kind    TEXT NOT NULL,
    owner_id      TEXT NOT NULL,
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    data          BYTEA NOT NULL,
    created_at    BIGINT NOT NULL
);
