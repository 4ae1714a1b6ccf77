import { useState } from 'react';
import { PublishDialog } from './publish-dialog';

/** The editor header's "Versions & URLs": opens the publish dialog. */
export function PublishButton({ disabled }: { disabled?: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="button" onClick={() => setOpen(true)} disabled={disabled} aria-haspopup="dialog">
        Versions &amp; URLs
      </button>
      {open && <PublishDialog onClose={() => setOpen(false)} />}
    </>
  );
}
