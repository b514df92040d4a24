/**
 * The entry conventions through the Pyodide lane: the seed patterns, function mode, exceptions and exit
 * codes, streams and their caps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPyodide, type PyodideHarness } from './harness.js';

let py: PyodideHarness;
beforeAll(async () => {
  py = await startPyodide();
});
afterAll(async () => {
  await py?.close();
});

describe('seed patterns', () => {
  it('runs a main()-guarded script that reads inputs.json and writes output.json', async () => {
    const code = [
      'import json',
      '',
      'def main():',
      '    with open("inputs.json") as f:',
      '        data = json.load(f)',
      '    with open("output.json", "w") as f:',
      '        json.dump({"total": sum(data["numbers"]), "who": data["who"]}, f)',
      '',
      'if __name__ == "__main__":',
      '    main()',
    ].join('\n');
    const result = await py.run({ code, inputs: { numbers: [1, 2, 3.5], who: 'Zoë' } });
    expect(result.failure).toBeUndefined();
    expect(result.mode).toBe('script');
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.outputFileText!)).toEqual({ total: 6.5, who: 'Zoë' });
  });

  it('calls def main(llm_output: str) -> dict that extracts JSON from text', async () => {
    const code = [
      'import json, re',
      '',
      'def main(llm_output: str) -> dict:',
      '    match = re.search(r"\\{.*\\}", llm_output, re.S)',
      '    return json.loads(match.group(0)) if match else {"error": "no json"}',
    ].join('\n');
    const result = await py.run({ code, inputs: { llm_output: 'Sure! Here it is:\n```json\n{"name": "Ada", "tags": ["x", "y"]}\n```', extra: 1 } });
    expect(result.failure).toBeUndefined();
    expect(result.mode).toBe('main');
    expect(JSON.parse(result.returnJson!)).toEqual({ name: 'Ada', tags: ['x', 'y'] });
  });

  it('runs a stdin script that prints JSON', async () => {
    const code = 'import sys, json\ndata = json.load(sys.stdin)\nprint(json.dumps({"echo": data["q"], "n": len(data["q"])}))';
    const result = await py.run({ code, inputs: { q: 'hello' } });
    expect(result.failure).toBeUndefined();
    expect(JSON.parse(result.stdout)).toEqual({ echo: 'hello', n: 5 });
  });
});

describe('function mode', () => {
  it('passes inputs as keyword arguments and drops keys main does not take', async () => {
    const result = await py.run({ code: 'def main(a, b=2):\n    return a + b', inputs: { a: 40, c: 'ignored' } });
    expect(result.returnJson).toBe('42');
  });

  it('passes every key to **kwargs', async () => {
    const result = await py.run({ code: 'def main(**kw):\n    return sorted(kw)', inputs: { b: 1, a: 2 } });
    expect(JSON.parse(result.returnJson!)).toEqual(['a', 'b']);
  });

  it('names a missing required argument', async () => {
    const result = await py.run({ code: 'def main(needed):\n    return needed', inputs: {} });
    expect(result.exitCode).toBe(1);
    expect(result.failure?.type).toBe('exception');
    expect(result.failure?.message).toContain("'needed'");
  });

  it('awaits async def main, asyncio.sleep included', async () => {
    const code = 'import asyncio\n\nasync def main(n):\n    await asyncio.sleep(0.01)\n    r = await asyncio.gather(*(asyncio.sleep(0.001, result=i) for i in range(n)))\n    return sum(r)';
    const result = await py.run({ code, inputs: { n: 5 } });
    expect(result.failure).toBeUndefined();
    expect(result.returnJson).toBe('10');
  });

  it('runs asyncio.run() in a script', async () => {
    const code = 'import asyncio\n\nasync def work():\n    await asyncio.sleep(0.001)\n    return 7\n\nprint(asyncio.run(work()))';
    const result = await py.run({ code });
    expect(result.failure).toBeUndefined();
    expect(result.stdout).toBe('7\n');
  });

  it('reports a value that is not JSON as invalid_output with its path', async () => {
    const result = await py.run({ code: 'def main():\n    return {"a": {1, 2}}' });
    expect(result.failure?.type).toBe('invalid_output');
    expect(result.failure?.message).toContain('output["a"]: set');
  });

  it('runs the module statements of a code that comes back once, and shows what they printed on every run', async () => {
    const code = 'import random\nprint("loading")\nTOKEN = random.random()\n\ndef main():\n    return TOKEN';
    const runs = [];
    for (let i = 0; i < 4; i++) runs.push(await py.run({ code }));
    // The first run is a one-off as far as the lane knows; the second captures the image; later runs use it.
    expect(runs.map((r) => r.cache)).toEqual(['miss', 'miss', 'hit', 'hit']);
    expect(runs[3]!.returnJson).toBe(runs[1]!.returnJson);
    expect(runs[2]!.returnJson).toBe(runs[1]!.returnJson);
    expect(runs[0]!.returnJson).not.toBe(runs[1]!.returnJson);
    for (const run of runs) expect(run.stdout).toBe('loading\n');
  });
});

describe('exceptions and exit codes', () => {
  it('reports an uncaught exception with the user frames only', async () => {
    const code = 'def helper():\n    return 1 / 0\n\nhelper()';
    const result = await py.run({ code });
    expect(result.exitCode).toBe(1);
    expect(result.failure).toMatchObject({ type: 'exception', message: 'ZeroDivisionError: division by zero' });
    expect(result.failure?.traceback).toContain('File "main.py", line 2, in helper');
    expect(result.failure?.traceback).not.toMatch(/isola|_pyodide|lib\/python/);
    expect(result.stderr).toContain('ZeroDivisionError: division by zero');
  });

  it('maps sys.exit(n) to the exit code', async () => {
    expect((await py.run({ code: 'import sys\nsys.exit(3)' })).exitCode).toBe(3);
    expect((await py.run({ code: 'import sys\nsys.exit()' })).exitCode).toBe(0);
    const message = await py.run({ code: 'import sys\nsys.exit("bye")' });
    expect(message.exitCode).toBe(1);
    expect(message.stderr).toBe('bye\n');
  });

  it('reports a syntax error with line and column', async () => {
    const result = await py.run({ code: 'def broken(:\n    pass' });
    expect(result.exitCode).toBe(1);
    expect(result.failure?.message).toMatch(/SyntaxError: .* \(line 1, column \d+\)/);
  });
});

describe('streams', () => {
  it('captures stdout and stderr, print and os.write alike', async () => {
    const code = 'import os, sys\nprint("out")\nprint("err", file=sys.stderr)\nsys.stdout.flush()\nos.write(1, b"raw\\n")';
    const result = await py.run({ code });
    expect(result.stdout).toBe('out\nraw\n');
    expect(result.stderr).toBe('err\n');
  });

  it('cuts a stream at its cap and says so, without splitting a character', async () => {
    const code = 'print("é" * 100)';
    const result = await py.run({ code, limits: { stdoutBytes: 11 } });
    expect(result.stdoutTruncated).toBe(true);
    expect(result.stdout).toBe('é'.repeat(5));
    expect(result.stderrTruncated).toBe(false);
  });
});

describe('standard library', () => {
  it('has zoneinfo with time-zone data, decimal, statistics, csv, difflib, hashlib and hmac', async () => {
    const code = [
      'from datetime import datetime',
      'from zoneinfo import ZoneInfo',
      'import decimal, statistics, csv, io, difflib, hashlib, hmac',
      'def main():',
      '    paris = datetime(2024, 7, 1, 12, tzinfo=ZoneInfo("Europe/Paris"))',
      '    sydney = paris.astimezone(ZoneInfo("Australia/Sydney"))',
      '    rows = list(csv.reader(io.StringIO("a,b\\n1,2\\n")))',
      '    return {',
      '        "paris": paris.utcoffset().total_seconds(), "sydney": sydney.hour,',
      '        "dec": str(decimal.Decimal("0.1") + decimal.Decimal("0.2")),',
      '        "median": statistics.median([3, 1, 2]), "rows": rows,',
      '        "ratio": round(difflib.SequenceMatcher(None, "abcd", "abce").ratio(), 2),',
      '        "sha": hashlib.sha256(b"x").hexdigest()[:8],',
      '        "mac": hmac.new(b"k", b"m", "sha256").hexdigest()[:8],',
      '    }',
    ].join('\n');
    const result = await py.run({ code });
    expect(result.failure).toBeUndefined();
    expect(JSON.parse(result.returnJson!)).toEqual({
      paris: 7200,
      sydney: 20,
      dec: '0.3',
      median: 2,
      rows: [['a', 'b'], ['1', '2']],
      ratio: 0.75,
      sha: '2d711642',
      mac: 'b60090e3',
    });
  });
});
