-- Board group memory: notes and group chat shared by the boards of a group.

CREATE TABLE board_group_memory (
    id BLOB PRIMARY KEY NOT NULL,
    board_group_id BLOB NOT NULL REFERENCES board_groups (id),
    content varchar NOT NULL,
    tags TEXT,
    is_chat boolean NOT NULL DEFAULT false,
    source varchar,
    created_at TEXT NOT NULL
);
CREATE INDEX ix_board_group_memory_group_is_chat_created_at ON board_group_memory (board_group_id, is_chat, created_at);
