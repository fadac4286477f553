// The accept rule and the online schedule, as numbers: a fixed validation slice by answer id, the
// candidate installed only when its slice loss is not above the current learner's (ties keep the
// new), and training due at 32 labelled answers, then at every 8 more.
import { acceptRule, inValidationSlice, NOISE_STANDARD_ERRORS, pairedDifference, splitRows, trainingDue, VALIDATION_MODULUS, type SliceScore, type TrainingRow } from '../../src/meta';

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

test('the noise margin: a candidate higher on the slice by less than two standard errors of the paired difference installs; a clearly worse one does not', () => {
  // per-answer differences 0.1, -0.1, 0.2, 0 (weights 1): mean 0.05, SE √(0.0125/3) ≈ 0.0645
  const current = [1, 1, 1, 1];
  const near = { candidate: [1.1, 0.9, 1.2, 1.0], current, weights: [1, 1, 1, 1] };
  const d = pairedDifference(near);
  expect(d.mean).toBeCloseTo(0.05, 12);
  expect(d.standardError).toBeCloseTo(Math.sqrt(0.0125 / 3), 12);
  expect(acceptRule(score(1.05), score(1), near)).toMatchObject({ accepted: true, reason: expect.stringMatching(/within 2 standard errors/) });
  // every answer worse by about 0.5: far beyond the noise
  const worse = { candidate: [1.5, 1.6, 1.4, 1.5], current, weights: [1, 1, 1, 1] };
  expect(pairedDifference(worse).mean).toBeGreaterThan(NOISE_STANDARD_ERRORS * pairedDifference(worse).standardError);
  expect(acceptRule(score(1.5), score(1), worse)).toMatchObject({ accepted: false, reason: expect.stringMatching(/worse, kept but not installed/) });
  // the weights count: the one worse answer weighs 3 of 4.5, a difference the rest cannot hide
  const weighted = pairedDifference({ candidate: [2, 1, 1], current: [1, 1, 1], weights: [3, 1, 0.5] });
  expect(weighted.mean).toBeCloseTo(3 / 4.5, 12);
  expect(() => pairedDifference({ candidate: [1], current: [1, 2], weights: [1, 1] })).toThrow(/one value per row/);
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
