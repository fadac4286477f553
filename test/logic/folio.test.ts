import * as path from 'node:path';
import { readFolioFile, repairFolioFormula, runFolio, shutdownZ3 } from '../../src/logic';
import { FormulaParseError, parseFormula } from '../../src/logic';
import { SHARED_DATA } from './data';

afterAll(shutdownZ3);

describe('FOLIO ground truth', () => {
  it('agrees with at least 96% of folio-dev labels, and explains every disagreement', async () => {
    const examples = readFolioFile(path.join(SHARED_DATA, 'folio/folio-dev.jsonl'));
    expect(examples).toHaveLength(113);
    const r = await runFolio(examples);
    expect(r.total).toBe(113);
    expect(r.agree / r.total).toBeGreaterThanOrEqual(0.96);
    expect(r.agree + r.disagreements.length).toBe(r.total);
    for (const d of r.disagreements) {
      expect(d.reason.length).toBeGreaterThan(10);
      expect(d.got).not.toBe('error');
    }
    // The four are annotation errors, each read from its gold FOL:
    //  27: labelled False, but nothing in the FOL stops James loving fall as well as summer;
    //  47: the conclusion FOL quantifies over everyone in any superhero movie, which nothing entails;
    //  59, 61: premise 1 lacks brackets — (MountainRange(p) ∧ In(p, nm)) ∨ In(p, texas) — so the
    //          Texas branch stays open; with MountainRange(p) ∧ (… ∨ …) both labels would follow.
    expect(r.disagreements.map((d) => `${d.id}:${d.expected}→${d.got}`)).toEqual([
      '27:False→Uncertain',
      '47:True→Uncertain',
      '59:True→Uncertain',
      '61:False→Uncertain',
    ]);
  });

  it('parses every premise of folio-train (documented repairs only; empty annotations are reported)', () => {
    const examples = readFolioFile(path.join(SHARED_DATA, 'folio/folio-train.jsonl'));
    expect(examples.length).toBe(1004);
    let total = 0;
    let strict = 0;
    const empty: string[] = [];
    for (const ex of examples) {
      for (const text of ex.premisesFol) {
        total++;
        if (!text.trim()) {
          empty.push(String(ex.id));
          continue;
        }
        const r = repairFolioFormula(text); // throws on anything the repairs do not cover
        if (r.repairs.length === 0) strict++;
      }
    }
    expect(total).toBeGreaterThan(5000);
    // The repairs are for a handful of annotation slips, not a second grammar.
    expect(strict / total).toBeGreaterThan(0.99);
    // FOLIO v0.0 has premises without an annotation; they are not formulas at all.
    expect(empty.length).toBeLessThan(10);
  });

  it('repairs only the listed slips, and says what it changed', () => {
    expect(repairFolioFormula('Code(burger) ∧ Mac(burger))').repairs).toEqual(["unmatched ')' at 26: opened a '(' at the start"]);
    expect(repairFolioFormula('∃x (Country(x) Nearby(m, x))').repairs[0]).toMatch(/missing connective/);
    expect(repairFolioFormula('Superhero(captain america)').formula).toEqual(parseFormula('Superhero(captain_america)'));
    expect(() => repairFolioFormula('P(a) @ Q')).toThrow(FormulaParseError);
    expect(() => repairFolioFormula('')).toThrow(FormulaParseError);
  });
});
