// The templates endpoints (server/src/api/templates.rs).

import { request } from '../api/client';
import type { TemplateDetail, TemplateList, UsedTemplate, UseTemplateInput } from './types';

const V1 = '/api/v1';
const enc = encodeURIComponent;

export const templates = {
  list: (filter: { segment?: string; piece?: string; search?: string } = {}, signal?: AbortSignal) =>
    request<TemplateList>(`${V1}/templates`, { query: filter, signal }),
  get: (id: string, signal?: AbortSignal) => request<TemplateDetail>(`${V1}/templates/${enc(id)}`, { signal }),
  /** Makes a draft flow from the template with the user's connections in its steps. */
  use: (id: string, input: UseTemplateInput) =>
    request<UsedTemplate>(`${V1}/templates/${enc(id)}/use`, { method: 'POST', body: input }),
};
