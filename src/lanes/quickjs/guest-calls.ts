/** Calling the guest bootstrap's internal methods from the host, with an explicit answer for failure. */
import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten-core';

/**
 * `target[method]()` as a number, or `onError` when the call throws (a guest that broke its own
 * bootstrap, or ran out of memory while answering): each caller says what failure means for it.
 */
export function callNumber(ctx: QuickJSContext, target: QuickJSHandle, method: string, onError: number): number {
  const result = ctx.callMethod(target, method, []);
  if (result.error) {
    result.error.dispose();
    return onError;
  }
  const value = ctx.getNumber(result.value);
  result.value.dispose();
  return value;
}
