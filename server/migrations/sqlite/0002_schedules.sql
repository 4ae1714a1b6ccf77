-- Schedule triggers: when each enabled schedule was first seen and last fired.
CREATE TABLE schedules (
    flow_id    TEXT PRIMARY KEY REFERENCES flows (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    last_fired TEXT
);
