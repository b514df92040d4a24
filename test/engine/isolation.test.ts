import { describe, expect, it } from 'vitest';
import { useEngine } from './helpers.js';

// One worker, so consecutive executions are guaranteed to land on the same Wasm module.
const { run } = useEngine({ workers: { quickjs: 1 } });

describe('isolation between executions (same worker)', () => {
  it('globals, prototypes, builtins, files, timers and module state do not survive', async () => {
    const polluter = await run({
      code: `
        globalThis.leaked = 'secret';
        var alsoLeaked = 1;
        Object.prototype.polluted = true;
        Array.prototype.map = function () { return ['hijacked'] };
        JSON.stringify = () => '"hijacked"';
        Math.random = () => 4;
        require('fs').writeFileSync('/tmp/left-behind.txt', 'x');
        require('fs').writeFileSync('output.json', '{"stale":true}');
        setInterval(() => { globalThis.tick = (globalThis.tick || 0) + 1 }, 1);
        process.env.TOKEN = 'abc';
        require('path').sep = '\\\\';
        process.exit(0);
      `,
    });
    expect(polluter.return_code).toBe(0);

    const probe = await run({
      code: `
        const fs = require('fs');
        function main() {
          return {
            leaked: typeof leaked, alsoLeaked: typeof alsoLeaked, polluted: ({}).polluted === true,
            map: [1].map((x) => x + 1), stringify: JSON.stringify({ a: 1 }), random: Math.random() !== 4,
            tmpFile: fs.existsSync('/tmp/left-behind.txt'), outputFile: fs.existsSync('output.json'),
            tick: typeof tick, token: process.env.TOKEN, sep: require('path').sep,
          };
        }`,
    });
    expect(probe.output).toEqual({
      leaked: 'undefined', alsoLeaked: 'undefined', polluted: false, map: [2], stringify: '{"a":1}', random: true,
      tmpFile: false, outputFile: false, tick: 'undefined', sep: '/',
    });
  });

  it('each execution sees only its own inputs', async () => {
    const responses = await Promise.all([1, 2, 3, 4, 5].map((n) => run({ code: `function main({ n }) { return n * 10 }`, inputs: { n } })));
    expect(responses.map((r) => r.output)).toEqual([10, 20, 30, 40, 50]);
  });

  it('randomness differs between executions', async () => {
    const code = `function main() { return [Math.random(), crypto.randomUUID()] }`;
    const [a, b] = await Promise.all([run({ code }), run({ code })]);
    expect(a.output).not.toEqual(b.output);
  });
});
