// The pieces catalog (`GET /api/v1/pieces`), loaded once per session: every canvas label, icon and
// the piece picker come from it.

import { create } from 'zustand';
import * as api from '../api/api';
import { errorMessage } from '../api/client';
import type { Piece } from '../api/types';
import { indexCatalog, type CatalogIndex } from '../flow/graph';

interface CatalogState {
  pieces: Piece[] | null;
  index: CatalogIndex;
  error: string | null;
  loading: boolean;
  load: () => Promise<void>;
}

export const useCatalog = create<CatalogState>()((set, get) => ({
  pieces: null,
  index: indexCatalog(undefined),
  error: null,
  loading: false,
  load: async () => {
    if (get().pieces || get().loading) return;
    set({ loading: true, error: null });
    try {
      const pieces = await api.pieces.list();
      set({ pieces, index: indexCatalog({ pieces }), loading: false });
    } catch (e) {
      set({ loading: false, error: errorMessage(e) });
    }
  },
}));
