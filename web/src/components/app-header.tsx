import type { ReactNode } from 'react';
import { usePath } from '../router';
import { useSession } from '../store/session-store';
import { Link } from './link';

/** The top bar of the list pages: the product, the page's own actions, the account. */
export function AppHeader({ children }: { children?: ReactNode }) {
  const user = useSession((s) => s.user);
  const signOut = useSession((s) => s.signOut);
  const path = usePath();
  const section =
    path === '/runs' || path.startsWith('/runs/') || /^\/flows\/[^/]+\/runs\/?$/.test(path)
      ? 'runs'
      : path === '/connections' || path === '/connections/'
        ? 'connections'
        : path === '/templates' || path === '/templates/'
          ? 'templates'
          : path === '/' || path.startsWith('/flows')
            ? 'flows'
            : null;
  return (
    <header className="app-header">
      <Link href="/" className="brand">
        Switchboard
      </Link>
      <nav className="app-nav" aria-label="Main">
        <Link href="/" aria-current={section === 'flows' ? 'page' : undefined}>
          Flows
        </Link>
        <Link href="/runs" aria-current={section === 'runs' ? 'page' : undefined}>
          Runs
        </Link>
        <Link href="/templates" aria-current={section === 'templates' ? 'page' : undefined}>
          Templates
        </Link>
        <Link href="/connections" aria-current={section === 'connections' ? 'page' : undefined}>
          Connections
        </Link>
      </nav>
      <div className="app-header-actions">{children}</div>
      <div className="account">
        {user && <span className="muted">{user.email}</span>}
        <button type="button" className="button ghost small" onClick={() => void signOut()}>
          Sign out
        </button>
      </div>
    </header>
  );
}
