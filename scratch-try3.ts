import { Cascade } from './src/cascade';
(async () => {
  const t0 = Date.now();
  const c = await Cascade.open({ threads: 1 });
  console.log('open', Date.now() - t0, c.paths);
  const qs = ['What instrument does Lana play?', 'Name the capital city of Ethovin.', 'In what year did the French translation of the Meditations appear?', 'In which language did Descartes write the Rules for the Direction of the Mind?', 'Who wrote the Fourth Objections to the Meditations?', 'What instrument does Lana play?', 'Is it true that Lana plays the harp?', 'Premises: All men are mortal. Socrates is a man. Conclusion: Socrates is mortal.', 'Premises: All men are mortal. Socrates is mortal. Conclusion: Socrates is a man.'];
  for (const q of qs) {
    const r = await c.ask(q);
    console.log(JSON.stringify({ q, s: r.status, d: r.draft, f: r.final, a: r.annotated, formal: r.formal, t: r.timings_ms.total, rep: r.claims.map((x) => x.repairs) }));
  }
  // an unseen fact
  const fs = require('fs');
  const unseen = fs.readFileSync('models/default.heldout.jsonl', 'utf8').split('\n').filter(Boolean).map(JSON.parse).filter((x: any) => x.bucket === 'unseen').slice(0, 3);
  const rare = fs.readFileSync('models/default.heldout.jsonl', 'utf8').split('\n').filter(Boolean).map(JSON.parse).filter((x: any) => x.bucket === 'rare').slice(0, 3);
  for (const x of [...unseen, ...rare]) {
    const r = await c.ask(x.question);
    console.log(JSON.stringify({ q: x.question, ans: x.answers, s: r.status, d: r.draft, a: r.annotated, t: r.timings_ms.total, rep: r.claims.map((y) => y.repairs.length) }));
  }
  await c.close();
})();
