import { describe, expect, it } from 'vitest';
import { DEFAULT_OPERATOR_LIMITS, ERROR_CATALOG, IsolaError, parseExecuteRequest } from '../../src/contract/index.js';

function rejection(body: unknown): IsolaError {
  try {
    parseExecuteRequest(body);
  } catch (error) {
    if (error instanceof IsolaError) return error;
    throw error;
  }
  throw new Error('expected the request to be rejected');
}

describe('execute request contract', () => {
  it('applies every default', () => {
    const request = parseExecuteRequest({ language: 'javascript', code: '1' });
    expect(request).toEqual({
      language: 'javascript',
      code: '1',
      inputs: {},
      entrypoint: 'auto',
      timeout_ms: 10_000,
      memory_mb: 256,
      packages: [],
      network: { allow: [] },
      runtime: 'auto',
      coerce: false,
    });
  });

  it('names every bad field at once', () => {
    const error = rejection({ language: 'cobol', code: 42, timeout_ms: 0, memory_mb: 1.5, inputs: [1], entrypoint: 'start', runtime: 'docker' });
    expect(error.code).toBe('invalid_request');
    expect(error.status).toBe(400);
    const fields = error.issues!.map((issue) => issue.field).sort();
    expect(fields).toEqual(['code', 'entrypoint', 'inputs', 'language', 'memory_mb', 'runtime', 'timeout_ms']);
  });

  it('rejects unknown fields by name, so typos do not silently fall back to defaults', () => {
    const error = rejection({ language: 'python', code: '', timeout: 5 });
    expect(error.issues).toEqual([expect.objectContaining({ field: 'timeout' })]);
  });

  it('rejects a body that is not an object', () => {
    for (const body of [null, 'code', 42, []]) expect(rejection(body).code).toBe('invalid_request');
  });

  it('validates egress allow-list entries', () => {
    const error = rejection({ language: 'javascript', code: '', network: { allow: ['ok.example.com', 'http://x.com/', 'a b'] } });
    expect(error.issues!.map((i) => i.field)).toEqual(['network.allow.1', 'network.allow.2']);
    expect(parseExecuteRequest({ language: 'javascript', code: '', network: { allow: ['*.example.org', '127.0.0.1:8080', '[::1]:80'] } }).network.allow).toHaveLength(3);
  });

  it('bounds timeout and memory', () => {
    expect(rejection({ language: 'javascript', code: '', timeout_ms: DEFAULT_OPERATOR_LIMITS.maxTimeoutMs + 1 }).issues![0]!.field).toBe('timeout_ms');
    expect(rejection({ language: 'javascript', code: '', memory_mb: 8 }).issues![0]!.field).toBe('memory_mb');
  });

  it('answers 413 naming the field over its size limit, counting UTF-8 bytes', () => {
    const tooLong = 'é'.repeat(DEFAULT_OPERATOR_LIMITS.maxCodeBytes / 2 + 1); // 2 bytes each in UTF-8
    const error = rejection({ language: 'javascript', code: tooLong });
    expect(error.code).toBe('payload_too_large');
    expect(error.status).toBe(413);
    expect(error.issues![0]!.field).toBe('code');

    const inputs = { blob: 'x'.repeat(DEFAULT_OPERATOR_LIMITS.maxInputsBytes) };
    expect(rejection({ language: 'javascript', code: '', inputs }).issues![0]!.field).toBe('inputs');
  });

  it('rejects inputs that cannot be serialized as JSON (library callers can pass anything)', () => {
    const error = rejection({ language: 'javascript', code: '', inputs: { big: 10n } });
    expect(error.code).toBe('invalid_request');
    expect(error.issues![0]!.field).toBe('inputs.big');
    // What JSON.stringify drops stays accepted, as before.
    expect(parseExecuteRequest({ language: 'javascript', code: '', inputs: { gone: undefined, f: () => 1 } }).inputs).toHaveProperty('f');
  });

  it('gives every catalog code a 4xx or 5xx status', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOG)) {
      expect(entry.status, code).toBeGreaterThanOrEqual(400);
      expect(entry.status, code).toBeLessThan(600);
    }
  });
});

describe('prebuild_language', () => {
  it('accepts "bash" and a shell first line, and tells them from code', async () => {
    const { shellPrebuildOf } = await import('../../src/contract/index.js');
    const shell = (body: Record<string, unknown>) => shellPrebuildOf(parseExecuteRequest({ language: 'python', code: '', ...body }));
    expect(shell({ prebuild: 'pip install six', prebuild_language: 'bash' })).toBe('bash');
    for (const line of ['#!/bin/bash', '#!/usr/bin/env bash', '#!/bin/sh', '#!/bin/bash -e', '#!/bin/bash\r']) {
      expect(shell({ prebuild: `${line}\necho hi\n` }), line).toBe('bash');
    }
    expect(shell({ prebuild: '#!/usr/bin/python3\nprint(1)\n' })).toBeUndefined();
    expect(shell({ prebuild: '#!/bin/bash\nprint(1)\n', prebuild_language: 'python' })).toBeUndefined();
    expect(shell({})).toBeUndefined();
  });

  it('names prebuild_language when it is unknown, has no prebuild, or is another language than the code', () => {
    expect(rejection({ language: 'python', code: '', prebuild: 'x', prebuild_language: 'zsh' }).issues).toEqual([expect.objectContaining({ field: 'prebuild_language' })]);
    expect(rejection({ language: 'python', code: '', prebuild_language: 'bash' }).issues).toEqual([{ field: 'prebuild_language', message: 'is set but there is no prebuild' }]);
    const other = rejection({ language: 'python', code: '', prebuild: 'x', prebuild_language: 'javascript' });
    expect(other.status).toBe(400);
    expect(other.issues?.[0]?.message).toMatch(/"bash" or the language of code \(python\), got "javascript"/);
    expect(() => parseExecuteRequest({ language: 'typescript', code: '', prebuild: 'x', prebuild_language: 'javascript' })).not.toThrow();
  });

  it('refuses a shell prebuild with runtime "wasm", naming the field that made it one', () => {
    expect(rejection({ language: 'python', code: '', prebuild: '#!/bin/bash\n', runtime: 'wasm' }).issues).toEqual([expect.objectContaining({ field: 'prebuild', message: expect.stringMatching(/native lane/) })]);
    expect(rejection({ language: 'python', code: '', prebuild: 'ls', prebuild_language: 'bash', runtime: 'wasm' }).issues).toEqual([expect.objectContaining({ field: 'prebuild_language' })]);
  });
});
