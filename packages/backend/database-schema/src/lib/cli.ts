import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError, EXIT, toCliError } from './errors.js';

/** Output of a CLI run: human text on stdout, notes and errors on stderr; --json owns stdout. */
export class Output {
  constructor(readonly json: boolean) {}

  /** A line of the human-readable result (suppressed in --json mode). */
  line(text = ''): void {
    if (!this.json) process.stdout.write(`${text}\n`);
  }

  /** A note or warning, always on stderr. */
  note(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  result(value: unknown): void {
    if (this.json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** The stream an interactive prompt writes to (stderr in --json mode). */
  get promptStream(): NodeJS.WritableStream {
    return this.json ? process.stderr : process.stdout;
  }
}

export function parseCliArgs<T extends ParseArgsConfig['options']>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(`${(error as Error).message}. See --help.`, EXIT.USAGE, 'INVALID_ARGUMENT');
  }
}

/** PostgreSQL's largest timeout setting (milliseconds, an int4). */
const MAX_TIMEOUT_MS = 2_147_483_647;

/** A timeout option in milliseconds: a whole number from 0 (no limit) to MAX_TIMEOUT_MS. */
export function timeoutMilliseconds(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^(0|[1-9][0-9]*)$/.test(value) || Number(value) > MAX_TIMEOUT_MS) {
    throw new CliError(
      `--${name} must be a whole number of milliseconds from 0 (no limit) to ${MAX_TIMEOUT_MS}, got "${value}"`,
      EXIT.USAGE,
      'INVALID_ARGUMENT',
    );
  }
  return Number(value);
}

/**
 * Runs a CLI body and turns its outcome into an exit code; errors are printed (as JSON with --json).
 * `process.exitCode` rather than `process.exit()` so that piped output is flushed.
 */
export async function runCli(argv: string[], body: (out: Output) => Promise<number>): Promise<void> {
  const out = new Output(argv.includes('--json'));
  try {
    process.exitCode = await body(out);
  } catch (error) {
    const failure = toCliError(error);
    reportError(out, failure);
    process.exitCode = failure.exitCode;
  }
}

export function reportError(out: Output, error: CliError, extra: Record<string, unknown> = {}): void {
  if (out.json) {
    out.result({ ok: false, error: { code: error.code, message: error.message }, ...extra });
  }
  out.note(`✗ ${error.message}`);
}
