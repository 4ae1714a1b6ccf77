import { useEffect, useRef, useState } from 'react';

/**
 * Moves a flow to a folder: type a new folder's name or pick an existing one; empty takes the flow
 * out of any folder. A modal on the native `<dialog>` (focus trapped and returned, Escape cancels).
 */
export function MoveFolderDialog({
  flowName,
  current,
  folders,
  onMove,
  onCancel,
}: {
  flowName: string;
  current: string | null;
  folders: string[];
  onMove: (folder: string) => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [folder, setFolder] = useState(current ?? '');
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="move-title"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          onMove(folder.trim());
        }}
      >
        <h2 id="move-title">Move “{flowName}”</h2>
        <label className="field">
          <span>Folder</span>
          <input
            list="move-folders"
            value={folder}
            onChange={(e) => setFolder(e.target.value)}
            autoFocus
            placeholder="No folder"
            aria-describedby="move-folder-help"
          />
        </label>
        <datalist id="move-folders">
          {folders.map((f) => (
            <option key={f} value={f} />
          ))}
        </datalist>
        <p id="move-folder-help" className="muted">
          Pick a folder or type a new name; leave it empty for no folder.
        </p>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="button primary">
            Move
          </button>
        </div>
      </form>
    </dialog>
  );
}
