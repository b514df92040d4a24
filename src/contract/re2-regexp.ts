/**
 * The one part of RegExp that @cfworker/json-schema uses to match `pattern` and `patternProperties`
 * (`new RegExp(p, 'u').test(s)`), on RE2: a request's pattern runs in time linear in the input, as it does
 * under ajv in the Node build. scripts/cfworker-hardening.mjs makes cfworker construct this instead.
 */
import { RE2JS } from 're2js';

export class Re2RegExp {
  readonly #compiled: RE2JS;

  /** `flags` is cfworker's "u": RE2 matches by code point already. */
  constructor(pattern: string, _flags?: string) {
    this.#compiled = RE2JS.compile(pattern);
  }

  /** A match anywhere in `text`, as RegExp.prototype.test without the g or y flag. */
  test(text: string): boolean {
    return this.#compiled.test(text);
  }
}
