import type { Command } from 'commander';
import { InvalidOptionError } from '../../engine';
import { collect } from '../../loom/collect';
import { collectFromFeedback, feedbackPathBeside } from '../../meta';
import { evaluate } from '../../loom/eval';
import { COGNITIVE_CHANNELS, trainSidecar, type CognitiveChannel } from '../../loom/train-sidecar';
import { GATINGS, type EncoderType, type Gating } from '../../sidecar';
import { printJson, progressBar } from '../output';
import { parseChoice, parseInteger, parseNumber } from '../parse';
import { defaultVksPath } from './vks';

interface CollectFlags {
  runDir: string;
  model: string;
  dataset?: string;
  fromFeedback?: boolean;
  vks?: string;
  feedback?: string;
  targetLayers: string;
  checker?: string;
  promptTemplate?: string;
  chat?: boolean;
  chatTemplate?: string;
  maxTokens: number;
  seed: number;
  threads?: number;
  json?: boolean;
}

/** The feedback buffer a collect reads (null: a dataset run); the flags that go together, checked before anything loads. */
export function feedbackSource(f: Pick<CollectFlags, 'dataset' | 'fromFeedback' | 'vks' | 'feedback' | 'checker'>): string | null {
  if (!f.fromFeedback) {
    if (f.vks !== undefined || f.feedback !== undefined) throw new InvalidOptionError(`${f.vks !== undefined ? '--vks' : '--feedback'} goes with --from-feedback`, 'INVALID_ARGUMENT');
    if (f.dataset === undefined) throw new InvalidOptionError('collect needs --dataset <file>, or --from-feedback', 'INVALID_ARGUMENT');
    return null;
  }
  if (f.dataset !== undefined) throw new InvalidOptionError('give --dataset or --from-feedback, not both: a run from feedback is labelled by verdicts, not by reference answers', 'INVALID_ARGUMENT');
  if (f.checker !== undefined) throw new InvalidOptionError('--checker judges reference answers: a run from feedback is labelled by verdicts', 'INVALID_ARGUMENT');
  if (f.vks !== undefined && f.feedback !== undefined) throw new InvalidOptionError('give --vks or --feedback, not both', 'INVALID_ARGUMENT');
  if (f.vks === ':memory:') throw new InvalidOptionError('--vks :memory: has no feedback buffer beside it', 'INVALID_ARGUMENT');
  return f.feedback ?? feedbackPathBeside(f.vks ?? defaultVksPath());
}

