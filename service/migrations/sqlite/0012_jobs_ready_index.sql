-- The runner's claim walks due jobs in order and stops after a few: a partial index on the
-- ready ones, in claim order, keeps that cheap however long the queue.
CREATE INDEX ix_jobs_ready_run_at ON jobs (run_at, id) WHERE status = 'ready';
