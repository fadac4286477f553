/** `cogito feedback`: a user's judgement of an answer, one more labelled outcome in the feedback buffer. */
import type { Command } from 'commander';
import * as fs from 'node:fs';
import { FeedbackBuffer, feedbackPathBeside, isJudgement, JUDGEMENTS, recordJudgement, UnknownAnswerError } from '../../meta';
import { InvalidOptionError } from '../../util/errors';
import { printJson } from '../output';
import { defaultVksPath } from './vks';

interface FeedbackFlags {
  vks?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('feedback')
    .description('record your judgement of an answer cogito ask gave: accept, reject, or correct "the right answer" (a label the meta-learner learns from)')
    .argument('<answer-id>', 'the answer\'s id (cogito ask prints it; "id" in --json)')
    .argument('<judgement>', `one of ${JUDGEMENTS.join(', ')}`)
    .argument('[correction]', 'with correct: the right answer')
    .option('--vks <path>', 'the VKS the answer was checked against; the buffer is feedback.db beside it (default $COGITO_VKS or ~/.cogito/vks.db)')
    .option('--json', 'print the recorded outcome and the answer\'s true confidence as JSON')
    .action((answerId: string, judgement: string, correction: string | undefined, flags: FeedbackFlags) => {
      if (!isJudgement(judgement)) throw new InvalidOptionError(`the judgement is one of ${JUDGEMENTS.join(', ')}, not "${judgement}"`, 'INVALID_ARGUMENT');
      if (judgement === 'correct' && (correction === undefined || correction.trim() === '')) throw new InvalidOptionError('correct needs the right answer: cogito feedback <id> correct "…"', 'INVALID_ARGUMENT');
      if (judgement !== 'correct' && correction !== undefined) throw new InvalidOptionError(`${judgement} takes no text; give the right answer with correct "…"`, 'INVALID_ARGUMENT');
      const path = feedbackPathBeside(flags.vks ?? defaultVksPath());
      // no buffer yet: no answer to judge (and nothing is created for a mistyped id)
      if (!fs.existsSync(path)) throw new UnknownAnswerError(path, answerId);
      const buffer = FeedbackBuffer.open(path);
      try {
        const outcome = recordJudgement(buffer, answerId, judgement, correction);
        const confidence = buffer.trueConfidence(answerId);
        if (flags.json) {
          printJson({ outcome: { ...outcome, signals: Array.from(outcome.signals) }, trueConfidence: confidence });
          return;
        }
        process.stdout.write(`recorded ${judgement} of ${answerId} (user, ${outcome.verdict}, weight ${outcome.weight}); true confidence now ${confidence === null ? '—' : confidence.toFixed(3)}\n`);
      } finally {
        buffer.close();
      }
    });
}
