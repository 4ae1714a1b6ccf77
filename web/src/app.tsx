import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { ErrorMessage } from './components/error-message';
import { Loading } from './components/loading';
import { AuthPage } from './pages/auth-page';
import { FlowsPage } from './pages/flows-page';
import { NotFoundPage } from './pages/not-found-page';
import { matchRoute, usePath } from './router';
import { useSession } from './store/session-store';

// The flows list (the first page) loads alone; the other pages, the canvas with them, load when
// first opened.
const EditorPage = lazy(() => import('./pages/editor-page').then((m) => ({ default: m.EditorPage })));
const RunPage = lazy(() => import('./pages/run-page').then((m) => ({ default: m.RunPage })));
const RunsPage = lazy(() => import('./pages/runs-page').then((m) => ({ default: m.RunsPage })));
const ConnectionsPage = lazy(() => import('./pages/connections-page').then((m) => ({ default: m.ConnectionsPage })));
const TemplatesPage = lazy(() => import('./pages/templates-page').then((m) => ({ default: m.TemplatesPage })));

/** Signs the user in (or sets up the owner on first start), then shows the page for the path. */
export function App() {
  const phase = useSession((s) => s.phase);
  const error = useSession((s) => s.error);
  const check = useSession((s) => s.check);
  const path = usePath();

  useEffect(() => {
    void check();
  }, [check]);

  if (phase === 'checking') return <Loading label="Starting Switchboard…" fullPage />;
  if (phase === 'unreachable') {
    return (
      <main className="center-page">
        <ErrorMessage message={error ?? 'The server is not answering.'} onRetry={() => void check()} />
      </main>
    );
  }
  if (phase === 'setup') return <AuthPage mode="setup" />;
  if (phase === 'signed-out') return <AuthPage mode="sign-in" />;

  const route = matchRoute(path);
  if (route.page === 'flows') return <FlowsPage />;
  if (route.page === 'editor') return page(<EditorPage key={route.flowId} flowId={route.flowId} />);
  if (route.page === 'runs') return page(<RunsPage key={route.flowId ?? ''} flowId={route.flowId} />);
  if (route.page === 'run') return page(<RunPage key={route.runId} runId={route.runId} />);
  if (route.page === 'connections') return page(<ConnectionsPage />);
  if (route.page === 'templates') return page(<TemplatesPage />);
  return <NotFoundPage />;
}

function page(content: ReactNode) {
  return <Suspense fallback={<Loading label="Opening the page…" fullPage />}>{content}</Suspense>;
}
