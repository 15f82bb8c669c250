-- At most one board lead per board: a partial unique index backs the 409 the service answers.

CREATE UNIQUE INDEX ux_agents_board_lead ON agents (board_id) WHERE is_board_lead;
