// Who is signed in. The app asks `GET /api/v1/auth/status` at start: whether the owner account must
// still be created (first start) and the session's account; any 401 later sends the user back to
// the sign-in page.

import { create } from 'zustand';
import * as api from '../api/api';
import { errorMessage, setUnauthenticatedHandler } from '../api/client';
import type { User } from '../api/types';

export type SessionPhase = 'checking' | 'setup' | 'signed-out' | 'signed-in' | 'unreachable';

interface SessionState {
  phase: SessionPhase;
  user: User | null;
  error: string | null;
  check: () => Promise<void>;
  setup: (email: string, password: string) => Promise<void>;
  signIn: (email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
}

export const useSession = create<SessionState>()((set) => ({
  phase: 'checking',
  user: null,
  error: null,
  check: async () => {
    set({ phase: 'checking', error: null });
    try {
      const status = await api.auth.status();
      if (status.setup_required) set({ phase: 'setup', user: null });
      else if (status.user) set({ phase: 'signed-in', user: status.user });
      else set({ phase: 'signed-out', user: null });
    } catch (e) {
      set({ phase: 'unreachable', error: errorMessage(e) });
    }
  },
  // These two reject with the API's error; the form shows it.
  setup: async (email, password) => {
    const { user } = await api.auth.setup(email, password);
    set({ phase: 'signed-in', user, error: null });
  },
  signIn: async (email, password) => {
    const { user } = await api.auth.login(email, password);
    set({ phase: 'signed-in', user, error: null });
  },
  signOut: async () => {
    try {
      await api.auth.logout();
    } finally {
      set({ phase: 'signed-out', user: null });
    }
  },
}));

setUnauthenticatedHandler(() => {
  if (useSession.getState().phase === 'signed-in') useSession.setState({ phase: 'signed-out', user: null });
});
