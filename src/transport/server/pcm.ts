// Audio at the protocol edge. Decoding uses the shared helpers (src/audio/pcm.ts) but reports bad client
// audio as a recoverable `invalid_audio` error: a broken frame is the client's mistake, the session goes on.
import * as shared from '../../audio/pcm.ts';
import { SoundFlowError, errorMessage } from '../../util/errors.ts';

export { floatToPcm16, pcm16ToBase64, pcm16ToFloat } from '../../audio/pcm.ts';
export { Resampler } from '../../audio/resample.ts';

function edge<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new SoundFlowError('invalid_audio', errorMessage(err), { recoverable: true, cause: err });
  }
}

export function bytesToPcm16(buf: Uint8Array): Int16Array {
  return edge(() => shared.bytesToPcm16(buf));
}

export function base64ToPcm16(b64: string): Int16Array {
  return edge(() => shared.base64ToPcm16(b64));
}
