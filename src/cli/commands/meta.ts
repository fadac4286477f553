/** `cogito meta`: the feedback loop's state (status; train, eval and bootstrap are issue 18's later steps). */
import type { Command } from 'commander';
import * as fs from 'node:fs';
import { FeedbackBuffer, feedbackPathBeside, feedbackStatus, ROUTES, type FeedbackStatus } from '../../meta';
import { printJson } from '../output';
import { defaultVksPath } from './vks';

interface StatusFlags {
  vks?: string;
  json?: boolean;
}

export function register(program: Command): void {
  const meta = program.command('meta').description('the feedback loop: what the feedback buffer holds');
  meta
    .command('status')
    .description('the feedback buffer beside the VKS: answers, outcomes per source, the true-confidence distribution and the route targets')
    .option('--vks <path>', 'the VKS whose buffer (feedback.db beside it) to read (default $COGITO_VKS or ~/.cogito/vks.db)')
    .option('--json', 'print the counts as JSON')
    .action((flags: StatusFlags) => {
      const path = feedbackPathBeside(flags.vks ?? defaultVksPath());
      const status = fs.existsSync(path) ? readStatus(path) : emptyStatus(path);
      if (flags.json) printJson(status);
      else process.stdout.write(statusText(status));
    });
}

function readStatus(path: string): FeedbackStatus {
  const buffer = FeedbackBuffer.open(path);
  try {
    return feedbackStatus(buffer);
  } finally {
    buffer.close();
  }
}

/** No buffer yet: nothing was recorded (and status creates no file). */
function emptyStatus(path: string): FeedbackStatus {
  return { path, answers: 0, labelledAnswers: 0, outcomes: 0, bySource: { solver: 0, oracle: 0, correction: 0, user: 0 }, trueConfidence: { bins: [0, 0, 0, 0, 0], mean: null }, routes: { SELF: 0, HYBRID: 0, ORACLE: 0 } };
}

function statusText(s: FeedbackStatus): string {
  const sources = Object.entries(s.bySource).map(([k, v]) => `${k} ${v}`).join(', ');
  const bins = s.trueConfidence.bins.map((n, i) => `${(i / s.trueConfidence.bins.length).toFixed(1)}–${((i + 1) / s.trueConfidence.bins.length).toFixed(1)}: ${n}`).join(', ');
  return [
    `feedback buffer ${s.path}`,
    `answers ${s.answers} (labelled ${s.labelledAnswers}) · outcomes ${s.outcomes}: ${sources}`,
    `true confidence: ${bins}; mean ${s.trueConfidence.mean === null ? '—' : s.trueConfidence.mean.toFixed(3)}`,
    `route targets: ${ROUTES.map((r) => `${r} ${s.routes[r]}`).join(', ')}`,
    '',
  ].join('\n');
}
