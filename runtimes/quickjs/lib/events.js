// node:events EventEmitter. The lib's value is the class itself (module.exports = EventEmitter), with
// .EventEmitter and .once as in Node, so both `require('events')` styles work.
(function (internal) {
  'use strict';
  const kEvents = Symbol('events');

  function listeners(emitter) {
    if (!Object.hasOwn(emitter, kEvents)) Object.defineProperty(emitter, kEvents, { value: new Map(), writable: true });
    return emitter[kEvents];
  }

  class EventEmitter {
    constructor() {
      listeners(this);
    }
    on(name, listener, prepend) {
      if (typeof listener !== 'function') throw new TypeError('The "listener" argument must be of type function. Received ' + typeof listener);
      const map = listeners(this);
      if (map.has('newListener') && name !== 'newListener') this.emit('newListener', name, listener.listener || listener);
      const list = map.get(name) || [];
      if (prepend) list.unshift(listener);
      else list.push(listener);
      map.set(name, list);
      return this;
    }
    addListener(name, listener) {
      return this.on(name, listener);
    }
    prependListener(name, listener) {
      return this.on(name, listener, true);
    }
    once(name, listener, prepend) {
      if (typeof listener !== 'function') throw new TypeError('The "listener" argument must be of type function. Received ' + typeof listener);
      const wrapper = (...args) => {
        this.off(name, wrapper);
        return listener.apply(this, args);
      };
      wrapper.listener = listener;
      return this.on(name, wrapper, prepend);
    }
    prependOnceListener(name, listener) {
      return this.once(name, listener, true);
    }
    off(name, listener) {
      const map = listeners(this);
      const list = map.get(name);
      if (!list) return this;
      const index = list.findLastIndex((l) => l === listener || l.listener === listener);
      if (index >= 0) {
        list.splice(index, 1);
        if (list.length === 0) map.delete(name);
        if (map.has('removeListener')) this.emit('removeListener', name, listener);
      }
      return this;
    }
    removeListener(name, listener) {
      return this.off(name, listener);
    }
    removeAllListeners(name) {
      if (name === undefined) listeners(this).clear();
      else listeners(this).delete(name);
      return this;
    }
    emit(name, ...args) {
      const list = listeners(this).get(name);
      if (!list || list.length === 0) {
        if (name === 'error') {
          const error = args[0];
          if (error instanceof Error) throw error;
          const wrapped = new Error('Unhandled error. (' + String(error) + ')');
          wrapped.code = 'ERR_UNHANDLED_ERROR';
          wrapped.context = error;
          throw wrapped;
        }
        return false;
      }
      for (const listener of list.slice()) listener.apply(this, args);
      return true;
    }
    listenerCount(name) {
      const list = listeners(this).get(name);
      return list ? list.length : 0;
    }
    listeners(name) {
      return (listeners(this).get(name) || []).map((l) => l.listener || l);
    }
    rawListeners(name) {
      return (listeners(this).get(name) || []).slice();
    }
    eventNames() {
      return [...listeners(this).keys()];
    }
    setMaxListeners() {
      return this;
    }
    getMaxListeners() {
      return EventEmitter.defaultMaxListeners;
    }
  }
  EventEmitter.defaultMaxListeners = 10;
  EventEmitter.EventEmitter = EventEmitter;
  EventEmitter.errorMonitor = Symbol('events.errorMonitor');
  /** events.once(emitter, name): a promise of the next event's arguments; 'error' rejects it. */
  EventEmitter.once = function once(emitter, name) {
    return new Promise((resolve, reject) => {
      const onError = (error) => {
        emitter.off(name, onEvent);
        reject(error);
      };
      const onEvent = (...args) => {
        if (name !== 'error') emitter.off('error', onError);
        resolve(args);
      };
      emitter.once(name, onEvent);
      if (name !== 'error') emitter.once('error', onError);
    });
  };
  EventEmitter.setMaxListeners = () => {};
  EventEmitter.getEventListeners = (emitter, name) => (typeof emitter.listeners === 'function' ? emitter.listeners(name) : []);
  EventEmitter.listenerCount = (emitter, name) => emitter.listenerCount(name);
  /** events.on(emitter, name): an async iterator of each event's arguments; 'error' rejects it. */
  EventEmitter.on = function on(emitter, name) {
    const queue = [];
    const waiting = [];
    let failure = null;
    const push = (...args) => (waiting.length > 0 ? waiting.shift().resolve({ value: args, done: false }) : queue.push(args));
    const fail = (error) => {
      failure = error;
      while (waiting.length > 0) waiting.shift().reject(error);
    };
    emitter.on(name, push);
    if (name !== 'error') emitter.on('error', fail);
    const stop = () => {
      emitter.off(name, push);
      emitter.off('error', fail);
    };
    return {
      next() {
        if (queue.length > 0) return Promise.resolve({ value: queue.shift(), done: false });
        if (failure) return Promise.reject(failure);
        return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
      },
      return() {
        stop();
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  };
  void internal;
  return EventEmitter;
});
