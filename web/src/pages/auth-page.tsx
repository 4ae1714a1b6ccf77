import { useState, type FormEvent } from 'react';
import { errorMessage } from '../api/client';
import { ErrorMessage } from '../components/error-message';
import { useSession } from '../store/session-store';

/**
 * First start (create the owner account) and sign-in: the same form, different words. The server
 * checks the email and the password policy and says what is wrong.
 */
export function AuthPage({ mode }: { mode: 'setup' | 'sign-in' }) {
  const setup = useSession((s) => s.setup);
  const signIn = useSession((s) => s.signIn);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = mode === 'setup';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await (first ? setup(email, password) : signIn(email, password));
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <main className="center-page">
      <form className="card auth-card" onSubmit={(e) => void submit(e)}>
        <h1>{first ? 'Welcome to Switchboard' : 'Sign in to Switchboard'}</h1>
        <p className="muted">
          {first
            ? 'Create the owner account for this server. You will use it to sign in from now on.'
            : 'Use the email and password of your account.'}
        </p>
        {error && <ErrorMessage message={error} />}
        <label className="field">
          <span>Email</span>
          <input type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            autoComplete={first ? 'new-password' : 'current-password'}
            required
            minLength={first ? 8 : undefined}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-describedby={first ? 'password-help' : undefined}
          />
          {first && (
            <small id="password-help" className="muted">
              At least 8 characters.
            </small>
          )}
        </label>
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Please wait…' : first ? 'Create account' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
