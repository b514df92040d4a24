/**
 * A shell prebuild (prebuild_language "bash", or a `#!/bin/bash` first line) as a native job: the script
 * is a file of the job (/isola/job/prebuild.sh), run by runtimes/python/isola_shell.py, which starts the
 * egress forwarder like every native job, copies the environment's venv into a scratch directory bound
 * at the path the prebuilt venv will have later (so `pip install` lands in a venv the next jobs run, and
 * what it writes counts against the scratch caps like /work), puts shims first on PATH (pip into that
 * venv; apt-get, dpkg, sudo answer at once with the package they were asked for) and runs the script in
 * /work. Same sandbox, uid, limits and allow-list as any job of the request. Portable: plain data in,
 * plain data out.
 */
import type { GuestJob } from '../lane.js';
import type { GuestCommand } from './guest-command.js';
import type { NativeOptions } from './native-options.js';
import { SANDBOX_JOBDIR, SANDBOX_NODE, SANDBOX_RUNTIMES } from './sandbox-args.js';

const MIB = 1024 * 1024;
/** Scratch directory (launcher.ts) holding the venv the script installs into. */
export const SCRATCH_VENV = 'venv';
export const SANDBOX_SHIMS = `${SANDBOX_RUNTIMES}/native/shims`;
/** The runtime files behind the shims (runtimes/native/), and the command names that reach each. */
export const SHELL_SHIMS: Readonly<Record<string, readonly string[]>> = {
  'native/no-system-packages.sh': ['apt-get', 'apt', 'apt-cache', 'aptitude', 'dpkg', 'sudo', 'su', 'yum', 'dnf', 'apk'],
  'native/pip.sh': ['pip', 'pip3'],
};
/** Exit code of a build a shim refused (apt-get's own code for "could not install"). */
export const REFUSED_EXIT_CODE = 100;

export function isShellPrebuild(job: GuestJob): boolean {
  return job.environment?.spec['prebuildLanguage'] === 'bash';
}

/** Flags of `set` a first line may carry (`-e`, `-eux`, `-o pipefail`); never -c, -s, -i and the like. */
const SET_FLAGS = /^[-+][aefuvxBCEHPT]+$/;

/** The shell and its options from the script's first line: /bin/sh for `#!/bin/sh`, else bash. */
export function shellArgv(script: string): string[] {
  const first = /^#!(.*)/.exec(script.split('\n', 1)[0] ?? '')?.[1]?.trim().split(/\s+/) ?? [];
  const words = first[0] === '/usr/bin/env' ? first.slice(1) : first;
  const shell = /(^|\/)sh$/.test(words[0] ?? '') ? '/bin/sh' : '/bin/bash';
  const options: string[] = [];
  for (let i = 1; i < words.length; i++) {
    const word = words[i] ?? '';
    const next = words[i + 1] ?? '';
    if ((word === '-o' || word === '+o') && /^[a-z]+$/.test(next)) {
      options.push(word, next);
      i++;
    } else if (SET_FLAGS.test(word)) {
      options.push(word);
    }
  }
  return [shell, ...options];
}

/**
 * @param venv sandbox path of the venv the script installs into (the prebuilt venv's final host path,
 *   so its scripts' shebangs hold in later jobs); undefined for a JavaScript environment.
 */
export function shellPrebuildCommand(job: GuestJob, options: NativeOptions, venv: string | undefined): GuestCommand {
  const baseVenv = job.environment?.spec['venv'];
  const nodeModules = job.environment?.spec['nodeModules'];
  const pipIndexUrl = job.environment?.spec['pipIndexUrl'];
  const readOnly: [string, string][] = [[options.node, SANDBOX_NODE]];
  if (typeof baseVenv === 'string') readOnly.push([baseVenv, baseVenv]);
  if (typeof nodeModules === 'string') readOnly.push([nodeModules, '/node_modules']);
  return {
    runtime: 'python',
    command: [options.python, '-s', '-B', `${SANDBOX_RUNTIMES}/python/isola_shell.py`, `${SANDBOX_JOBDIR}/job.json`],
    readOnly,
    // The script may start node as well as python (node is bound for every shell prebuild), and V8
    // reserves its address space up front: the larger overhead, as a node job gets.
    addressSpaceOverheadBytes: Math.max(options.memoryOverheadMb, options.nodeOverheadMb) * MIB,
    spec: {
      script_path: `${SANDBOX_JOBDIR}/prebuild.sh`,
      shell: shellArgv(job.code),
      shims_dir: SANDBOX_SHIMS,
      pip_python: options.python,
      ...(typeof baseVenv === 'string' && venv ? { base_venv: baseVenv, venv } : {}),
      ...(typeof pipIndexUrl === 'string' ? { pip_index_url: pipIndexUrl } : {}),
    },
    jobFiles: [['prebuild.sh', job.code]],
    ...(typeof baseVenv === 'string' && venv ? { scratchBinds: [[SCRATCH_VENV, venv]] } : {}),
  };
}
