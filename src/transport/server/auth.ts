// Optional shared-token auth. Accepted carriers: `Authorization: Bearer T` (what the openai client
// sends), `?token=T` (what a browser page can do), and the `openai-insecure-api-key.T` subprotocol
// (what browser realtime clients use, since browsers cannot set headers on a WebSocket).
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function presentedTokens(req: IncomingMessage, url: URL): string[] {
  const out: string[] = [];
  const auth = req.headers.authorization;
  if (auth && /^Bearer\s+/i.test(auth)) out.push(auth.replace(/^Bearer\s+/i, '').trim());
  const q = url.searchParams.get('token');
  if (q) out.push(q);
  const protos = String(req.headers['sec-websocket-protocol'] ?? '');
  for (const p of protos.split(',').map((s) => s.trim())) {
    if (p.startsWith('openai-insecure-api-key.')) out.push(p.slice('openai-insecure-api-key.'.length));
  }
  return out;
}

/** True when no token is configured, or when any presented token matches (constant-time compare). */
export function isAuthorized(expected: string | undefined, req: IncomingMessage, url: URL): boolean {
  if (!expected) return true;
  const want = Buffer.from(expected);
  return presentedTokens(req, url).some((t) => {
    const got = Buffer.from(t);
    return got.length === want.length && timingSafeEqual(got, want);
  });
}
