// The request target of an HTTP request or upgrade, parsed without throwing. Node hands us whatever
// the client wrote after the method (`//`, `http://[`, `*`, bytes that are not a URL at all); `new URL`
// throws on many of them, and an exception on the upgrade path used to take the whole process down.
/** The parsed target, or null when it is not a usable origin-form or absolute-form target (answer 400). */
export function parseTarget(raw: string | undefined): URL | null {
  const s = raw ?? '/';
  if (s.length > 8192) return null;
  try {
    // Origin form: always relative to a fixed base, so `//host` stays a path and cannot name a host.
    if (s.startsWith('/')) return new URL(`http://localhost${s}`);
    // Absolute form (what a proxy may send): only http(s)/ws(s) URLs.
    if (/^(https?|wss?):\/\//i.test(s)) return new URL(s);
  } catch {
    // fall through: not a URL we can route
  }
  return null;
}
