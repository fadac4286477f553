/** What `cogito inspect` shows: a validated sidecar's metadata, tensors, size and (given a model) its binding. */
import * as fs from 'node:fs';
import { CogitoError } from '../engine/errors';
import { checkBinding } from './bind';
import { elementCount, tensorSpecs, type BaseModelInfo, type SidecarConfig } from './format';
import { readSidecar } from './file';

export interface SidecarReport {
  file: string;
  fileSize: number;
  config: SidecarConfig;
  tensors: { name: string; shape: number[]; parameters: number }[];
  parameters: number;
  /** Present when a model was given: whether the sidecar runs on it, and why not. */
  binding?: { model: string; fingerprint: string; binds: boolean; warning: string | null; error?: string; code?: string };
}

export async function inspectSidecar(file: string, options: { model?: BaseModelInfo & { path?: string }; force?: boolean } = {}): Promise<SidecarReport> {
  const { config } = await readSidecar(file);
  const tensors = tensorSpecs(config).map((s) => ({ name: s.name, shape: s.shape, parameters: elementCount(s.shape) }));
  const report: SidecarReport = {
    file,
    fileSize: fs.statSync(file).size,
    config,
    tensors,
    parameters: tensors.reduce((n, t) => n + t.parameters, 0),
  };
  const { model } = options;
  if (model) {
    const binding: NonNullable<SidecarReport['binding']> = { model: model.path ?? '(model)', fingerprint: model.fingerprint, binds: true, warning: null };
    try {
      binding.warning = checkBinding(config, model, { force: options.force });
    } catch (err) {
      if (!(err instanceof CogitoError)) throw err;
      Object.assign(binding, { binds: false, error: err.message, code: err.code });
    }
    report.binding = binding;
  }
  return report;
}
