/**
 * Collects the bytes of one child-process pipe up to a cap. Past the cap the bytes are read and dropped
 * (never left in the pipe: a child blocked on a full pipe would turn a chatty run into a false timeout),
 * and `truncated` is set. The deadline bounds how long a chatty child can keep us reading.
 */
export class CappedBytes {
  private readonly chunks: Uint8Array[] = [];
  private kept = 0;
  /** Bytes seen in total, kept or dropped. */
  seen = 0;
  truncated = false;

  /** `onKept` receives each kept piece as it arrives (live output); the caps apply to it as to bytes(). */
  constructor(
    readonly limitBytes: number,
    private readonly onKept?: (chunk: Uint8Array) => void,
  ) {}

  push(chunk: Uint8Array): void {
    this.seen += chunk.byteLength;
    const room = this.limitBytes - this.kept;
    if (room <= 0) {
      if (chunk.byteLength > 0) this.truncated = true;
      return;
    }
    if (chunk.byteLength <= room) {
      this.keep(chunk);
      return;
    }
    this.keep(chunk.subarray(0, room));
    this.truncated = true;
  }

  private keep(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.kept += chunk.byteLength;
    this.onKept?.(chunk);
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.kept);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.byteLength;
    }
    return out;
  }

  /** UTF-8 text of the kept bytes; a character cut by the cap is dropped rather than mangled. */
  text(): string {
    const bytes = this.bytes();
    let end = bytes.byteLength;
    if (this.truncated) {
      // Step back to the start of the last (possibly incomplete) character, then keep it only if whole.
      let start = end;
      while (start > 0 && ((bytes[start - 1] ?? 0) & 0xc0) === 0x80) start--;
      if (start > 0) {
        const lead = bytes[start - 1] ?? 0;
        const width = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
        if (end - (start - 1) < width) end = start - 1;
      }
    }
    return new TextDecoder().decode(bytes.subarray(0, end));
  }
}
