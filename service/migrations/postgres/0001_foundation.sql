-- Foundation schema: tenancy, gateways, boards, agents, tasks and the tables their read
-- models join (tags, dependencies, custom fields, approvals, activity).
-- Timestamps are naive UTC, as in the reference contract.

CREATE TABLE organizations (
    id uuid PRIMARY KEY,
    name varchar NOT NULL,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL
);
CREATE INDEX ix_organizations_name ON organizations (name);

CREATE TABLE users (
    id uuid PRIMARY KEY,
    clerk_user_id varchar NOT NULL,
    email varchar,
    name varchar,
    preferred_name varchar,
    pronouns varchar,
    timezone varchar,
    notes varchar,
    context varchar,
    is_super_admin boolean NOT NULL DEFAULT false,
    active_organization_id uuid REFERENCES organizations (id),
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL
);
CREATE UNIQUE INDEX ux_users_clerk_user_id ON users (clerk_user_id);
CREATE INDEX ix_users_email ON users (email);
CREATE INDEX ix_users_active_organization_id ON users (active_organization_id);

CREATE TABLE organization_members (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    user_id uuid NOT NULL REFERENCES users (id),
    role varchar NOT NULL,
    all_boards_read boolean NOT NULL DEFAULT false,
    all_boards_write boolean NOT NULL DEFAULT false,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL,
    CONSTRAINT uq_organization_members_org_user UNIQUE (organization_id, user_id)
);
CREATE INDEX ix_organization_members_user_id ON organization_members (user_id);

CREATE TABLE gateways (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    name varchar NOT NULL,
    url varchar NOT NULL,
    token varchar,
    workspace_root varchar NOT NULL,
    disable_device_pairing boolean NOT NULL DEFAULT false,
    allow_insecure_tls boolean NOT NULL DEFAULT false,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL
);
CREATE INDEX ix_gateways_organization_id ON gateways (organization_id);

CREATE TABLE board_groups (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    name varchar NOT NULL,
    slug varchar NOT NULL,
    description varchar,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL
);
CREATE INDEX ix_board_groups_organization_id ON board_groups (organization_id);

CREATE TABLE boards (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    name varchar NOT NULL,
    slug varchar NOT NULL,
    description varchar NOT NULL,
    gateway_id uuid REFERENCES gateways (id),
    board_group_id uuid REFERENCES board_groups (id),
    board_type varchar NOT NULL DEFAULT 'goal',
    objective varchar,
    success_metrics jsonb,
    target_date timestamp,
    goal_confirmed boolean NOT NULL DEFAULT false,
    goal_source varchar,
    require_approval_for_done boolean NOT NULL DEFAULT true,
    require_review_before_done boolean NOT NULL DEFAULT false,
    comment_required_for_review boolean NOT NULL DEFAULT false,
    block_status_changes_with_pending_approval boolean NOT NULL DEFAULT false,
    only_lead_can_change_status boolean NOT NULL DEFAULT false,
    max_agents integer NOT NULL DEFAULT 1,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL
);
CREATE INDEX ix_boards_organization_id_created_at ON boards (organization_id, created_at);
CREATE INDEX ix_boards_gateway_id ON boards (gateway_id);
CREATE INDEX ix_boards_board_group_id ON boards (board_group_id);

CREATE TABLE organization_board_access (
    id uuid PRIMARY KEY,
    organization_member_id uuid NOT NULL REFERENCES organization_members (id),
    board_id uuid NOT NULL REFERENCES boards (id),
    can_read boolean NOT NULL DEFAULT false,
    can_write boolean NOT NULL DEFAULT false,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL,
    CONSTRAINT uq_organization_board_access_member_board UNIQUE (organization_member_id, board_id)
);
CREATE INDEX ix_organization_board_access_board_id ON organization_board_access (board_id);

CREATE TABLE agents (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    board_id uuid REFERENCES boards (id),
    gateway_id uuid REFERENCES gateways (id),
    name varchar NOT NULL,
    status varchar NOT NULL DEFAULT 'provisioning',
    openclaw_session_id varchar,
    agent_token_hash varchar,
    heartbeat_config jsonb,
    identity_profile jsonb,
    identity_template text,
    soul_template text,
    last_seen_at timestamp,
    is_board_lead boolean NOT NULL DEFAULT false,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL
);
-- Agent tokens are found by their keyed hash: one indexed lookup, whatever the fleet size.
CREATE UNIQUE INDEX ux_agents_agent_token_hash ON agents (agent_token_hash);
CREATE INDEX ix_agents_organization_id_created_at ON agents (organization_id, created_at);
CREATE INDEX ix_agents_board_id ON agents (board_id);
CREATE INDEX ix_agents_gateway_id ON agents (gateway_id);

CREATE TABLE tasks (
    id uuid PRIMARY KEY,
    board_id uuid NOT NULL REFERENCES boards (id),
    title varchar NOT NULL,
    description varchar,
    status varchar NOT NULL DEFAULT 'inbox',
    priority varchar NOT NULL DEFAULT 'medium',
    due_at timestamp,
    in_progress_at timestamp,
    previous_in_progress_at timestamp,
    created_by_user_id uuid REFERENCES users (id),
    assigned_agent_id uuid REFERENCES agents (id),
    auto_created boolean NOT NULL DEFAULT false,
    auto_reason varchar,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL
);
CREATE INDEX ix_tasks_board_id_created_at ON tasks (board_id, created_at);
CREATE INDEX ix_tasks_board_id_status_created_at ON tasks (board_id, status, created_at);
CREATE INDEX ix_tasks_board_id_assigned_agent_id_created_at ON tasks (board_id, assigned_agent_id, created_at);
CREATE INDEX ix_tasks_assigned_agent_id ON tasks (assigned_agent_id);

