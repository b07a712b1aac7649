// Sizes and ages as people write and read them: `256MiB`, `30d`, `1.2 MiB`, `3 days`.
import { CliError, EXIT } from './errors.js';

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

/** `--name=N`: bytes, or with a unit (`256MiB`, `1.5GB`, `512k`); a whole number of bytes from 0. */
export function parseBytes(name: string, value: string): number {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = BYTE_UNITS[(m?.[2] ?? '').toLowerCase()];
  const bytes = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isSafeInteger(bytes)) {
    throw new CliError(
      `--${name} must be a size in bytes, optionally with a unit (e.g. 268435456, 256MiB, 1GB), got "${value}"`,
      EXIT.USAGE,
      'INVALID_ARGUMENT',
    );
  }
  return bytes;
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** `--name=30d`: a duration (`ms`, `s`, `m`/`min`, `h`, `d`, `w`) in milliseconds. */
export function parseDuration(name: string, value: string): number {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-z]+)\s*$/i.exec(value);
  const unit = DURATION_UNITS[(m?.[2] ?? '').toLowerCase()];
  const ms = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isSafeInteger(ms)) {
    throw new CliError(
      `--${name} must be a duration with a unit (ms, s, m, h, d, w; e.g. 30d, 12h), got "${value}"`,
      EXIT.USAGE,
      'INVALID_ARGUMENT',
    );
  }
  return ms;
}

/** 1536 -> "1.5 KiB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${value >= 10 ? Math.round(value) : Math.round(value * 10) / 10} ${units[i]}`;
}

/** 3 * 86400000 -> "3 days"; the largest whole unit. */
export function formatAge(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, name] of units) {
    const n = Math.floor(ms / size);
    if (n >= 1) return `${n} ${name}${n === 1 ? '' : 's'}`;
  }
  return 'just now';
}
