import readline from 'node:readline';
import { CliError, EXIT } from './errors.js';

/**
 * Asks `question` on the terminal and resolves with the answer line; end of input or Ctrl-C
 * resolve with null (treated as "no").
 */
export function ask(question: string, output: NodeJS.WritableStream): Promise<string | null> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output, terminal: true });
    let answered = false;
    const finish = (answer: string | null) => {
      if (answered) return;
      answered = true;
      rl.close();
      resolve(answer);
    };
    rl.on('SIGINT', () => {
      output.write('\n');
      finish(null);
    });
    rl.on('close', () => {
      if (!answered) output.write('\n'); // end of input: leave the prompt line like Enter would
      finish(null);
    });
    rl.question(question, (answer) => finish(answer));
  });
}

/**
 * The confirmation before a rollback runs: undefined when confirmed (by --yes or by answering "yes"),
 * else why it does not run. Never asks when stdin is not a terminal.
 */
export async function confirmRollback(yes: boolean, output: NodeJS.WritableStream): Promise<CliError | undefined> {
  if (yes) return undefined;
  if (!process.stdin.isTTY) {
    return new CliError(
      'Refusing to execute: confirmation is required but stdin is not a terminal. Re-run with --yes to confirm. Nothing was changed.',
      EXIT.CONFIRMATION_REQUIRED,
      'CONFIRMATION_REQUIRED',
    );
  }
  const answer = await ask('Are you sure you want to execute this rollback? (yes/no): ', output);
  if (answer?.trim().toLowerCase() === 'yes') return undefined;
  return new CliError('Rollback cancelled. Nothing was changed.', EXIT.CANCELLED, 'CANCELLED');
}
