-- Catalog lookups: "is this custom field definition used?" (delete refuses while values
-- exist) and "which boards is it bound to?" run by definition id.
CREATE INDEX ix_task_custom_field_values_definition_id ON task_custom_field_values (task_custom_field_definition_id);
CREATE INDEX ix_board_task_custom_fields_definition_id ON board_task_custom_fields (task_custom_field_definition_id);
