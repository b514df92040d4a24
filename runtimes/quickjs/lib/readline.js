// node:readline's createInterface over process.stdin (the inputs), for scripts that read stdin line by
// line: 'line' and 'close' events, `for await (const line of rl)`, and question() answered from stdin.
(function (internal) {
  'use strict';
  const EventEmitter = internal.lib('events');

  class Interface extends EventEmitter {
    #lines = null;
    #closed = false;
    #paused = false;
    #iterating = false;
    constructor(input, output) {
      super();
      const options = input && typeof input === 'object' && 'input' in input ? input : { input, output };
      this.input = options.input;
      this.output = options.output;
      this.terminal = false;
      this.line = '';
    }
    // Lines flow once someone listens for them (asynchronously, like data from a pipe); until then they
    // stay available to question() and to async iteration.
    on(name, listener) {
      super.on(name, listener);
      if (name === 'line') setTimeout(() => this.#deliver(), 0);
      return this;
    }
    addListener(name, listener) {
      return this.on(name, listener);
    }
    #allLines() {
      if (this.#lines === null) {
        const text = internal.stdinText;
        const lines = text.split(/\r?\n/);
        if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
        this.#lines = lines;
      }
      return this.#lines;
    }
    #deliver() {
      if (this.#closed || this.#paused || this.#iterating || this.listenerCount('line') === 0) return;
      const lines = this.#allLines();
      while (lines.length > 0 && !this.#paused && !this.#closed) this.emit('line', lines.shift());
      if (lines.length === 0) this.close();
    }
    question(query, options, callback) {
      if (typeof options === 'function') callback = options;
      if (this.output && typeof this.output.write === 'function') this.output.write(String(query));
      const lines = this.#allLines();
      const answer = lines.length > 0 ? lines.shift() : '';
      setTimeout(() => callback(answer), 0);
    }
    pause() {
      this.#paused = true;
      this.emit('pause');
      return this;
    }
    resume() {
      this.#paused = false;
      this.emit('resume');
      setTimeout(() => this.#deliver(), 0);
      return this;
    }
    close() {
      if (this.#closed) return;
      this.#closed = true;
      this.emit('close');
    }
    setPrompt(prompt) {
      this.prompt = String(prompt);
    }
    getPrompt() {
      return this.prompt || '';
    }
    write(data) {
      if (this.output && typeof this.output.write === 'function') this.output.write(String(data));
    }
    async *[Symbol.asyncIterator]() {
      // Taking the lines here means the 'line' events never see them, as with Node's async iterator.
      this.#iterating = true;
      const lines = this.#allLines();
      await new Promise((resolve) => setTimeout(resolve, 0));
      while (lines.length > 0) yield lines.shift();
      this.close();
    }
  }

  const createInterface = (input, output) => new Interface(input, output);
  const promises = {
    createInterface: (input, output) => {
      const rl = new Interface(input, output);
      const question = rl.question.bind(rl);
      rl.question = (query, options) => new Promise((resolve) => question(query, options, resolve));
      return rl;
    },
  };
  return { createInterface, Interface, promises, clearLine: () => true, cursorTo: () => true, moveCursor: () => true, emitKeypressEvents: () => {} };
});
