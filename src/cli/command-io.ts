/** Where commands write, so tests can run them in-process and read what they printed. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CommandIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** Input the command cannot accept (a bad role, a duplicate): one line, exit code 2, no usage. */
export class InputError extends Error {}
