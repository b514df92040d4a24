// fs.createWriteStream / fs.createReadStream over the in-memory file system, for scripts that write CSV
// or logs through streams. Events fire asynchronously, as in Node, so listeners attached after the call
// still see 'open', 'finish' and 'error'.
(function (internal) {
  'use strict';
  const EventEmitter = internal.lib('events');
  const { Buffer } = internal.lib('buffer');
  const later = (fn) => setTimeout(fn, 0);

  class WriteStream extends EventEmitter {
    constructor(fs, path, options) {
      super();
      const opts = typeof options === 'string' ? { encoding: options } : options || {};
      this.path = path;
      this.bytesWritten = 0;
      this.writable = true;
      this.pending = false;
      this.fs = fs;
      this.encoding = opts.encoding || 'utf8';
      try {
        if (String(opts.flags || 'w').startsWith('a')) fs.appendFileSync(path, '');
        else fs.writeFileSync(path, '');
        later(() => this.emit('open', 3) && this.emit('ready'));
      } catch (error) {
        this.writable = false;
        later(() => this.emit('error', error));
      }
    }
    write(chunk, encoding, callback) {
      if (typeof encoding === 'function') (callback = encoding), (encoding = undefined);
      if (!this.writable) {
        const error = new Error('write after end');
        error.code = 'ERR_STREAM_WRITE_AFTER_END';
        later(() => (callback ? callback(error) : this.emit('error', error)));
        return false;
      }
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding || this.encoding) : chunk;
      this.fs.appendFileSync(this.path, bytes);
      this.bytesWritten += bytes.length;
      if (callback) later(() => callback(null));
      return true;
    }
    end(chunk, encoding, callback) {
      if (typeof chunk === 'function') (callback = chunk), (chunk = undefined);
      else if (typeof encoding === 'function') (callback = encoding), (encoding = undefined);
      if (chunk !== undefined && chunk !== null) this.write(chunk, encoding);
      if (!this.writable) return this;
      this.writable = false;
      later(() => {
        this.emit('finish');
        if (callback) callback();
        this.emit('close');
      });
      return this;
    }
    close(callback) {
      return this.end(callback);
    }
    cork() {}
    uncork() {}
  }

  class ReadStream extends EventEmitter {
    #started = false;
    constructor(fs, path, options) {
      super();
      const opts = typeof options === 'string' ? { encoding: options } : options || {};
      this.path = path;
      this.bytesRead = 0;
      this.readable = true;
      this.fs = fs;
      this.encoding = opts.encoding || null;
      this.highWaterMark = opts.highWaterMark || 65536;
      this.start = opts.start || 0;
      this.end = opts.end === undefined ? Infinity : opts.end + 1;
      // Opening happens now: a missing file is an 'error' event even if nobody reads.
      if (!fs.existsSync(path) || fs.statSync(path).isDirectory()) {
        this.#started = true;
        this.readable = false;
        let error;
        try {
          fs.readFileSync(path);
        } catch (caught) {
          error = caught;
        }
        later(() => this.emit('error', error));
      }
    }
    setEncoding(encoding) {
      this.encoding = encoding;
      return this;
    }
    #chunks() {
      const data = this.fs.readFileSync(this.path).subarray(this.start, this.end);
      const out = [];
      for (let i = 0; i < data.length; i += this.highWaterMark) out.push(data.subarray(i, i + this.highWaterMark));
      return out;
    }
    // Flowing mode starts with the first 'data' listener (or resume()), as in Node.
    #flow() {
      if (this.#started) return;
      this.#started = true;
      let chunks;
      try {
        chunks = this.#chunks();
      } catch (error) {
        this.readable = false;
        return void this.emit('error', error);
      }
      this.emit('open', 3);
      this.emit('ready');
      for (const chunk of chunks) {
        this.bytesRead += chunk.length;
        this.emit('data', this.encoding ? chunk.toString(this.encoding) : chunk);
      }
      this.readable = false;
      this.emit('end');
      this.emit('close');
    }
    on(name, listener) {
      super.on(name, listener);
      if (name === 'data') later(() => this.#flow());
      return this;
    }
    resume() {
      later(() => this.#flow());
      return this;
    }
    pipe(destination) {
      this.on('data', (chunk) => destination.write(chunk));
      // Like Node, piping into process.stdout/stderr does not end them.
      this.on('end', () => typeof destination.end === 'function' && destination.fd !== 1 && destination.fd !== 2 && destination.end());
      return destination;
    }
    async *[Symbol.asyncIterator]() {
      this.#started = true;
      await new Promise((resolve) => later(resolve));
      for (const chunk of this.#chunks()) {
        this.bytesRead += chunk.length;
        yield this.encoding ? chunk.toString(this.encoding) : chunk;
      }
      this.readable = false;
    }
    destroy() {
      this.#started = true;
      this.readable = false;
      return this;
    }
  }

  return {
    createWriteStream: (fs, path, options) => new WriteStream(fs, path, options),
    createReadStream: (fs, path, options) => new ReadStream(fs, path, options),
    WriteStream,
    ReadStream,
  };
});
