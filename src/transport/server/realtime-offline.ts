// What an explicitly requested response says when no LLM endpoint is configured. `response.create`
// with instructions such as `Say "hello there"` or "Tell the user the meeting moved" is spoken as
// asked; other instructions are answered like a typed question (offline skills, or "I can't answer
// that offline"). Session instructions never come here: without an LLM they are only kept and reported.

/** The words to say when the instruction is a request to say something, else null. */
export function sayFromInstructions(instructions: string): string | null {
  const t = instructions.trim().replace(/\s+/g, ' ');
  const quoted = /^(?:please )?(?:say|speak|read(?: out)?|tell (?:the user|them|him|her)|reply(?: with)?|respond(?: with)?|answer(?: with)?)\b[^"“']*["“']([^"”']+)["”']/i.exec(t);
  if (quoted) return finish(quoted[1]);
  if (/^(?:please )?(?:greet|welcome)\b/i.test(t)) return 'Hello! How can I help?';
  const m = /^(?:please )?(?:say|tell (?:the user|them)(?: that)?|let the user know(?: that)?)\s+(.+?)(?:\s+to (?:the user|them|him|her))?[.!]?$/i.exec(t);
  if (!m) return null;
  const what = m[1].replace(/^(?:to the user|that)\s+/i, '').trim();
  if (!what) return null;
  // "say hello (to the user)" → "Hello."
  return finish(what);
}

function finish(text: string): string {
  const s = text.trim();
  const capital = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
