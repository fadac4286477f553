/**
 * The CLI's side of the feedback loop: the meta-learner beside a VKS as the cascade's router, and the
 * online schedule with its step run either here (a long command: bootstrap) or in a detached child
 * process (`ask`, whose process ends with its answer: `cogito meta train --if-due` goes on alone).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Cascade } from '../cascade';
import { loadMetaLearner, trainMetaLearner, LearnerStore, MetaRouter, OnlineTrainer, retrain, trainingRowsFor, type FeedbackBuffer, type RetrainResult } from '../meta';

/** bin/cogito.js of this installation (dist/cli → ../../bin). */
const COGITO_BIN = path.join(__dirname, '..', '..', 'bin', 'cogito.js');

/**
 * Keeps a cascade routed by the store's current learner: the first accepted version once there is
 * one, a newer one between two questions (online training installs them while a batch runs). A
 * current learner trained for another model is not used (`update` says so).
 */
export class CurrentLearnerRouting {
  private router: MetaRouter | null = null;

  constructor(
    private readonly cascade: Cascade,
    private readonly store: LearnerStore,
    private readonly baseFingerprint: string,
  ) {}

  /** Takes up the current version if it is new; a note when the current learner is for another model. */
  async update(): Promise<string | null> {
    const current = this.store.current();
    if (!current) return null;
    if (current.baseFingerprint !== this.baseFingerprint) return `the meta-learner in ${this.store.dir} (v${current.version}) was trained for another model; answers are not routed`;
    if (this.router) await this.router.refresh(this.store, loadMetaLearner, this.baseFingerprint);
    else {
      this.router = await MetaRouter.current(this.store, loadMetaLearner, this.baseFingerprint);
      this.cascade.useRouter(this.router);
    }
    return null;
  }

  dispose(): void {
    this.cascade.useRouter(null);
    this.router?.dispose();
    this.router = null;
  }
}

/** One online step in this process (the training itself runs on the addon's thread). */
export function retrainHere(buffer: FeedbackBuffer, store: LearnerStore, baseFingerprint: string, options: { force?: boolean; epochs?: number; seed?: number } = {}): Promise<RetrainResult> {
  return retrain({ buffer, store, train: trainMetaLearner, load: loadMetaLearner, baseFingerprint, ...options });
}

/**
 * One online step in a detached child process (`cogito meta train --if-due`), its output appended to
 * meta/train.log; resolves when the child ends (or never, if this process ends first: the child goes on).
 */
export function retrainInChild(vksPath: string, store: LearnerStore, baseFingerprint: string): Promise<number | null> {
  fs.mkdirSync(store.dir, { recursive: true });
  const log = fs.openSync(path.join(store.dir, 'train.log'), 'a');
  try {
    const child = spawn(process.execPath, [COGITO_BIN, 'meta', 'train', '--if-due', '--vks', vksPath, '--base-fingerprint', baseFingerprint], { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => resolve(code));
    });
  } finally {
    fs.closeSync(log);
  }
}

/** The schedule over the buffer and the store's versions, running `run` when a step is due. */
export function onlineTrainer(buffer: FeedbackBuffer, store: LearnerStore, baseFingerprint: string, run: () => Promise<unknown>, onError: (err: unknown) => void): OnlineTrainer {
  return new OnlineTrainer({ labelled: () => trainingRowsFor(buffer, baseFingerprint).length, lastTrainedAt: () => store.latest()?.rows ?? null, run, onError });
}
