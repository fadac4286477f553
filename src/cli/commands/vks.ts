/** `cogito vks stats|verify|export|import|seed`: inspect and move a Verified Knowledge Store. */
import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadLogicBackend } from '../../claims/logic-backend';
import { Vks, VksError, seedVks, type VksExport } from '../../vks';
import { about } from '../errors';
import { printJson } from '../output';

export function defaultVksPath(): string {
  return process.env.COGITO_VKS ?? join(process.env.COGITO_HOME ?? join(homedir(), '.cogito'), 'vks.db');
}

/** Opens a store; a failed chain check is reported against the store's path, naming the first bad record. */
function open(path: string, readonly: boolean): Vks {
  return about(path, () => Vks.open(path, { readonly }));
}

export function register(program: Command): void {
  const vks = program.command('vks').description('the Verified Knowledge Store');
  const dbOption = ['--db <path>', 'store file (default $COGITO_VKS or ~/.cogito/vks.db)'] as const;

  vks
    .command('stats')
    .description('records by tier, status and method, and the AXIOM chain head')
    .option(...dbOption)
    .action((f: { db?: string }) => {
      const store = open(f.db ?? defaultVksPath(), true);
      try {
        printJson(store.stats());
      } finally {
        store.close();
      }
    });

  vks
    .command('verify')
    .description('recompute the AXIOM hash chain; exit 1 naming the first bad record if it was tampered with')
    .option(...dbOption)
    .option('--expect-head <hash>', 'also require this chain head (one recorded elsewhere earlier)')
    .action((f: { db?: string; expectHead?: string }) => {
      const path = f.db ?? defaultVksPath();
      const store = open(path, true);
      try {
        const chain = store.verifyChain();
        if (f.expectHead && f.expectHead !== chain.head) {
          throw new VksError(`${path}: chain head ${chain.head} differs from the expected ${f.expectHead}`, 'VKS_HEAD_MISMATCH');
        }
        process.stdout.write(`${path}: ok, ${chain.length} AXIOM records, head ${chain.head}\n`);
      } finally {
        store.close();
      }
    });

  vks
    .command('export')
    .description('write every record as JSON (to stdout, or --out)')
    .option(...dbOption)
    .option('-o, --out <file>', 'output file')
    .action((f: { db?: string; out?: string }) => {
      const store = open(f.db ?? defaultVksPath(), true);
      try {
        const data = store.export();
        if (f.out) {
          writeFileSync(f.out, `${JSON.stringify(data, null, 2)}\n`);
          process.stdout.write(`wrote ${data.records.length} records to ${f.out}\n`);
        } else printJson(data);
      } finally {
        store.close();
      }
    });

  vks
    .command('import')
    .description('add the records of an export (its AXIOM chain is checked first)')
    .argument('<file>', 'a file written by `cogito vks export`')
    .option(...dbOption)
    .action((file: string, f: { db?: string }) => {
      let data: VksExport;
      try {
        data = JSON.parse(readFileSync(file, 'utf8')) as VksExport;
      } catch (err) {
        throw new VksError(`${file}: ${(err as Error).message}`);
      }
      const store = open(f.db ?? defaultVksPath(), false);
      try {
        printJson(about(`${file} (the export)`, () => store.import(data)));
      } finally {
        store.close();
      }
    });

  vks
    .command('seed')
    .description('add the seed AXIOMs (the Cogito and its companions) if missing')
    .option(...dbOption)
    .action((f: { db?: string }) => {
      const store = open(f.db ?? defaultVksPath(), false);
      try {
        // The seeds get canonical formula forms, enabling equivalence lookup.
        const logic = loadLogicBackend();
        const added = seedVks(store, (text) => logic.canonical(text));
        process.stdout.write(`added ${added} seed AXIOMs\n`);
      } finally {
        store.close();
      }
    });
}
