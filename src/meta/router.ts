/**
 * The cascade's router from the meta-learner (issue 18, item 5): the draft's signals → the learner's
 * route head (its argmax) and confidence head → a RouteReport the cascade follows. No sidecar means
 * no signals, and no advice (null): the cascade then runs its full order.
 */
import type { Router } from '../cascade/options';
import type { DraftGeneration } from '../cascade/draft';
import type { RouteReport } from '../cascade/types';
import { MetaError } from './errors';
import type { LearnerStore } from './learner-store';
import type { MetaLearnerApi } from './learner-types';
import type { LoadMetaLearner } from './online';
import { signalsFromGeneration, signalsVector, type SignalOptions } from './signals';

export class MetaRouter implements Router {
  private disposed = false;

  constructor(
    private learner: MetaLearnerApi,
    private versionNumber: number,
    private readonly signalOptions: SignalOptions = {},
  ) {}

  /** The store's current learner as a router; null before the first accepted version. */
  static async current(store: LearnerStore, load: LoadMetaLearner, baseFingerprint: string, signalOptions: SignalOptions = {}): Promise<MetaRouter | null> {
    const current = store.current();
    if (!current) return null;
    return new MetaRouter(await load(store.pathOf(current), { baseFingerprint }), current.version, signalOptions);
  }

  get version(): number {
    return this.versionNumber;
  }

  get by(): string {
    return `meta-learner v${this.versionNumber}`;
  }

  route(_question: string, draft: { text: string; refused: boolean; generation: DraftGeneration | null }): RouteReport | null {
    if (this.disposed) throw new MetaError('this meta router has been disposed', 'DISPOSED');
    if (!draft.generation) return null;
    const signals = signalsFromGeneration(draft.generation, this.signalOptions);
    if (signals.version !== this.learner.info.signalsVersion) {
      throw new MetaError(`meta-learner v${this.versionNumber} reads signals of version ${this.learner.info.signalsVersion}, the draft's are version ${signals.version}`);
    }
    const p = this.learner.predict(signalsVector(signals));
    return { advice: p.route, confidence: p.confidence, by: this.by };
  }

  /**
   * Takes up the store's current version when it is newer than the one routing now (online training
   * installed one); the swap is one assignment between two questions, and the old learner is freed.
   */
  async refresh(store: LearnerStore, load: LoadMetaLearner, baseFingerprint: string): Promise<boolean> {
    const current = store.current();
    if (!current || current.version === this.versionNumber || this.disposed) return false;
    const next = await load(store.pathOf(current), { baseFingerprint });
    const old = this.learner;
    this.learner = next;
    this.versionNumber = current.version;
    old.dispose();
    return true;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.learner.dispose();
  }
}
