// The music styles the style classifier names, and how a reply says each one. The renderings that
// teach them (which MMA grooves play each style) are src/soundflow/music/styles.ts.

export const MUSIC_STYLES = ['jazz', 'rock', 'blues', 'latin', 'waltz', 'country', 'pop', 'classical'] as const;
export type MusicStyle = (typeof MUSIC_STYLES)[number];

/** "It sounds like latin music", "It might be a waltz". */
export const STYLE_SPOKEN: Readonly<Record<MusicStyle, string>> = Object.freeze({
  jazz: 'jazz', rock: 'rock', blues: 'blues', latin: 'latin music', waltz: 'a waltz', country: 'country', pop: 'pop', classical: 'classical music',
});

export function spokenStyle(style: string): string {
  return (STYLE_SPOKEN as Record<string, string>)[style] ?? style;
}
