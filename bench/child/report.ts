/** How child processes report back to the harness: one JSON line on stdout. */

export interface ChildReport {
  samples: number[];
  /** Further named series (e.g. the first build next to cached runs). */
  extra?: Record<string, number[]>;
  /** Set when the subject cannot run here; the harness turns it into a skipped row. */
  skip?: string;
}

export function finish(work: Promise<ChildReport>): void {
  // An await that can never settle (nothing left to run) would otherwise end the child silently.
  process.once('beforeExit', () => {
    console.error('bench child: a measurement never settled (the awaited promise has nothing left to resolve it)');
    process.exit(1);
  });
  work.then(
    (report) => {
      console.log(JSON.stringify(report));
      process.exit(0);
    },
    (err: unknown) => {
      const code = (err as { code?: unknown }).code;
      // `unsupported` is Isola's answer for a feature this build does not have yet: a skip, not a failure.
      if (code === 'bench_skip' || code === 'unsupported') {
        const message = (err as Error).message;
        console.log(JSON.stringify({ samples: [], skip: code === 'unsupported' ? `unsupported: ${message}` : message } satisfies ChildReport));
        process.exit(0);
      }
      console.error(err);
      process.exit(1);
    },
  );
}
