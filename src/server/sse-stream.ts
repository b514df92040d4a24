/**
 * A Server-Sent Events answer over a raw Node response: `event: <name>` + one JSON `data:` line per
 * event, a comment every 15 s so proxies keep an idle stream open, and an idempotent close. The headers
 * go out with the first event, so a route can still answer a plain JSON error until then.
 */
import type { ServerResponse } from 'node:http';

const KEEPALIVE_MS = 15_000;

export class SseStream {
  private opened = false;
  private ended = false;
  private keepalive: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly raw: ServerResponse,
    private readonly headers: Record<string, string>,
  ) {}

  get isOpen(): boolean {
    return this.opened;
  }

  /** Write the headers (once). */
  open(): void {
    if (this.opened || this.ended) return;
    this.opened = true;
    this.raw.writeHead(200, {
      ...this.headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx buffers proxied answers unless told not to; a live stream must not be.
      'x-accel-buffering': 'no',
    });
    this.keepalive = setInterval(() => this.write(': keepalive\n\n'), KEEPALIVE_MS);
    this.keepalive.unref();
  }

  send(event: string, data: unknown): void {
    this.open();
    // JSON.stringify escapes newlines, so one data line always holds the whole event.
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.keepalive);
    if (!this.raw.writableEnded) this.raw.end();
  }

  private write(text: string): void {
    if (!this.ended && !this.raw.destroyed) this.raw.write(text);
  }
}

export function wantsEventStream(accept: string | undefined): boolean {
  return accept !== undefined && /(^|,)\s*text\/event-stream\s*(;|,|$)/i.test(accept);
}
