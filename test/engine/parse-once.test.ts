// Issue 9: a request is parsed once. The faces accept it through the contract (acceptExecuteRequest) and
// the engine runs what was accepted: no second validation, and the inputs the guest receives are the
// JSON serialised at acceptance, not a fresh serialisation of a mutable object.
import { describe, expect, it } from 'vitest';
import { acceptExecuteRequest, isParsedExecuteRequest } from '../../src/contract/request.js';
import { useEngine } from './helpers.js';

const { engine } = useEngine();
const ECHO = 'function main(inputs) { return inputs }';

describe('parse once', () => {
  it('runs an accepted request with the inputs serialised when it was accepted', async () => {
    const inputs: Record<string, unknown> = { user: { name: 'ada' } };
    const accepted = acceptExecuteRequest({ language: 'javascript', code: ECHO, inputs });
    expect(isParsedExecuteRequest(accepted)).toBe(true);
    expect(Object.isFrozen(accepted.request)).toBe(true);
    // Changing the caller's object afterwards changes nothing the guest sees.
    (inputs['user'] as Record<string, unknown>)['name'] = 'mallory';
    inputs['extra'] = 1;
    const response = await engine().execute(accepted);
    expect(response.output).toEqual({ user: { name: 'ada' } });
  });

  it('accepting an accepted request returns it as is', () => {
    const accepted = acceptExecuteRequest({ language: 'javascript', code: ECHO });
    expect(acceptExecuteRequest(accepted)).toBe(accepted);
  });

  it('a look-alike object is not trusted: it is parsed like any body, and refused', async () => {
    const real = acceptExecuteRequest({ language: 'javascript', code: ECHO });
    const forged = { request: { ...real.request, timeout_ms: 10 ** 9 }, inputsJson: '{"forged":true}' };
    expect(isParsedExecuteRequest(forged)).toBe(false);
    await expect(engine().execute(forged)).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
