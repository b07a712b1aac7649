#!/usr/bin/env node
// Builds the migration-history corpus from git snapshots of public projects.
//
//   node corpus/build.mjs [mirror-dir] [--out DIR] [--only name,name]
//
// mirror-dir (default /work/.mirror) holds one snapshot per repository as
// <owner>+<name>/repo (a bare git directory, or a clone whose .git is read).
// For every history in corpus/histories.json this reads the configured folder
// at the pinned commit, orders the migrations the way the project's tool
// applies them, and writes
//
//   <out>/<name>/NNNN_<original-name>.sql        the forward migration
//   <out>/<name>/NNNN_<original-name>.down.sql   the hand-written down, when there is one
//   <out>/<name>/manifest.json
//   <out>/index.json                             one line per history
//
// <out> defaults to $CORPUS_OUT or <repo>/../shared/corpus/histories; it may
// not lie inside this repository (the SQL is third-party data and is never
// committed). Each history's folder is replaced whole, so the script can be
// re-run at will. Node 20, no dependencies; needs `git` on PATH.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..');

function parseArgs(argv) {
  const opts = {
    mirror: '/work/.mirror',
    out: process.env.CORPUS_OUT || path.resolve(REPO_ROOT, '..', 'shared', 'corpus', 'histories'),
    only: null,
    config: path.join(HERE, 'histories.json'),
  };
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') opts.out = argv[++i];
    else if (a === '--only') opts.only = new Set(argv[++i].split(','));
    else if (a === '--config') opts.config = argv[++i];
    else if (a === '-h' || a === '--help') {
      console.log('usage: node corpus/build.mjs [mirror-dir] [--out DIR] [--only name,name] [--config FILE]');
      process.exit(0);
    } else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else rest.push(a);
  }
  if (rest.length > 1) throw new Error('at most one mirror directory');
  if (rest.length === 1) opts.mirror = rest[0];
  opts.mirror = path.resolve(opts.mirror);
  opts.out = path.resolve(opts.out);
  return opts;
}

// ---------------------------------------------------------------- git access

function gitDirFor(mirrorRoot, mirrorName) {
  const base = path.join(mirrorRoot, mirrorName.replace('/', '+'));
  for (const cand of [path.join(base, 'repo', '.git'), path.join(base, 'repo'), path.join(base, '.git'), base]) {
    if (fs.existsSync(path.join(cand, 'HEAD')) && fs.existsSync(path.join(cand, 'objects'))) return cand;
  }
  return null;
}

