// How a sentence that is not finished yet ends ("what is the", "what is seven times"). Read by the
// decision rules (hold for a longer pause) and by perception (never end a turn early on such a reading).

/** Endings after which a speaker is very likely to go on. */
const UNFINISHED = new Set([
  'the', 'a', 'an', 'and', 'or', 'but', 'of', 'to', 'for', 'with', 'in', 'on', 'at', 'is', 'are', 'was',
  'my', 'your', 'what', "what's", 'how', 'why', 'when', 'where', 'which', 'who', 'if', 'because', 'so', 'than',
  'um', 'uh', 'like', 'into', 'from', 'about',
  // arithmetic left hanging: "what is three times ..."
  'times', 'plus', 'minus', 'divided', 'by', 'over', 'multiplied',
]);

export function soundsUnfinished(text: string): boolean {
  const words = text.toLowerCase().trim().split(/\s+/).filter(Boolean);
  return words.length > 0 && UNFINISHED.has(words[words.length - 1]);
}
