// Spoken arithmetic: "what is 7 times 8", "12 plus 30 minus 2", "divide 10 by 4", "square root of 81".
// Input words are already digit-normalised; the answer reads back the operands as heard.

type Op = '+' | '-' | '*' | '/';
const OPS: [RegExp, Op][] = [
  [/^(?:plus|add|and|\+)$/, '+'],
  [/^(?:minus|less|-)$/, '-'],
  [/^(?:times|x|\*|multiplied)$/, '*'],
  [/^(?:divided|over|\/)$/, '/'],
];
const OP_WORD: Record<Op, string> = { '+': 'plus', '-': 'minus', '*': 'times', '/': 'divided by' };

export interface ArithmeticResult {
  /** "7 times 8" */
  expression: string;
  value: number;
  /** "7 times 8 is 56." */
  text: string;
}

function fmt(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(Math.round(v * 100) / 100);
}

function opOf(w: string): Op | undefined {
  return OPS.find(([re]) => re.test(w))?.[1];
}

function evaluate(nums: number[], ops: Op[]): number {
  // Two passes for precedence: * and / first, then + and -.
  const n = [nums[0]];
  const o: Op[] = [];
  ops.forEach((op, i) => {
    const b = nums[i + 1];
    if (op === '*') n[n.length - 1] *= b;
    else if (op === '/') n[n.length - 1] /= b;
    else {
      n.push(b);
      o.push(op);
    }
  });
  return o.reduce((acc, op, i) => (op === '+' ? acc + n[i + 1] : acc - n[i + 1]), n[0]);
}

function result(nums: number[], ops: Op[]): ArithmeticResult {
  const expression = nums.map((v, i) => (i === 0 ? fmt(v) : `${OP_WORD[ops[i - 1]]} ${fmt(v)}`)).join(' ');
  if (ops.some((op, i) => op === '/' && nums[i + 1] === 0)) return { expression, value: NaN, text: "You can't divide by zero." };
  const value = evaluate(nums, ops);
  return { expression, value, text: `${expression} is ${fmt(value)}.` };
}

const isNum = (w: string | undefined) => w !== undefined && /^\d+(?:\.\d+)?$/.test(w);

/** Solves the arithmetic in an utterance, or null when there is none. */
export function solveArithmetic(words: readonly string[]): ArithmeticResult | null {
  const t = words.join(' ');
  let m = t.match(/\b(?:square root of) (\d+(?:\.\d+)?)\b/);
  if (m) {
    const v = Math.sqrt(Number(m[1]));
    return { expression: `the square root of ${m[1]}`, value: v, text: `The square root of ${m[1]} is ${fmt(v)}.` };
  }
  m = t.match(/\b(\d+(?:\.\d+)?) (squared|cubed)\b/);
  if (m) {
    const v = Number(m[1]) ** (m[2] === 'squared' ? 2 : 3);
    return { expression: `${m[1]} ${m[2]}`, value: v, text: `${m[1]} ${m[2]} is ${fmt(v)}.` };
  }
  m = t.match(/\b(add|subtract|take|multiply|divide) (\d+(?:\.\d+)?) (?:and|to|from|by|away from|into) (\d+(?:\.\d+)?)\b/);
  if (m) {
    const a = Number(m[2]);
    const b = Number(m[3]);
    if (m[1] === 'add') return result([a, b], ['+']);
    if (m[1] === 'subtract' || m[1] === 'take') return result([b, a], ['-']);
    if (m[1] === 'multiply') return result([a, b], ['*']);
    return result([a, b], ['/']);
  }
  m = t.match(/\b(\d+(?:\.\d+)?) percent of (\d+(?:\.\d+)?)\b/);
  if (m) {
    const v = (Number(m[1]) * Number(m[2])) / 100;
    return { expression: `${m[1]} percent of ${m[2]}`, value: v, text: `${m[1]} percent of ${m[2]} is ${fmt(v)}.` };
  }
  // Infix chain: number (op number)+, skipping "by" after multiplied/divided.
  for (let i = 0; i < words.length; i++) {
    if (!isNum(words[i])) continue;
    const nums = [Number(words[i])];
    const ops: Op[] = [];
    let usedAnd = false;
    let j = i + 1;
    while (j < words.length) {
      const op = opOf(words[j]);
      if (!op) break;
      let k = j + 1;
      if (words[k] === 'by') k++;
      if (!isNum(words[k])) break;
      usedAnd ||= words[j] === 'and';
      ops.push(op);
      nums.push(Number(words[k]));
      j = k + 1;
    }
    if (!ops.length) continue;
    // "3 and 4" is a sum only when the utterance asks for one ("what is 3 and 4", "add 3 and 4").
    if (usedAnd && !/\b(?:what is|whats|how much|sum|total|add|plus)\b/.test(t)) continue;
    return result(nums, ops);
  }
  return null;
}
