// Reads a Server-Sent Events answer over a real socket as it arrives, stamping each event with the
// time it was received, so tests can tell output that arrived live from output that came with the result.
export interface ReceivedEvent {
  event: string;
  data: unknown;
  at: number;
}

export interface EventStreamAnswer {
  status: number;
  headers: Headers;
  events: ReceivedEvent[];
  /** The body when the answer was not an event stream (a JSON error). */
  body?: unknown;
}

export async function readEventStream(url: string, init: RequestInit = {}): Promise<EventStreamAnswer> {
  const response = await fetch(url, { ...init, headers: { accept: 'text/event-stream', ...init.headers } });
  if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
    return { status: response.status, headers: response.headers, events: [], body: await response.json() };
  }
  const events: ReceivedEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) events.push({ event, data: JSON.parse(data.join('\n')), at: Date.now() });
    }
  }
  return { status: response.status, headers: response.headers, events };
}

/** The text of one stream, joined from its chunk events. */
export function streamText(events: ReceivedEvent[], stream: 'stdout' | 'stderr'): string {
  return events
    .filter((event) => event.event === stream)
    .map((event) => (event.data as { data: string }).data)
    .join('');
}
