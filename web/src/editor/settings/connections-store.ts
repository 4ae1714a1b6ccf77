// The stored connections (names and pieces only: values never leave the server), loaded once for
// the editor and refreshed after connecting a new account.

import { create } from 'zustand';
import * as api from '../../api/api';
import { errorMessage } from '../../api/client';
import type { Connection } from '../../api/types';

interface ConnectionsState {
  list: Connection[] | null;
  loading: boolean;
  error: string | null;
  /** Loads the list (again with `force`); resolves to it, or `null` when loading failed. */
  load: (force?: boolean) => Promise<Connection[] | null>;
  /** Adds (or replaces, by id) a connection just created. */
  add: (c: Connection) => void;
}

let pending: Promise<Connection[] | null> | null = null;

export const useConnections = create<ConnectionsState>()((set, get) => ({
  list: null,
  loading: false,
  error: null,
  load: (force = false) => {
    if (!force && get().list) return Promise.resolve(get().list);
    if (pending) return pending;
    set({ loading: true, error: null });
    pending = api.connections
      .list()
      .then((list) => {
        set({ list, loading: false });
        return list;
      })
      .catch((e: unknown) => {
        set({ loading: false, error: errorMessage(e) });
        return null;
      })
      .finally(() => {
        pending = null;
      });
    return pending;
  },
  add: (c) => set({ list: [...(get().list ?? []).filter((x) => x.id !== c.id), c] }),
}));
