-- Webhook deliveries a flow's trigger refused (bad signature, wrong token, unreadable body), so
-- the user can see why a platform's requests start nothing. The newest few per flow are kept.
CREATE TABLE hook_rejections (
    id         TEXT PRIMARY KEY,          -- UUIDv7: ordered by arrival
    flow_id    TEXT NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
    at         TEXT NOT NULL,
    status     INTEGER NOT NULL,          -- the HTTP status answered (401, 400, 415)
    code       TEXT NOT NULL,             -- the error code answered (`unauthorized`)
    reason     TEXT NOT NULL,             -- the message answered
    request    TEXT NOT NULL              -- JSON: method, headers and query (secrets redacted), body excerpt
);

CREATE INDEX hook_rejections_latest ON hook_rejections (flow_id, id);
