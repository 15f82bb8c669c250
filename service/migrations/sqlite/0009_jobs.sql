-- Durable background jobs: written in the same transaction as the change that causes them
-- (an outbox), claimed by the runner under a lease.

CREATE TABLE jobs (
    id BLOB PRIMARY KEY NOT NULL,
    kind varchar NOT NULL,
    payload TEXT NOT NULL,
    -- ready | running | done | failed
    status varchar NOT NULL DEFAULT 'ready',
    attempts integer NOT NULL DEFAULT 0,
    run_at TEXT NOT NULL,
    lease_until TEXT,
    leased_by varchar,
    last_error varchar,
    -- W3C traceparent of the request that enqueued the job, so its run continues the trace.
    traceparent varchar,
    -- A job that must exist at most once (e.g. one sweep per period) names itself here.
    dedupe_key varchar UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX ix_jobs_status_run_at ON jobs (status, run_at);
CREATE INDEX ix_jobs_status_lease_until ON jobs (status, lease_until);
