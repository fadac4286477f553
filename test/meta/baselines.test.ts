// The baselines: scores read from a signals vector, and the text-only router trained on question words.
import { MAX_TOKEN_PROBABILITY, MEAN_TOKEN_ENTROPY, PERPLEXITY, PROBE_CONFIDENCE, SIGNAL_BASELINES, TextRouter } from '../../src/meta/baselines';
import { MetaError } from '../../src/meta/errors';
import { SIGNAL_NAMES, type SignalName } from '../../src/meta/signals';

function vector(values: Partial<Record<SignalName, number>>): Float32Array {
  return Float32Array.from(SIGNAL_NAMES, (name) => values[name] ?? 0);
}

describe('scores from the signals', () => {
  const v = vector({ logprob_mean: -0.25, generated_tokens: 4, entropy_mean: 0.5, probe_confidence: 0.75 });

  test('maximum token probability: exp(mean log p × tokens), the greedy answer\'s probability', () => {
    expect(MAX_TOKEN_PROBABILITY.score(v)).toBeCloseTo(Math.exp(-1), 6);
    expect(MAX_TOKEN_PROBABILITY.score(vector({ generated_tokens: 0 }))).toBe(1);
    expect(MAX_TOKEN_PROBABILITY.isProbability).toBe(true);
  });

  test('mean token entropy and perplexity, negated; the probe as it is', () => {
    expect(MEAN_TOKEN_ENTROPY.score(v)).toBeCloseTo(-0.5, 6);
    expect(PERPLEXITY.score(v)).toBeCloseTo(-Math.exp(0.25), 6);
    expect(PROBE_CONFIDENCE.score(v)).toBeCloseTo(0.75, 6);
    // a surer answer scores higher on every one of them
    const surer = vector({ logprob_mean: -0.01, generated_tokens: 4, entropy_mean: 0.05, probe_confidence: 0.9 });
    for (const b of SIGNAL_BASELINES) expect(b.score(surer)).toBeGreaterThan(b.score(v));
  });

  test('a vector of another length, or a non-finite value, is refused', () => {
    expect(() => PROBE_CONFIDENCE.score(new Float32Array(3))).toThrow(MetaError);
    expect(() => MEAN_TOKEN_ENTROPY.score(vector({ entropy_mean: NaN }))).toThrow(MetaError);
  });
});

describe('the text-only router', () => {
  // questions about "Lana" are answered right, about "Osk" wrong; the other words say nothing
  const examples = [
    { question: 'Where does Lana live?', target: 1 },
    { question: 'What does Lana play?', target: 1 },
    { question: 'Which river flows through Lana?', target: 1 },
    { question: 'Where does Osk live?', target: 0 },
    { question: 'What does Osk play?', target: 0 },
    { question: 'Which river flows through Osk?', target: 0 },
  ];

  test('learns the words that go with right and wrong answers', () => {
    const router = TextRouter.train(examples);
    expect(router.score('What language does Lana speak?')).toBeGreaterThan(0.8);
    expect(router.score('What language does Osk speak?')).toBeLessThan(0.2);
    // no known word: the bias alone, here the base rate of 1/2
    expect(router.score('Qwerty?')).toBeCloseTo(0.5, 6);
  });

  test('words seen in fewer than minCount questions are not in the vocabulary', () => {
    const router = TextRouter.train([...examples, { question: 'Who is Zed?', target: 1 }]);
    expect(router.model.vocabulary).not.toContain('zed');
    expect(router.model.vocabulary).toContain('lana');
    expect(TextRouter.train(examples, { minCount: 1, iterations: 1 }).model.vocabulary).toContain('flows');
  });

  test('deterministic, and a model read back scores the same', () => {
    const a = TextRouter.train(examples);
    const b = TextRouter.fromModel(JSON.parse(JSON.stringify(a.toJSON())));
    expect(b.score('Where does Lana live?')).toBe(a.score('Where does Lana live?'));
    expect(TextRouter.train(examples).model.weights).toEqual(a.model.weights);
  });

  test('soft targets: a question with true confidence 0.7 is scored near it', () => {
    const router = TextRouter.train([{ question: 'Lana?', target: 0.7 }, { question: 'Lana?', target: 0.7 }], { iterations: 3000, l2: 0 });
    expect(router.score('Lana?')).toBeCloseTo(0.7, 2);
  });

  test('bad input is refused', () => {
    expect(() => TextRouter.train([])).toThrow(MetaError);
    expect(() => TextRouter.train([{ question: 'x', target: 2 }])).toThrow(MetaError);
    expect(() => TextRouter.train(examples, { minCount: 0 })).toThrow(MetaError);
    expect(() => TextRouter.fromModel({ vocabulary: ['a'], weights: [], bias: 0, options: { minCount: 1, iterations: 1, learningRate: 1, l2: 0 } })).toThrow(MetaError);
  });
});
