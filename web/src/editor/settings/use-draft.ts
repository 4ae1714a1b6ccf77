import { useState } from 'react';
import type { Parsed } from '../../forms/prop-value';
import type { JsonValue } from '../../flow/types';

/**
 * Local text for an input whose text is not always a value yet (a number being typed, JSON with
 * a missing bracket): the text is the user's, each parsable text is committed, an unparsable one
 * shows `error`; when the document's value changes from elsewhere (undo), the text follows it.
 */
export function useDraft(
  value: JsonValue | undefined,
  format: (v: JsonValue | undefined) => string,
  parse: (text: string) => Parsed,
  commit: (v: JsonValue | undefined) => void,
) {
  const key = JSON.stringify(value ?? null);
  const [text, setText] = useState(() => format(value));
  const [error, setError] = useState<string | null>(null);
  const [seen, setSeen] = useState(key);
  if (seen !== key) {
    // Changed elsewhere (undo, redo, another field): adopt it (React's derived-state pattern).
    setSeen(key);
    setText(format(value));
    setError(null);
  }
  const change = (next: string) => {
    setText(next);
    const parsed = parse(next);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    setError(null);
    setSeen(JSON.stringify(parsed.value ?? null));
    commit(parsed.value);
  };
  return { text, error, change };
}
