// Spoken transcripts have no punctuation, and Apertium reads "good morning i would like a coffee" as
// one clause: the pronoun after the greeting is left untranslated ("Buenos días I gustaría…"), while
// the typed "Good morning, I would like a coffee." translates cleanly. A comma after a leading
// greeting or discourse word restores the clause boundary.

const OPENERS = [
  'good morning', 'good afternoon', 'good evening', 'good night', 'good day', 'hello there', 'hello', 'hi there', 'hi', 'hey',
  'thank you very much', 'thank you', 'thanks a lot', 'thanks', 'excuse me', 'sorry', 'yes', 'yeah', 'no', 'okay', 'ok', 'well', 'oh', 'alright', 'all right',
];
const OPENER = new RegExp(`^(${OPENERS.join('|')})(?= [a-z])`, 'i');

/** "good morning i would like…" → "good morning, i would like…"; text already punctuated is unchanged. */
export function punctuateOpeners(text: string): string {
  let out = text;
  // Repeat for chains ("hello good morning i …"), at most three openers.
  let at = 0;
  for (let i = 0; i < 3; i++) {
    const m = out.slice(at).match(OPENER);
    if (!m) break;
    const end = at + m[0].length;
    out = `${out.slice(0, end)},${out.slice(end)}`;
    at = end + 2;
  }
  return out;
}
