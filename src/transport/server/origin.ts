// Which web pages may open sessions. Browsers send `Origin` on every WebSocket handshake and let any
// page connect anywhere, so without this check any site a user visits could talk to a server on their
// machine. Default: the server's own page (same host) and clients that send no Origin (native apps,
// the CLI, the openai SDK); `--allow-origin` adds origins, `*` allows every one.
import type { IncomingMessage } from 'node:http';

export type OriginPolicy = (req: IncomingMessage) => boolean;

/** Normalises an allow-list entry (`https://app.example.com/`, `*`, `null`) to what browsers send. */
function normalise(entry: string): string {
  const e = entry.trim();
  if (e === '*' || e === 'null') return e;
  try {
    return new URL(e).origin.toLowerCase();
  } catch {
    throw new RangeError(`--allow-origin: ${JSON.stringify(entry)} is not an origin such as https://app.example.com`);
  }
}

export function originPolicy(allow: readonly string[] = []): OriginPolicy {
  const allowed = new Set(allow.map(normalise));
  if (allowed.has('*')) return () => true;
  return (req) => {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    if (allowed.has(origin.toLowerCase())) return true;
    return sameHost(origin, req.headers.host);
  };
}

function sameHost(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    const u = new URL(origin);
    if (!/^https?:$/.test(u.protocol)) return false;
    return u.host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}
