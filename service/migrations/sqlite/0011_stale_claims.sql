-- Stale claims come back: after this many seconds without a request from the assignee, an
-- in-progress task returns to the inbox, unassigned. NULL (the default) turns it off.
ALTER TABLE boards ADD COLUMN stale_claim_timeout_seconds integer;
