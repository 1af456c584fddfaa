// The public API of the `soundflow` package: `import { createEngine } from 'soundflow'`.
// An engine makes sessions; a session takes 16 kHz mono audio (`push`) and typed instructions, and is an
// async iterable of the event union below. The server and the audio helpers are here for embedding too.

export { createEngine, ENGINE_NAMES, type EngineName, type EngineConfig } from './engine/registry.ts';
export type { Engine, Session, ReplyRequest } from './engine/types.ts';
export { DEFAULT_OPTIONS, resolveOptions, type SessionOptions, DEFAULT_ENGINE_OPTIONS, type EngineOptions } from './engine/options.ts';
export * from './events.ts';
export { SoundFlowError, MissingDependencyError } from './util/errors.ts';

export { startServer, type ServeOptions, type SoundFlowServer } from './transport/server/server.ts';
export { DEFAULT_LIMITS, type ServerConfig, type ServerLimits } from './transport/server/config.ts';
export { ensureDevCert, defaultCertDir, type DevCert } from './transport/server/dev-cert.ts';

export { decodeFile, decodeStream, type DecodeOptions } from './audio/decode.ts';
export { encodeWav, parseWav, readWavFile, type WavAudio } from './audio/wav.ts';
export { floatToPcm16, pcm16ToFloat } from './audio/pcm.ts';
export { Resampler } from './audio/resample.ts';

// Process-wide: how often the C heap's freed recogniser pages go back to the OS (ms, null: never).
export { setNativeHeapTrim } from './perception/asr/native-heap.ts';
export { startSpawnHelper, useSpawnHelper } from './util/spawner.ts';
