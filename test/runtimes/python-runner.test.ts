/**
 * runtimes/python/isola_runner.py on the host's CPython: the entry conventions shared by the Pyodide and
 * native lanes. All cases run in one python3 process (one spawn for the suite), each with its own
 * captured stdout/stderr, through a tiny driver that calls execute() exactly as a lane would.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const RUNTIME_DIR = fileURLToPath(new URL('../../runtimes/python/', import.meta.url));

const DRIVER = `
import contextlib, io, json, sys
sys.path.insert(0, sys.argv[1])
import isola_runner
cases = json.load(sys.stdin)
out = {}
for name, case in cases.items():
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            result = isola_runner.execute(case["code"], "main.py", case.get("mode", "auto"),
                                          json.dumps(case.get("inputs", {})), case.get("limit", 1 << 20))
    except KeyboardInterrupt:
        result = {"raised": "KeyboardInterrupt"}
    out[name] = {"result": result, "stdout": stdout.getvalue(), "stderr": stderr.getvalue()}
json.dump(out, sys.__stdout__)
`;

interface Case {
  code: string;
  inputs?: unknown;
  mode?: 'auto' | 'script' | 'main';
  limit?: number;
}
interface Outcome {
  result: {
    mode?: string;
    exit_code?: number;
    return_json?: string | null;
    failure?: { type: string; message: string; traceback: string | null } | null;
    raised?: string;
  };
  stdout: string;
  stderr: string;
}

const lines = (...parts: string[]): string => parts.join('\n') + '\n';

const CASES: Record<string, Case> = {
  llmExtract: {
    code: lines(
      'import json, re',
      'def main(llm_output: str) -> dict:',
      '    match = re.search(r"\\{.*\\}", llm_output, re.S)',
      '    return json.loads(match.group(0))',
    ),
    inputs: { llm_output: 'Sure! {"city": "Zürich", "n": 3} hope that helps', ignored: true },
  },
  guardedScript: {
    code: lines(
      'import json, sys',
      'def main():',
      '    data = json.load(sys.stdin)',
      '    print(json.dumps({"sum": sum(data["xs"]), "argv": sys.argv, "name": __name__}))',
      "if __name__ == '__main__':",
      '    main()',
    ),
    inputs: { xs: [1, 2, 3] },
  },
  missingArgument: { code: lines('def main(text, count=1):', '    return text * count') },
  kwargs: { code: lines('def main(a, **rest):', '    return {"a": a, "rest": rest}'), inputs: { a: 1, b: 2 } },
  zeroDivision: { code: lines('def helper(x):', '    return x / 0', 'def main():', '    return helper(1)') },
  syntaxError: { code: lines('def main(:', '    pass') },
  exit3: { code: lines('import sys', 'sys.exit(3)') },
  exitNone: { code: lines('import sys', 'sys.exit()') },
  exitMessage: { code: lines('import sys', 'sys.exit("bye now")') },
  setOutput: { code: lines('def main():', '    return {"a": {1, 2}}') },
  nestedPath: {
    code: lines('import datetime', 'def main():', '    return {"rows": [0, 1, 2, {"when": b"x"}]}'),
  },
  friendlyTypes: {
    code: lines(
      'import datetime, decimal, uuid',
      'def main():',
      '    return {"d": datetime.date(2024, 2, 29), "t": (1, 2), "m": decimal.Decimal("1.10"),',
      '            "u": uuid.UUID(int=1), "dt": datetime.datetime(2024, 1, 2, 3, 4, 5)}',
    ),
  },
  nan: { code: lines('def main():', '    return {"x": float("nan")}') },
  overLimit: { code: lines('def main():', '    return "x" * 100'), limit: 50 },
  asyncMain: {
    code: lines('import asyncio', 'async def main(n):', '    await asyncio.sleep(0)', '    return n * 2'),
    inputs: { n: 21 },
  },
  calledItself: { code: lines('def main():', '    print("called")', '    return 1', 'main()') },
  forcedScript: { code: lines('def main():', '    return 1', 'print("top")'), mode: 'script' },
  forcedMainWithout: { code: lines('x = 1'), mode: 'main' },
  keyboardInterrupt: { code: lines('def main():', '    raise KeyboardInterrupt') },
  memoryError: { code: lines('def main():', '    return bytearray(1 << 60)') },
  // More than the address space holds: on wasm32 even bytearray(3 GiB) fails converting its size.
  indexOverflow: { code: lines('def main():', '    return bytearray(1 << 64)') },
  otherOverflow: { code: lines('def main():', '    return 10 ** 400 * 1.0') },
  chained: {
    code: lines('def main():', '    try:', '        {}["k"]', '    except KeyError as e:', '        raise ValueError("bad") from e'),
  },
  brokenStr: {
    code: '\ufeff' + lines('class Odd(Exception):', '    def __str__(self):', '        raise ValueError("no")', 'def main():', '    raise Odd()'),
  },
  customError: { code: lines('class Boom(Exception):', '    pass', 'def main():', '    raise Boom("x")') },
};

let outcomes: Record<string, Outcome> = {};

beforeAll(() => {
  const text = execFileSync('python3', ['-c', DRIVER, RUNTIME_DIR], { input: JSON.stringify(CASES), encoding: 'utf8', timeout: 30_000 });
  outcomes = JSON.parse(text) as Record<string, Outcome>;
});

function outcome(name: keyof typeof CASES): Outcome {
  const found = outcomes[name];
  if (!found) throw new Error(`no outcome for ${name}`);
  return found;
}

describe('isola_runner.execute on CPython', () => {
  it('calls def main(llm_output: str) with matching inputs only and returns JSON', () => {
    const { result } = outcome('llmExtract');
    expect(result).toMatchObject({ mode: 'main', exit_code: 0, failure: null });
    expect(JSON.parse(result.return_json ?? 'null')).toEqual({ city: 'Zürich', n: 3 });
  });

  it('runs a main-guarded script as __main__ with inputs on stdin and argv = [filename]', () => {
    const { result, stdout } = outcome('guardedScript');
    expect(result).toMatchObject({ mode: 'script', exit_code: 0, return_json: null, failure: null });
    expect(JSON.parse(stdout)).toEqual({ sum: 6, argv: ['main.py'], name: '__main__' });
  });

  it('names a missing required argument and passes **kwargs everything', () => {
    expect(outcome('missingArgument').result.failure).toMatchObject({
      type: 'exception',
      message: "TypeError: main() missing required argument: 'text'",
    });
    expect(JSON.parse(outcome('kwargs').result.return_json ?? 'null')).toEqual({ a: 1, rest: { b: 2 } });
  });

  it('reports exceptions with the user frames only, also on stderr', () => {
    const { result, stderr } = outcome('zeroDivision');
    expect(result.exit_code).toBe(1);
    expect(result.failure?.message).toBe('ZeroDivisionError: division by zero');
    const traceback = result.failure?.traceback ?? '';
    expect(traceback.startsWith('Traceback (most recent call last):\n  File "main.py", line 4, in main\n')).toBe(true);
    expect(traceback).toContain('File "main.py", line 2, in helper');
    expect(traceback).not.toContain('isola_runner');
    expect(stderr).toBe(traceback);
  });

  it('keeps chained exceptions and unqualified user exception names', () => {
    const chained = outcome('chained').result.failure?.traceback ?? '';
    expect(chained).toContain("KeyError: 'k'");
    expect(chained).toContain('The above exception was the direct cause');
    expect(chained).not.toContain('isola_runner');
    expect(outcome('customError').result.failure?.message).toBe('Boom: x');
    expect(outcome('customError').result.failure?.traceback).toMatch(/\nBoom: x\n$/);
  });

  it('survives an exception whose __str__ raises, in code with a byte-order mark', () => {
    expect(outcome('brokenStr').result.failure).toMatchObject({ type: 'exception', message: 'Odd: <exception str() failed>' });
  });

  it('reports a SyntaxError with line, column and caret', () => {
    const { result } = outcome('syntaxError');
    expect(result.failure?.type).toBe('exception');
    expect(result.failure?.message).toMatch(/^SyntaxError: .+ \(line 1, column \d+\)$/);
    expect(result.failure?.traceback).toMatch(/File "main\.py", line 1\n {4}def main\(:\n\s+\^/);
  });

  it('maps sys.exit like CPython does', () => {
    expect(outcome('exit3').result).toMatchObject({ exit_code: 3, failure: null });
    expect(outcome('exitNone').result).toMatchObject({ exit_code: 0, failure: null });
    expect(outcome('exitMessage').result).toMatchObject({ exit_code: 1, failure: null });
    expect(outcome('exitMessage').stderr).toBe('bye now\n');
  });

  it('names the type and path of a value that is not JSON', () => {
    expect(outcome('setOutput').result.failure).toMatchObject({ type: 'invalid_output', message: 'output["a"]: set' });
    expect(outcome('nestedPath').result.failure?.message).toBe('output["rows"][3]["when"]: bytes');
    expect(outcome('nan').result.failure?.type).toBe('invalid_output');
    expect(outcome('nan').result.failure?.message).toContain('output["x"]');
  });

  it('converts dates, tuples, Decimal and UUID', () => {
    expect(JSON.parse(outcome('friendlyTypes').result.return_json ?? 'null')).toEqual({
      d: '2024-02-29',
      t: [1, 2],
      m: '1.10',
      u: '00000000-0000-0000-0000-000000000001',
      dt: '2024-01-02T03:04:05',
    });
  });

  it('enforces the output limit', () => {
    expect(outcome('overLimit').result.failure?.type).toBe('output_limit');
  });

  it('awaits async def main', () => {
    expect(outcome('asyncMain').result).toMatchObject({ mode: 'main', return_json: '42' });
  });

  it('decides the mode with ast and honours a forced mode', () => {
    expect(outcome('calledItself').result.mode).toBe('script');
    expect(outcome('calledItself').stdout).toBe('called\n');
    expect(outcome('forcedScript').result.mode).toBe('script');
    expect(outcome('forcedScript').stdout).toBe('top\n');
    expect(outcome('forcedMainWithout').result.failure?.type).toBe('exception');
  });

  it('lets KeyboardInterrupt through and turns MemoryError into memory_limit', () => {
    expect(outcome('keyboardInterrupt').result).toEqual({ raised: 'KeyboardInterrupt' });
    expect(outcome('memoryError').result).toMatchObject({ exit_code: 1, failure: { type: 'memory_limit' } });
    expect(outcome('indexOverflow').result).toMatchObject({ exit_code: 1, failure: { type: 'memory_limit', message: expect.stringContaining('OverflowError') } });
    expect(outcome('otherOverflow').result).toMatchObject({ exit_code: 1, failure: { type: 'exception' } });
  });
});
