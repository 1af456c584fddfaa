// The ErrorCode union and docs/protocol.md list the same codes, and legacy names map onto current ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES, LEGACY_ERROR_CODES, isErrorCode, toErrorCode } from '../src/error-codes.ts';

const doc = readFileSync(new URL('../docs/protocol.md', import.meta.url), 'utf8');
const section = doc.slice(doc.indexOf('## Error codes'));

test('every error code is documented in docs/protocol.md, and nothing else is listed there', () => {
  assert.ok(section.length > 100, 'docs/protocol.md has an "## Error codes" section');
  const missing = ERROR_CODES.filter((c) => !section.includes(`\`${c}\``));
  assert.deepEqual(missing, []);
  const table = section.slice(section.indexOf('| Group'));
  const listed = [...table.matchAll(/`([a-z0-9_]+)`/g)].map((m) => m[1]);
  const remoteParts = new Set(['llm', 'asr', 'aim', 'timeout', 'connection', 'rate_limited', 'unauthorized', 'server_error', 'bad_request', 'bad_response']);
  const unknown = listed.filter((c) => !isErrorCode(c) && !remoteParts.has(c) && !(c in LEGACY_ERROR_CODES));
  assert.deepEqual(unknown, []);
});

test('codes are unique and legacy names map to current codes', () => {
  assert.equal(new Set(ERROR_CODES).size, ERROR_CODES.length);
  for (const [old, now] of Object.entries(LEGACY_ERROR_CODES)) {
    assert.ok(!isErrorCode(old), `${old} is legacy, not current`);
    assert.ok(isErrorCode(now));
    assert.equal(toErrorCode(old, 'engine_error'), now);
  }
  assert.equal(toErrorCode('llm_timeout', 'engine_error'), 'llm_timeout');
  assert.equal(toErrorCode('something_else', 'engine_error'), 'engine_error');
});
