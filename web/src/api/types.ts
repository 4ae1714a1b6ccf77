// The API's shapes, as server/src/api/*.rs answers them and `GET /api/v1/openapi.json` documents them.

import type { ImportSummary } from '../import/types';
import type { FlowDocument, JsonValue } from '../flow/types';

export interface User {
  id: string;
  email: string;
  role: string;
  created_at: string;
}

export interface AuthStatus {
  /** `true` until the owner account exists (first start). */
  setup_required: boolean;
  /** The signed-in account, `null` when anonymous. */
  user: User | null;
}

export interface Me {
  user: User | null;
  api_key?: 'environment';
}

/** One thing wrong with a flow document, at a JSON path (`steps[2].props.email`). */
export interface Problem {
  path: string;
  message: string;
}

export interface WebhookUrls {
  async: string;
  sync: string;
  test: string;
  /** The URL to paste into the sending system (the call platform). */
  platform: string;
}

export interface FlowSummary {
  id: string;
  name: string;
  folder: string | null;
  enabled: boolean;
  published_version: number | null;
  draft_changed: boolean;
  created_at: string;
  updated_at: string;
  webhook_urls: WebhookUrls;
  setup_hint?: string;
  schedule?: { description: string; next_at: string | null };
}

/** A flow's latest run, as the flows list gives it. */
export interface LastRun {
  run_id: string;
  status: RunStatus;
  created_at: string;
}

/** A flow in the list: its summary and its latest run (`null`: it never ran). */
export interface FlowListItem extends FlowSummary {
  last_run: LastRun | null;
}

/** A flow with its draft and the draft's problems (create, get, update, import). */
export interface FlowDetail extends FlowSummary {
  document: FlowDocument;
  problems: Problem[];
  /** Only in the answer to an import: what the conversion did. */
  import?: ImportSummary;
}

/** A flow with its draft, without problems (enable, disable). */
export interface FlowWithDraft extends FlowSummary {
  document: FlowDocument;
}

export interface Published {
  flow_id: string;
  version: number;
  created_at: string;
}

export interface VersionSummary {
  version: number;
  created_at: string;
  name: string | null;
}

export interface FlowVersion {
  flow_id: string;
  version: number;
  created_at: string;
  document: FlowDocument;
}

export type PropKind =
  | 'short_text'
  | 'long_text'
  | 'number'
  | 'boolean'
  | 'select'
  | 'dynamic_select'
  | 'multi_select'
  | 'json'
  | 'key_value'
  | 'array'
  | 'date_time'
  | 'file';

export interface SelectOption {
  label: string;
  value: JsonValue;
}

export interface PropMeta {
  name: string;
  label: string;
  kind: PropKind;
  required: boolean;
  help?: string;
  default?: JsonValue;
  example?: JsonValue;
  secret?: boolean;
  options?: SelectOption[];
  options_from?: { action: string; value: string; label?: string; depends_on?: string[] };
  /** A `json` prop holding one of several objects told apart by `type`: each shape's fields. */
  variants?: { value: string; label: string; fields: PropMeta[] }[];
}

export interface ActionMeta {
  name: string;
  label: string;
  description: string;
  props: PropMeta[];
  extra_props: boolean;
  sample_output?: JsonValue;
  /** Hidden from the picker (it fills dynamic selects). */
  internal?: boolean;
}

export interface TriggerSample {
  event: string;
  label: string;
  payload: JsonValue;
  /** What `trigger` holds for it. */
  output?: JsonValue;
}

export interface TriggerMeta {
  name: string;
  label: string;
  description: string;
  props: PropMeta[];
  sample_output?: JsonValue;
  /** Call platforms: sample webhook bodies per event. */
  samples?: TriggerSample[];
  /** Where to paste the webhook URL in the sending system. */
  setup?: string;
  /** Mid-call tools: the sender waits for the flow's answer (the sync URL). */
  answers?: boolean;
}

export type AuthKind = 'none' | 'api_key' | 'bearer' | 'basic' | 'oauth2' | 'custom';

export interface Piece {
  id: string;
  name: string;
  description: string;
  category: string;
  icon?: string;
  auth: AuthKind;
  auth_fields?: PropMeta[];
  auth_help?: string;
  docs_url?: string;
  actions: ActionMeta[];
  triggers: TriggerMeta[];
}

export type RunStatus = 'succeeded' | 'failed' | 'paused' | 'running' | 'queued' | 'cancelled';
export type StepStatus = 'succeeded' | 'failed' | 'skipped' | 'paused';

export interface RunSummary {
  run_id: string;
  flow_id: string;
  version: number | null;
  test: boolean;
  status: RunStatus;
  error: { step?: string; message: string } | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
}

export interface StepError {
  kind: string;
  message: string;
  status?: number;
  retry_after?: number;
  details?: JsonValue;
}

export interface StepRecord {
  status: StepStatus;
  attempts: number;
  started_at: string;
  duration_ms: number;
  input?: JsonValue;
  output?: JsonValue;
  error?: StepError;
  reason?: string;
  iterations?: Record<string, StepRecord>[];
}

export interface RunRecord extends RunSummary {
  steps: Record<string, StepRecord>;
  response: JsonValue | null;
  output: JsonValue;
  pauses: JsonValue[];
}

export interface RunList {
  runs: RunSummary[];
  next_cursor: string | null;
}

// ---- Step settings panel: connections, dynamic options, OAuth2 (server/src/api/connections.rs,
// pieces.rs, server/src/oauth2/) ----

/** A stored connection: its values are write-only, only their field names come back. */
export interface Connection {
  id: string;
  name: string;
  piece: string;
  /** The names of the stored value fields (never the values). */
  fields: string[];
  created_at: string;
  updated_at: string;
}

/** What `POST /api/v1/connections` takes. */
export interface ConnectionInput {
  name: string;
  piece: string;
  /** Write-only credential values by field name; absent for OAuth2 client credentials pieces. */
  values?: Record<string, JsonValue>;
  /** Check the values with the piece's cheap request before saving (default true with values). */
  test?: boolean;
}

/** What `POST /api/v1/pieces/{piece}/options` takes. */
export interface OptionsRequest {
  action: string;
  prop: string;
  connection?: string;
  props?: Record<string, JsonValue>;
}

/** A piece's OAuth2 set-up, as the catalog describes it (no secrets). */
export interface PieceOAuth2 {
  grant: 'authorization_code' | 'client_credentials' | string;
  scopes: string[];
}

// Fields of the catalog (engine/src/piece/meta.rs) the first version of these types left out;
// interface merging adds them to `Piece` and `TriggerMeta` above.
export interface Piece {
  oauth2?: PieceOAuth2;
}
export interface TriggerMeta {
  /** The prop whose value the webhook URL carries as `?token=` (senders that sign nothing). */
  url_token?: string;
}

// ---- Runs: retry and cancel (the runs pages) ----

/** The answer to a retry (`queued`) or a cancel (`cancelled`). */
export interface RunActionAccepted {
  run_id: string;
  status: RunStatus;
}
