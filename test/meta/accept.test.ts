// The accept rule and the online schedule, as numbers: a fixed validation slice by answer id, the
// candidate installed only when its slice loss is not above the current learner's (ties keep the
// new), and training due at 32 labelled answers, then at every 8 more.
import { acceptRule, inValidationSlice, splitRows, trainingDue, VALIDATION_MODULUS, type SliceScore, type TrainingRow } from '../../src/meta';

const score = (loss: number | null): SliceScore => ({ rows: loss === null ? 0 : 10, loss, ece: null, brier: null, auroc: null, routeAccuracy: null, errorTypeAccuracy: null });

test('the accept rule: not worse installs (ties keep the new), worse does not, an empty slice installs only the first', () => {
  expect(acceptRule(score(0.5), null)).toMatchObject({ accepted: true, reason: expect.stringMatching(/^no current learner/) });
  expect(acceptRule(score(0.5), score(0.6))).toMatchObject({ accepted: true });
  expect(acceptRule(score(0.5), score(0.5))).toMatchObject({ accepted: true, reason: 'validation loss 0.5000 ≤ the current 0.5000' });
  expect(acceptRule(score(0.5000001), score(0.5))).toMatchObject({ accepted: false, reason: expect.stringMatching(/> the current 0\.5000: worse/) });
  expect(acceptRule(score(null), null)).toMatchObject({ accepted: true });
  expect(acceptRule(score(null), score(null))).toMatchObject({ accepted: false });
  expect(acceptRule(score(Number.NaN), null)).toMatchObject({ accepted: false });
  expect(acceptRule(score(Number.POSITIVE_INFINITY), score(1))).toMatchObject({ accepted: false });
});

test('the validation slice is fixed by the answer id alone: about one answer in five, the same every time', () => {
  const ids = Array.from({ length: 2000 }, (_, i) => `answer-${i}`);
  const inSlice = ids.filter(inValidationSlice);
  expect(inSlice.length / ids.length).toBeGreaterThan(1 / VALIDATION_MODULUS - 0.03);
  expect(inSlice.length / ids.length).toBeLessThan(1 / VALIDATION_MODULUS + 0.03);
  expect(ids.filter(inValidationSlice)).toEqual(inSlice);
  // a row keeps its side as the buffer grows: the split of a prefix is the prefix of the split
  const rows = ids.map((answerId) => ({ answerId }) as TrainingRow);
  const all = splitRows(rows);
  const some = splitRows(rows.slice(0, 700));
  expect(all.validation.slice(0, some.validation.length)).toEqual(some.validation);
  expect(all.training.slice(0, some.training.length)).toEqual(some.training);
  expect(some.validation.length + some.training.length).toBe(700);
});

test('training is due at 32 labelled answers, then at every 8 more than the latest version saw', () => {
  expect(trainingDue(31, null)).toBe(false);
  expect(trainingDue(32, null)).toBe(true);
  expect(trainingDue(39, 32)).toBe(false);
  expect(trainingDue(40, 32)).toBe(true);
  expect(trainingDue(45, 40)).toBe(false);
  expect(trainingDue(48, 40)).toBe(true);
  // a version trained by hand (cogito meta train) before 32 does not start the schedule early
  expect(trainingDue(20, 12)).toBe(false);
  expect(trainingDue(32, 30)).toBe(false);
  expect(trainingDue(38, 30)).toBe(true);
});
