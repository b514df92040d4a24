/**
 * Reads a Server-Sent Events response (POST /v1/execute with `Accept: text/event-stream`): each event is
 * `event: <name>` plus one JSON `data:` line, separated by a blank line. Chunks may split anywhere.
 */
export interface StreamEvent {
  event: string;
  data: unknown;
}

export async function* readEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<StreamEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    // stream: a UTF-8 sequence split between chunks waits for its end.
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length > 0) yield { event, data: JSON.parse(data.join('\n')) as unknown };
      end = buffer.indexOf('\n\n');
    }
  }
}
