// One connection per CLI run: every command goes through a TCP proxy that counts the connections made to
// the server (each migration still has its own transaction; the run shares the session).
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import { migrationsFolder, query, run, usePostgres } from './helpers.js';

const { freshDatabase } = usePostgres();
const proxies: net.Server[] = [];
after(() => {
  for (const proxy of proxies) proxy.close();
});

/** `url` through a local proxy; `count()` is how many connections were opened through it so far. */
async function countingProxy(url: string): Promise<{ url: string; count: () => number }> {
  const target = new URL(url);
  let connections = 0;
  const proxy = net.createServer((client) => {
    connections++;
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  proxies.push(proxy);
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String((proxy.address() as net.AddressInfo).port);
  return { url: proxied.toString(), count: () => connections };
}

describe('one connection per CLI run', () => {
  test('migrate, dry run, preview, list, backfill and execute each connect once', async () => {
    const dir = migrationsFolder([
      { tag: '0004_notes', version: '1.3.0', sql: 'ALTER TABLE wishlist_items ADD COLUMN notes TEXT;\n' },
      { tag: '0005_notes_index', version: '1.4.0', sql: 'CREATE INDEX notes_idx ON wishlist_items (notes);\n' },
    ]);
    const proxy = await countingProxy(await freshDatabase('one_connection'));
    const migrations = `--migrations=${dir}`;
    const commands: [cli: 'migrate' | 'rollback', args: string[]][] = [
      // 6 migrations applied, and the ones before schema_versions recorded after the fact.
      ['migrate', ['--dry-run', migrations]],
      ['migrate', [migrations]],
      ['rollback', ['--version=1.3.0', migrations]],
      ['rollback', ['list']],
      ['rollback', ['--version=1.4.0', '--execute', '--yes', migrations]],
    ];
    for (const [cli, args] of commands) {
      const before = proxy.count();
      const result = await run(cli, args, { databaseUrl: proxy.url });
      assert.equal(result.code, 0, `${cli} ${args.join(' ')}: ${result.stderr}`);
      assert.equal(proxy.count() - before, 1, `${cli} ${args.join(' ')} opened ${proxy.count() - before} connections`);
    }
    await query(proxy.url, `UPDATE schema_versions SET rollback_script = NULL WHERE version IN ('1.2.0', '1.3.0')`);
    const before = proxy.count() - 1; // the query above
    const backfill = await run('rollback', ['backfill', migrations], { databaseUrl: proxy.url });
    assert.equal(backfill.code, 0, backfill.stderr);
    assert.match(backfill.stdout, /Backfill: 2 generated/);
    assert.equal(proxy.count() - before - 1, 1);
  });
});
