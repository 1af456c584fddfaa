// Server-Sent Events from a byte stream: "data:" lines (joined by "\n" when an event has several),
// "event:" names, ":" comments ignored, an event ends at a blank line; LF, CRLF and CR all end lines.

export interface SseEvent {
  event: string;
  data: string;
}

export async function* parseSse(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buf = '';
  let data: string[] = [];
  let event = '';
  const line = function* (l: string): Generator<SseEvent> {
    if (l === '') {
      if (data.length) yield { event: event || 'message', data: data.join('\n') };
      data = [];
      event = '';
      return;
    }
    if (l.startsWith(':')) return;
    const colon = l.indexOf(':');
    const field = colon < 0 ? l : l.slice(0, colon);
    let value = colon < 0 ? '' : l.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
  };
  for await (const chunk of chunks) {
    buf += decoder.decode(chunk, { stream: true });
    let m: RegExpExecArray | null;
    // A trailing "\r" may be half of "\r\n": keep it until the next chunk decides.
    const re = /\r\n|\n|\r(?!$)/g;
    let start = 0;
    while ((m = re.exec(buf))) {
      yield* line(buf.slice(start, m.index));
      start = m.index + m[0].length;
    }
    buf = buf.slice(start);
  }
  buf += decoder.decode();
  if (buf) yield* line(buf.replace(/\r$/, ''));
  // A final event without its blank line is incomplete: the stream was cut; drop it.
}
