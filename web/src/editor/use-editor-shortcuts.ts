import { useEffect } from 'react';
import { deleteStep } from '../flow/edit';
import { useEditorStore } from '../store/editor-store';

/** Whether a key press belongs to a text field (which has its own undo and Delete). */
function inTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT';
}

/**
 * The editor's keyboard shortcuts: Ctrl/Cmd+Z undo, Ctrl/Cmd+Shift+Z or Ctrl+Y redo, Ctrl/Cmd+S
 * save, Delete/Backspace delete the selected step. Not while typing in a field, nor while a dialog
 * (the picker, a confirmation) is open.
 */
export function useEditorShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const store = useEditorStore.getState();
      if (store.picker || document.querySelector('dialog[open]')) return;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === 's') {
        e.preventDefault();
        void store.save();
        return;
      }
      if (inTextField(e.target)) return;
      if (mod && key === 'z') {
        e.preventDefault();
        if (e.shiftKey) store.redo();
        else store.undo();
      } else if (mod && key === 'y') {
        e.preventDefault();
        store.redo();
      } else if ((e.key === 'Delete' || e.key === 'Backspace') && store.selection && store.doc) {
        const id = store.selection;
        if (id === store.doc.trigger.id) return;
        e.preventDefault();
        store.apply((d) => deleteStep(d, id));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
