/** `isola bench [--quick] [--only scenarios] [--subject names]`: the benchmark harness in bench/. */
export async function run(args: string[]): Promise<number> {
  const { runBench } = await import('../../bench/cli.js');
  return runBench(args);
}
