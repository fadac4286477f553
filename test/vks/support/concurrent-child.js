'use strict';
// Child for the concurrency test. One JSON object per stdout line.
//   writer   <db> <tag> <count> <reopenEvery>: adds records (every tier, some invalidated),
//            reopening the store every few records; prints {"ack": id} after each commit returned.
//   verifier <db> <stopFile> <maxRuns>: opens the store read-only and runs the full verify in a
//            loop until the stop file appears; reports its runs, alarms and the ledger lengths it saw.
// Any error a writer meets is printed as {"error": ...}; a verifier counts its failures as alarms.
require('./ts-hook');
const { existsSync } = require('node:fs');
const { Vks } = require('../../../src/vks/store.ts');

const say = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
const describe = (err) => ({ name: err && err.name, message: String(err && err.message) });
const [role, dbPath, ...rest] = process.argv.slice(2);

function writer(tag, count, reopenEvery) {
  let vks = null;
  let lastAxiom = null;
  try {
    for (let i = 0; i < count; i++) {
      if (i % reopenEvery === 0) {
        if (vks) vks.close();
        vks = Vks.open(dbPath, { busyTimeoutMs: 20000 });
      }
      const tier = ['AXIOM', 'DERIVED', 'FACTUAL'][i % 3];
      const rec = vks.add({
        tier,
        text: `${tag} claim ${i} about the wax`,
        aliases: [`${tag} phrasing ${i} of the wax claim`],
        canonical: i % 2 ? `P_${tag}_${i}` : null,
        status: 'VERIFIED',
        method: tier === 'FACTUAL' ? 'CORPUS' : 'Z3',
        artifact: { i, tag },
        dependsOn: tier === 'DERIVED' && lastAxiom ? [lastAxiom] : [],
      });
      if (tier === 'AXIOM') lastAxiom = rec.id;
      if (tier === 'DERIVED' && i % 4 === 1) vks.invalidate(rec.id, 'exercise the ledger');
      say({ ack: rec.id });
    }
    say({ done: true });
  } catch (err) {
    say({ error: describe(err) });
    process.exitCode = 2;
  } finally {
    if (vks) vks.close();
  }
}

function verifier(stopFile, maxRuns) {
  let runs = 0;
  const alarms = [];
  const lengths = new Set();
  while (runs < maxRuns && !existsSync(stopFile)) {
    runs++;
    let vks = null;
    try {
      vks = Vks.open(dbPath, { readonly: true, busyTimeoutMs: 20000 });
      lengths.add(vks.verify().ledger.length);
    } catch (err) {
      alarms.push(describe(err));
    } finally {
      if (vks) vks.close();
    }
  }
  say({ runs, alarms, lengthsSeen: lengths.size });
}

if (role === 'writer') writer(rest[0], Number(rest[1]), Number(rest[2]));
else if (role === 'verifier') verifier(rest[0], Number(rest[1]));
else throw new Error(`unknown role ${role}`);
