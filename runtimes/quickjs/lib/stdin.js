// process.stdin for scripts that read their inputs the Node way. The whole of stdin is inputs.json,
// delivered as one chunk then 'end', asynchronously (after the script had a chance to attach listeners).
(function (internal) {
  'use strict';
  const EventEmitter = internal.lib('events');
  const { Buffer } = internal.lib('buffer');

  class Stdin extends EventEmitter {
    #encoding = null;
    #scheduled = false;
    #consumed = false;
    #paused = true;
    constructor() {
      super();
      this.fd = 0;
      this.isTTY = false;
      this.readable = true;
      this.readableEnded = false;
    }
    #chunk() {
      const data = Buffer.from(internal.stdinText);
      return this.#encoding ? data.toString(this.#encoding) : data;
    }
    #schedule() {
      if (this.#scheduled || this.#consumed) return;
      this.#scheduled = true;
      setTimeout(() => {
        this.#scheduled = false;
        if (this.#consumed || this.#paused) return;
        this.#consumed = true;
        if (internal.stdinText.length > 0) this.emit('data', this.#chunk());
        this.#end();
      }, 0);
    }
    #end() {
      this.readable = false;
      this.readableEnded = true;
      this.emit('end');
      this.emit('close');
    }
    on(name, listener) {
      super.on(name, listener);
      if (name === 'data') this.resume();
      if (name === 'readable' || name === 'end') this.#schedulePassive(name);
      return this;
    }
    // 'readable' listeners pull with read(); a lone 'end' listener still needs the stream to flow.
    #schedulePassive(name) {
      if (name === 'readable') {
        setTimeout(() => {
          if (!this.#consumed) this.emit('readable');
        }, 0);
      } else if (this.listenerCount('data') === 0 && this.listenerCount('readable') === 0) this.resume();
    }
    addListener(name, listener) {
      return this.on(name, listener);
    }
    once(name, listener) {
      super.once(name, listener);
      if (name === 'data') this.resume();
      return this;
    }
    setEncoding(encoding) {
      this.#encoding = encoding;
      return this;
    }
    resume() {
      this.#paused = false;
      this.#schedule();
      return this;
    }
    pause() {
      this.#paused = true;
      return this;
    }
    isPaused() {
      return this.#paused;
    }
    read() {
      if (this.#consumed) return null;
      this.#consumed = true;
      const chunk = this.#chunk();
      setTimeout(() => this.#end(), 0);
      return chunk.length === 0 ? null : chunk;
    }
    pipe(destination) {
      this.on('data', (chunk) => destination.write(chunk));
      return destination;
    }
    async *[Symbol.asyncIterator]() {
      if (this.#consumed) return;
      this.#consumed = true;
      this.#paused = false;
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (internal.stdinText.length > 0) yield this.#chunk();
      this.readable = false;
      this.readableEnded = true;
    }
    unref() {
      return this;
    }
    ref() {
      return this;
    }
  }

  return new Stdin();
});
