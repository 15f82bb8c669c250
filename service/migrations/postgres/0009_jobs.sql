-- Durable background jobs: written in the same transaction as the change that causes them
-- (an outbox), claimed by any replica's runner under a lease.

CREATE TABLE jobs (
    id uuid PRIMARY KEY,
    kind varchar NOT NULL,
    payload jsonb NOT NULL,
    -- ready | running | done | failed
    status varchar NOT NULL DEFAULT 'ready',
    attempts integer NOT NULL DEFAULT 0,
    run_at timestamp NOT NULL,
    lease_until timestamp,
    leased_by varchar,
    last_error varchar,
    -- W3C traceparent of the request that enqueued the job, so its run continues the trace.
    traceparent varchar,
    -- A job that must exist at most once (e.g. one sweep per period) names itself here.
    dedupe_key varchar UNIQUE,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL,
    finished_at timestamp
);
CREATE INDEX ix_jobs_status_run_at ON jobs (status, run_at);
CREATE INDEX ix_jobs_status_lease_until ON jobs (status, lease_until);
