-- When a registrant erases their data, every row about them goes; what stays is
-- this anonymous trace: when, and how many registrations, so figures over time
-- remain explainable.
CREATE TABLE erasures (
    id            INTEGER PRIMARY KEY,
    erased_at     INTEGER NOT NULL,
    registrations INTEGER NOT NULL,
    reason        TEXT    NOT NULL CHECK (reason IN ('self_service', 'admin_request', 'retention'))
);
