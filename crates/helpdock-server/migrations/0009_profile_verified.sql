-- Helpdock reference server, schema 9: a profile the host vouched for.
--
-- Portable SQL, as 0001. Never edit this file once released.

-- When the visitor's latest session was signed over their name and e-mail
-- too (`userHash` of "userId\nname\nemail"); NULL when it covered the user
-- id alone, so the name and e-mail are what the browser sent. Only a
-- vouched e-mail is written to without being confirmed first.
ALTER TABLE visitors ADD COLUMN profile_verified_at BIGINT;
