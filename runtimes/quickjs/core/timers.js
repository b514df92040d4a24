// Timers for guest code: a guest-side queue. The driver asks nextTimerAt(), sleeps until then (within the
// deadline) and calls runTimers(). Loaded on the first setTimeout/setInterval/setImmediate, so code that
// never schedules anything does not compile this file.
(function (_internal) {
  'use strict';
  let nextTimerId = 1;
  const timers = new Map();
  /** Node's Timeout: ref/unref decide whether the timer keeps the run alive; it converts to its id. */
  class Timeout {
    #timer;
    constructor(timer) {
      this.#timer = timer;
    }
    ref() {
      this.#timer.ref = true;
      return this;
    }
    unref() {
      this.#timer.ref = false;
      return this;
    }
    hasRef() {
      return this.#timer.ref;
    }
    refresh() {
      this.#timer.at = Date.now() + this.#timer.ms;
      return this;
    }
    close() {
      timers.delete(this.#timer.id);
      return this;
    }
    [Symbol.toPrimitive]() {
      return this.#timer.id;
    }
  }
  function add(callback, delay, args, repeat) {
    if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function. Received ' + typeof callback);
    const ms = Math.max(1, Number(delay) || 0);
    const timer = { id: nextTimerId++, callback, args, at: Date.now() + ms, every: repeat ? ms : 0, ms, ref: true };
    timers.set(timer.id, timer);
    return new Timeout(timer);
  }
  const clear = (handle) => void timers.delete(handle instanceof Timeout ? +handle : handle);
  return {
    setTimeout: (cb, ms, ...args) => add(cb, ms, args, false),
    setInterval: (cb, ms, ...args) => add(cb, ms, args, true),
    setImmediate: (cb, ...args) => add(cb, 0, args, false),
    clearTimeout: clear,
    clearInterval: clear,
    clearImmediate: clear,
    nextTimerAt() {
      let soonest = -1;
      for (const timer of timers.values()) if (soonest < 0 || timer.at < soonest) soonest = timer.at;
      return soonest;
    },
    /** 1 while a timer keeps the run alive (unref'd ones, like AbortSignal.timeout's, do not), else 0. */
    hasRefTimers() {
      for (const timer of timers.values()) if (timer.ref) return 1;
      return 0;
    },
    /** Run every timer due by `now`, in due order. An exception propagates to the driver as uncaught. */
    runTimers(now) {
      const due = [];
      for (const timer of timers.values()) if (timer.at <= now) due.push(timer);
      due.sort((a, b) => a.at - b.at || a.id - b.id);
      for (const timer of due) {
        if (!timers.has(timer.id)) continue;
        if (timer.every) timer.at = now + timer.every;
        else timers.delete(timer.id);
        timer.callback(...timer.args);
      }
    },
  };
})
