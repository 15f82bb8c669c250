-- Board memory (notes and board chat), inbound webhooks, and the skills catalog tables.

CREATE TABLE board_memory (
    id uuid PRIMARY KEY,
    board_id uuid NOT NULL REFERENCES boards (id),
    content varchar NOT NULL,
    tags jsonb,
    is_chat boolean NOT NULL DEFAULT false,
    source varchar,
    created_at timestamp NOT NULL
);
CREATE INDEX ix_board_memory_board_id_is_chat_created_at ON board_memory (board_id, is_chat, created_at);

CREATE TABLE board_webhooks (
    id uuid PRIMARY KEY,
    board_id uuid NOT NULL REFERENCES boards (id),
    agent_id uuid REFERENCES agents (id),
    description varchar NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    secret varchar,
    signature_header varchar,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL
);
CREATE INDEX ix_board_webhooks_board_id ON board_webhooks (board_id);

CREATE TABLE board_webhook_payloads (
    id uuid PRIMARY KEY,
    board_id uuid NOT NULL REFERENCES boards (id),
    webhook_id uuid NOT NULL REFERENCES board_webhooks (id),
    payload jsonb,
    headers jsonb,
    source_ip varchar,
    content_type varchar,
    received_at timestamp NOT NULL
);
CREATE INDEX ix_board_webhook_payloads_board_webhook_received ON board_webhook_payloads (board_id, webhook_id, received_at);

CREATE TABLE skill_packs (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    name varchar NOT NULL,
    description varchar,
    source_url varchar NOT NULL,
    branch varchar NOT NULL DEFAULT 'main',
    metadata jsonb NOT NULL DEFAULT '{}',
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL,
    CONSTRAINT uq_skill_packs_org_source_url UNIQUE (organization_id, source_url)
);

CREATE TABLE marketplace_skills (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    name varchar NOT NULL,
    description varchar,
    category varchar,
    risk varchar,
    source varchar,
    source_url varchar NOT NULL,
    metadata jsonb NOT NULL DEFAULT '{}',
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL,
    CONSTRAINT uq_marketplace_skills_org_source_url UNIQUE (organization_id, source_url)
);

CREATE TABLE gateway_installed_skills (
    id uuid PRIMARY KEY,
    gateway_id uuid NOT NULL REFERENCES gateways (id) ON DELETE CASCADE,
    skill_id uuid NOT NULL REFERENCES marketplace_skills (id),
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL,
    CONSTRAINT uq_gateway_installed_skills_gateway_skill UNIQUE (gateway_id, skill_id)
);
