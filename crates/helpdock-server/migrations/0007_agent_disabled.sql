-- Helpdock reference server, schema 7: agents who left.
--
-- Portable SQL, as 0001. Never edit this file once released.

-- `helpdock-server agent disable` sets this: the agent can no longer sign
-- in, their console sessions are deleted, and they are no longer offered
-- for transfers; what they wrote keeps their name.
ALTER TABLE agents ADD COLUMN disabled_at BIGINT;
