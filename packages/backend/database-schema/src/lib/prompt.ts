import readline from 'node:readline';

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
