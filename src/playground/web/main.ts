/**
 * The playground page (GET /playground): CodeMirror editors for the code and the inputs, the request's
 * fields, Run, the envelope in panes, and a shareable link. Bundled by scripts/build-web.mjs into
 * one file served from the same origin, so it works offline and under a strict CSP.
 */
import { javascript } from '@codemirror/lang-javascript';
import { json } from '@codemirror/lang-json';
import { python } from '@codemirror/lang-python';
import { Compartment } from '@codemirror/state';
import { basicSetup, EditorView } from 'codemirror';
import { buildExecuteBody } from './build-request.js';
import { type EnvelopePanes, showAnswer, showPageError } from './envelope-view.js';
import { readEventStream } from './event-stream.js';
import { decodeShareFragment, encodeShareFragment, type PlaygroundRequest } from './share-link.js';

const EXAMPLES: Record<PlaygroundRequest['language'], string> = {
  python: 'def main(name: str = "world") -> dict:\n    print("running in Python")\n    return {"greeting": f"hello {name}"}\n',
  javascript: 'function main({ name = "world" }) {\n  console.log("running in QuickJS");\n  return { greeting: `hello ${name}` };\n}\n',
  typescript: 'function main({ name = "world" }: { name?: string }): { greeting: string } {\n  return { greeting: `hello ${name}` };\n}\n',
};

const DEFAULTS: PlaygroundRequest = {
  language: 'python',
  code: EXAMPLES.python,
  inputs: '{\n  "name": "world"\n}\n',
  packages: '',
  timeout_ms: 5000,
  memory_mb: 128,
  runtime: 'auto',
};

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`playground page lacks #${id}`);
  return found as T;
}

const languageSelect = element<HTMLSelectElement>('language');
const runtimeSelect = element<HTMLSelectElement>('runtime');
const packagesInput = element<HTMLInputElement>('packages');
const timeoutInput = element<HTMLInputElement>('timeout');
const memoryInput = element<HTMLInputElement>('memory');
const apiKeyInput = element<HTMLInputElement>('api-key');
const localToggle = element<HTMLInputElement>('local');
const runButton = element<HTMLButtonElement>('run');
const shareButton = element<HTMLButtonElement>('share');
const shareLink = element<HTMLInputElement>('share-link');
const panes: EnvelopePanes = {
  status: element('status'),
  output: element('output'),
  stdout: element('stdout'),
  stderr: element('stderr'),
  envelope: element('envelope'),
};

const languageMode = new Compartment();
const modeFor = (language: PlaygroundRequest['language']) =>
  language === 'python' ? python() : javascript({ typescript: language === 'typescript' });

const initial = decodeShareFragment(location.hash, DEFAULTS) ?? DEFAULTS;
const codeEditor = new EditorView({
  doc: initial.code,
  extensions: [basicSetup, languageMode.of(modeFor(initial.language))],
  parent: element('code'),
});
const inputsEditor = new EditorView({ doc: initial.inputs, extensions: [basicSetup, json()], parent: element('inputs') });
languageSelect.value = initial.language;
runtimeSelect.value = initial.runtime;
packagesInput.value = initial.packages;
timeoutInput.value = String(initial.timeout_ms);
memoryInput.value = String(initial.memory_mb);

function readForm(): PlaygroundRequest {
  return {
    language: languageSelect.value as PlaygroundRequest['language'],
    code: codeEditor.state.doc.toString(),
    inputs: inputsEditor.state.doc.toString(),
    packages: packagesInput.value,
    timeout_ms: Number(timeoutInput.value),
    memory_mb: Number(memoryInput.value),
    runtime: runtimeSelect.value as PlaygroundRequest['runtime'],
  };
}

languageSelect.addEventListener('change', () => {
  const language = languageSelect.value as PlaygroundRequest['language'];
  codeEditor.dispatch({ effects: languageMode.reconfigure(modeFor(language)) });
  // Swap the example only when the editor still holds an untouched one.
  const current = codeEditor.state.doc.toString();
  if (Object.values(EXAMPLES).includes(current)) {
    codeEditor.dispatch({ changes: { from: 0, to: current.length, insert: EXAMPLES[language] } });
  }
});

interface LocalEngine {
  execute(request: unknown): Promise<unknown>;
}
let localEngine: Promise<LocalEngine> | undefined;

/** isola/edge, loaded on first use from the service (not bundled: most visitors never tick the box). */
function edgeEngine(): Promise<LocalEngine> {
  const url = '/playground/edge/isola-edge.js';
  localEngine ??= (import(url) as Promise<{ createEngine(options: object): Promise<LocalEngine> }>).then((edge) => edge.createEngine({ workers: 1 }));
  return localEngine;
}

/** The same envelope or refusal as over HTTP, from the engine in this page. */
async function runLocally(body: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
  const engine = await edgeEngine();
  try {
    return { status: 200, body: await engine.execute(body) };
  } catch (error) {
    const refusal = error as { status?: number; toBody?: () => unknown; message?: string };
    return { status: refusal.status ?? 500, body: refusal.toBody?.() ?? { error: { code: 'internal', message: refusal.message } } };
  }
}

async function run(): Promise<void> {
  const built = buildExecuteBody(readForm());
  if (!built.ok) {
    showPageError(panes, built.message);
    return;
  }
  runButton.disabled = true;
  panes.status.dataset['state'] = 'running';
  panes.status.textContent = 'running…';
  try {
    if (localToggle.checked) {
      const answer = await runLocally(built.body);
      showAnswer(panes, answer.status, answer.body, 'in this browser');
      return;
    }
    // Live output: the service streams stdout/stderr as Server-Sent Events, then the envelope. A request it
    // refuses before running comes back as ordinary JSON.
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
    if (apiKeyInput.value.trim() !== '') headers['authorization'] = `Bearer ${apiKeyInput.value.trim()}`;
    const response = await fetch('/v1/execute', { method: 'POST', headers, body: JSON.stringify(built.body) });
    if (response.ok && response.body && (response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      panes.stdout.textContent = '';
      panes.stderr.textContent = '';
      panes.output.textContent = '';
      for await (const { event, data } of readEventStream(response.body)) {
        if (event === 'stdout') panes.stdout.textContent += (data as { data: string }).data;
        else if (event === 'stderr') panes.stderr.textContent += (data as { data: string }).data;
        else if (event === 'result') showAnswer(panes, 200, data);
        else if (event === 'error') showAnswer(panes, 500, data);
      }
      return;
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // A proxy's HTML error page: shown as text.
    }
    showAnswer(panes, response.status, body);
  } catch (error) {
    showPageError(panes, `the service did not answer: ${(error as Error).message}`);
  } finally {
    runButton.disabled = false;
  }
}

runButton.addEventListener('click', () => void run());
document.addEventListener('keydown', (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === 'Enter') void run();
});
shareButton.addEventListener('click', () => {
  history.replaceState(null, '', `#${encodeShareFragment(readForm())}`);
  shareLink.value = location.href;
  shareLink.hidden = false;
  shareLink.select();
});
