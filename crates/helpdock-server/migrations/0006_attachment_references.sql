-- Helpdock reference server, schema 6: uploads nobody sent.
--
-- Portable SQL, as 0001. Never edit this file once released.

-- When an upload was first sent in a message, a ticket or a reply. An
-- upload never sent (NULL) counts against its visitor's pending files and
-- is deleted by the collector a day after it was made. Every upload stored
-- before this schema counts as sent.
ALTER TABLE attachments ADD COLUMN referenced_at BIGINT;
UPDATE attachments SET referenced_at = created_at;
