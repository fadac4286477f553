import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { makeModel, type MakeModelOptions } from '../../src/engine';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const llamaSource = path.join(repoRoot, 'build', 'llama.cpp');
export const peerBin = (name: string) => path.join(repoRoot, 'build', 'peers', 'build', 'bin', name);

const cacheDir = path.join(os.tmpdir(), 'cogito-test-models');

/**
 * A generated model, made once per machine and reused by every test file.
 * Written under a per-process name and renamed, so parallel workers never see half a file.
 */
export async function testModel(name: string, options: Omit<MakeModelOptions, 'out'>): Promise<string> {
  fs.mkdirSync(cacheDir, { recursive: true });
  const key = JSON.stringify(options).replace(/[^a-zA-Z0-9]+/g, '_');
  const final = path.join(cacheDir, `${name}-${key}.gguf`);
  if (fs.existsSync(final)) return final;
  const mine = `${final}.${process.pid}.gguf`;
  await makeModel({ ...options, out: mine });
  fs.renameSync(mine, final);
  return final;
}

/** The small model most engine tests use: 4 layers, 128 wide, llama.cpp's SPM vocabulary. */
export function smallModel(): Promise<string> {
  return testModel('small', { embeddingSize: 128, layers: 4, heads: 4, headsKv: 2, feedForwardSize: 320, seed: 11, initStd: 0.05 });
}

export function tempDir(prefix = 'cogito-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Runs one of llama.cpp's own programs; fails loudly if the peer build is missing. */
export function runPeer(name: string, args: string[]): { stdout: string; stderr: string } {
  const bin = peerBin(name);
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run "node scripts/build-peers.js" (npm test does it first)`);
  const r = spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${name} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { stdout: r.stdout, stderr: r.stderr };
}
