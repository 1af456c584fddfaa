// Optional shared-token auth. Accepted carriers: `Authorization: Bearer T` (what the openai client
// sends), `?token=T` (what a browser page can do), and the `openai-insecure-api-key.T` subprotocol
// (what browser realtime clients use, since browsers cannot set headers on a WebSocket).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const KEY_PROTOCOL = 'openai-insecure-api-key.';

function offeredProtocols(req: IncomingMessage): string[] {
  const raw = req.headers['sec-websocket-protocol'];
  const joined = Array.isArray(raw) ? raw.join(',') : String(raw ?? '');
  return joined.split(',').map((s) => s.trim()).filter(Boolean);
}

export function presentedTokens(req: IncomingMessage, searchParams: URLSearchParams): string[] {
  const out: string[] = [];
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^Bearer\s+/i.test(auth)) out.push(auth.replace(/^Bearer\s+/i, '').trim());
  for (const q of searchParams.getAll('token')) if (q) out.push(q);
  for (const p of offeredProtocols(req)) if (p.startsWith(KEY_PROTOCOL)) out.push(p.slice(KEY_PROTOCOL.length));
  return out.slice(0, 8);
}

/** Fixed-length digests, so the comparison takes the same time whatever the presented token's length. */
const digest = (s: string) => createHash('sha256').update(s).digest();

/** True when no token is configured, or when any presented token matches (constant-time compare). */
export function isAuthorized(expected: string | undefined, req: IncomingMessage, searchParams: URLSearchParams): boolean {
  if (!expected) return true;
  const want = digest(expected);
  let ok = false;
  for (const t of presentedTokens(req, searchParams)) ok = timingSafeEqual(digest(t), want) || ok;
  return ok;
}

/**
 * The subprotocol to echo. Ours when offered; a browser Realtime client that offers only
 * `openai-insecure-api-key.T` (and maybe `openai-beta.*`) must still get one of its own offers back or
 * the browser fails the handshake, so `realtime` is echoed when offered, else its first offer.
 */
export function selectProtocol(offered: Set<string>, ours: readonly string[]): string | false {
  for (const p of ours) if (offered.has(p)) return p;
  for (const p of offered) if (p.startsWith('openai-')) return p;
  return false;
}
