import { useCallback, useEffect, useMemo, useState } from 'react';
import { errorMessage } from '../api/client';
import { AppHeader } from '../components/app-header';
import { ErrorMessage } from '../components/error-message';
import { Loading } from '../components/loading';
import { useCatalog } from '../store/catalog-store';
import { navigate } from '../router';
import {
  filterTemplates,
  NO_FILTER,
  piecesOf,
  segmentCounts,
  segmentLabel,
  SEGMENT_LABELS,
  templateFilterFromSearch,
  templateFilterToSearch,
  type TemplateFilter,
} from '../templates/model';
import { TemplateCard } from '../templates/template-card';
import { TemplatePreview } from '../templates/template-preview';
import { templates as templatesApi } from '../templates/templates-api';
import type { TemplateList, TemplateSummary } from '../templates/types';
import { UseTemplateDialog } from '../templates/use-template-dialog';

/** The templates gallery: ready-made flows by use case and app; preview one, or start a flow from it. */
export function TemplatesPage() {
  const [data, setData] = useState<TemplateList | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The filter lives in the address too, so a reload or a shared link shows the same templates.
  const [filter, setFilter] = useState<TemplateFilter>(() => templateFilterFromSearch(window.location.search));
  const [previewing, setPreviewing] = useState<TemplateSummary | null>(null);
  const [using, setUsing] = useState<TemplateSummary | null>(null);
  const catalog = useCatalog();
  const loadCatalog = useCatalog((s) => s.load);

  const load = useCallback(async (signal?: AbortSignal) => {
    setError(null);
    try {
      // All of them once: the filters then work instantly, in the page.
      const list = await templatesApi.list({}, signal);
      if (!signal?.aborted) setData(list);
    } catch (e) {
      if (!signal?.aborted) setError(errorMessage(e));
    }
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    void loadCatalog();
    return () => controller.abort();
  }, [load, loadCatalog]);

  const pieceName = useCallback((id: string) => catalog.index.pieces.get(id)?.name, [catalog.index]);
  const all = useMemo(() => data?.templates ?? [], [data]);
  const shown = useMemo(() => filterTemplates(all, filter, pieceName), [all, filter, pieceName]);
  const apps = useMemo(() => piecesOf(all, pieceName), [all, pieceName]);
  const counts = useMemo(() => segmentCounts(all), [all]);
  const segments = data?.segments.length ? data.segments : Object.keys(SEGMENT_LABELS);
  const filtered = filter.segment !== '' || filter.piece !== '' || filter.search.trim() !== '';
  const set = (patch: Partial<TemplateFilter>) => setFilter((f) => ({ ...f, ...patch }));
  useEffect(() => {
    navigate(`${window.location.pathname}${templateFilterToSearch(filter)}`, { replace: true });
  }, [filter]);

  return (
    <>
      <AppHeader />
      <main className="page templates-page">
        <div className="page-title">
          <div>
            <h1>Templates</h1>
            <p className="muted">Ready-made flows to start from. Pick one, connect your accounts, and adjust it in the editor.</p>
          </div>
        </div>

        <div className="template-filters">
          <div className="segment-chips" role="group" aria-label="Use case">
            <button type="button" className="chip" aria-pressed={filter.segment === ''} onClick={() => set({ segment: '' })}>
              All
            </button>
            {segments.map((s) => (
              <button key={s} type="button" className="chip" aria-pressed={filter.segment === s} onClick={() => set({ segment: filter.segment === s ? '' : s })}>
                {segmentLabel(s)}
                {data && <span className="chip-count" aria-label={`, ${counts.get(s) ?? 0} template${counts.get(s) === 1 ? '' : 's'}`}>{counts.get(s) ?? 0}</span>}
              </button>
            ))}
          </div>
          <div className="filters">
            <label className="field inline">
              <span>Search</span>
              <input type="search" value={filter.search} placeholder="e.g. HubSpot, appointment" onChange={(e) => set({ search: e.target.value })} />
            </label>
            <label className="field inline">
              <span>App</span>
              <select value={filter.piece} onChange={(e) => set({ piece: e.target.value })}>
                <option value="">All apps</option>
                {apps.map((p) => (
                  <option key={p} value={p}>
                    {pieceName(p) ?? p}
                  </option>
                ))}
              </select>
            </label>
            {filtered && (
              <button type="button" className="button ghost small" onClick={() => setFilter(NO_FILTER)}>
                Clear filters
              </button>
            )}
          </div>
        </div>

        {error && <ErrorMessage message={`The templates could not be loaded: ${error}`} onRetry={() => void load()} />}

        {data === null && !error ? (
          <Loading label="Loading templates…" />
        ) : data === null ? null : shown.length === 0 ? (
          <div className="empty">
            {all.length === 0 ? (
              <p>There are no templates on this server.</p>
            ) : (
              <>
                <p>No template matches these filters.</p>
                <button type="button" className="button" onClick={() => setFilter(NO_FILTER)}>
                  Show all templates
                </button>
              </>
            )}
          </div>
        ) : (
          <>
            <p className="muted" role="status">
              {shown.length === all.length ? `${all.length} template${all.length === 1 ? '' : 's'}` : `${shown.length} of ${all.length} templates`}
            </p>
            <ul className="template-grid" aria-label="Templates">
              {shown.map((t) => (
                <TemplateCard key={t.id} template={t} index={catalog.index} onPreview={() => setPreviewing(t)} onUse={() => setUsing(t)} />
              ))}
            </ul>
          </>
        )}

        {previewing && (
          <TemplatePreview
            template={previewing}
            index={catalog.index}
            onClose={() => setPreviewing(null)}
            onUse={() => {
              setPreviewing(null);
              setUsing(previewing);
            }}
          />
        )}
        {using && <UseTemplateDialog template={using} pieces={catalog.pieces} onClose={() => setUsing(null)} />}
      </main>
    </>
  );
}
