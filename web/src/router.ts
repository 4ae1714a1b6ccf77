// A tiny history router: the server answers every non-API path with index.html, so real paths work
// (`/flows/abc`), and a handful of routes does not need a library.

import { useSyncExternalStore } from 'react';

const EVENT = 'switchboard:navigate';

function subscribe(callback: () => void): () => void {
  window.addEventListener('popstate', callback);
  window.addEventListener(EVENT, callback);
  return () => {
    window.removeEventListener('popstate', callback);
    window.removeEventListener(EVENT, callback);
  };
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  window.dispatchEvent(new Event(EVENT));
}

/** The current path, re-rendering on navigation. */
export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

export type Route =
  | { page: 'flows' }
  | { page: 'editor'; flowId: string }
  | { page: 'runs'; flowId?: string }
  | { page: 'run'; runId: string }
  | { page: 'connections' }
  | { page: 'templates' }
  | { page: 'not-found' };

/** A path segment, or null when it is not validly %-encoded. */
function segment(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

export function matchRoute(path: string): Route {
  if (path === '/' || path === '/flows' || path === '/flows/') return { page: 'flows' };
  if (path === '/runs' || path === '/runs/') return { page: 'runs' };
  if (path === '/connections' || path === '/connections/') return { page: 'connections' };
  if (path === '/templates' || path === '/templates/') return { page: 'templates' };
  let m = /^\/flows\/([^/]+)\/?$/.exec(path);
  if (m) {
    const flowId = segment(m[1]!);
    return flowId ? { page: 'editor', flowId } : { page: 'not-found' };
  }
  m = /^\/flows\/([^/]+)\/runs\/?$/.exec(path);
  if (m) {
    const flowId = segment(m[1]!);
    return flowId ? { page: 'runs', flowId } : { page: 'not-found' };
  }
  m = /^\/runs\/([^/]+)\/?$/.exec(path);
  if (m) {
    const runId = segment(m[1]!);
    return runId ? { page: 'run', runId } : { page: 'not-found' };
  }
  return { page: 'not-found' };
}
