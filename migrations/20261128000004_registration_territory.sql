-- Where a registrant's authority lies, copied at sign-up from the reference data,
-- so figures by territory and exports stay right after a renaming or a merger.
ALTER TABLE registrations ADD COLUMN departement_code TEXT;
ALTER TABLE registrations ADD COLUMN departement_name TEXT;
ALTER TABLE registrations ADD COLUMN region_code TEXT;
ALTER TABLE registrations ADD COLUMN region_name TEXT;
CREATE INDEX registrations_group_territory ON registrations (group_id, region_code, departement_code);
