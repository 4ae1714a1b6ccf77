// Secrets the user chooses: a random value for platforms where Switchboard may pick it (Vapi's
// server URL secret, Famulor's and the generic schema's URL token), and the flow's webhook URL
// with the current token (the server computes it from the saved draft).

import type { PropMeta, TriggerMeta } from '../api/types';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A random secret of `length` letters and digits from `random` (crypto.getRandomValues). Bytes
 * at or above the largest multiple of 62 are drawn again, so every character is equally likely.
 */
export function generateSecret(
  length = 32,
  random: (bytes: Uint8Array<ArrayBuffer>) => Uint8Array = (b) => crypto.getRandomValues(b),
): string {
  const limit = 256 - (256 % ALPHABET.length);
  let out = '';
  while (out.length < length) {
    for (const byte of random(new Uint8Array(length * 2))) {
      if (byte < limit) out += ALPHABET[byte % ALPHABET.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/**
 * Whether the form offers "Generate" for this prop: a secret of a `call` trigger whose platform
 * lets the user choose it — the URL token (`url_token`), and Vapi's `secret`. Other platforms issue
 * their own secrets, which must be pasted.
 */
export function canGenerate(piece: string, trigger: Pick<TriggerMeta, 'name' | 'url_token'>, prop: Pick<PropMeta, 'name' | 'secret'>): boolean {
  if (piece !== 'call' || !prop.secret) return false;
  if (trigger.url_token && trigger.url_token === prop.name) return true;
  const platform = trigger.name.replace(/_tool$/, '');
  return platform === 'vapi' && prop.name === 'secret';
}

/**
 * The URL to paste into the platform: the server's (from the saved draft) with its `?token=`
 * replaced by the token in the editor's document, so it is right before saving too.
 */
export function platformUrl(serverUrl: string, urlTokenProp: string | undefined, token: unknown): string {
  if (!urlTokenProp) return serverUrl;
  const base = serverUrl.replace(/\?token=[^&#]*/, '');
  const t = typeof token === 'string' ? token.trim() : '';
  return t ? `${base}?token=${encodeURIComponent(t)}` : base;
}
