// What a rollback costs, as the previews print it: the data at risk and the locks of each statement.
import type { DataAtRisk, ScriptCost, StatementLocks } from '../addon.js';
import type { Output } from './cli.js';

/** Tables locked in a way that stops the application (writes or reads), by name. */
export function strongLocks(locks: StatementLocks[]): string[] {
  const found = new Map<string, string>();
  for (const statement of locks) {
    for (const lock of statement.locks) if (lock.strong && !found.has(lock.relation)) found.set(lock.relation, lock.mode);
  }
  return [...found].map(([relation, mode]) => `${mode} on ${relation}`);
}

export function printDataAtRisk(out: Output, risks: DataAtRisk[], indent = ''): void {
  if (risks.length === 0) {
    out.line(`${indent}Data at risk: none (the rollback drops no column or table and adds back no NOT NULL or CHECK).`);
    return;
  }
  out.line(`${indent}Data at risk (read now, without changing anything):`);
  for (const risk of risks) out.line(`${indent}  ${risk.wouldFail ? '✗' : risk.rows === 0 ? '✓' : '⚠'} ${risk.message}`);
}

export function printLocks(out: Output, locks: StatementLocks[], indent = ''): void {
  if (locks.length === 0) {
    out.line(`${indent}Locks: no table lock worth noting.`);
    return;
  }
  out.line(`${indent}Locks (held until the rollback's transaction ends):`);
  for (const statement of locks) {
    out.line(`${indent}  ${statement.statement}. ${statement.sql}`);
    for (const lock of statement.locks) out.line(`${indent}     ${lock.description}`);
  }
}

/** The advice for strong locks, unless a lock timeout is already given. */
export function printLockTimeoutAdvice(out: Output, locks: StatementLocks[], lockTimeoutGiven: boolean): void {
  const strong = strongLocks(locks);
  if (strong.length === 0 || lockTimeoutGiven) return;
  out.line(
    `⚠ Strong locks (${strong.join(', ')}): while the rollback waits for one, every later query on that table ` +
      'waits behind it. Add --lock-timeout=MS (e.g. --lock-timeout=5000) to give up instead, then retry.',
  );
}

export function printCost(out: Output, cost: ScriptCost, lockTimeoutGiven: boolean): void {
  printDataAtRisk(out, cost.dataAtRisk);
  printLocks(out, cost.locks);
  printLockTimeoutAdvice(out, cost.locks, lockTimeoutGiven);
}
