// The cepstral mean a session's first utterance is decoded live with, before the session has an estimate
// of its own: the average own mean of the project's tuning voices and phrases (recipe:
// scripts/fit-cmn-prior.ts; measured against the model's -cmninit in docs/notes/asr.md).
export const CMN_PRIOR: Float32Array = Float32Array.from([53.8, 3.29, -0.25, 14.96, -9.84, 0.78, -1.5, -8.16, -1.92, -3.65, 3.6, -1.35, -0.01]);
