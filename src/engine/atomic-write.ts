import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Writes a file through a temporary beside it, renamed over the target only once complete: a
 * killed process never leaves half a file, and a writer whose input is its own output (still
 * memory-mapped while it writes) never truncates what it reads.
 */
export async function writeAtomically<T>(target: string, write: (temporary: string) => Promise<T> | T): Promise<T> {
  const temporary = temporaryBeside(target);
  try {
    const result = await write(temporary);
    fs.renameSync(temporary, target);
    return result;
  } catch (err) {
    fs.rmSync(temporary, { force: true });
    throw err;
  }
}

/** The synchronous form of writeAtomically. */
export function writeAtomicallySync<T>(target: string, write: (temporary: string) => T): T {
  const temporary = temporaryBeside(target);
  try {
    const result = write(temporary);
    fs.renameSync(temporary, target);
    return result;
  } catch (err) {
    fs.rmSync(temporary, { force: true });
    throw err;
  }
}

/** A name in the target's folder (rename is atomic only within one file system) that no other writer uses. */
function temporaryBeside(target: string): string {
  const dir = path.dirname(path.resolve(target));
  return path.join(dir, `.${path.basename(target)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.partial`);
}
