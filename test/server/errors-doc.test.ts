// Keeps docs/errors.md in sync with the error catalog, the run error types and the CLI exit codes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT_BY_ERROR_TYPE } from '../../src/cli/exit-codes.js';
import { ERROR_CATALOG } from '../../src/contract/errors.js';
import { ErrorTypeSchema } from '../../src/contract/response.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

/** Rows of the first markdown table under the given heading, as arrays of trimmed cells. */
function tableUnder(heading: string): string[][] {
  const start = doc.indexOf(`\n## ${heading}\n`);
  expect(start, `heading "${heading}" in docs/errors.md`).toBeGreaterThanOrEqual(0);
  const section = doc.slice(start + 1).split(/\n## /)[0] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .slice(1) // header row
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
}

describe('docs/errors.md', () => {
  it('lists every catalog code once, with its HTTP status', () => {
    const rows = tableUnder('Request errors');
    const documented = new Map(rows.map(([code, status]) => [code?.replaceAll('`', ''), Number(status)]));
    expect(rows).toHaveLength(documented.size);
    for (const [code, { status }] of Object.entries(ERROR_CATALOG)) {
      expect(documented.get(code), `status of ${code}`).toBe(status);
    }
    expect([...documented.keys()].sort()).toEqual(Object.keys(ERROR_CATALOG).sort());
  });

  it('lists every run error type', () => {
    const types = tableUnder('Run results (`error.type` in the envelope)').map(([type]) => type?.replaceAll('`', ''));
    expect(types.sort()).toEqual([...ErrorTypeSchema.options].sort());
  });

  it('documents the CLI exit code of every run error type', () => {
    const rows = tableUnder('CLI exit codes');
    for (const [type, exit] of Object.entries(EXIT_BY_ERROR_TYPE)) {
      if (type === 'exception') continue; // exceptions exit with the code's own return code (the 1-255 row)
      const row = rows.find(([, meaning]) => meaning?.includes(`\`${type}\``));
      expect(row, `a row for ${type}`).toBeDefined();
      expect(Number(row?.[0]), `exit code of ${type}`).toBe(exit);
    }
  });
});
