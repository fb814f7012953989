-- Helpdock reference server, schema 3: replies to ticket e-mails.
--
-- Portable SQL, as 0001. Never edit this file once released.

-- Each ticket e-mail carries a Reply-To address with a fresh random token
-- (support+TOKEN@…); a mail to that address is a reply to the ticket. Only
-- the token's SHA-256 (lower-case hex) is kept, as for visitor tokens, so
-- a copy of the database cannot forge replies; a number is never enough.
-- Every token stays valid, so a reply to an older e-mail still lands.
CREATE TABLE ticket_reply_tokens (
    token_hash  TEXT PRIMARY KEY,
    ticket_id   TEXT NOT NULL REFERENCES tickets (id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX ticket_reply_tokens_ticket ON ticket_reply_tokens (ticket_id);
