-- Helpdock reference server, schema 5: addresses confirmed by their owners.
--
-- Portable SQL, as 0001. Never edit this file once released.

-- An e-mail address a visitor asked the server to write to (a ticket's, a
-- transcript's). What a visitor wrote goes only to an address the host
-- vouches for (its signed-in user's) or to one its owner confirmed by the
-- link in a fixed-text e-mail; until then nothing the visitor wrote is
-- sent there. Only the link token's SHA-256 (lower-case hex) is kept.
-- `held` names what goes out once the address is confirmed:
-- `conversation:<id>` (its transcript) or `ticket:<id>` (its confirmation,
-- with what the visitor wrote). Addresses are stored lower-case.
CREATE TABLE mail_addresses (
    visitor_id       TEXT NOT NULL REFERENCES visitors (id),
    address          TEXT NOT NULL,
    token_hash       TEXT NOT NULL UNIQUE,
    requested_at     BIGINT NOT NULL,
    confirmed_at     BIGINT,
    held             TEXT,
    PRIMARY KEY (visitor_id, address)
);