/** collect → train → eval: the three stages that make and judge a sidecar (export is in sidecar.ts). */
export function register(program: Command): void {
  program
    .command('collect')
    .description("run the base greedily on a QA dataset, judge its answers and keep its activations at the target layers; or, with --from-feedback, on the feedback buffer's questions, labelled by the cascade's verdicts")
    .requiredOption('--run-dir <dir>', 'the run directory (created)')
    .requiredOption('-m, --model <path>', 'the base model GGUF')
    .option('--dataset <file>', 'QA JSONL: {"question", "answers": [...]} per line')
    .option('--from-feedback', "the questions of the feedback buffer instead, each labelled by the verdicts on the base's answer (Z3, corpus, oracle, user; docs/meta.md) rather than by reference answers")
    .option('--vks <path>', 'with --from-feedback: the VKS whose buffer (feedback.db beside it) to read (default $COGITO_VKS or ~/.cogito/vks.db)')
    .option('--feedback <file>', 'with --from-feedback: the feedback buffer file itself')
    .option('--target-layers <spec>', 'early, mid, late, all, or indices like 2,5-7', 'late')
    .option('--checker <name|module>', 'with --dataset: exact, contains, or a module exporting a checker (default exact)')
    .option('--prompt-template <text>', 'how a question is asked; {question} is replaced (default "Question: {question}\\nAnswer:")')
    .option('--chat', 'ask in the model\'s chat format, for the short answer alone (a thinking model answers without thinking)')
    .option('--chat-template <name|text>', 'with --chat: this chat template (a name llama.cpp knows, such as chatml, or its text) instead of the model\'s own')
    .option('--max-tokens <n>', 'answer length limit', (v) => parseInteger(v, '--max-tokens'), 16)
    .option('--seed <n>', 'split seed', (v) => parseInteger(v, '--seed'), 1)
    .option('-t, --threads <n>', 'CPU threads', (v) => parseInteger(v, '--threads'))
    .option('--json', 'print the summary as JSON')
    .action(async (f: CollectFlags) => {
      if (f.chatTemplate !== undefined && !f.chat) throw new InvalidOptionError('--chat-template needs --chat', 'INVALID_ARGUMENT');
      const feedback = feedbackSource(f);
      const bar = progressBar('collect');
      const { chat, chatTemplate, dataset, fromFeedback: _from, vks: _vks, feedback: _file, checker, json, ...rest } = f;
      const base = { ...rest, chat: chat ? (chatTemplate !== undefined ? { template: chatTemplate } : true) : false, onNotice: (m: string) => process.stderr.write(`note: ${m}\n`), onProgress: (done: number, total: number, correct: number) => bar(done, total, `right ${correct}`) };
      if (feedback === null) {
        const s = await collect({ ...base, dataset: dataset as string, checker });
        if (json) printJson(s);
        else process.stdout.write(`collected ${s.questions} questions in ${s.seconds.toFixed(1)} s: base accuracy ${(100 * s.accuracy).toFixed(1)}% (layers ${s.targetLayers.join(',')})\n`);
        return;
      }
      const s = await collectFromFeedback({ ...base, feedback });
      if (json) printJson(s);
      else {
        const skipped = Object.entries(s.skippedBy).map(([reason, n]) => `${n} ${reason}`).join(', ');
        const sources = Object.entries(s.sources).filter(([, n]) => n > 0).map(([source, n]) => `${source} ${n}`).join(', ');
        process.stdout.write(
          `collected ${s.questions} of the buffer's ${s.asked} questions in ${s.seconds.toFixed(1)} s, labelled by verdicts (${sources}): ${(100 * s.accuracy).toFixed(1)}% right; ` +
            `skipped ${s.skipped}${skipped ? ` (${skipped})` : ''} (layers ${s.targetLayers.join(',')})\n`,
        );
      }
    });

  program
    .command('train')
    .description('train the run\'s sidecar: probes, then encoder and cross-attention through the frozen base')
    .requiredOption('--run-dir <dir>', 'a run directory after collect')
    .option('--encoder <type>', 'selective, multi_token or transformer', 'selective')
    .option('--inject-layers <spec>', 'layers the cross-attention writes (default: the two last target layers)')
    .option('--bottleneck <n>', 'cross-attention width', (v) => parseInteger(v, '--bottleneck'))
    .option('--channel <which>', 'what the cognitive tokens carry: "full" (encoder and refusal channel) or "refusal" (the refusal channel alone; the encoder stays off)', (v) => parseChoice(v, '--channel', COGNITIVE_CHANNELS), 'full')
    .option('--gating <when>', 'when pass 2 injects: "decision" (only below the chosen threshold, to refuse) or "always"', (v) => parseChoice(v, '--gating', GATINGS), 'decision')
    .option('--refusal-precision <x>', 'decision gating: the refusal precision the threshold must reach, out of fold', (v) => parseNumber(v, '--refusal-precision'), 0.85)
    .option('--precision-level <x>', 'decision gating: the refusal precision must hold at its one-sided lower confidence bound of this level (0: the observed share)', (v) => parseNumber(v, '--precision-level'), 0.9)
    .option('--accuracy-gain <x>', 'decision gating: also aim for selective accuracy this far above the base\'s (0.25: 25 points); the threshold is then the cut most likely to meet both targets', (v) => parseNumber(v, '--accuracy-gain'))
    .option('--epochs <n>', 'at most this many epochs (default: 10 with decision gating, else 6)', (v) => parseInteger(v, '--epochs'))
    .option('--lr <x>', 'learning rate (default: 5e-3 with decision gating, else 1e-3)', (v) => parseNumber(v, '--lr'))
    .option('--patience <n>', 'stop after this many epochs without a better validation loss (default: 3 with decision gating, else 2)', (v) => parseInteger(v, '--patience'))
    .option('--refusal <text>', 'what the sidecar answers when the base would be wrong')
    .option('--seed <n>', 'seed', (v) => parseInteger(v, '--seed'), 1)
    .option('-t, --threads <n>', 'CPU threads', (v) => parseInteger(v, '--threads'))
    .option('--json', 'print the summary as JSON')
    .action(async (f: { runDir: string; encoder: EncoderType; injectLayers?: string; bottleneck?: number; channel: CognitiveChannel; gating: Gating; refusalPrecision: number; precisionLevel: number; accuracyGain?: number; epochs?: number; lr?: number; patience?: number; refusal?: string; seed: number; threads?: number; json?: boolean }) => {
      const bar = progressBar('train');
      const s = await trainSidecar({
        runDir: f.runDir, encoder: f.encoder, injectLayers: f.injectLayers, bottleneck: f.bottleneck, channel: f.channel, gating: f.gating, refusalPrecision: f.refusalPrecision, precisionLevel: f.precisionLevel, accuracyGain: f.accuracyGain, epochs: f.epochs, learningRate: f.lr,
        patience: f.patience, refusal: f.refusal, seed: f.seed, threads: f.threads, onWarning: (w) => process.stderr.write(`warning: ${w}\n`),
        onProgress: (p) => {
          if (p.stage === 'probes') process.stderr.write(`probes: ${p.epochs} epochs, validation accuracy ${(100 * p.valAccuracy).toFixed(1)}%\n`);
          else if (p.stage === 'sidecar') bar(p.window, p.windows, `epoch ${p.epoch + 1}/${p.epochs} loss ${p.loss.toFixed(3)}`);
          else if (p.stage === 'threshold') {
            const pct = (x: number | null): string => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);
            const margins = p.gainMargin === null ? '' : `; margins ${p.precisionMargin?.toFixed(2) ?? 'n/a'} and ${p.gainMargin.toFixed(2)} standard errors`;
            const how = p.rule === 'both' ? ' (the cut most likely to meet both targets)' : p.metGain === false ? ' (no cut met both targets: the refusal precision first)' : '';
            process.stderr.write(`threshold ${p.threshold.toFixed(3)}${how}${p.metPrecision ? '' : ' (no cut reached the refusal precision asked for: the fallback)'}; out of fold: refuses ${pct(p.refusalRate)}, refusal precision ${pct(p.refusalPrecision)} (lower bound ${pct(p.refusalPrecisionBound)}), selective accuracy ${pct(p.selectiveAccuracy)} (gain ${pct(p.accuracyGain)})${margins}\n`);
          } else process.stderr.write(`epoch ${p.epoch + 1}: train loss ${p.trainLoss.toFixed(4)}, validation loss ${p.valLoss.toFixed(4)}${p.best ? ' (best, checkpoint written)' : ''}\n`);
        },
      });
      if (f.json) printJson(s);
      else process.stdout.write(`trained in ${s.seconds.toFixed(1)} s; best epoch ${s.bestEpoch + 1}; checkpoint ${s.checkpoint}\n`);
    });

  program
    .command('eval')
    .description('base against base + sidecar: selective accuracy, refusal precision, AUROC, McNemar; writes report.json/.md and a risk-coverage PNG')
    .requiredOption('--run-dir <dir>', 'a run directory after train (and export)')
    .option('--dataset <file>', 'evaluate on these questions instead of the run\'s validation split')
    .option('--sidecar <file>', 'the sidecar to judge (default: the run\'s sidecar.gguf or checkpoint)')
    .option('--model <file>', 'evaluate on this base instead of the run\'s (e.g. a quantization of it)')
    .option('--force', 'run the sidecar on a base with another fingerprint (same shapes, other weights)')
    .option('--out-dir <dir>', 'where the report goes (default: the run directory)')
    .option('--max-tokens <n>', 'answer length limit', (v) => parseInteger(v, '--max-tokens'))
    .option('-t, --threads <n>', 'CPU threads', (v) => parseInteger(v, '--threads'))
    .option('--json', 'print report.json')
    .action(async (f: { runDir: string; dataset?: string; sidecar?: string; model?: string; force?: boolean; outDir?: string; maxTokens?: number; threads?: number; json?: boolean }) => {
      const bar = progressBar('eval');
      const { report, files } = await evaluate({ ...f, onProgress: (done, total) => bar(done, total) });
      if (report.meta.binding !== undefined) process.stderr.write(`warning: ${report.meta.binding}\n`);
      if (f.json) printJson(report);
      else {
        const pct = (x: number | null) => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);
        process.stdout.write(
          `n ${report.n}: base accuracy ${pct(report.base_accuracy)}, selective accuracy ${pct(report.selective_accuracy)}, refusal rate ${pct(report.refusal_rate)}, ` +
            `refusal precision ${pct(report.refusal_precision)}, over-refusal ${pct(report.over_refusal)}, AUROC ${report.auroc?.toFixed(3) ?? 'n/a'}, McNemar p ${report.mcnemar_p.toPrecision(3)}\n` +
            `report: ${files.markdown}\n`,
        );
      }
    });
}
