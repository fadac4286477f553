/**
 * Sidecars in the native runtime (native/sidecar_*.cpp), typed: loading (the native loader is the
 * one validator of the format: keys, types, shapes and finite values), the config it read,
 * encoding, and the same checks for a file about to be written. The sidecar layer reaches the
 * addon only through here; a refused file fails with code INVALID_SIDECAR.
 */
import { native, nativeSync } from './errors';
import { addon, type GgufKeyValue, type NativeSidecar, type NativeSidecarConfig, type NativeSidecarInfo } from './native';

export type { NativeSidecarConfig as SidecarHandleConfig, NativeSidecarInfo as SidecarHandleInfo };

/** A sidecar loaded into the native runtime: its weights in ggml tensors. */
export class SidecarHandle {
  private constructor(
    /** @internal the addon's object, for a context's injection and the trainers. */
    readonly handle: NativeSidecar,
  ) {}

  /** Loads and validates a sidecar GGUF; a bad file fails with code INVALID_SIDECAR, its message "path: why". */
  static async load(path: string): Promise<SidecarHandle> {
    return new SidecarHandle(await native(() => addon().loadSidecar(path)));
  }

  /** The config the loader read (every key of the file). */
  config(): NativeSidecarConfig {
    return nativeSync(() => this.handle.config());
  }

  info(): NativeSidecarInfo {
    return nativeSync(() => this.handle.info());
  }

  /** A pass-1 state (L·E hidden states, then the output features φ of a version-2 sidecar) → cognitive tokens and per-layer confidences. */
  encode(state: Float32Array): Promise<{ tokens: Float32Array; confidences: Float32Array }> {
    return native(() => this.handle.encode(state));
  }

  /** The current weights, in FORMAT.md order. */
  tensors(): { name: string; shape: number[]; data: Float32Array }[] {
    return nativeSync(() => this.handle.tensors());
  }

  dispose(): void {
    nativeSync(() => this.handle.dispose());
  }
}

/**
 * The loader's checks on a sidecar not yet written: its metadata (as the writer would store it)
 * and, when given, its tensors. Throws a CogitoError with code INVALID_SIDECAR naming the key or tensor.
 */
export function checkSidecar(metadata: GgufKeyValue[], tensors?: { name: string; shape: number[]; data: Float32Array }[]): void {
  nativeSync(() => addon().checkSidecar(metadata, tensors));
}