CREATE TABLE task_dependencies (
    id uuid PRIMARY KEY,
    board_id uuid NOT NULL REFERENCES boards (id),
    task_id uuid NOT NULL REFERENCES tasks (id),
    depends_on_task_id uuid NOT NULL REFERENCES tasks (id),
    created_at timestamp NOT NULL,
    CONSTRAINT uq_task_dependencies_task_depends_on UNIQUE (task_id, depends_on_task_id),
    CONSTRAINT ck_task_dependencies_no_self CHECK (task_id <> depends_on_task_id)
);
CREATE INDEX ix_task_dependencies_depends_on_task_id ON task_dependencies (depends_on_task_id);
CREATE INDEX ix_task_dependencies_board_id ON task_dependencies (board_id);

CREATE TABLE tags (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    name varchar NOT NULL,
    slug varchar NOT NULL,
    color varchar NOT NULL DEFAULT '9e9e9e',
    description varchar,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL,
    CONSTRAINT uq_tags_organization_id_slug UNIQUE (organization_id, slug)
);

CREATE TABLE tag_assignments (
    id uuid PRIMARY KEY,
    task_id uuid NOT NULL REFERENCES tasks (id),
    tag_id uuid NOT NULL REFERENCES tags (id),
    created_at timestamp NOT NULL,
    CONSTRAINT uq_tag_assignments_task_id_tag_id UNIQUE (task_id, tag_id)
);
CREATE INDEX ix_tag_assignments_tag_id ON tag_assignments (tag_id);

CREATE TABLE task_custom_field_definitions (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    field_key varchar NOT NULL,
    label varchar NOT NULL,
    field_type varchar NOT NULL DEFAULT 'text',
    ui_visibility varchar NOT NULL DEFAULT 'always',
    validation_regex varchar,
    description varchar,
    required boolean NOT NULL DEFAULT false,
    default_value jsonb,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL,
    CONSTRAINT uq_task_custom_field_definitions_org_key UNIQUE (organization_id, field_key),
    CONSTRAINT ck_task_custom_field_definitions_type CHECK (field_type IN ('text', 'text_long', 'integer', 'decimal', 'boolean', 'date', 'date_time', 'url', 'json')),
    CONSTRAINT ck_task_custom_field_definitions_visibility CHECK (ui_visibility IN ('always', 'if_set', 'hidden'))
);

CREATE TABLE board_task_custom_fields (
    id uuid PRIMARY KEY,
    board_id uuid NOT NULL REFERENCES boards (id),
    task_custom_field_definition_id uuid NOT NULL REFERENCES task_custom_field_definitions (id),
    created_at timestamp NOT NULL,
    CONSTRAINT uq_board_task_custom_fields_board_def UNIQUE (board_id, task_custom_field_definition_id)
);

CREATE TABLE task_custom_field_values (
    id uuid PRIMARY KEY,
    task_id uuid NOT NULL REFERENCES tasks (id),
    task_custom_field_definition_id uuid NOT NULL REFERENCES task_custom_field_definitions (id),
    value jsonb,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL,
    CONSTRAINT uq_task_custom_field_values_task_def UNIQUE (task_id, task_custom_field_definition_id)
);

CREATE TABLE approvals (
    id uuid PRIMARY KEY,
    board_id uuid NOT NULL REFERENCES boards (id),
    task_id uuid REFERENCES tasks (id),
    agent_id uuid REFERENCES agents (id),
    action_type varchar NOT NULL,
    payload jsonb,
    confidence double precision NOT NULL DEFAULT 0,
    rubric_scores jsonb,
    status varchar NOT NULL DEFAULT 'pending',
    created_at timestamp NOT NULL,
    resolved_at timestamp
);
CREATE INDEX ix_approvals_board_id_status ON approvals (board_id, status);
CREATE INDEX ix_approvals_task_id ON approvals (task_id);

CREATE TABLE approval_task_links (
    id uuid PRIMARY KEY,
    approval_id uuid NOT NULL REFERENCES approvals (id),
    task_id uuid NOT NULL REFERENCES tasks (id),
    created_at timestamp NOT NULL,
    CONSTRAINT uq_approval_task_links_approval_task UNIQUE (approval_id, task_id)
);
CREATE INDEX ix_approval_task_links_task_id ON approval_task_links (task_id);

CREATE TABLE activity_events (
    id uuid PRIMARY KEY,
    event_type varchar NOT NULL,
    message varchar,
    agent_id uuid REFERENCES agents (id),
    task_id uuid REFERENCES tasks (id),
    board_id uuid REFERENCES boards (id) ON DELETE CASCADE,
    created_at timestamp NOT NULL
);
CREATE INDEX ix_activity_events_event_type_created_at ON activity_events (event_type, created_at);
CREATE INDEX ix_activity_events_board_id_created_at ON activity_events (board_id, created_at);
CREATE INDEX ix_activity_events_task_id ON activity_events (task_id);
CREATE INDEX ix_activity_events_agent_id ON activity_events (agent_id);

-- Server-side secrets shared by every replica (e.g. the agent-token hash key when none is configured).
CREATE TABLE instance_secrets (
    name varchar PRIMARY KEY,
    value varchar NOT NULL,
    created_at timestamp NOT NULL
);
