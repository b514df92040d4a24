/**
 * A read-only layer file read from the host's disk on demand (Node edge; the browser build holds its
 * files in memory). Each read opens, reads and closes the file: a few microseconds per read against
 * an import's milliseconds, and no descriptor that a terminated worker thread would leak.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { BackedFile } from './memory-fs.js';

export function diskFile(path: string): BackedFile {
  const size = statSync(path).size;
  return {
    size,
    readAt(target, position) {
      let fd: number;
      try {
        fd = openSync(path, 'r');
      } catch {
        // Gone or unreadable (a reinstall under a running process): the guest sees end of file, and
        // zipimport an unreadable archive, rather than the worker a thrown host error.
        return 0;
      }
      try {
        let done = 0;
        while (done < target.length) {
          const read = readSync(fd, target, done, target.length - done, position + done);
          if (read === 0) break;
          done += read;
        }
        return done;
      } catch {
        return 0;
      } finally {
        closeSync(fd);
      }
    },
  };
}
