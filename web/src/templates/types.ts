// The templates gallery's shapes (server/src/api/templates.rs).

import type { FlowDetail } from '../api/types';
import type { FlowDocument } from '../flow/types';

/** A connection a template's steps need, by the name its steps use. */
export interface TemplateConnection {
  /** The name the template's steps refer to (the key of `connections` in "use"). */
  name: string;
  /** The piece id (`hubspot`). */
  piece: string;
  /** What it is for, in plain words. */
  label: string;
}

export interface TemplateSummary {
  id: string;
  name: string;
  description: string;
  segments: string[];
  tags: string[];
  /** The pieces its trigger and steps use. */
  pieces: string[];
  connections: TemplateConnection[];
}

export interface TemplateList {
  templates: TemplateSummary[];
  /** Every segment there is, in the gallery's order. */
  segments: string[];
}

export interface TemplateDetail extends TemplateSummary {
  flow: FlowDocument;
  /** The trigger sample's event it is tested with (`end-of-call-report`), if any. */
  sample?: string | null;
  sample_trigger?: string | null;
}

/** What `POST /api/v1/templates/{id}/use` takes. */
export interface UseTemplateInput {
  name?: string;
  folder?: string;
  /** Template connection name → the user's connection name. */
  connections: Record<string, string>;
}

/** The new draft flow. */
export interface UsedTemplate extends FlowDetail {
  missing_connections?: string[];
}
