import type { ReactNode } from 'react';
import { useSession } from '../store/session-store';
import { Link } from './link';

/** The top bar of the list pages: the product, the page's own actions, the account. */
export function AppHeader({ children }: { children?: ReactNode }) {
  const user = useSession((s) => s.user);
  const signOut = useSession((s) => s.signOut);
  return (
    <header className="app-header">
      <Link href="/" className="brand">
        Switchboard
      </Link>
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
