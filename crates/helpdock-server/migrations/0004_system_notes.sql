-- Helpdock reference server, schema 4: system messages in every language.
--
-- Portable SQL, as 0001. Never edit this file once released.

-- A system message ("Mei joined the conversation.") keeps what it says as
-- JSON, {"code": "agent_joined", "agent": "Mei"} (protocol `SystemNote`),
-- so that the widget words it in its user's language; `body` keeps the
-- English. NULL for every other message, and for system messages stored
-- before this schema (clients show their body).
ALTER TABLE messages ADD COLUMN system_note TEXT;
