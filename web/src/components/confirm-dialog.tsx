import { useEffect, useRef } from 'react';

/**
 * A modal confirmation on the native `<dialog>`: focus is trapped and returned, Escape cancels. The
 * confirm button is focused only for harmless actions, so Enter never deletes by accident.
 */
export function ConfirmDialog({
  title,
  message,
  confirmLabel,
  danger = false,
  onConfirm,
  onCancel,
}: {
  title: string;
  message: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="confirm-title"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id="confirm-title">{title}</h2>
      <p>{message}</p>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onCancel} autoFocus={danger}>
          Cancel
        </button>
        <button type="button" className={danger ? 'button danger' : 'button primary'} onClick={onConfirm} autoFocus={!danger}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
