/** Entry of the `isola` command: pick a command from the table, run it, turn failures into exit codes. */
import { packageVersion } from '../server/package-version.js';
import { COMMANDS } from './commands.js';
import { EXIT } from './exit-codes.js';
import { writeStderr, writeStdout } from './output.js';
import { asUsageError } from './usage-error.js';

function usage(): string {
  const lines = Object.entries(COMMANDS).map(
    ([name, command]) => `  isola ${name} ${command.synopsis}\n      ${command.summary}`,
  );
  return `Usage: isola <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun \`isola <command> --help\` for its options.\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    await writeStderr(usage());
    return EXIT.usage;
  }
  if (name === '-h' || name === '--help' || name === 'help') {
    await writeStdout(usage());
    return EXIT.ok;
  }
  if (name === '-v' || name === '--version') {
    await writeStdout(`${packageVersion()}\n`);
    return EXIT.ok;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    await writeStderr(`isola: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return EXIT.usage;
  }
  try {
    const module = await command.load();
    return await module.run(rest);
  } catch (error) {
    const usageError = asUsageError(error);
    if (usageError) {
      await writeStderr(`isola ${name}: ${usageError.message}\nRun \`isola ${name} --help\` for usage.\n`);
      return EXIT.usage;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    await writeStderr(`isola ${name}: internal error: ${detail}\n`);
    return EXIT.internal;
  }
}
