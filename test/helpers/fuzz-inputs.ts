// Generators (fast-check) of hostile input for every path into the server: raw HTTP request lines,
// header blocks, WebSocket upgrades, and messages of both protocols. Shared by the fuzz test (small
// count, every run) and its opt-in long run (SF_FUZZ_RUNS).
import fc from 'fast-check';

const PATHS = ['/', '//', '/ws', '/v1/realtime', '/realtime', '/healthz', '/readyz', '/metrics', '/app.js', '/..%2f', '/%', '/?token='];
const WEIRD = ['[', ']', '@', ':', '%', '%zz', '\\', '#', '?', '//', '..', '\u0000', '\u00ff', '\ud800', ' ', '\t', '*', 'http://[', 'http://', 'ws://a', 'javascript:'];

/** Request targets: real routes with junk spliced in, absolute forms, and arbitrary text. */
export const target = fc.oneof(
  fc.constantFrom(...PATHS, ...WEIRD, 'http://[', '//', '*', 'http://127.0.0.1:1/ws', 'http://[::1'),
  fc.tuple(fc.constantFrom(...PATHS), fc.array(fc.constantFrom(...WEIRD), { maxLength: 4 }), fc.string({ maxLength: 20 })).map(([p, w, s]) => p + w.join('') + s),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

const method = fc.oneof(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'OPTIONS', 'CONNECT', 'DELETE', 'PRI'), fc.string({ minLength: 1, maxLength: 8 }));
const version = fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9', '', 'HTTP/1.1 extra');

const headerName = fc.oneof(
  fc.constantFrom('host', 'origin', 'authorization', 'sec-websocket-protocol', 'sec-websocket-key', 'sec-websocket-version', 'upgrade', 'connection', 'content-length', 'transfer-encoding', 'openai-beta', 'x-forwarded-for'),
  fc.string({ minLength: 1, maxLength: 16 }),
);
const headerValue = fc.oneof(
  fc.constantFrom('websocket', 'Upgrade', '13', '8', 'realtime, soundflow.v1', 'openai-insecure-api-key.x', 'Bearer x', 'http://evil.example', 'null', '-1', '99999999999999999999', 'chunked', ''),
  fc.string({ unit: 'binary', maxLength: 80 }),
);
const headers = fc.array(fc.tuple(headerName, headerValue), { maxLength: 8 });

/** A whole request as raw bytes: request line, header block (CR/LF injection included), maybe a body. */
export const rawRequest = fc
  .tuple(method, target, version, headers, fc.boolean(), fc.string({ unit: 'binary', maxLength: 40 }))
  .map(([m, t, v, hs, upgrade, body]) => {
    const lines = [`${m} ${t} ${v}`.trimEnd(), 'Host: 127.0.0.1'];
    if (upgrade) lines.push('Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==');
    for (const [k, val] of hs) lines.push(`${k}: ${val}`);
    return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1');
  });

/** Valid-looking WebSocket upgrades with hostile details (path, query, protocols, origin, token). */
export const upgrade = fc.record({
  path: fc.tuple(fc.constantFrom('/ws', '/v1/realtime', '/realtime', '//ws', '/ws/', '/WS'), fc.string({ maxLength: 30 })).map(([p, q]) => (q ? `${p}?${q}` : p)),
  protocols: fc.array(fc.oneof(fc.constantFrom('realtime', 'soundflow.v1', 'openai-insecure-api-key.', 'openai-beta.realtime-v1', ''), fc.string({ maxLength: 20 })), { maxLength: 4 }),
  origin: fc.option(fc.oneof(fc.constantFrom('null', 'http://127.0.0.1', 'https://evil.example', 'http://[', 'file://'), fc.string({ maxLength: 30 })), { nil: undefined }),
  key: fc.oneof(fc.constant('dGhlIHNhbXBsZSBub25jZQ=='), fc.string({ maxLength: 30 })),
  version: fc.constantFrom('13', '8', '', 'x'),
  auth: fc.option(fc.string({ maxLength: 30 }), { nil: undefined }),
});

const NATIVE_TYPES = ['session.update', 'instruction', 'audio', 'cancel', 'truncate', 'end', 'no.such'];
const REALTIME_TYPES = [
  'session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', 'input_audio_buffer.clear', 'conversation.item.create',
  'response.create', 'response.cancel', 'conversation.item.truncate', 'conversation.item.delete', 'nope',
];

/** A JSON-ish value with hostile spots: deep nesting, huge numbers, odd strings, base64-ish text. */
const value: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom(null, true, -1, 1e308, -0, '', 'AA==', 'A', '////', '\u0000', 'en-us+f3', 'xx+yy', 'espeak:en-us', 'alloy', 'server_vad', 'soundflow'),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('base64')),
);

function message(types: string[]): fc.Arbitrary<string | Uint8Array> {
  const structured = fc
    .record({
      type: fc.oneof(fc.constantFrom(...types), fc.string({ maxLength: 12 })),
      fields: fc.dictionary(
        fc.constantFrom('options', 'text', 'pcm', 'id', 'playedMs', 'audio', 'session', 'item', 'response', 'response_id', 'item_id', 'content_index', 'audio_end_ms', 'event_id', '__proto__', 'constructor'),
        value,
        { maxKeys: 4 },
      ),
    })
    .map(({ type, fields }) => JSON.stringify({ ...fields, type }));
  return fc.oneof(
    { weight: 5, arbitrary: structured },
    { weight: 2, arbitrary: fc.json({ maxDepth: 6 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 5000 }).map((n) => '['.repeat(n)) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 20000 }).map((n) => `[${'0,'.repeat(n)}0]`) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 3201 }) },
  );
}

export const nativeMessage = message(NATIVE_TYPES);
export const realtimeMessage = message(REALTIME_TYPES);
