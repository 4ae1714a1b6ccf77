import { useEffect } from 'react';
import { ErrorMessage } from './components/error-message';
import { Loading } from './components/loading';
import { AuthPage } from './pages/auth-page';
import { ConnectionsPage } from './pages/connections-page';
import { EditorPage } from './pages/editor-page';
import { FlowsPage } from './pages/flows-page';
import { NotFoundPage } from './pages/not-found-page';
import { RunPage } from './pages/run-page';
import { RunsPage } from './pages/runs-page';
import { TemplatesPage } from './pages/templates-page';
import { matchRoute, usePath } from './router';
import { useSession } from './store/session-store';

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
  if (route.page === 'editor') return <EditorPage key={route.flowId} flowId={route.flowId} />;
  if (route.page === 'runs') return <RunsPage key={route.flowId ?? ''} flowId={route.flowId} />;
  if (route.page === 'run') return <RunPage key={route.runId} runId={route.runId} />;
  if (route.page === 'connections') return <ConnectionsPage />;
  if (route.page === 'templates') return <TemplatesPage />;
  return <NotFoundPage />;
}
