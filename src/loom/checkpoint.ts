/**
 * Sidecar checkpoints in a run directory, and export from them. A checkpoint is a sidecar GGUF
 * (same format, same validation) at `<run-dir>/checkpoints/sidecar.ckpt.gguf`; the train stage
 * record in run.json names it. Until training exists, writeCheckpoint is how one gets there.
 */
import * as path from 'node:path';
import { finishStage, lastDone, readManifest, startStage, updateManifest, type JsonValue, type RunManifest } from './manifest';
import { SidecarMismatchError, readSidecar, writeSidecar, type Sidecar } from '../sidecar';

/** Relative to the run directory, as run.json records it. */
export const CHECKPOINT_FILE = path.join('checkpoints', 'sidecar.ckpt.gguf');
export const EXPORT_FILE = 'sidecar.gguf';

export function checkpointPath(runDir: string): string {
  return path.join(runDir, CHECKPOINT_FILE);
}

/**
 * Writes `sidecar` as the run's checkpoint and records a done train stage whose detail names it
 * (`checkpoint`, the format version, the encoder's shape, `trainer: 'none'`): the record a
 * trainer will write too.
 */
export async function writeCheckpoint(runDir: string, sidecar: Sidecar): Promise<string> {
  const file = await saveCheckpoint(runDir, sidecar);
  const { config } = sidecar;
  const detail: { [key: string]: JsonValue } = {
    checkpoint: CHECKPOINT_FILE.split(path.sep).join('/'),
    trainer: 'none (written by the sidecar library)',
    version: config.version,
    encoderType: config.encoder.type,
    tokens: config.encoder.nTokens,
    targetLayers: config.targetLayers,
    injectLayers: config.injectLayers,
    bottleneck: config.bottleneck,
    heads: config.heads,
  };
  await updateManifest(runDir, (m) => finishStage(startStage(m, 'train'), 'train', 'done', detail));
  return file;
}

/** Writes `sidecar` as the run's checkpoint file only (a trainer records its own train stage). */
export async function saveCheckpoint(runDir: string, sidecar: Sidecar): Promise<string> {
  assertFitsRun(await readManifest(runDir), sidecar);
  const file = checkpointPath(runDir);
  await writeSidecar(file, sidecar);
  return file;
}

export interface ExportResult {
  /** The sidecar written. */
  path: string;
  /** The checkpoint it came from. */
  checkpoint: string;
  sidecar: Sidecar;
}

/**
 * Writes the run's sidecar: reads run.json and the checkpoint its latest done train stage names,
 * checks both are about the same base model, writes `out` (default `<run-dir>/sidecar.gguf`) and
 * records an export stage. Throws InvalidSidecarError for a bad checkpoint, SidecarMismatchError
 * for one made for another model, and the manifest's errors for a bad run directory.
 */
export async function exportSidecar(runDir: string, out?: string): Promise<ExportResult> {
  const manifest = await readManifest(runDir);
  const train = lastDone(manifest, 'train');
  const recorded = train?.detail.checkpoint;
  const checkpoint = path.resolve(runDir, typeof recorded === 'string' ? recorded : CHECKPOINT_FILE);
  const sidecar = await readSidecar(checkpoint);
  assertFitsRun(manifest, sidecar);
  const target = out ?? path.join(runDir, EXPORT_FILE);
  await updateManifest(runDir, (m) => startStage(m, 'export'));
  try {
    await writeSidecar(target, sidecar);
  } catch (err) {
    await updateManifest(runDir, (m) => finishStage(m, 'export', 'failed', { error: (err as Error).message }));
    throw err;
  }
  await updateManifest(runDir, (m) => finishStage(m, 'export', 'done', { output: path.resolve(target), checkpoint }));
  return { path: target, checkpoint, sidecar };
}

/** Same base model as the run, and only layers the run tapped (a sidecar is trained on those taps). */
function assertFitsRun(manifest: RunManifest, sidecar: Sidecar): void {
  const { fingerprint } = manifest.model;
  if (sidecar.config.base.fingerprint !== fingerprint) {
    throw new SidecarMismatchError(
      `the checkpoint was made for base ${sidecar.config.base.fingerprint}; this run directory is for ${fingerprint} (${manifest.model.path})`,
    );
  }
  const extra = sidecar.config.targetLayers.filter((l) => !manifest.targetLayers.includes(l));
  if (extra.length > 0) {
    throw new SidecarMismatchError(
      `the checkpoint reads layer(s) ${extra.join(', ')}, which this run did not tap (run.json targetLayers: ${manifest.targetLayers.join(', ')})`,
    );
  }
}
