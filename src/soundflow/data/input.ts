// Reads the builder's input JSONL in the three shapes the reference and StreamAudio-2M use, into one
// normalised sequence type. A bad line becomes a skip with a reason, never an exception for the run.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { EMOTIONS, TASK_KINDS, type Emotion, type TaskKind } from '../../events.ts';
import { SoundFlowError } from '../../util/errors.ts';

/** The reference's marker for a turn that must get no reply. */
export const NO_RESPONSE = '<no need to response>';

export interface InputTurn {
  audioPath: string;
  /** Reply text, or null for a no-response turn. */
  assistant: string | null;
  emotion?: Emotion;
  task?: TaskKind;
  /** What the user said or what the sound is (StreamAudio `user`), when given. */
  user?: string;
  sceneType?: string;
  /** Mid-utterance pauses [start, end] in seconds inside this turn's clip (our extension; eval scores replies in them). */
  pauses?: [number, number][];
}

export interface InputSequence {
  /** 1-based line number in the input file. */
  line: number;
  /** Stable, file-name-safe id (from the row's `id`, else `seq-<line>`). */
  id: string;
  sceneType?: string;
  turns: InputTurn[];
}

export type ParsedLine = { ok: true; seq: InputSequence } | { ok: false; line: number; reason: string };

const SCENE_TASKS: [RegExp, TaskKind][] = [
  [/asr|transcri/i, 'transcribe'],
  [/translat/i, 'translate'],
  [/count/i, 'count'],
];

function str(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined;
}

function safeId(raw: string): string {
  return raw.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 120);
}

function parseTurn(t: Record<string, unknown>, baseDir: string, where: string, sceneType?: string): InputTurn {
  const path = str(t.audio_path) ?? str(t.merge_path);
  if (!path) throw new Error(`${where}: missing "audio_path"`);
  const assistantRaw = t.assistant;
  if (typeof assistantRaw !== 'string') throw new Error(`${where}: "assistant" must be a string`);
  const silent = assistantRaw.trim() === NO_RESPONSE || assistantRaw.trim() === '';
  let emotion: Emotion | undefined;
  if (t.emotion !== undefined && t.emotion !== null && t.emotion !== '') {
    const e = String(t.emotion).toLowerCase();
    if (!(EMOTIONS as readonly string[]).includes(e)) throw new Error(`${where}: unknown emotion "${t.emotion}" (expected ${EMOTIONS.join('|')})`);
    emotion = e as Emotion;
  }
  let task: TaskKind | undefined;
  if (t.task !== undefined) {
    if (!(TASK_KINDS as readonly string[]).includes(String(t.task))) throw new Error(`${where}: unknown task "${t.task}"`);
    task = t.task as TaskKind;
  } else {
    const st = str(t.scene_type) ?? sceneType;
    task = st ? SCENE_TASKS.find(([re]) => re.test(st))?.[1] : undefined;
  }
  let pauses: [number, number][] | undefined;
  if (t.pauses !== undefined) {
    if (!Array.isArray(t.pauses) || !t.pauses.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number' && v >= 0) && p[1] > p[0])) {
      throw new Error(`${where}: "pauses" must be [[start, end], ...] in seconds`);
    }
    pauses = t.pauses as [number, number][];
  }
  return {
    audioPath: isAbsolute(path) ? path : resolve(baseDir, path),
    assistant: silent ? null : assistantRaw,
    emotion: silent ? undefined : emotion ?? 'normal',
    task: silent ? undefined : task,
    user: str(t.user),
    sceneType: str(t.scene_type) ?? sceneType,
    pauses,
  };
}

/** Parses one JSONL line. Relative audio paths resolve against the input file's directory. */
export function parseLine(text: string, line: number, baseDir: string): ParsedLine {
  let row: unknown;
  try {
    row = JSON.parse(text);
  } catch (err) {
    return { ok: false, line, reason: `invalid JSON (${(err as Error).message})` };
  }
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return { ok: false, line, reason: 'not a JSON object' };
  const r = row as Record<string, unknown>;
  const sceneType = str(r.stream_scene_type);
  const id = safeId(str(r.id) ?? '') || `seq-${String(line).padStart(6, '0')}`;
  try {
    let raw: Record<string, unknown>[];
    if (Array.isArray(r.turns)) raw = r.turns as Record<string, unknown>[];
    else if (Array.isArray(r.conversation)) raw = r.conversation as Record<string, unknown>[];
    else if (typeof r.merge_path === 'string' || typeof r.audio_path === 'string') raw = [r];
    else return { ok: false, line, reason: 'no "conversation", "turns" or "merge_path"/"audio_path"' };
    if (raw.length === 0) return { ok: false, line, reason: 'no turns' };
    const turns = raw.map((t, i) => {
      if (typeof t !== 'object' || t === null) throw new Error(`turn ${i}: not an object`);
      return parseTurn(t, baseDir, `turn ${i}`, sceneType);
    });
    return { ok: true, seq: { line, id, sceneType, turns } };
  } catch (err) {
    return { ok: false, line, reason: (err as Error).message };
  }
}

/** Reads a whole input file; blank lines are ignored; duplicate ids get a line-number suffix. */
export function readInput(path: string, limit?: number): ParsedLine[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SoundFlowError('input_unreadable', `cannot read input ${path}: ${(err as Error).message}`);
  }
  const baseDir = dirname(resolve(path));
  const out: ParsedLine[] = [];
  const seen = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    if (limit !== undefined && out.length >= limit) break;
    const p = parseLine(lines[i], i + 1, baseDir);
    if (p.ok) {
      if (seen.has(p.seq.id)) p.seq.id = `${p.seq.id}-L${p.seq.line}`;
      seen.add(p.seq.id);
    }
    out.push(p);
  }
  return out;
}