class Git {
  constructor(gitDir) {
    this.gitDir = gitDir;
  }
  run(args, encoding = 'utf8') {
    return execFileSync('git', ['--git-dir', this.gitDir, ...args], {
      encoding,
      maxBuffer: 1 << 30,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }
  resolve(rev) {
    return this.run(['rev-parse', '--verify', `${rev}^{commit}`]).trim();
  }
  // Every file path (recursively) under folder at commit.
  files(commit, folder) {
    const out = this.run(['ls-tree', '-r', '-z', '--name-only', commit, '--', `${folder.replace(/\/+$/, '')}/`]);
    return out.split('\0').filter(Boolean);
  }
  blob(commit, file) {
    return this.run(['cat-file', 'blob', `${commit}:${file}`], 'buffer');
  }
}

// ------------------------------------------------------------- history kinds
// Each returns [{name, up, down?, noTransaction?}] in apply order, where up and
// down are repository paths.

const rel = (folder, p) => p.slice(folder.replace(/\/+$/, '').length + 1);

function byBigInt(a, b) {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const strcmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

// drizzle-kit: meta/_journal.json lists the migrations in apply order.
function drizzle(git, commit, h) {
  const journalPath = `${h.folder}/meta/_journal.json`;
  const journal = JSON.parse(git.blob(commit, journalPath).toString('utf8'));
  const have = new Set(git.files(commit, h.folder));
  return journal.entries.map((e) => {
    const up = `${h.folder}/${e.tag}.sql`;
    if (!have.has(up)) throw new Error(`${journalPath} names ${e.tag} but ${up} is missing`);
    return { name: e.tag, up };
  });
}

// Prisma Migrate: <folder>/<dir>/migration.sql, applied in directory-name order.
function prisma(git, commit, h) {
  const dirs = git
    .files(commit, h.folder)
    .map((p) => rel(h.folder, p))
    .filter((p) => /^[^/]+\/migration\.sql$/.test(p))
    .map((p) => p.split('/')[0])
    .sort(strcmp);
  return dirs.map((d) => ({ name: d, up: `${h.folder}/${d}/migration.sql` }));
}

// Diesel: <folder>/<version>_<name>/{up,down}.sql; the version is the part
// before the first '_' with '-' removed, compared as a string.
function diesel(git, commit, h) {
  const all = new Set(git.files(commit, h.folder).map((p) => rel(h.folder, p)));
  const dirs = [...all].filter((p) => /^[^/]+\/up\.sql$/.test(p)).map((p) => p.split('/')[0]);
  const version = (d) => d.split('_')[0].replace(/-/g, '');
  dirs.sort((a, b) => strcmp(version(a), version(b)) || strcmp(a, b));
  return dirs.map((d) => {
    const m = { name: d, up: `${h.folder}/${d}/up.sql` };
    if (all.has(`${d}/down.sql`)) m.down = `${h.folder}/${d}/down.sql`;
    if (all.has(`${d}/metadata.toml`)) {
      const meta = git.blob(commit, `${h.folder}/${d}/metadata.toml`).toString('utf8');
      if (/^\s*run_in_transaction\s*=\s*false\b/m.test(meta)) m.noTransaction = true;
    }
    return m;
  });
}

// sqlx / golang-migrate / dbmate-style files directly in <folder>:
// <version>_<name>.up.sql + <version>_<name>.down.sql, or a plain
// <version>_<name>.sql (no down); numeric version order.
function upDown(git, commit, h) {
  const re = /^(\d+)_(.+?)(?:\.(up|down))?\.sql$/;
  const byVersion = new Map();
  for (const p of git.files(commit, h.folder)) {
    const f = rel(h.folder, p);
    if (f.includes('/')) continue;
    const m = re.exec(f);
    if (!m) continue;
    const [, version, name, dir] = m;
    const e = byVersion.get(version) || { version, name };
    if (dir === 'down') e.down = p;
    else {
      if (e.up) throw new Error(`two forward migrations for version ${version}: ${e.up}, ${p}`);
      e.up = p;
      e.name = name;
    }
    byVersion.set(version, e);
  }
  const list = [...byVersion.values()].filter((e) => e.up).sort((a, b) => byBigInt(a.version, b.version));
  return list.map((e) => {
    const m = { name: `${e.version}_${e.name}`, up: e.up };
    if (e.down) m.down = e.down;
    const head = git.blob(commit, e.up).toString('utf8').slice(0, 200);
    if (/^\s*--\s*no-transaction\b/.test(head)) m.noTransaction = true; // sqlx marker
    return m;
  });
}

// Plain numbered files: <folder>/<number>_<anything>.sql in numeric order
// (every .sql counts, whatever else its name says; no downs).
function numbered(git, commit, h) {
  const re = /^(\d+)_.*\.sql$/;
  const list = git
    .files(commit, h.folder)
    .map((p) => ({ p, f: rel(h.folder, p) }))
    .filter(({ f }) => !f.includes('/') && re.test(f))
    .map(({ p, f }) => ({ p, f, v: re.exec(f)[1] }));
  list.sort((a, b) => byBigInt(a.v, b.v) || strcmp(a.f, b.f));
  return list.map(({ p, f }) => ({ name: f.replace(/(\.up)?\.sql$/, ''), up: p }));
}

// ory popx (Kratos, Hydra, Keto): <version>_<name>[.<dialect>][.autocommit].<up|down>.sql;
// for each version the file for the dialect wins over the generic one;
// versions compare as strings.
function popx(git, commit, h) {
  const dialect = h.dialect || 'postgres';
  const re = /^(\d+)_([^.]+)(\.[a-z0-9]+)?(\.autocommit)?\.(up|down)\.(sql)$/;
  const pick = { up: new Map(), down: new Map() };
  for (const p of git.files(commit, h.folder)) {
    const f = rel(h.folder, p);
    if (f.includes('/')) continue;
    const m = re.exec(f);
    if (!m) continue;
    let [, version, name, db, auto, direction] = m;
    if (db === '.autocommit' && !auto) {
      auto = db;
      db = undefined;
    }
    db = db ? db.slice(1) : 'all';
    if (db === 'postgresql') db = 'postgres';
    const rank = db === dialect ? 1 : db === 'all' ? 0 : -1;
    if (rank < 0) continue;
    const prev = pick[direction].get(version);
    if (prev && prev.rank >= rank) continue;
    pick[direction].set(version, { version, name, rank, path: p, auto: Boolean(auto) });
  }
  const versions = [...pick.up.keys()].sort(strcmp);
  return versions.map((v) => {
    const u = pick.up.get(v);
    const m = { name: path.basename(u.path).replace(/\.up\.sql$/, ''), up: u.path };
    const d = pick.down.get(v);
    if (d) m.down = d.path;
    if (u.auto) m.noTransaction = true;
    return m;
  });
}

const KINDS = { drizzle, prisma, diesel, sqlx: upDown, 'golang-migrate': upDown, 'up-down': upDown, numbered, popx };

// ------------------------------------------------------------------- helpers

// SQL text without comments and string/dollar-quoted literals, for keyword checks.
const stripSql = (text) =>
  text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/--[^\n]*/g, ' ')
    .replace(/\$([A-Za-z_]*)\$[\s\S]*?\$\1\$/g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''");

// CREATE/DROP INDEX CONCURRENTLY, REINDEX ... CONCURRENTLY and friends cannot
// run inside a transaction block; the projects' tools run such files without one.
const needsNoTransaction = (text) => /\bCONCURRENTLY\b/i.test(stripSql(text));

const safe = (s) => s.replace(/[^A-Za-z0-9._-]+/g, '_');

function removeDir(dir, outRoot) {
  const r = path.resolve(dir);
  if (!r.startsWith(outRoot + path.sep)) throw new Error(`refusing to remove ${r}`);
  fs.rmSync(r, { recursive: true, force: true });
}

// --------------------------------------------------------------------- main

function buildOne(h, opts) {
  const mirrorName = h.mirror || h.repo;
  const gitDir = gitDirFor(opts.mirror, mirrorName);
  if (!gitDir) return { skipped: `no snapshot of ${mirrorName} under ${opts.mirror}` };
  const git = new Git(gitDir);
  let commit;
  try {
    commit = git.resolve(h.commit || 'HEAD');
  } catch {
    return { skipped: `commit ${h.commit} is not in the snapshot of ${mirrorName}` };
  }
  const kind = KINDS[h.kind];
  if (!kind) throw new Error(`${h.name}: unknown kind ${h.kind}`);
  const list = kind(git, commit, h);
  if (list.length === 0) throw new Error(`${h.name}: no migrations found in ${h.folder} at ${commit}`);

  const dest = path.join(opts.out, h.name);
  const tmp = `${dest}.tmp-${process.pid}`;
  removeDir(tmp, opts.out);
  fs.mkdirSync(tmp, { recursive: true });
  const width = Math.max(4, String(list.length - 1).length);
  const migrations = list.map((m, i) => {
    const stem = `${String(i).padStart(width, '0')}_${safe(m.name)}`;
    const entry = { file: `${stem}.sql`, source_path: m.up };
    const body = git.blob(commit, m.up);
    fs.writeFileSync(path.join(tmp, entry.file), body);
    if (!m.noTransaction && needsNoTransaction(body.toString('utf8'))) m.noTransaction = true;
    if (m.down) {
      entry.down_file = `${stem}.down.sql`;
      entry.down_source_path = m.down;
      fs.writeFileSync(path.join(tmp, entry.down_file), git.blob(commit, m.down));
    }
    if (m.noTransaction) entry.no_transaction = true;
    return entry;
  });
  const manifest = {
    name: h.name,
    repo: h.repo,
    ...(h.mirror && h.mirror !== h.repo ? { mirror: h.mirror } : {}),
    commit,
    kind: h.kind,
    folder: h.folder,
    // drizzle-kit's migrator executes the text between these markers as separate
    // statements, and a few files rely on it (a statement without a closing ';').
    ...(h.kind === 'drizzle' ? { statement_separator: '--> statement-breakpoint' } : {}),
    setup: h.setup || '',
    stop_before: h.stop_before ?? null,
    migrations,
  };
  fs.writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  removeDir(dest, opts.out);
  fs.renameSync(tmp, dest);
  return {
    count: migrations.length,
    downs: migrations.filter((m) => m.down_file).length,
    commit,
  };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.out === REPO_ROOT || opts.out.startsWith(REPO_ROOT + path.sep))
    throw new Error(`output ${opts.out} lies inside the repository; the corpus is not committed`);
  const config = JSON.parse(fs.readFileSync(opts.config, 'utf8'));
  fs.mkdirSync(opts.out, { recursive: true });
  const indexPath = path.join(opts.out, 'index.json');
  const index = fs.existsSync(indexPath) ? JSON.parse(fs.readFileSync(indexPath, 'utf8')) : { histories: [] };
  const byName = new Map(index.histories.map((e) => [e.name, e]));
  let failed = 0;
  for (const h of config.histories) {
    if (opts.only && !opts.only.has(h.name)) continue;
    let r;
    try {
      r = buildOne(h, opts);
    } catch (e) {
      failed++;
      console.error(`${h.name}: FAILED: ${e.message}`);
      continue;
    }
    if (r.skipped) {
      console.warn(`${h.name}: skipped (${r.skipped})`);
      continue;
    }
    console.log(`${h.name}: ${r.count} migrations${r.downs ? `, ${r.downs} downs` : ''} (${h.kind}, ${h.repo}@${r.commit.slice(0, 12)})`);
    byName.set(h.name, {
      name: h.name,
      repo: h.repo,
      commit: r.commit,
      kind: h.kind,
      count: r.count,
      downs: r.downs,
      stop_before: h.stop_before ?? null,
    });
  }
  const names = new Set(config.histories.map((h) => h.name));
  index.histories = [...byName.values()].filter((e) => names.has(e.name)).sort((a, b) => strcmp(a.name, b.name));
  fs.writeFileSync(indexPath, JSON.stringify(index, null, 2) + '\n');
  if (failed) process.exit(1);
}

main();
