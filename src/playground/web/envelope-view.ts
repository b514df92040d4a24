/** Renders what the service answered: the envelope's panes, or a refusal (4xx/5xx) with its error code. */
export interface EnvelopePanes {
  status: HTMLElement;
  output: HTMLElement;
  stdout: HTMLElement;
  stderr: HTMLElement;
  envelope: HTMLElement;
}

interface Envelope {
  status?: string;
  output?: unknown;
  stdout?: string;
  stderr?: string;
  error?: { type?: string; message?: string } | null;
  elapsed_ms?: number;
  environment?: { lane?: string };
}

interface Refusal {
  error?: { code?: string; message?: string };
}

export function showAnswer(panes: EnvelopePanes, httpStatus: number, body: unknown, where = 'on the service'): void {
  panes.envelope.textContent = JSON.stringify(body, null, 2);
  if (httpStatus !== 200) {
    const refusal = (body ?? {}) as Refusal;
    panes.status.dataset['state'] = 'refused';
    panes.status.textContent = `HTTP ${httpStatus} ${refusal.error?.code ?? ''}: ${refusal.error?.message ?? 'no message'}`;
    panes.output.textContent = '';
    panes.stdout.textContent = '';
    panes.stderr.textContent = '';
    return;
  }
  const envelope = body as Envelope;
  const failed = envelope.error !== null && envelope.error !== undefined;
  panes.status.dataset['state'] = failed ? 'failed' : 'completed';
  panes.status.textContent = failed
    ? `${envelope.status}: ${envelope.error?.type} - ${envelope.error?.message}`
    : `${envelope.status} in ${envelope.elapsed_ms} ms (${envelope.environment?.lane ?? '?'} lane, ${where})`;
  panes.output.textContent = envelope.output === undefined ? '' : JSON.stringify(envelope.output, null, 2);
  panes.stdout.textContent = envelope.stdout ?? '';
  panes.stderr.textContent = envelope.stderr ?? '';
}

export function showPageError(panes: EnvelopePanes, message: string): void {
  panes.status.dataset['state'] = 'refused';
  panes.status.textContent = message;
  panes.envelope.textContent = '';
}
