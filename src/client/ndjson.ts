/** Newline-delimited JSON over web streams, so the client runs wherever `fetch` does. */

/** The non-empty lines of a UTF-8 byte stream, each as soon as its newline arrives. */
export async function* linesOf(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let pending = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      pending += done ? decoder.decode() : decoder.decode(value, { stream: true });
      const lines = pending.split('\n');
      pending = done ? '' : (lines.pop() ?? '');
      for (const line of lines) if (line.trim() !== '') yield line;
      if (done) return;
    }
  } finally {
    // A consumer that stops early (break, throw) must not leave the connection streaming.
    await reader.cancel().catch(() => {});
  }
}

/** One NDJSON body: a JSON value per line, no newline inside a value (JSON.stringify writes none). */
export function toNdjson(values: Iterable<unknown>): string {
  let text = '';
  for (const value of values) text += `${JSON.stringify(value)}\n`;
  return text;
}
