/**
 * `cogito logic folio|qmltp`: run the logic layer over ground-truth files (FOLIO JSONL, a
 * folder of QMLTP problems) and print the agreement with their labels.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { QMLTP_LOGICS, readFolioFile, runFolio, runQmltp, shutdownZ3, solverNote } from '../../logic';
import type { QmltpLogic, QmltpReport } from '../../logic';
import { InvalidOptionError, NotFoundError } from '../../util/errors';
import { printJson } from '../output';
import { parseInteger } from '../parse';

function parseLogic(value: string): QmltpLogic {
  const l = value.toUpperCase();
  if (!(QMLTP_LOGICS as readonly string[]).includes(l)) throw new InvalidArgumentError(`--logic expects one of ${QMLTP_LOGICS.join(', ')}, got "${value}"`);
  return l as QmltpLogic;
}

function printQmltp(r: QmltpReport): void {
  process.stdout.write(`solvers: ${solverNote()}\n`);
  for (const [logic, s] of Object.entries(r.logics)) {
    process.stdout.write(`${logic.padEnd(3)} known ${s.known}  agree ${s.agree}  undecided ${s.undecided}\n`);
  }
  for (const c of r.cases) {
    process.stdout.write(`\n${c.problem} ${c.logic}: ${c.note}\n`);
    if (c.countermodel) {
      const m = c.countermodel;
      process.stdout.write(`  worlds ${m.worlds.join(' ')} (actual ${m.actual})\n`);
      process.stdout.write(`  R ${m.relation.map(([a, b]) => `${a}→${b}`).join(' ') || '(empty)'}\n`);
      for (const w of m.worlds) process.stdout.write(`  ${w}: ${m.valuation[w]?.join(' ') || '(nothing true)'}\n`);
    }
    if (c.check) {
      const frame = Object.entries(c.check.frame).map(([k, v]) => `${k} ${v ? 'yes' : 'NO'}`).join(', ');
      process.stdout.write(
        `  independent check: ${c.check.holds ? 'countermodel holds' : 'countermodel FAILS'} (frame: ${frame || 'no conditions'}; ` +
          `axioms hold: ${c.check.premises.every(Boolean)}; conjecture at the actual world: ${c.check.conclusionAtActual})\n`,
      );
    }
  }
  if (r.skipped.length) {
    process.stdout.write(`\nskipped ${r.skipped.length} file${r.skipped.length === 1 ? '' : 's'} (not scored):\n`);
    for (const k of r.skipped) process.stdout.write(`  ${k.file}: ${k.reason}\n`);
  }
  if (r.unsolvedDecided.length) {
    process.stdout.write(`\ndecided where the header says Unsolved: ${r.unsolvedDecided.map((u) => `${u.problem} ${u.logic} ${u.got}`).join(', ')}\n`);
  }
  process.stdout.write(`\nslowest: ${r.slowest.problem} in ${r.slowest.logic}, ${r.slowest.ms} ms; total ${(r.ms / 1000).toFixed(1)} s\n`);
}

export function register(program: Command): void {
  const logic = program.command('logic').description('the logic layer against ground-truth data');

  logic
    .command('folio')
    .description('decide every example of a FOLIO-format JSONL file from its gold FOL; print agreement with the labels')
    .argument('<file.jsonl>', 'FOLIO-format file (premises-FOL, conclusion-FOL, label)')
    .option('--json', 'print {total, agree, disagreements: [...], repaired: [...], skipped: [...]} as JSON')
    .option('--timeout <ms>', 'per-solver timeout for each check', (v) => parseInteger(v, '--timeout'), 10000)
    .action(async (file: string, f: { json?: boolean; timeout: number }) => {
      if (!existsSync(file)) throw new NotFoundError(`${file}: no such file`);
      try {
        const r = await runFolio(readFolioFile(file), { timeoutMs: f.timeout });
        if (f.json) printJson({ total: r.total, agree: r.agree, disagreements: r.disagreements, repaired: r.repaired, skipped: r.skipped, ms: r.ms });
        else {
          process.stdout.write(`solvers: ${solverNote()}\n`);
          process.stdout.write(`agree ${r.agree}/${r.total} (${((100 * r.agree) / Math.max(1, r.total)).toFixed(1)}%)\n`);
          for (const d of r.disagreements) process.stdout.write(`  ${d.id}: label ${d.expected}, got ${d.got}: ${d.reason}\n`);
          if (r.skipped.length) process.stdout.write(`skipped ${r.skipped.length} (not scored):\n`);
          for (const k of r.skipped) process.stdout.write(`  line ${k.line ?? '?'}${k.id !== undefined ? ` (id ${k.id})` : ''}: ${k.reason}\n`);
        }
      } finally {
        await shutdownZ3();
      }
    });

  logic
    .command('qmltp')
    .description('decide every QMLTP problem (*.p) of a folder in each modal logic; print agreement with the known statuses')
    .argument('<dir>', 'folder of QMLTP problems')
    .option('--logic <L>', `one logic of ${QMLTP_LOGICS.join(', ')} (default: all)`, parseLogic)
    .option('--json', 'print, per logic, {known, agree, undecided}, the cases that differ, and the skipped files, as JSON')
    .option('--timeout <ms>', 'budget for each problem in each logic', (v) => parseInteger(v, '--timeout'), 7000)
    .option('--global-axioms', 'read axioms as true at every world (default: at the conjecture\'s world, as QMLTP\'s statuses need)')
    .action(async (dir: string, f: { logic?: QmltpLogic; json?: boolean; timeout: number; globalAxioms?: boolean }) => {
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InvalidOptionError(`${dir}: not a folder`);
      try {
        const r = await runQmltp(dir, { logics: f.logic ? [f.logic] : QMLTP_LOGICS, timeoutMs: f.timeout, axioms: f.globalAxioms ? 'global' : 'local' });
        if (f.json) printJson(r);
        else printQmltp(r);
      } finally {
        await shutdownZ3();
      }
    });
}
