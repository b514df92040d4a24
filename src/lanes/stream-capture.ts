/**
 * Captures one guest output stream (stdout or stderr) up to a byte cap. Past the cap the text is dropped
 * and `truncated` is set; the guest keeps running (a chatty loop is not an error, only its output is cut).
 * Shared by every lane so truncation means the same thing everywhere.
 */
const encoder = new TextEncoder();

export class StreamCapture {
  private readonly chunks: string[] = [];
  private bytes = 0;
  truncated = false;

  /**
   * `onKept` receives each piece of text as it is kept (live output): what it sees, joined, is exactly
   * text(), so the caps apply to a stream of the output as they do to the envelope.
   */
  constructor(
    readonly limitBytes: number,
    private readonly onKept?: (text: string) => void,
  ) {}

  write(text: string): void {
    if (this.truncated || text.length === 0) {
      if (text.length > 0) this.truncated = true;
      return;
    }
    // Cheap bound first: UTF-8 needs at most 3 bytes per UTF-16 unit.
    const room = this.limitBytes - this.bytes;
    if (text.length * 3 <= room) {
      this.keep(text, utf8Bytes(text));
      return;
    }
    const encoded = encoder.encode(text);
    if (encoded.byteLength <= room) {
      this.keep(text, encoded.byteLength);
      return;
    }
    this.keep(decodePrefix(encoded, room), 0);
    this.bytes = this.limitBytes;
    this.truncated = true;
  }

  private keep(text: string, bytes: number): void {
    this.chunks.push(text);
    this.bytes += bytes;
    if (this.onKept && text.length > 0) this.onKept(text);
  }

  text(): string {
    return this.chunks.join('');
  }
}

function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Longest prefix of `bytes` of at most `limit` bytes that ends on a character boundary. */
function decodePrefix(bytes: Uint8Array, limit: number): string {
  let end = Math.max(0, limit);
  // Step back over UTF-8 continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && end < bytes.length && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.subarray(0, end));
}
