-- Copilots may ask for a daily email listing the new confirmed registrations of
-- their groups; digest_sent_at marks up to when they have been told.
ALTER TABLE staff ADD COLUMN digest INTEGER NOT NULL DEFAULT 0 CHECK (digest IN (0, 1));
ALTER TABLE staff ADD COLUMN digest_sent_at INTEGER;
