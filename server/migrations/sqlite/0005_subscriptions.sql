-- REST hook subscriptions (Zapier, Make, n8n): a target URL that receives every payload a flow's
-- `switchboard_events.emit` step emits under an event name. One subscription per event and URL.
CREATE TABLE subscriptions (
    id         TEXT PRIMARY KEY,
    event      TEXT NOT NULL,
    target_url TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT,            -- the account that subscribed; NULL for SWITCHBOARD_API_KEY
    UNIQUE (event, target_url)
);

-- The latest payloads emitted per event (sample data for the subscribing tool), pruned on insert.
-- `dedupe_key` (run id + step path) keeps a retried step from storing its payload twice.
CREATE TABLE event_samples (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    event      TEXT NOT NULL,
    dedupe_key TEXT,
    payload    TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE UNIQUE INDEX event_samples_dedupe ON event_samples (event, dedupe_key);
CREATE INDEX event_samples_latest ON event_samples (event, seq);
