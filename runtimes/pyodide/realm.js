/*
 * Isola's Pyodide realm: the JavaScript that runs inside the sealed vm context next to Pyodide.
 *
 * This file is evaluated as a classic script in a brand-new context that holds nothing of the host (no
 * process, no require, no host objects; eval and new Function are disabled for the context). Its
 * completion value is `installRealm(host)`, called once by the host with a bag of host functions. The
 * function captures each host function in a closure (the bag itself is never stored) and returns the
 * realm's API, a bag of context functions the host calls afterwards.
 *
 * Rules that keep the seal (Python can run arbitrary JS here; assume it does):
 * - Host functions are only ever reachable through closures created below, never as properties.
 *   Their arguments are primitives or context objects; their results are primitives.
 * - Nothing a host function throws reaches guest code: `call` catches and throws a context error.
 * - Everything the API returns to the host is a primitive (strings, numbers, booleans) or a context
 *   typed array the host copies from.
 * - Async completion is reported through a host callback with primitives; the host never awaits a
 *   context promise (its `then` could be replaced by the guest).
 *
 * Isolation between executions (ring 1) is the other job of this file: capture an image of the
 * interpreter (linear memory, mutable wasm globals, the hiwire table, open streams) and put it back in
 * place, resetting the JavaScript-side state a memory copy does not cover (hiwire slots, proxy
 * finalizers, timers, the writable file systems, the stack pointer). Any call from Wasm into
 * JavaScript that can reach arbitrary JS objects while guest code runs (the `js` module, run_js,
 * ctypes, dlopen...) marks the realm tainted; the host then throws the whole realm away instead of
 * reusing it, because guest JS may have changed objects no memory copy restores.
 */
