-- Helpdock reference server, schema 8: visitor tokens that lapse.
--
-- Portable SQL, as 0001. Never edit this file once released.

-- When a visitor token was last used (at most a day off: it is written
-- when it is a day old). A token unused for `limits.visitor_token_idle_secs`
-- (90 days by default) is refused and deleted; the widget starts a new
-- session. Tokens stored before this schema count as used when made.
ALTER TABLE visitor_tokens ADD COLUMN used_at BIGINT;
UPDATE visitor_tokens SET used_at = created_at;
