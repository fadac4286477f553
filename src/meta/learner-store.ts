/**
 * Every meta-learner version, kept (issue 18, item 4): a folder `meta/` beside the VKS and the
 * feedback buffer holding `v0001.gguf`, `v0002.gguf`, …, `versions.jsonl` (one line per version,
 * accepted or not, with its scores) and `current`, the pointer to the version in use.
 *
 * Crash safety: a version is written in three steps, each of which leaves the folder valid when the
 * process dies right after it — the GGUF (saved atomically: a temporary renamed into place), its line
 * in versions.jsonl (one append of a whole line, fsynced; a line torn by a kill has no newline and is
 * dropped by the reader and by the next append), then, when accepted, the pointer (written to a
 * temporary, fsynced, renamed over `current`). Until the rename the old pointer names the old file,
 * which nothing rewrites. One trainer at a time holds `train.lock` (a lock of a dead process is stale).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeAtomicallySync } from '../engine/atomic-write';
import { MetaError } from './errors';
import type { MetaMetrics } from './learner-types';
import type { SliceScore } from './accept';

/** The meta folder beside a VKS file: `meta/` in the same folder (beside feedback.db). */
export function metaDirBeside(vksPath: string): string {
  return path.join(path.dirname(vksPath), 'meta');
}

export interface LearnerVersion {
  version: number;
  /** The GGUF, relative to the meta folder (e.g. "v0003.gguf"). */
  file: string;
  createdAt: string;
  baseFingerprint: string;
  /** Labelled answers (training rows) the buffer held when it was trained: the online schedule counts from here. */
  rows: number;
  trainingRows: number;
  validationRows: number;
  /** Installed as current when written. */
  accepted: boolean;
  /** Why it was or was not installed, in a sentence. */
  reason: string;
  /** Its score on the validation slice. */
  validation: SliceScore | null;
  /** The version current when it was trained, and that one's score on the same slice. */
  against: { version: number; validation: SliceScore | null } | null;
  /** What the learner reported about its own training. */
  metrics: MetaMetrics | null;
}

const VERSIONS = 'versions.jsonl';
const CURRENT = 'current';
const LOCK = 'train.lock';

export function versionFileName(version: number): string {
  return `v${String(version).padStart(4, '0')}.gguf`;
}

export class LearnerStore {
  constructor(readonly dir: string) {
    if (typeof dir !== 'string' || dir.length === 0) throw new MetaError('the meta folder needs a path');
  }

  pathOf(v: Pick<LearnerVersion, 'file'>): string {
    return path.join(this.dir, v.file);
  }

  /** Every version recorded, oldest first (a line torn by a killed writer is not one). */
  versions(): LearnerVersion[] {
    const file = path.join(this.dir, VERSIONS);
    if (!fs.existsSync(file)) return [];
    const text = fs.readFileSync(file, 'utf8');
    const whole = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
    return whole
      .split('\n')
      .filter((l) => l.length > 0)
      .map((line, i) => {
        try {
          return JSON.parse(line) as LearnerVersion;
        } catch {
          throw new MetaError(`${file}:${i + 1}: not a version record`);
        }
      });
  }

  latest(): LearnerVersion | null {
    return this.versions().at(-1) ?? null;
  }

  /** The version in use, or null before the first accepted one. */
  current(): LearnerVersion | null {
    const pointer = path.join(this.dir, CURRENT);
    if (!fs.existsSync(pointer)) return null;
    let version: unknown;
    try {
      version = (JSON.parse(fs.readFileSync(pointer, 'utf8')) as { version?: unknown }).version;
    } catch {
      throw new MetaError(`${pointer}: not a version pointer`);
    }
    const found = this.versions().find((v) => v.version === version);
    if (!found) throw new MetaError(`${pointer} names version ${String(version)}, which ${VERSIONS} does not record`);
    if (!fs.existsSync(this.pathOf(found))) throw new MetaError(`${pointer} names ${found.file}, which is missing from ${this.dir}`);
    return found;
  }

  /** The next version number: above every recorded one and every GGUF present (a file a killed writer left is not reused). */
  nextVersion(): number {
    let max = 0;
    for (const v of this.versions()) max = Math.max(max, v.version);
    if (fs.existsSync(this.dir)) {
      for (const name of fs.readdirSync(this.dir)) {
        const m = /^v(\d+)\.gguf$/.exec(name);
        if (m) max = Math.max(max, Number(m[1]));
      }
    }
    return max + 1;
  }

  /** Records a version whose GGUF is already in place; when accepted, points `current` at it. */
  record(v: LearnerVersion): void {
    if (!fs.existsSync(this.pathOf(v))) throw new MetaError(`${this.pathOf(v)}: the version's GGUF must be written before its record`);
    this.appendLine(JSON.stringify(v));
    if (v.accepted) this.point(v.version);
  }

  private appendLine(line: string): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const file = path.join(this.dir, VERSIONS);
    // a line a killed writer tore (no newline) is cut off before the next one goes on
    if (fs.existsSync(file)) {
      const text = fs.readFileSync(file, 'utf8');
      if (text.length > 0 && !text.endsWith('\n')) fs.truncateSync(file, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
    }
    const fd = fs.openSync(file, 'a');
    try {
      fs.writeSync(fd, `${line}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  private point(version: number): void {
    writeAtomicallySync(path.join(this.dir, CURRENT), (tmp) => {
      const fd = fs.openSync(tmp, 'w');
      try {
        fs.writeSync(fd, `${JSON.stringify({ version, file: versionFileName(version) })}\n`);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    });
  }

  /** Runs `fn` holding the trainer's lock; null (and `fn` not run) while a live process holds it. */
  async withLock<T>(fn: () => Promise<T>): Promise<T | null> {
    fs.mkdirSync(this.dir, { recursive: true });
    const lock = path.join(this.dir, LOCK);
    if (!this.takeLock(lock)) return null;
    try {
      return await fn();
    } finally {
      fs.rmSync(lock, { force: true });
    }
  }

  private takeLock(lock: string): boolean {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = Number.parseInt(fs.readFileSync(lock, 'utf8'), 10);
        // no pid yet: its writer is between creating and filling it, unless that was long ago
        if (!Number.isInteger(holder) && Date.now() - fs.statSync(lock).mtimeMs < 10_000) return false;
        if (holder === process.pid || (Number.isInteger(holder) && isAlive(holder))) return false;
        // the holder died without releasing it: stale
        fs.rmSync(lock, { force: true });
      }
    }
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
