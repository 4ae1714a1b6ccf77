import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import type { FlowDetail } from '../api/types';
import { addStepAfter, deleteStep, setName } from '../flow/edit';
import type { FlowDocument } from '../flow/types';
import { chain, leadRouter } from '../test/fixtures';
import { createEditorStore, HISTORY_LIMIT, type EditorApi } from './editor-store';

function detail(doc: FlowDocument, problems: FlowDetail['problems'] = []): FlowDetail {
  return {
    id: 'f1',
    name: doc.name,
    folder: null,
    enabled: false,
    published_version: null,
    draft_changed: true,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    webhook_urls: { async: 'a', sync: 's', test: 't', platform: 'p' },
    document: doc,
    problems,
  };
}

function fakeApi(overrides: Partial<EditorApi> = {}): EditorApi {
  return {
    get: vi.fn(async () => detail(chain(2))),
    update: vi.fn(async (_id: string, doc: FlowDocument) => detail(doc)),
    publish: vi.fn(async () => ({ version: 1 })),
    enable: vi.fn(async () => ({ ...detail(chain(1)), enabled: true })),
    disable: vi.fn(async () => ({ ...detail(chain(1)), enabled: false })),
    ...overrides,
  };
}

const stop = (id: string) => ({ id, type: 'stop' as const });

describe('editor store: undo, redo, dirty', () => {
  it('tracks dirty against the saved document, through undo and redo', () => {
    const store = createEditorStore(fakeApi());
    store.getState().open(chain(2), 'f1');
    const s = () => store.getState();
    const original = s().doc!;
    expect(original.ui?.positions?.s2).toBeDefined(); // positions are filled on open
    expect(s().dirty).toBe(false);

    expect(s().apply((d) => addStepAfter(d, 's2', stop('x')))).toBe(true);
    expect(s().dirty).toBe(true);
    expect(s().past).toEqual([original]);
    s().apply((d) => deleteStep(d, 's1'));
    expect(s().doc!.steps.map((x) => x.id)).toEqual(['s2', 'x']);

    s().undo();
    expect(s().doc!.steps.map((x) => x.id)).toEqual(['s1', 's2', 'x']);
    expect(s().dirty).toBe(true);
    s().undo();
    expect(s().doc).toBe(original);
    expect(s().dirty).toBe(false);
    s().undo(); // nothing left: no change
    expect(s().doc).toBe(original);

    s().redo();
    s().redo();
    expect(s().doc!.steps.map((x) => x.id)).toEqual(['s2', 'x']);
    expect(s().dirty).toBe(true);
    s().redo(); // nothing left
    expect(s().future).toEqual([]);
  });

  it('a new edit clears the redo stack', () => {
    const store = createEditorStore(fakeApi());
    store.getState().open(chain(1));
    const s = () => store.getState();
    s().apply((d) => addStepAfter(d, 's1', stop('a')));
    s().undo();
    expect(s().future).toHaveLength(1);
    s().apply((d) => addStepAfter(d, 's1', stop('b')));
    expect(s().future).toEqual([]);
    s().redo();
    expect(s().doc!.steps.map((x) => x.id)).toEqual(['s1', 'b']);
  });

  it('keeps at most HISTORY_LIMIT documents', () => {
    const store = createEditorStore(fakeApi());
    store.getState().open(chain(1));
    for (let i = 0; i < HISTORY_LIMIT + 20; i++) store.getState().apply((d) => setName(d, `n${i}`));
    expect(store.getState().past).toHaveLength(HISTORY_LIMIT);
    for (let i = 0; i < HISTORY_LIMIT + 20; i++) store.getState().undo();
    expect(store.getState().doc!.name).toBe('n19');
  });

  it('a no-op edit is not an undo step', () => {
    const store = createEditorStore(fakeApi());
    store.getState().open(chain(1));
    expect(store.getState().apply((d) => d)).toBe(false);
    expect(store.getState().past).toEqual([]);
    expect(store.getState().dirty).toBe(false);
  });

  it('coalesces quick edits with the same key (typing) into one undo step', () => {
    const store = createEditorStore(fakeApi());
    store.getState().open(chain(1));
    const s = () => store.getState();
    for (const name of ['A', 'Ab', 'Abc']) s().apply((d) => setName(d, name), { coalesce: 'name' });
    expect(s().past).toHaveLength(1);
    s().undo();
    expect(s().doc!.name).toBe('Chain of 1');
  });

  it('shows a refused edit as a notice and changes nothing', () => {
    const store = createEditorStore(fakeApi());
    store.getState().open(chain(1));
    const before = store.getState().doc;
    expect(store.getState().apply((d) => deleteStep(d, 'start'))).toBe(false);
    expect(store.getState().doc).toBe(before);
    expect(store.getState().notice).toEqual({ kind: 'error', text: 'The trigger cannot be deleted; change it instead.' });
  });

  it('drops a selection whose step disappears', () => {
    const store = createEditorStore(fakeApi());
    store.getState().open(chain(2));
    store.getState().select('s2');
    store.getState().apply((d) => deleteStep(d, 's2'));
    expect(store.getState().selection).toBeNull();
    store.getState().undo();
    expect(store.getState().selection).toBeNull();
    store.getState().apply((d) => addStepAfter(d, 's2', stop('x')), { select: 'x' });
    expect(store.getState().selection).toBe('x');
  });
});

