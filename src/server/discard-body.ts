/**
 * A refused upload's unread body: closing the socket with bytes unread makes the kernel send a reset,
 * which can destroy the 413 on its way to the client. So the rest is read and dropped, for a bounded
 * time and size (a lingering close), and only then is the socket cut. Used by every upload route.
 */
import type { IncomingMessage } from 'node:http';

/** How long, and how many bytes, a refused upload is still read (and dropped) so its answer arrives. */
const LINGER_MS = 5_000;
const LINGER_BYTES = 8 * 1024 * 1024;

export function discardRest(raw: IncomingMessage): void {
  if (raw.readableEnded || raw.destroyed) return;
  let dropped = 0;
  const cut = () => raw.socket?.destroy();
  const timer = setTimeout(cut, LINGER_MS);
  timer.unref();
  raw.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER_BYTES) cut();
  });
  raw.once('close', () => clearTimeout(timer));
  raw.resume();
}
