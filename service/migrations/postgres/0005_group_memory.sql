-- Board group memory: notes and group chat shared by the boards of a group.

CREATE TABLE board_group_memory (
    id uuid PRIMARY KEY,
    board_group_id uuid NOT NULL REFERENCES board_groups (id),
    content varchar NOT NULL,
    tags jsonb,
    is_chat boolean NOT NULL DEFAULT false,
    source varchar,
    created_at timestamp NOT NULL
);
CREATE INDEX ix_board_group_memory_group_is_chat_created_at ON board_group_memory (board_group_id, is_chat, created_at);
