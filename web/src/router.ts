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

export type Route = { page: 'flows' } | { page: 'editor'; flowId: string } | { page: 'not-found' };

export function matchRoute(path: string): Route {
  if (path === '/' || path === '/flows' || path === '/flows/') return { page: 'flows' };
  const m = /^\/flows\/([^/]+)\/?$/.exec(path);
  if (m) return { page: 'editor', flowId: decodeURIComponent(m[1]!) };
  return { page: 'not-found' };
}
