import { useState } from 'react';
import { generateSecret } from '../../forms/secret';
import { describedBy } from './field-shell';

/**
 * A secret the flow stores (a call platform's webhook secret): masked unless "Show" is on, with
 * "Generate" (a random 32-character value) where the user may choose it, and "Copy" to paste it
 * into the platform.
 */
export function SecretInput({
  id,
  value,
  onChange,
  placeholder,
  help,
  required,
  canGenerate,
}: {
  id: string;
  value: string;
  onChange: (text: string) => void;
  placeholder?: string;
  help?: string;
  required?: boolean;
  canGenerate?: boolean;
}) {
  const [shown, setShown] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('Copied.');
    } catch {
      setCopied('Copying is not allowed here: show the value and copy it by hand.');
    }
  };
  return (
    <>
      <div className="inline-row">
        <input
          id={id}
          type={shown ? 'text' : 'password'}
          value={value}
          placeholder={placeholder}
          autoComplete="off"
          spellCheck={false}
          aria-required={required || undefined}
          aria-describedby={describedBy(id, help, null)}
          onChange={(e) => onChange(e.target.value)}
        />
        <button type="button" className="button small" aria-pressed={shown} onClick={() => setShown(!shown)} aria-label={shown ? 'Hide the value' : 'Show the value'}>
          {shown ? 'Hide' : 'Show'}
        </button>
      </div>
      <div className="toolbar secret-actions">
        {canGenerate && (
          <button
            type="button"
            className="button small"
            onClick={() => {
              onChange(generateSecret(32));
              setShown(true);
              setCopied(null);
            }}
          >
            Generate
          </button>
        )}
        {value && (
          <button type="button" className="button small" onClick={() => void copy()}>
            Copy
          </button>
        )}
        <span className="muted small-text" role="status">
          {copied ?? ''}
        </span>
      </div>
    </>
  );
}
