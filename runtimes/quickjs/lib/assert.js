// node:assert (the strict flavour for equal/deepEqual, as `assert/strict` would be): enough for the checks
// users put in code nodes, with AssertionError carrying actual/expected/operator like Node's.
(function (internal) {
  'use strict';
  const { inspect, util } = internal.lib('inspect');

  class AssertionError extends Error {
    constructor(options) {
      super(options.message);
      this.name = 'AssertionError';
      this.code = 'ERR_ASSERTION';
      this.actual = options.actual;
      this.expected = options.expected;
      this.operator = options.operator;
      this.generatedMessage = !options.userMessage;
    }
  }

  // `generated` overrides Node's generatedMessage flag (false for "Missing expected exception", as in Node).
  function fail(actual, expected, message, operator, defaultMessage, generated) {
    if (message instanceof Error) throw message;
    const userMessage = generated === undefined ? message !== undefined : !generated;
    throw new AssertionError({ message: message !== undefined ? String(message) : defaultMessage(), userMessage, actual, expected, operator });
  }
  const show = (value) => inspect(value, { depth: 4 });

  function ok(value, message) {
    if (arguments.length === 0) fail(undefined, true, 'No value argument passed to `assert.ok()`', '==');
    if (!value) fail(value, true, message, '==', () => 'The expression evaluated to a falsy value:\n\n  assert.ok(' + show(value) + ')\n');
  }
  const assert = (value, message) => (arguments.length, ok(value, message));
  assert.ok = ok;
  assert.AssertionError = AssertionError;
  assert.fail = (message = 'Failed') => fail(undefined, undefined, message, 'fail');
  assert.equal = (actual, expected, message) => {
    // biome-ignore lint/suspicious/noDoubleEquals: assert.equal is loose equality, as in Node
    // biome-ignore lint/suspicious/noSelfCompare: NaN equals NaN here, as in Node
    if (!(actual == expected || (actual !== actual && expected !== expected))) fail(actual, expected, message, '==', () => show(actual) + ' == ' + show(expected));
  };
  assert.notEqual = (actual, expected, message) => {
    // biome-ignore lint/suspicious/noDoubleEquals: assert.notEqual is loose inequality, as in Node
    if (actual == expected) fail(actual, expected, message, '!=', () => show(actual) + ' != ' + show(expected));
  };
  assert.strictEqual = (actual, expected, message) => {
    if (!Object.is(actual, expected)) fail(actual, expected, message, 'strictEqual', () => 'Expected values to be strictly equal:\n\n' + show(actual) + ' !== ' + show(expected) + '\n');
  };
  assert.notStrictEqual = (actual, expected, message) => {
    if (Object.is(actual, expected)) fail(actual, expected, message, 'notStrictEqual', () => 'Expected "actual" to be strictly unequal to: ' + show(expected));
  };
  assert.deepStrictEqual = (actual, expected, message) => {
    if (!util.isDeepStrictEqual(actual, expected)) fail(actual, expected, message, 'deepStrictEqual', () => 'Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ ' + show(actual) + '\n- ' + show(expected) + '\n');
  };
  assert.notDeepStrictEqual = (actual, expected, message) => {
    if (util.isDeepStrictEqual(actual, expected)) fail(actual, expected, message, 'notDeepStrictEqual', () => 'Expected "actual" not to be strictly deep-equal to: ' + show(expected));
  };
  // The loose deep comparison is rarely what users mean; strict semantics are the safer approximation.
  assert.deepEqual = assert.deepStrictEqual;
  assert.notDeepEqual = assert.notDeepStrictEqual;

  function matches(error, expected) {
    if (expected === undefined) return true;
    if (typeof expected === 'function') {
      if (expected.prototype !== undefined && error instanceof expected) return true;
      if (Object.prototype.isPrototypeOf.call(Error, expected) || expected === Error) return false;
      return expected.call({}, error) === true;
    }
    if (expected instanceof RegExp) return expected.test(String(error));
    if (typeof expected === 'object' && expected !== null) {
      return Object.keys(expected).every((key) => {
        const want = expected[key];
        const got = error == null ? undefined : error[key];
        return want instanceof RegExp && typeof got === 'string' ? want.test(got) : util.isDeepStrictEqual(got, want);
      });
    }
    return false;
  }

  assert.throws = (fn, expected, message) => {
    if (typeof expected === 'string') (message = expected), (expected = undefined);
    try {
      fn();
    } catch (error) {
      if (!matches(error, expected)) {
        if (typeof expected === 'function' && (expected === Error || Object.prototype.isPrototypeOf.call(Error, expected))) throw error;
        fail(error, expected, message, 'throws', () => 'The error is expected to match ' + show(expected) + '. Received ' + show(error));
      }
      return;
    }
    fail(undefined, expected, undefined, 'throws', () => 'Missing expected exception' + (message ? ': ' + message : '.'), false);
  };
  assert.doesNotThrow = (fn, message) => {
    try {
      fn();
    } catch (error) {
      fail(error, undefined, typeof message === 'string' ? message : undefined, 'doesNotThrow', () => 'Got unwanted exception.\nActual message: "' + (error?.message) + '"');
    }
  };
  assert.rejects = async (promiseOrFn, expected, message) => {
    if (typeof expected === 'string') (message = expected), (expected = undefined);
    try {
      await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn);
    } catch (error) {
      if (!matches(error, expected)) fail(error, expected, message, 'rejects', () => 'The error is expected to match ' + show(expected) + '. Received ' + show(error));
      return;
    }
    fail(undefined, expected, undefined, 'rejects', () => 'Missing expected rejection' + (message ? ': ' + message : '.'), false);
  };
  assert.doesNotReject = async (promiseOrFn, message) => {
    try {
      await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn);
    } catch (error) {
      fail(error, undefined, message, 'doesNotReject', () => 'Got unwanted rejection.\nActual message: "' + (error?.message) + '"');
    }
  };
  assert.match = (string, regexp, message) => {
    if (!regexp.test(string)) fail(string, regexp, message, 'match', () => 'The input did not match the regular expression ' + String(regexp) + '. Input:\n\n' + show(string) + '\n');
  };
  assert.doesNotMatch = (string, regexp, message) => {
    if (regexp.test(string)) fail(string, regexp, message, 'doesNotMatch', () => 'The input was expected to not match the regular expression ' + String(regexp) + '. Input:\n\n' + show(string) + '\n');
  };
  assert.ifError = (value) => {
    if (value !== null && value !== undefined) throw value instanceof Error ? value : new AssertionError({ message: 'ifError got unwanted exception: ' + show(value), actual: value, expected: null, operator: 'ifError' });
  };
  assert.strict = assert;
  return assert;
});
