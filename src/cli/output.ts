/** Writes that resolve once the data is handed to the OS, so exiting right after loses nothing. */
function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(error) : resolve()));
  });
}

export const writeStdout = (text: string): Promise<void> => write(process.stdout, text);
export const writeStderr = (text: string): Promise<void> => write(process.stderr, text);