describe('editor store: load, save, publish', () => {
  it('loads a flow, locating its problems', async () => {
    const api = fakeApi({ get: vi.fn(async () => detail(leadRouter(), [{ path: 'steps[1].steps[0].script', message: 'bad' }])) });
    const store = createEditorStore(api);
    const pending = store.getState().load('f1');
    expect(store.getState().loading).toBe(true);
    await pending;
    const s = store.getState();
    expect(s.loading).toBe(false);
    expect(s.doc!.name).toBe('Lead router with scoring');
    expect(s.dirty).toBe(false);
    expect(s.problems).toEqual([{ path: 'steps[1].steps[0].script', message: 'bad', node: 'points' }]);
    expect(s.meta!.webhook_urls.platform).toBe('p');
  });

  it('reports a failed load in plain words', async () => {
    const store = createEditorStore(fakeApi({ get: vi.fn(async () => Promise.reject(new ApiError(404, 'flow_not_found', 'No flow with id `x`.'))) }));
    await store.getState().load('x');
    expect(store.getState().loadError).toBe('No flow with id `x`.');
    expect(store.getState().doc).toBeNull();
  });

  it('saves with PUT and becomes clean, unless edited meanwhile', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const update = vi.fn(async (_id: string, doc: FlowDocument) => {
      await gate;
      return detail(doc, [{ path: 'steps[0]', message: 'incomplete' }]);
    });
    const store = createEditorStore(fakeApi({ update }));
    store.getState().open(chain(1), 'f1');
    store.getState().apply((d) => addStepAfter(d, 's1', stop('x')));
    const sent = store.getState().doc;
    const saving = store.getState().save();
    expect(store.getState().busy).toBe('saving');
    store.getState().apply((d) => setName(d, 'changed while saving'));
    release();
    expect(await saving).toBe(true);
    expect(update).toHaveBeenCalledWith('f1', sent);
    expect(store.getState().saved).toBe(sent);
    expect(store.getState().dirty).toBe(true);
    expect(store.getState().problems).toEqual([{ path: 'steps[0]', message: 'incomplete', node: 's1' }]);
    store.getState().undo();
    expect(store.getState().dirty).toBe(false);
  });

  it('keeps the edits and says why when saving fails', async () => {
    const update = vi.fn(async () => Promise.reject(new ApiError(0, 'network', 'Cannot reach the Switchboard server.')));
    const store = createEditorStore(fakeApi({ update }));
    store.getState().open(chain(1), 'f1');
    store.getState().apply((d) => setName(d, 'x'));
    expect(await store.getState().save()).toBe(false);
    expect(store.getState().dirty).toBe(true);
    expect(store.getState().notice).toEqual({ kind: 'error', text: 'Not saved: Cannot reach the Switchboard server.' });
  });

  it('publish saves first, then lists the validation problems it gets back', async () => {
    const publish = vi.fn(async () =>
      Promise.reject(
        new ApiError(422, 'invalid_flow', 'The flow has 2 problems.', 'steps[0]', [
          { path: 'steps[0].values', message: 'bad value' },
          { path: '', message: 'no respond step' },
        ]),
      ),
    );
    const api = fakeApi({ publish });
    const store = createEditorStore(api);
    store.getState().open(chain(1), 'f1');
    store.getState().apply((d) => setName(d, 'x'));
    expect(await store.getState().publish()).toBe(false);
    expect(api.update).toHaveBeenCalledTimes(1);
    expect(store.getState().dirty).toBe(false);
    expect(store.getState().problems).toEqual([
      { path: 'steps[0].values', message: 'bad value', node: 's1' },
      { path: '', message: 'no respond step' },
    ]);
    expect(store.getState().notice?.text).toBe('Not published: fix the 2 problems listed first.');
  });

  it('publish updates the version and clears the problems', async () => {
    const store = createEditorStore(fakeApi({ get: vi.fn(async () => detail(chain(1), [{ path: 'x', message: 'old' }])) }));
    await store.getState().load('f1');
    expect(await store.getState().publish()).toBe(true);
    expect(store.getState().meta).toMatchObject({ published_version: 1, draft_changed: false });
    expect(store.getState().problems).toEqual([]);
  });

  it('enable and disable update the flow status', async () => {
    const store = createEditorStore(fakeApi());
    await store.getState().load('f1');
    await store.getState().setEnabled(true);
    expect(store.getState().meta!.enabled).toBe(true);
    await store.getState().setEnabled(false);
    expect(store.getState().meta!.enabled).toBe(false);
  });

  it('only the latest of overlapping loads lands', async () => {
    let first!: (d: FlowDetail) => void;
    const get = vi
      .fn<EditorApi['get']>()
      .mockImplementationOnce(() => new Promise((r) => (first = r)))
      .mockImplementationOnce(async () => detail(leadRouter()));
    const store = createEditorStore(fakeApi({ get }));
    const a = store.getState().load('old');
    await store.getState().load('new');
    first(detail(chain(1)));
    await a;
    expect(store.getState().flowId).toBe('new');
    expect(store.getState().doc!.name).toBe('Lead router with scoring');
  });

  it('auto-layout is one undoable edit', () => {
    const store = createEditorStore(fakeApi());
    const doc = chain(3, true);
    doc.ui!.positions!.s2 = [900, 900];
    store.getState().open(doc);
    store.getState().autoLayout();
    const p = store.getState().doc!.ui!.positions!;
    expect(p.s2).not.toEqual([900, 900]);
    expect(p.s2![1]).toBeGreaterThan(p.s1![1]);
    store.getState().undo();
    expect(store.getState().doc!.ui!.positions!.s2).toEqual([900, 900]);
  });
});
