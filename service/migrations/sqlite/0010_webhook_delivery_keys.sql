-- Inbound webhooks: a sender's delivery key (Idempotency-Key or X-GitHub-Delivery) per
-- payload, unique per webhook, so a retried delivery is recognised and stored once; and the
-- indexes the tables' lookups use (target agent, a webhook's payloads by time).

ALTER TABLE board_webhook_payloads ADD COLUMN delivery_key varchar;
CREATE UNIQUE INDEX uq_board_webhook_payloads_webhook_delivery_key ON board_webhook_payloads (webhook_id, delivery_key);
CREATE INDEX ix_board_webhook_payloads_received_at ON board_webhook_payloads (received_at);
CREATE INDEX ix_board_webhooks_agent_id ON board_webhooks (agent_id);
CREATE INDEX ix_board_webhooks_enabled ON board_webhooks (enabled);
