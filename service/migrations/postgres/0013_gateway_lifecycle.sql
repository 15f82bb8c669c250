-- The agent provisioning lifecycle on gateways: each provision/update run bumps the
-- generation (a reconcile job of an older run then ends quietly), counts the wake-up messages
-- sent since the agent last checked in, and sets the deadline for its next check-in.
ALTER TABLE agents ADD COLUMN lifecycle_generation integer NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN wake_attempts integer NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN last_wake_sent_at timestamp;
ALTER TABLE agents ADD COLUMN checkin_deadline_at timestamp;
ALTER TABLE agents ADD COLUMN last_provision_error text;

-- Board onboarding: the conversation with the gateway main agent that drafts a board's goal.
CREATE TABLE board_onboarding_sessions (
    id uuid PRIMARY KEY,
    board_id uuid NOT NULL REFERENCES boards (id),
    session_key varchar NOT NULL,
    status varchar NOT NULL,
    messages jsonb,
    draft_goal jsonb,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL
);
CREATE INDEX ix_board_onboarding_sessions_board_id_updated_at ON board_onboarding_sessions (board_id, updated_at);
