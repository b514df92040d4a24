/**
 * Writes that resolve once the data is handed to the OS, so exiting right after loses nothing. A reader
 * that went away (`isola run x | head -c0`: EPIPE) is not an error of the command: the output is simply
 * not wanted any more, so the write resolves and the exit code still reports the run.
 */
const guarded = new WeakSet<NodeJS.WriteStream>();

function ignoreEpipe(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  // EPIPE also arrives as an 'error' event, possibly after the write's callback; unheard, it would crash.
  if (!guarded.has(stream)) {
    guarded.add(stream);
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
  return stream;
}

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    ignoreEpipe(stream).write(text, (error) => {
      if (!error || (error as NodeJS.ErrnoException).code === 'EPIPE') resolve();
      else reject(error);
    });
  });
}

export const writeStdout = (text: string): Promise<void> => write(process.stdout, text);
export const writeStderr = (text: string): Promise<void> => write(process.stderr, text);
