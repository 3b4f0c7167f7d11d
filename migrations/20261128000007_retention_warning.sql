-- When the copilots of a closed group were warned that its registrations will
-- soon be erased (a week before), so they are warned once.
ALTER TABLE groups ADD COLUMN erasure_warned_at INTEGER;