(function () {
  'use strict';

  return function installRealm(host) {
    // ---- Intrinsics, captured before any guest code can replace them.
    const G = globalThis;
    const apply = Reflect.apply;
    const defineProperty = Object.defineProperty;
    const freeze = Object.freeze;
    const objectKeys = Object.keys;
    const create = Object.create;
    const ErrorCtor = Error;
    const TypeErrorCtor = TypeError;
    const RangeErrorCtor = RangeError;
    const U8 = Uint8Array;
    const F64 = Float64Array;
    const MapCtor = Map;
    const SetCtor = Set;
    const WeakRefCtor = WeakRef;
    const PromiseCtor = Promise;
    const promiseThen = Promise.prototype.then;
    const promiseResolve = (value) => new PromiseCtor((resolve) => resolve(value));
    const jsonParse = JSON.parse;
    const jsonStringify = JSON.stringify;
    const typedArrayProto = Object.getPrototypeOf(U8.prototype);
    const typedArraySet = typedArrayProto.set;
    const typedArraySlice = typedArrayProto.slice;
    const typedArrayFill = typedArrayProto.fill;
    const typedArraySubarray = typedArrayProto.subarray;
    const getter = (proto, name) => Object.getOwnPropertyDescriptor(proto, name).get;
    const taBuffer = getter(typedArrayProto, 'buffer');
    const taByteOffset = getter(typedArrayProto, 'byteOffset');
    const taByteLength = getter(typedArrayProto, 'byteLength');
    const dvBuffer = getter(DataView.prototype, 'buffer');
    const dvByteOffset = getter(DataView.prototype, 'byteOffset');
    const dvByteLength = getter(DataView.prototype, 'byteLength');
    const abByteLength = getter(ArrayBuffer.prototype, 'byteLength');
    const isView = ArrayBuffer.isView;
    const isArrayBuffer = (value) => {
      try {
        apply(abByteLength, value, []);
        return true;
      } catch {
        return false;
      }
    };
    const arrayPush = Array.prototype.push;
    const push = (array, value) => apply(arrayPush, array, [value]);
    const mapGet = Map.prototype.get;
    const mapSet = Map.prototype.set;
    const mapDelete = Map.prototype.delete;
    const mapClear = Map.prototype.clear;
    const mapKeys = Map.prototype.keys;
    const setAdd = Set.prototype.add;
    const weakRefDeref = WeakRef.prototype.deref;
    const StringCtor = String;
    const NumberCtor = Number;
    const fromCharCode = String.fromCharCode;
    const mathMin = Math.min;
    const mathMax = Math.max;
    const mathFloor = Math.floor;
    const wasmInstantiate = WebAssembly.instantiate;
    const WasmGlobal = WebAssembly.Global;

    // ---- Host functions, held only by closures.
    const hostLog = host.log;
    const hostNow = host.now;
    const hostFillRandom = host.fillRandom;
    const hostDecode = host.decode;
    const hostUtf8Length = host.utf8Length;
    const hostEncodeInto = host.encodeInto;
    const hostSleep = host.sleep;
    const hostInterruptRead = host.interruptRead;
    const hostInterruptClear = host.interruptClear;
    const hostTimerStart = host.timerStart;
    const hostTimerStop = host.timerStop;
    const hostFetch = host.fetch;
    const hostFetchBody = host.fetchBody;
    const hostCopySnapshot = host.copySnapshot;

    class BridgeError extends ErrorCtor {}
    function call(fn, name, a, b, c, d, e) {
      try {
        return fn(a, b, c, d, e);
      } catch {
        throw new BridgeError(`isola: host service ${name} failed`);
      }
    }
    const log = (level, message) => {
      try {
        hostLog(StringCtor(level), StringCtor(message));
      } catch {
        // Logging must never break the realm.
      }
    };

    // ---- Globals Pyodide and Emscripten expect, all made here from context objects.
    const installGlobal = (name, value) => defineProperty(G, name, { value, writable: true, configurable: true, enumerable: false });

    // Emscripten picks its environment from globals: a WorkerGlobalScope makes it a web worker (the
    // path with crypto.getRandomValues and no d8 shell helpers). Pyodide's own checks use runtimeEnv.
    installGlobal('WorkerGlobalScope', function WorkerGlobalScope() {});

    const format = (args) => {
      let text = '';
      for (let i = 0; i < args.length; i++) {
        let part;
        try {
          part = StringCtor(args[i]);
        } catch {
          part = '[unprintable]';
        }
        text += (i ? ' ' : '') + part;
      }
      return text;
    };
    installGlobal(
      'console',
      freeze({
        log: (...args) => log('debug', format(args)),
        info: (...args) => log('debug', format(args)),
        debug: (...args) => log('debug', format(args)),
        warn: (...args) => log('warn', format(args)),
        error: (...args) => log('warn', format(args)),
        trace: () => {},
      }),
    );
    installGlobal('performance', freeze({ now: () => call(hostNow, 'now') }));

    const viewParts = (view) => {
      if (isArrayBuffer(view)) return [view, 0, apply(abByteLength, view, [])];
      if (!isView(view)) throw new TypeErrorCtor('expected an ArrayBuffer or a view of one');
      try {
        return [apply(taBuffer, view, []), apply(taByteOffset, view, []), apply(taByteLength, view, [])];
      } catch {
        return [apply(dvBuffer, view, []), apply(dvByteOffset, view, []), apply(dvByteLength, view, [])];
      }
    };
    installGlobal(
      'crypto',
      freeze({
        getRandomValues(view) {
          const [buffer, offset, length] = viewParts(view);
          if (length > 65536) throw new RangeErrorCtor('getRandomValues: at most 65536 bytes per call');
          call(hostFillRandom, 'random', buffer, offset, length);
          return view;
        },
      }),
    );

    // TextDecoder/TextEncoder: UTF-8 and UTF-16 work happens in the host on bytes it reads from context
    // buffers; results come back as primitives or are written into context buffers.
    const TextDecoderImpl = class TextDecoder {
      #label;
      #fatal;
      #pending = null;
      constructor(label = 'utf-8', options = undefined) {
        this.#label = StringCtor(label).toLowerCase();
        this.#fatal = !!(options && options.fatal);
      }
      get encoding() {
        return this.#label === 'utf8' ? 'utf-8' : this.#label;
      }
      get fatal() {
        return this.#fatal;
      }
      decode(input = undefined, options = undefined) {
        const stream = !!(options && options.stream);
        let bytes = input === undefined ? new U8(0) : input;
        if (this.#pending) {
          const [b, o, l] = viewParts(bytes);
          const merged = new U8(this.#pending.length + l);
          apply(typedArraySet, merged, [this.#pending]);
          apply(typedArraySet, merged, [new U8(b, o, l), this.#pending.length]);
          bytes = merged;
          this.#pending = null;
        }
        let [buffer, offset, length] = viewParts(bytes);
        if (stream && (this.#label === 'utf-8' || this.#label === 'utf8')) {
          const whole = new U8(buffer, offset, length);
          const keep = incompleteUtf8Tail(whole);
          if (keep > 0) {
            this.#pending = apply(typedArraySlice, whole, [length - keep]);
            length -= keep;
          }
        }
        const text = call(hostDecode, 'decode', this.#label, this.#fatal, buffer, offset, length);
        if (typeof text !== 'string') throw new TypeErrorCtor(`The encoded data was not valid for encoding ${this.encoding}`);
        return text;
      }
    };
    // Bytes at the end of a buffer that start a UTF-8 sequence not yet complete.
    function incompleteUtf8Tail(bytes) {
      const n = bytes.length;
      for (let back = 1; back <= 3 && back <= n; back++) {
        const byte = bytes[n - back];
        if ((byte & 0xc0) === 0x80) continue;
        const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
        return need > back ? back : 0;
      }
      return 0;
    }
    const encodeResult = new F64(2);
    const TextEncoderImpl = class TextEncoder {
      get encoding() {
        return 'utf-8';
      }
      encode(input = '') {
        const text = StringCtor(input);
        const length = call(hostUtf8Length, 'utf8Length', text);
        const out = new U8(length);
        call(hostEncodeInto, 'encodeInto', text, apply(taBuffer, out, []), 0, length, encodeResult);
        return out;
      }
      encodeInto(input, dest) {
        const text = StringCtor(input);
        const [buffer, offset, length] = viewParts(dest);
        call(hostEncodeInto, 'encodeInto', text, buffer, offset, length, encodeResult);
        return { read: encodeResult[0], written: encodeResult[1] };
      }
    };
    installGlobal('TextDecoder', TextDecoderImpl);
    installGlobal('TextEncoder', TextEncoderImpl);

    // Timers run on the host's event loop. Each carries the generation it was set in; a reset bumps
    // the generation, so a timer set by a previous execution never calls into the restored heap.
    let generation = 0;
    let nextTimerId = 1;
    const timers = new MapCtor();
    function startTimer(fn, ms, args, repeat) {
      if (typeof fn !== 'function') throw new TypeErrorCtor('timer callback must be a function');
      const id = nextTimerId++;
      const delay = mathMax(0, NumberCtor(ms) || 0);
      apply(mapSet, timers, [id, { fn, args, delay, repeat, generation }]);
      call(hostTimerStart, 'timer', id, delay);
      return id;
    }
    function stopTimer(id) {
      if (apply(mapDelete, timers, [id])) call(hostTimerStop, 'timer', id);
    }
    function fireTimer(id) {
      const timer = apply(mapGet, timers, [id]);
      if (!timer) return;
      if (timer.generation !== generation) {
        apply(mapDelete, timers, [id]);
        return;
      }
      if (timer.repeat) call(hostTimerStart, 'timer', id, timer.delay);
      else apply(mapDelete, timers, [id]);
      try {
        apply(timer.fn, undefined, timer.args);
      } catch (error) {
        log('warn', `timer callback threw: ${describeError(error)}`);
      }
    }
    function clearAllTimers() {
      const ids = [];
      for (const id of apply(mapKeys, timers, [])) push(ids, id);
      for (const id of ids) stopTimer(id);
      apply(mapClear, timers, []);
    }
    installGlobal('setTimeout', (fn, ms, ...args) => startTimer(fn, ms, args, false));
    installGlobal('setInterval', (fn, ms, ...args) => startTimer(fn, ms, args, true));
    installGlobal('clearTimeout', (id) => stopTimer(id));
    installGlobal('clearInterval', (id) => stopTimer(id));
    installGlobal('queueMicrotask', (fn) => {
      apply(promiseThen, promiseResolve(undefined), [() => fn()]);
    });

    // Node's stack-trace hook calls a context's Error.prepareStackTrace with call sites of host frames
    // (names and file paths). Nothing of the host belongs in the guest's view, so the hook is fixed.
    defineProperty(Error, 'prepareStackTrace', { value: undefined, writable: false, configurable: false });

    function describeError(error) {
      try {
        if (error && typeof error === 'object') {
          if (typeof error.message === 'string') return `${StringCtor(error.name || 'Error')}: ${error.message}`;
          if (typeof error.errno === 'number') return `ErrnoError: errno ${error.errno}`;
          return `${StringCtor(error.name || error.constructor?.name || 'object')}: ${jsonStringify(error)}`;
        }
        return StringCtor(error);
      } catch {
        return 'unprintable error';
      }
    }

    // ---- Interrupts: Pyodide reads index 0 of the "signal buffer" and writes 0 after reading. This
    // object forwards both to the host's shared Int32Array without handing the array to the realm.
    const signalBuffer = create(null);
    defineProperty(signalBuffer, 0, {
      get: () => call(hostInterruptRead, 'interrupt'),
      set: (value) => {
        if (NumberCtor(value) === 0) call(hostInterruptClear, 'interrupt');
      },
    });
    freeze(signalBuffer);

    // ---- State of the one Pyodide instance this realm holds.
    let Module = null;
    let API = null;
    let pyodide = null;
    let FS = null;
    let memory = null;
    let mutableGlobals = [];
    let laneEntry = null;
    let booted = false;
    let broken = '';

    // Per job.
    let armed = false;
    let taint = '';
    let memoryCap = 0;
    let memoryCapHit = false;
    let fsBytes = 0;
    let fsLimit = 0;
    let fsTouched = false;
    let request = new U8(0);
    let requestOffset = 0;
    let reply = null;
    let stdinBytes = new U8(0);
    let stdinOffset = 0;
    const streams = { stdout: newCapture(0), stderr: newCapture(0) };

    function newCapture(limit) {
      return { limit, chunks: [], bytes: 0, truncated: false };
    }
    function capture(stream, view) {
      const length = view.length;
      if (length === 0) return 0;
      const room = stream.limit - stream.bytes;
      if (room <= 0) {
        stream.truncated = true;
        return length;
      }
      const take = mathMin(room, length);
      push(stream.chunks, apply(typedArraySlice, view, [0, take]));
      stream.bytes += take;
      if (take < length) stream.truncated = true;
      return length;
    }
    function captureText(stream) {
      const all = new U8(stream.bytes);
      let at = 0;
      for (const chunk of stream.chunks) {
        apply(typedArraySet, all, [chunk, at]);
        at += chunk.length;
      }
      // A cut in the middle of a character drops the partial character.
      const cut = stream.truncated ? incompleteUtf8Tail(all) : 0;
      const text = call(hostDecode, 'decode', 'utf-8', false, apply(taBuffer, all, []), 0, all.length - cut);
      return typeof text === 'string' ? text : '';
    }

    // ---- Taint: calls from Wasm into JavaScript while guest code runs. The allow-list holds what plain
    // Python needs (WASI and syscalls on the in-memory file system, clocks, randomness, heap growth,
    // value conversions Pyodide does for its own machinery); everything else can reach arbitrary JS.
    const SAFE_IMPORT = [
      /^__syscall_(?!socket|connect|bind|listen|accept4|sendto|sendmsg|recvfrom|recvmsg|getsockopt|getpeername|getsockname)/,
      /^fd_/,
      /^(environ|args)_/,
      /^clock_/,
      /^random_get$/,
      /^proc_exit$/,
      /^exit$/,
      /^emscripten_(resize_heap|get_heap_max|get_now|get_now_res|date_now|performance_now|notify_memory_growth|math_|random|runtime_keepalive|stack_|get_callstack|throw_|err|errn|out|outn|console_|has_asyncify)/,
      /^_(emscripten_get_now_is_monotonic|emscripten_get_progname|emscripten_runtime_keepalive_clear|localtime_js|gmtime_js|mktime_js|timegm_js|tzset_js|mmap_js|munmap_js|msync_js|setitimer_js|abort_js|Py_CheckEmscriptenSignals_Helper|Py_emscripten_runtime|PyEM_TrampolineCall_JS|Unwind_|try_fcntl64|emscripten_log_formatted|emscripten_system)/,
      /^__(assert_fail|call_sighandler|asctime_r|hiwire_deduplicate_)/,
      /^(strptime|strptime_l|stackAlloc|stackRestore|stackSave|saveState|restoreState|fail_test|throw_no_gil|hiwire_invalid_ref_js|new_error|capture_stderr|restore_stderr|get_suspender|set_suspender|can_run_sync_js|Jsv_GetError_import|JsvError_Check|JsvNum_fromInt|JsvNum_fromDouble|JsvUTF8ToString|JsvNoValue_Check|Jsv_typeof|Jsv_to_bool|js2python_convert|js2python_immutable_js|js2python_js|pyproxy_new|pyproxy_new_ex|pyproxy_Check|pyproxy_AsPyObject|gc_register_proxies|destroy_proxies|destroy_proxies_js|destroy_proxy|proxy_cache_get|proxy_cache_set|pyodide_js_init|jslib_init_js|jslib_init_buffers_js|set_pyodide_module)$/,
      /^_python2js_(ascii|ucs1|ucs2|ucs4|add_to_cache|cache_lookup|addto_postprocess_list|handle_postprocess_list)$/,
    ];
    // One expression instead of a dozen tests per import: this runs for 1,370 imports at every boot.
    const SAFE = new RegExp(SAFE_IMPORT.map((pattern) => `(?:${pattern.source})`).join('|'));
    function isSafeImport(name) {
      return SAFE.test(name);
    }
    const taintedBy = new SetCtor();
    function wrapImports(env) {
      for (const name of objectKeys(env)) {
        const original = env[name];
        if (typeof original !== 'function' || isSafeImport(name)) continue;
        const wrapped = function (...args) {
          if (armed) {
            if (!taint) taint = `wasm import ${name}`;
            apply(setAdd, taintedBy, [name]);
          }
          return apply(original, this, args);
        };
        for (const key of objectKeys(original)) wrapped[key] = original[key];
        env[name] = wrapped;
      }
    }

    // ---- File system: the root is read-only for guest code; /tmp and the working directory are
    // fresh in-memory file systems for every execution.
    const HOME = '/home/pyodide';
    const CONTROL_FD = 100;
    const WRITABLE = ['/tmp', HOME];
    let writableMounts = [];
    let fsGuard = false;
    let baselineStreams = null;
    function errno(name) {
      return new FS.ErrnoError(Module.ERRNO_CODES[name]);
    }
    function mountOf(path) {
      try {
        return FS.lookupPath(path, { parent: true }).node.mount;
      } catch {
        return null;
      }
    }
    function writableMount(mount) {
      for (const m of writableMounts) if (m === mount) return true;
      return false;
    }
    function guardPath(path) {
      if (!fsGuard) return;
      const mount = typeof path === 'string' ? mountOf(path) : path && path.mount;
      if (!writableMount(mount)) throw errno('EROFS');
      fsTouched = true;
    }
    function guardNodeOrPath(target) {
      if (!fsGuard) return;
      if (typeof target === 'string') {
        let node = null;
        try {
          node = FS.lookupPath(target, { follow: true }).node;
        } catch {
          node = null;
        }
        if (node && FS.isChrdev(node.mode)) return;
        if (node ? !writableMount(node.mount) : !writableMount(mountOf(target))) throw errno('EROFS');
        fsTouched = true;
        return;
      }
      if (target && FS.isChrdev(target.mode)) return;
      if (!target || !writableMount(target.mount)) throw errno('EROFS');
      fsTouched = true;
    }
    function guardFs() {
      const wrap = (name, check) => {
        const original = FS[name];
        FS[name] = function (...args) {
          check(...args);
          return apply(original, FS, args);
        };
      };
      wrap('write', (stream, buffer, offset, length, position) => {
        if (!fsGuard) return;
        const node = stream && stream.node;
        if (node && FS.isChrdev(node.mode)) return;
        guardNodeOrPath(node);
        const at = typeof position === 'number' ? position : stream.position;
        const growth = mathMax(0, at + length - (node.usedBytes || 0));
        if (fsBytes + growth > fsLimit) throw errno('ENOSPC');
        fsBytes += growth;
      });
      wrap('mknod', (path) => guardPath(path));
      wrap('symlink', (_old, path) => guardPath(path));
      wrap('rename', (from, to) => {
        guardPath(from);
        guardPath(to);
      });
      wrap('unlink', (path) => guardPath(path));
      wrap('rmdir', (path) => guardPath(path));
      for (const name of ['chmod', 'lchmod', 'chown', 'lchown', 'truncate', 'utime']) wrap(name, (target) => guardNodeOrPath(target));
      for (const name of ['fchmod', 'fchown', 'ftruncate']) {
        wrap(name, (fd) => {
          const stream = FS.getStream(fd);
          guardNodeOrPath(stream && stream.node);
        });
      }
      wrap('msync', (stream) => guardNodeOrPath(stream && stream.node));
    }
    function mountWritable() {
      writableMounts = [];
      for (const path of WRITABLE) {
        try {
          FS.unmount(path);
        } catch {
          // Not mounted yet (first boot).
        }
        FS.mkdirTree(path);
        FS.mount(FS.filesystems.MEMFS, {}, path);
        push(writableMounts, FS.lookupPath(path, { follow_mount: true }).node.mount);
      }
      FS.chdir(HOME);
      fsBytes = 0;
    }

    // ---- The control device: how the guest-side Python talks to this realm without the FFI (so the
    // calls are plain syscalls, never taint). Reads return the pending request; writes carry a reply
    // ("R"), a sleep ("S<ms>") or a taint report ("T<reason>").
    const decodeAscii = (view) => {
      let text = '';
      for (let i = 0; i < view.length; i++) text += fromCharCode(view[i]);
      return text;
    };
    function controlWrite(view) {
      const kind = view[0];
      if (kind === 82 /* R */) {
        reply = apply(typedArraySlice, view, [1]);
        return view.length;
      }
      if (kind === 83 /* S */) {
        const ms = NumberCtor(decodeAscii(apply(typedArraySubarray, view, [1])));
        if (!(ms >= 0)) throw errno('EINVAL');
        const interrupted = call(hostSleep, 'sleep', ms);
        return interrupted ? 0 : view.length;
      }
      if (kind === 70 /* F */) {
        // An HTTP request: "F" + JSON head + "\n" + body. The reply (JSON head + "\n" + body) becomes
        // what the next reads of the device return.
        const rest = apply(typedArraySubarray, view, [1]);
        let split = 0;
        while (split < rest.length && rest[split] !== 10) split++;
        const head = call(hostDecode, 'decode', 'utf-8', false, apply(taBuffer, rest, []), apply(taByteOffset, rest, []), split);
        const bodyStart = mathMin(split + 1, rest.length);
        const answer = call(hostFetch, 'fetch', head, apply(taBuffer, rest, []), apply(taByteOffset, rest, []) + bodyStart, rest.length - bodyStart);
        const answerText = typeof answer === 'string' ? answer : '{"ok":false,"kind":"network","message":"no answer from the host"}';
        const answerHead = encode(answerText);
        const bodyLength = mathMax(0, NumberCtor(jsonParse(answerText).bodyLength) || 0);
        const out = new U8(answerHead.length + 1 + bodyLength);
        apply(typedArraySet, out, [answerHead]);
        out[answerHead.length] = 10;
        if (bodyLength) call(hostFetchBody, 'fetchBody', apply(taBuffer, out, []), answerHead.length + 1, bodyLength);
        request = out;
        requestOffset = 0;
        return view.length;
      }
      if (kind === 84 /* T */) {
        if (armed && !taint) taint = decodeAscii(apply(typedArraySubarray, view, [1]));
        return view.length;
      }
      throw errno('EINVAL');
    }
    function installControlDevice() {
      if (FS.createDevice.major === undefined) FS.createDevice.major = 64;
      const dev = FS.makedev(FS.createDevice.major++, 0);
      FS.registerDevice(dev, {
        open(stream) {
          stream.seekable = false;
        },
        close() {},
        read(_stream, buffer, offset, length) {
          const n = mathMin(length, request.length - requestOffset);
          if (n <= 0) return 0;
          apply(typedArraySet, buffer, [apply(typedArraySubarray, request, [requestOffset, requestOffset + n]), offset]);
          requestOffset += n;
          return n;
        },
        write(_stream, buffer, offset, length) {
          const view = new U8(apply(taBuffer, buffer, []), apply(taByteOffset, buffer, []) + offset, length);
          return controlWrite(view);
        },
      });
      FS.mkdev('/dev/isola', dev);
      // A fixed descriptor, so lane.py finds it in every instance, including those restored from a
      // snapshot taken in another process (descriptors live in JavaScript, not in the heap).
      const stream = FS.open('/dev/isola', 'r+');
      FS.dupStream(stream, CONTROL_FD);
      FS.close(stream);
    }

    // ---- Boot.
    const RUNTIME_ENV = freeze({
      IN_NODE: false,
      IN_NODE_COMMONJS: false,
      IN_NODE_ESM: false,
      IN_BUN: false,
      IN_DENO: false,
      IN_SAFARI: false,
      IN_SHELL: false,
      IN_WORKERD: false,
      IN_BROWSER: false,
      IN_BROWSER_MAIN_THREAD: false,
      IN_BROWSER_WEB_WORKER: false,
    });

    /**
     * Creates the Pyodide instance from the compiled wasm and the standard library (a context typed
     * array the host filled). With `snapshotHead` (the header and JSON of Pyodide's snapshot format), it
     * starts from a snapshot whose `heapBytes` of memory the host copies straight into the heap (one copy
     * of 30 MB instead of two). Completion is reported once through `done(ok, message)`, a host callback
     * that is dropped right after.
     */
    let compiledModule = null;
    function boot(createPyodideModule, stdlib, lockFile, buildId, snapshotHead, heapBytes, makeSnapshot, done) {
      const fromSnapshot = !!snapshotHead;
      let pending = done;
      const report = (ok, message) => {
        const callback = pending;
        pending = null;
        if (callback) call(callback, 'boot', !!ok, StringCtor(message));
      };
      const wasmModule = compiledModule;
      if (!wasmModule) throw new ErrorCtor('compile() the wasm before boot()');
      const assets = { wasmModule, stdlib, lockFile: StringCtor(lockFile), buildId: StringCtor(buildId) };
      done = report;
      const errorMarker = Symbol('error marker');
      const config = {
        jsglobals: G,
        args: [],
        env: { HOME, PYTHONINSPECT: '1', PYTHONDONTWRITEBYTECODE: '1' },
        packages: [],
        BUILD_ID: assets.buildId,
        _makeSnapshot: !!makeSnapshot,
        indexURL: '/pyodide/',
        packageBaseUrl: '/pyodide/',
        packageCacheDir: '/pyodide/',
        lockFileContents: assets.lockFile,
        enableRunUntilComplete: false,
        checkAPIVersion: true,
      };
      const api = { config, runtimeEnv: RUNTIME_ENV };
      api.lockFilePromise = promiseResolve(jsonParse(assets.lockFile));
      const settings = {
        noImageDecoding: true,
        noAudioDecoding: true,
        noWasmDecoding: false,
        preRun: [
          (M) => {
            const version = M.HEAPU32[M._Py_Version >>> 2];
            const major = (version >>> 24) & 0xff;
            const minor = (version >>> 16) & 0xff;
            api.pyVersionTuple = [major, minor, (version >>> 8) & 0xff];
            M.FS.mkdirTree('/lib');
            api.sitePackages = `/lib/python${major}.${minor}/site-packages`;
            M.FS.mkdirTree(api.sitePackages);
            M.FS.mkdirTree(`/lib/python${major}.${minor}/lib-dynload`);
            M.FS.writeFile(`/lib/python${major}${minor}.zip`, assets.stdlib);
            assets.stdlib = null; // MEMFS holds its own copy; closures of boot() must not keep this one

            M.FS.mkdirTree(HOME);
            M.FS.chdir(HOME);
            for (const key of objectKeys(config.env)) M.ENV[key] = config.env[key];
          },
        ],
        print: (text) => log('debug', text),
        printErr: (text) => log('debug', text),
        onExit(code) {
          settings.exitCode = code;
        },
        arguments: [],
        API: api,
        locateFile: (path) => `/pyodide/${path}`,
        instantiateWasm(imports, success) {
          imports.env.Jsv_GetError_import = () => errorMarker;
          imports.env.JsvError_Check = (value) => value === errorMarker;
          const resize = imports.env.emscripten_resize_heap;
          imports.env.emscripten_resize_heap = function (requested) {
            requested >>>= 0;
            if (memoryCap && requested > memoryCap) {
              memoryCapHit = true;
              return 0;
            }
            if (memoryCap && Module && Module.growMemory) {
              // Grow with headroom as Emscripten does, but never past the cap.
              const current = memory.buffer.byteLength;
              const wanted = mathMin(memoryCap, mathMax(requested, current + mathFloor(current / 5)));
              const aligned = mathMin(memoryCap, mathFloor((wanted + 65535) / 65536) * 65536);
              if (aligned >= requested && Module.growMemory(aligned)) return 1;
            }
            return resize(requested);
          };
          wrapImports(imports.env);
          apply(promiseThen, apply(wasmInstantiate, WebAssembly, [assets.wasmModule, imports]), [
            (instance) => {
              memory = instance.exports.memory;
              mutableGlobals = [];
              for (const name of objectKeys(instance.exports)) {
                const value = instance.exports[name];
                if (value instanceof WasmGlobal) {
                  try {
                    const before = value.value;
                    value.value = before;
                    push(mutableGlobals, value);
                  } catch {
                    // Immutable global.
                  }
                }
              }
              success(instance, assets.wasmModule);
            },
            (error) => done(false, `wasm instantiation failed: ${describeError(error)}`),
          ]);
          return {};
        },
      };
      if (fromSnapshot) {
        settings.noInitialRun = true;
        settings.INITIAL_MEMORY = mathFloor((heapBytes + 65535) / 65536) * 65536;
      }
      apply(promiseThen, createPyodideModule(settings), [
        (M) => {
          try {
            if (settings.exitCode !== undefined) throw new ErrorCtor(`Pyodide exited with code ${settings.exitCode} during start-up`);
            Module = M;
            API = M.API;
            FS = M.FS;
            M.locateFile = (path) => {
              throw new ErrorCtor(`isola: no file loading in the sealed realm (${path})`);
            };
            let snapshotConfig;
            if (fromSnapshot) snapshotConfig = restoreSnapshot(snapshotHead, heapBytes, config.BUILD_ID);
            snapshotHead = null;
            pyodide = API.finalizeBootstrap(snapshotConfig, undefined);
            if (!fromSnapshot) API.sys.path.insert(0, '');
            API._pyodide.set_excepthook();
            apply(promiseThen, API.packageIndexReady, [
              () => {
                try {
                  finishBoot();
                  done(true, '');
                } catch (error) {
                  done(false, describeError(error));
                }
              },
              (error) => done(false, describeError(error)),
            ]);
          } catch (error) {
            done(false, describeError(error));
          }
        },
        (error) => done(false, describeError(error)),
      ]);
    }

    // Pyodide's snapshot format (src/js/snapshot.ts): magic, offset of the heap, JSON length, padding,
    // a 256-bit build id, then the JSON (hiwire keys to re-resolve) and, at the offset, the heap. Read
    // here rather than by API.restoreSnapshot so that the heap can go straight from the host into memory.
    const SNAPSHOT_MAGIC = 0x706e7300;
    const SNAPSHOT_HEADER = 48;
    function restoreSnapshot(head, heapBytes, expectedBuildId) {
      const words = new Uint32Array(apply(taBuffer, head, []), apply(taByteOffset, head, []), SNAPSHOT_HEADER >>> 2);
      if (words[0] !== SNAPSHOT_MAGIC) throw new ErrorCtor('Snapshot has invalid magic number');
      const jsonLength = words[2];
      let buildId = '';
      for (let i = 4; i < 12; i++) buildId += words[i].toString(16).padStart(8, '0');
      if (buildId !== expectedBuildId) throw new ErrorCtor(`Snapshot build id mismatch: expected ${expectedBuildId}, got ${buildId}`);
      const json = call(hostDecode, 'decode', 'utf-8', true, apply(taBuffer, head, []), apply(taByteOffset, head, []) + SNAPSHOT_HEADER, jsonLength);
      if (typeof json !== 'string') throw new ErrorCtor('Snapshot metadata is not UTF-8');
      if (memory.buffer.byteLength < heapBytes) throw new ErrorCtor('Snapshot is larger than the memory made for it');
      if (call(hostCopySnapshot, 'copySnapshot', memory.buffer) !== true) throw new ErrorCtor('Snapshot heap could not be copied');
      return jsonParse(json);
    }

    function finishBoot() {
      API.initializeStreams(undefined, undefined, undefined);
      pyodide.setStdin({ read: (buffer) => readStdin(buffer) });
      pyodide.setStdout({ write: (view) => capture(streams.stdout, view), isatty: false });
      pyodide.setStderr({ write: (view) => capture(streams.stderr, view), isatty: false });
      pyodide.setInterruptBuffer(signalBuffer);
      installControlDevice();
      guardFs();
      mountWritable();
      trackFinalizers();
      booted = true;
    }

    function readStdin(buffer) {
      const n = mathMin(buffer.length, stdinBytes.length - stdinOffset);
      if (n <= 0) return 0;
      apply(typedArraySet, buffer, [apply(typedArraySubarray, stdinBytes, [stdinOffset, stdinOffset + n])]);
      stdinOffset += n;
      return n;
    }

    // PyProxies are freed by a FinalizationRegistry whose held values carry raw heap pointers. After a
    // reset those pointers mean something else: registrations made since the image are neutralised
    // (pointer 0, no cache), so a late finalizer decrefs nothing, and a surviving proxy reports itself
    // destroyed instead of touching the restored heap.
    let registrations = [];
    function trackFinalizers() {
      const registry = Module.finalizationRegistry;
      const register = registry.register;
      const unregister = registry.unregister;
      Module.finalizationRegistry = freeze({
        register(target, held, token) {
          push(registrations, { held, target: new WeakRefCtor(target) });
          return apply(register, registry, [target, held, token]);
        },
        unregister(token) {
          return apply(unregister, registry, [token]);
        },
      });
    }
    function neutraliseFinalizers() {
      for (const entry of registrations) {
        if (entry.held && typeof entry.held === 'object') {
          entry.held.ptr = 0;
          entry.held.cache = undefined;
        }
        const target = apply(weakRefDeref, entry.target, []);
        if (target && typeof target === 'object' && 'ptr' in target) target.ptr = 0;
      }
      registrations = [];
    }

    // ---- Images: what a reset puts back.
    function hiwireValues() {
      const values = [];
      for (let i = 0; ; i++) {
        let value;
        try {
          value = Module.__hiwire_get(i);
        } catch {
          break;
        }
        push(values, value);
      }
      return values;
    }
    const PAGE = 4096;
    /**
     * An image of the instance. With `base`, only the 4 KiB pages that differ from the base image are
     * kept (a function-mode image usually differs from the base in well under a megabyte).
     */
    function captureImage(base) {
      const heap = new U8(memory.buffer);
      const globals = [];
      for (const g of mutableGlobals) push(globals, g.value);
      const streamsCopy = [];
      const positions = [];
      for (let fd = 0; fd < FS.streams.length; fd++) {
        const stream = FS.streams[fd];
        push(streamsCopy, stream || null);
        push(positions, stream ? stream.position : 0);
      }
      const image = { bytes: null, base: null, pages: null, data: null, length: heap.length, globals, hiwire: hiwireValues(), streams: streamsCopy, positions };
      if (!base) {
        registrations = [];
        image.bytes = apply(typedArraySlice, heap, []);
        return image;
      }
      const changed = changedPages(heap, base.bytes);
      const data = new U8(changed.length * PAGE);
      for (let i = 0; i < changed.length; i++) {
        const start = changed[i] * PAGE;
        apply(typedArraySet, data, [apply(typedArraySubarray, heap, [start, mathMin(start + PAGE, heap.length)]), i * PAGE]);
      }
      image.base = base;
      image.pages = changed;
      image.data = data;
      return image;
    }
    function changedPages(heap, baseBytes) {
      const words = new Int32Array(memory.buffer, 0, heap.length >>> 2);
      const baseWords = new Int32Array(baseBytes.buffer, baseBytes.byteOffset, baseBytes.length >>> 2);
      const pages = [];
      const perPage = PAGE >>> 2;
      const pageCount = mathFloor((heap.length + PAGE - 1) / PAGE);
      for (let page = 0; page < pageCount; page++) {
        const from = page * perPage;
        if (from + perPage > baseWords.length) {
          push(pages, page);
          continue;
        }
        for (let i = from, end = from + perPage; i < end; i++) {
          if (words[i] !== baseWords[i]) {
            push(pages, page);
            break;
          }
        }
      }
      return pages;
    }
    function imageSize(image) {
      return image.bytes ? image.bytes.length : image.data.length;
    }
    function restoreImage(image) {
      generation++;
      clearAllTimers();
      neutraliseFinalizers();
      const heap = new U8(memory.buffer);
      const full = image.bytes || image.base.bytes;
      apply(typedArraySet, heap, [full]);
      if (image.pages) {
        for (let i = 0; i < image.pages.length; i++) {
          const start = image.pages[i] * PAGE;
          const length = mathMin(PAGE, image.length - start);
          apply(typedArraySet, heap, [apply(typedArraySubarray, image.data, [i * PAGE, i * PAGE + length]), start]);
        }
      }
      const end = image.bytes ? image.bytes.length : mathMax(full.length, image.length);
      if (heap.length > end) apply(typedArrayFill, heap, [0, end]);
      for (let i = 0; i < mutableGlobals.length; i++) mutableGlobals[i].value = image.globals[i];
      // hiwire: the table lives outside linear memory; put back the slots of the image, empty the rest.
      const saved = image.hiwire;
      for (let i = 0; i < saved.length; i++) Module.__hiwire_set(i, saved[i]);
      for (let i = saved.length; ; i++) {
        try {
          Module.__hiwire_get(i);
        } catch {
          break;
        }
        Module.__hiwire_set(i, null);
      }
      // Streams opened since the image are dropped; those of the image get their positions back.
      const open = FS.streams;
      for (let fd = 0; fd < open.length; fd++) {
        if (fd < image.streams.length && image.streams[fd]) {
          open[fd] = image.streams[fd];
          open[fd].position = image.positions[fd];
        } else {
          open[fd] = null;
        }
      }
      open.length = image.streams.length;
      fsGuard = false;
      mountWritable();
      memoryCapHit = false;
    }

    // ---- Jobs.
    function encode(text) {
      return new TextEncoderImpl().encode(text);
    }
    /** Runs one request through lane.py's entry point. Returns the reply text or a failure marker. */
    function invoke(requestText, options) {
      if (!booted || broken) return jsonStringify({ realm: 'broken', reason: broken || 'not booted' });
      request = encode(requestText);
      requestOffset = 0;
      reply = null;
      memoryCap = options.memoryBytes || 0;
      memoryCapHit = false;
      fsLimit = options.fsBytes || 0;
      streams.stdout = newCapture(options.stdoutBytes || 0);
      streams.stderr = newCapture(options.stderrBytes || 0);
      stdinBytes = options.stdin ? encode(options.stdin) : new U8(0);
      stdinOffset = 0;
      taint = '';
      fsTouched = false;
      // The lane's own steps (installing an environment) may write anywhere; guest code may not.
      fsGuard = !!options.guest;
      armed = !!options.guest;
      let thrown = '';
      try {
        laneEntry();
      } catch (error) {
        thrown = describeError(error);
        if (error && error.pyodide_fatal_error) broken = `fatal error: ${thrown}`;
      } finally {
        armed = false;
        fsGuard = false;
      }
      let replyText = '';
      if (reply) {
        const text = call(hostDecode, 'decode', 'utf-8', false, apply(taBuffer, reply, []), 0, reply.length);
        replyText = typeof text === 'string' ? text : '';
      }
      return jsonStringify({
        reply: replyText,
        thrown,
        taint,
        fsTouched,
        memoryCapHit,
        heapBytes: memory.buffer.byteLength,
        stdout: captureText(streams.stdout),
        stderr: captureText(streams.stderr),
        stdoutTruncated: streams.stdout.truncated,
        stderrTruncated: streams.stderr.truncated,
      });
    }

    function readOutputFile(limit) {
      try {
        const path = `${HOME}/output.json`;
        const stat = FS.stat(path);
        if (!FS.isFile(stat.mode)) return jsonStringify({ present: false });
        const stream = FS.open(path, 'r');
        try {
          const length = mathMin(stat.size, limit + 1);
          const bytes = new U8(length);
          FS.read(stream, bytes, 0, length, 0);
          const text = call(hostDecode, 'decode', 'utf-8', false, apply(taBuffer, bytes, []), 0, length);
          return jsonStringify({ present: true, text: typeof text === 'string' ? text : '', size: stat.size });
        } finally {
          FS.close(stream);
        }
      } catch {
        return jsonStringify({ present: false });
      }
    }

    function writeInputs(inputsJson) {
      FS.writeFile(`${HOME}/inputs.json`, inputsJson);
    }

    // ---- The API the host calls. Every function returns primitives (or context typed arrays the
    // host copies from) and never lets an exception out.
    const images = new MapCtor();
    let nextImage = 1;
    const guarded = (fn) =>
      function (...args) {
        try {
          return fn(...args);
        } catch (error) {
          return `!${describeError(error)}`;
        }
      };
    return freeze({
      allocate: (length) => new U8(length),
      compile: guarded((wasmBytes) => {
        compiledModule = new WebAssembly.Module(wasmBytes);
        return 'ok';
      }),
      boot: (createPyodideModule, stdlib, lockFile, buildId, snapshotHead, heapBytes, makeSnapshot, done) => {
        try {
          boot(createPyodideModule, stdlib, lockFile, buildId, snapshotHead, NumberCtor(heapBytes) || 0, makeSnapshot, done);
        } catch (error) {
          try {
            call(done, 'boot', false, describeError(error));
          } catch {
            // Nothing more to report.
          }
        }
      },
      runPython: guarded((code) => {
        const result = pyodide.runPython(StringCtor(code));
        return result === undefined ? '' : StringCtor(result);
      }),
      setEntry: guarded((moduleName, functionName) => {
        // The module proxy stays alive: the function proxy is borrowed from it.
        const module = API.importlib.import_module(StringCtor(moduleName));
        laneEntry = module[StringCtor(functionName)];
        return 'ok';
      }),
      writeFile: guarded((path, text) => {
        FS.mkdirTree(StringCtor(path).replace(/\/[^/]*$/, '') || '/');
        FS.writeFile(StringCtor(path), StringCtor(text));
        return 'ok';
      }),
      writeBytes: guarded((path, bytes) => {
        FS.mkdirTree(StringCtor(path).replace(/\/[^/]*$/, '') || '/');
        FS.writeFile(StringCtor(path), bytes);
        return 'ok';
      }),
      writeInputs: guarded((inputsJson) => {
        writeInputs(StringCtor(inputsJson));
        return 'ok';
      }),
      invoke: guarded((requestText, optionsJson) => invoke(StringCtor(requestText), jsonParse(StringCtor(optionsJson)))),
      readOutputFile: guarded((limit) => readOutputFile(NumberCtor(limit))),
      makeSnapshot: () => {
        try {
          return pyodide.makeMemorySnapshot();
        } catch (error) {
          return `!${describeError(error)}`;
        }
      },
      captureImage: guarded((baseId) => {
        const base = baseId ? apply(mapGet, images, [baseId]) : null;
        if (baseId && (!base || !base.bytes)) return '!no such base image';
        const id = nextImage++;
        apply(mapSet, images, [id, captureImage(base)]);
        return id;
      }),
      imageBytes: guarded((id) => {
        const image = apply(mapGet, images, [id]);
        return image ? imageSize(image) : 0;
      }),
      restoreImage: guarded((id) => {
        const image = apply(mapGet, images, [id]);
        if (!image) return '!no such image';
        restoreImage(image);
        return 'ok';
      }),
      dropImage: guarded((id) => {
        apply(mapDelete, images, [id]);
        return 'ok';
      }),
      fireTimer: (id) => {
        try {
          fireTimer(id);
        } catch {
          // A timer never breaks the host.
        }
      },
      state: guarded(() =>
        jsonStringify({
          booted,
          broken,
          heapBytes: memory ? memory.buffer.byteLength : 0,
          timers: timers.size,
          generation,
        }),
      ),
    });
  };
})();
