import * as path from 'node:path';
import { loadModel, makeModel } from '../../src/engine';
import { buildWordVocab, generateCorpus, writeWordVocab } from '../../models/recipe';
import { tempDir } from '../support/engine';

const corpus = generateCorpus({ seed: 1 });
const questions = [...corpus.heldout, ...corpus.sidecarTrain];
const texts = [...corpus.samples, ...questions.map((q) => `${q.question} ${q.answers.join(' ')}`)];

test('the word vocabulary makes every corpus word one token and round-trips text through llama.cpp', async () => {
  const vocab = buildWordVocab(texts);
  expect(vocab.tokens.length).toBeLessThan(12_000);
  const dir = tempDir('cogito-vocab-');
  const file = path.join(dir, 'words.gguf');
  writeWordVocab(file, vocab);
  const modelFile = path.join(dir, 'tiny.gguf');
  await makeModel({ out: modelFile, vocab: file, embeddingSize: 32, layers: 1, heads: 2, headsKv: 2, feedForwardSize: 64, seed: 1 });
  const model = await loadModel(modelFile);
  try {
    expect(model.info.vocabularySize).toBe(vocab.tokens.length);
    for (const q of questions.slice(0, 200)) {
      for (const answer of q.answers) {
        // one token per word (punctuation at a word's edge is a token of its own)
        const words = answer.split(/\s+/);
        const marks = words.reduce((n, w) => n + (w.match(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu) ?? []).join('').length, 0);
        expect([answer, model.tokenize(answer, { addSpecial: false }).length]).toEqual([answer, words.length + marks]);
      }
      const text = `Question: ${q.question}\nAnswer: ${q.answers[0]}`;
      expect(model.detokenize(model.tokenize(text, { addSpecial: false })).trimStart()).toBe(text);
    }
    // a possessive is the name's token and "'s", so every phrasing of a fact shares the name
    const possessive = questions.find((q) => /\w's\b/.test(q.question));
    expect(possessive).toBeDefined();
    const name = /(\S+)'s\b/.exec(possessive!.question)![1];
    expect(model.tokenize(`${name}'s`, { addSpecial: false })).toEqual([...model.tokenize(name, { addSpecial: false }), ...model.tokenize("'s", { addSpecial: false }).slice(-1)]);
    expect(model.tokenize(name, { addSpecial: false })).toHaveLength(1);
    // text outside the corpus still tokenizes (characters or bytes) and round-trips
    const odd = 'Zebra ☃ 42';
    expect(model.detokenize(model.tokenize(odd, { addSpecial: false })).trimStart()).toBe(odd);
  } finally {
    await model.dispose();
  }
});
