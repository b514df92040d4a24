/** Subprocess peers: a new native interpreter per execution, optionally inside bubblewrap. */
import { runProcess, expectSuccess, type ProcessResult } from '../process.js';
import { checkHello, nodeHarness, pythonHarness, HELLO_INPUTS } from '../workloads.js';
import { BWRAP, bwrapArgs, python3Path } from './native-tools.js';

export type SubprocessPeer = 'python3' | 'bwrap+python3' | 'node -e';

export const SUBPROCESS_PEERS: Record<SubprocessPeer, 'python' | 'javascript'> = {
  python3: 'python',
  'bwrap+python3': 'python',
  'node -e': 'javascript',
};

/** The command line that runs `code` (wrapped in the peer's harness) in a fresh process. */
export function peerCommand(peer: SubprocessPeer, code: string): [string, string[]] {
  switch (peer) {
    case 'python3':
      return [python3Path(), ['-I', '-c', pythonHarness(code)]];
    case 'bwrap+python3':
      return [BWRAP, bwrapArgs([python3Path(), '-I', '-c', pythonHarness(code)])];
    case 'node -e':
      return [process.execPath, ['-e', nodeHarness(code)]];
  }
}

/** Runs `code` once; the result's `ms` is the wall clock from spawn to exit. */
export function runPeer(
  peer: SubprocessPeer,
  code: string,
  killAfterMs?: number,
  inputs: object = HELLO_INPUTS,
): Promise<ProcessResult> {
  const [command, args] = peerCommand(peer, code);
  return runProcess(command, args, {
    input: JSON.stringify(inputs),
    // A scrubbed environment, as any sandbox would use; PATH only so tools resolve.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    ...(killAfterMs === undefined ? {} : { killAfterMs }),
  });
}

/** Runs the hello workload once, checks its answer, and returns the wall clock in ms. */
export async function helloOnce(peer: SubprocessPeer, code: string): Promise<number> {
  const result = await runPeer(peer, code);
  checkHello(peer, expectSuccess(peer, result));
  return result.ms;
}
