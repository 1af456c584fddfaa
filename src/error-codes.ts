// Every error code SoundFlow emits (in `error` events, SoundFlowError.code and CLI messages), as one
// closed union. Add a code here, in its group, and document it in docs/protocol.md (the two lists are
// compared by test/error-codes.test.ts). Never rename one: clients match on them; retire a code by
// mapping it in LEGACY_ERROR_CODES.

/** Remote back ends reached over HTTP (src/clients): their failures share one set of suffixes. */
export type RemoteKind = 'llm' | 'asr' | 'aim';
export type RemoteFailure = 'timeout' | 'connection' | 'rate_limited' | 'unauthorized' | 'server_error' | 'bad_request' | 'bad_response';

export const ERROR_CODES = [
  // Arguments, options and input given by the caller (library, CLI or protocol client).
  'invalid_argument', // an option, flag or configuration value is out of range or unknown
  'invalid_input', // a value handed to a function is unusable (wrong type, too long, empty where text is needed)
  'invalid_audio', // samples or encoded audio are unusable (bad PCM, NaN, wrong size, undecodable by ffmpeg)
  'invalid_wav', // a WAV file or stream is broken or truncated
  'empty_audio', // the input decodes to no samples
  'odd_byte_count', // raw PCM16 ended in half a sample (reported, the byte dropped; the run goes on)
  'not_found', // a named file does not exist
  'input_unreadable',
  'undecodable',
  'missing_dependency', // a Debian package is not installed (message names it)
  'aborted', // the caller cancelled
  'not_implemented',
  // Sessions and engines.
  'session_closed',
  'session_ended',
  'engine_busy',
  'instruction_failed',
  'decision_failed',
  'write_failed',
  'writer_closed', // a WAV writer was used after close()
  'response_failed', // a reply's producer failed (the session goes on)
  'session_failed', // the session cannot go on
  'session_create_failed',
  'engine_error',
  // Perception: ASR, VAD, features, sound model.
  'asr_failed',
  'asr_init_failed',
  'asr_state',
  'asr_closed',
  'asr_bad_grammar',
  'asr_bad_input',
  'asr_unavailable',
  'asr_endpoint_failed',
  'model_missing',
  'model_invalid',
  'model_load_failed',
  'invalid_features',
  'features_size',
  // Instructions (refusals carry their own codes in task events; these are the thrown ones).
  'unknown_sound',
  'unsupported_language',
  // Response: LLM, translation, TTS.
  'llm_failed',
  'llm_stream_error',
  'translation_unavailable',
  'translation_failed',
  'translation_closed',
  'translation_timeout',
  'tts_failed',
  'unknown_voice',
  // Served Audio-Interaction model (engine "aim-served").
  'aim_stream_dropped',
  'aim_unreachable',
  // Native WebSocket protocol (docs/protocol.md).
  'invalid_json',
  'unknown_message_type',
  'invalid_message',
  'session_already_started',
  'rate_limited',
  'idle_timeout',
  'max_duration',
  'listen_failed',
  'server_error',
  'no_active_response', // cancel with no reply in progress
  'unknown_response', // cancel/truncate naming a reply this session does not have (in progress)
  // Limits and server state, both protocols.
  'message_too_large', // over the frame limit (close 1009) or the JSON text limit (dropped)
  'message_too_deep', // JSON nested past the depth limit (dropped before parsing)
  'message_too_complex', // JSON with more values than the limit (dropped before parsing)
  'server_full', // session limit reached (close 1013)
  'server_draining', // the server is restarting (close 1013)
  // OpenAI Realtime subset (docs/protocol.md).
  'invalid_event_type',
  'unsupported_event',
  'invalid_value',
  'invalid_event',
  'unsupported_audio_format',
  'unsupported_turn_detection', // retired: manual turns are supported
  'unsupported_item',
  'unsupported_session_type',
  'invalid_voice',
  'session_locked',
  'response_cancel_not_active',
  'item_truncate_invalid_item_id',
  'item_retrieve_invalid_item_id',
  'item_delete_invalid_item_id',
  'item_already_exists',
  'previous_item_not_found',
  'unknown_parameter', // a field OpenAI does not define (param names it)
  'unsupported_parameter', // an OpenAI feature SoundFlow does not implement (param names it)
  'unsupported_content',
  'input_audio_buffer_commit_empty',
  'input_audio_buffer_full',
  'conversation_already_has_active_response',
  'transcription_failed',
  'unsupported_engine', // the engine cannot produce requested replies (no Session.respond)
  'tls_setup_failed',
  // Framework: corpus, data builder, training, evaluation.
  'corpus_missing',
  'corpus_invalid',
  'corpus_incomplete',
  'download_failed',
  'extract_failed',
  'recipe_missing',
  'recipe_invalid',
  'export_mismatch',
  'noise_missing',
  'noise_empty',
  'noise_too_short',
  'noise_changed',
  'turn_changed',
  'silent', // a corpus file has no signal (it is skipped)
  'audio_missing',
  'audio_corrupt',
  'plan_unaligned',
  'seed_mismatch',
  'train_data_small',
  'dump_failed',
  'eval_data_missing',
  'eval_data_invalid',
  'eval_data_ambiguous',
  'eval_label_mismatch',
  'eval_session_failed',
  'bleu_length_mismatch',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number] | `${RemoteKind}_${RemoteFailure}`;

/** Codes used before the codes were merged, and what they mean now (accepted wherever a code is read). */
export const LEGACY_ERROR_CODES: Readonly<Record<string, ErrorCode>> = Object.freeze({
  bad_args: 'invalid_argument',
  bad_argument: 'invalid_argument',
  bad_option: 'invalid_argument',
  bad_config: 'invalid_argument',
  bad_seed: 'invalid_argument',
  usage: 'invalid_argument',
  bad_input: 'invalid_input',
  bad_audio: 'invalid_audio',
  bad_pcm: 'invalid_audio',
  bad_wav: 'invalid_wav',
});

const KNOWN = new Set<string>(ERROR_CODES);
const REMOTE = /^(llm|asr|aim)_(timeout|connection|rate_limited|unauthorized|server_error|bad_request|bad_response)$/;

export function isErrorCode(x: string): x is ErrorCode {
  return KNOWN.has(x) || REMOTE.test(x);
}

/** A code from outside (a legacy name, a remote engine's own string) as one of ours. */
export function toErrorCode(x: string, otherwise: ErrorCode): ErrorCode {
  return isErrorCode(x) ? x : (LEGACY_ERROR_CODES[x] ?? otherwise);
}
