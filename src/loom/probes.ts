/**
 * Probe training's schedule: the epochs, early stopping on the validation loss, and the best
 * epoch's weights kept. The addon runs one epoch per call (engine ProbeTrainer); the policy is here.
 */
import { ProbeTrainer, type ProbeEpoch, type ProbeTrainerOptions, type SidecarHandle } from '../engine';

export interface TrainProbesOptions extends ProbeTrainerOptions {
  /** At most this many epochs (default 200). */
  epochs?: number;
  /** Epochs without a better validation loss before stopping (default 20). */
  patience?: number;
}

/** A validation loss must beat the best by more than this to count as better. */
const MIN_IMPROVEMENT = 1e-6;

/**
 * Trains the sidecar's probes on pass-1 states and outcomes (1: the base answered correctly);
 * leaves them with the weights of the epoch with the best validation loss. Resolves with one
 * record per epoch run.
 */
export async function trainProbes(sidecar: SidecarHandle, states: Float32Array, correct: Uint8Array, options: TrainProbesOptions = {}): Promise<ProbeEpoch[]> {
  const { epochs: maxEpochs = 200, patience = 20, ...session } = options;
  const trainer = ProbeTrainer.open(sidecar, states, correct, session);
  try {
    const epochs: ProbeEpoch[] = [];
    let bestWeights = trainer.weights();
    let best = Infinity;
    let sinceBest = 0;
    for (let e = 0; e < maxEpochs && sinceBest < patience; e++) {
      const epoch = await trainer.epoch();
      epochs.push(epoch);
      if (epoch.valLoss < best - MIN_IMPROVEMENT) {
        best = epoch.valLoss;
        sinceBest = 0;
        bestWeights = trainer.weights();
      } else {
        sinceBest++;
      }
    }
    trainer.setWeights(bestWeights);
    return epochs;
  } finally {
    trainer.dispose();
  }
}
