-- Organization invites with the board grants they carry, and indexes for the activity feeds.

CREATE TABLE organization_invites (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    invited_email varchar NOT NULL,
    token varchar NOT NULL,
    role varchar NOT NULL DEFAULT 'member',
    all_boards_read boolean NOT NULL DEFAULT false,
    all_boards_write boolean NOT NULL DEFAULT false,
    created_by_user_id uuid REFERENCES users (id),
    accepted_by_user_id uuid REFERENCES users (id),
    accepted_at timestamp,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL,
    CONSTRAINT uq_organization_invites_token UNIQUE (token)
);
CREATE INDEX ix_organization_invites_organization_id ON organization_invites (organization_id);
CREATE INDEX ix_organization_invites_invited_email ON organization_invites (invited_email);

CREATE TABLE organization_invite_board_access (
    id uuid PRIMARY KEY,
    organization_invite_id uuid NOT NULL REFERENCES organization_invites (id),
    board_id uuid NOT NULL REFERENCES boards (id),
    can_read boolean NOT NULL DEFAULT false,
    can_write boolean NOT NULL DEFAULT false,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL,
    CONSTRAINT uq_organization_invite_board_access_invite_board UNIQUE (organization_invite_id, board_id)
);
CREATE INDEX ix_organization_invite_board_access_board_id ON organization_invite_board_access (board_id);

CREATE INDEX ix_activity_events_task_comments ON activity_events (task_id, created_at) WHERE event_type = 'task.comment';
