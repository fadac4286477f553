/**
 * 2,400 seeded mutations of a safetensors header (fields, JSON bytes, the length prefix, the file's
 * end), each converted in-process: every outcome is a converted model or a CogitoError, and no
 * file is left in the output's folder. In-process is safe because the converter validates the
 * header in TypeScript before anything native sees a shape.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { convertModel } from '../../src/convert';
import { CogitoError } from '../../src/engine';
import { createRng, type Rng } from '../../src/util/prng';
import { tempDir } from '../support/engine';
import { copyFolderFiles, editConfig, writeSafetensors, type TestTensor } from '../support/hf-folder';
import { tinyStories656k } from '../support/shared-models';

const MUTATIONS = 2400;

type Header = Record<string, unknown>;

/** A small llama with tinystories-656k's tokenizer, so a mutation that survives converts in milliseconds. */
function tinyFolder(dir: string): void {
  copyFolderFiles(tinyStories656k, dir);
  const [hidden, heads, kvHeads, ff, vocab] = [16, 2, 1, 32, 2048];
  editConfig(dir, (c) => Object.assign(c, { hidden_size: hidden, num_attention_heads: heads, num_key_value_heads: kvHeads, intermediate_size: ff, num_hidden_layers: 1 }));
  const rng = createRng(5);
  const t = (name: string, shape: number[]): TestTensor => ({ name, shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.next() - 0.5) });
  const hd = hidden / heads;
  writeSafetensors(path.join(dir, 'model.safetensors'), [
    t('lm_head.weight', [vocab, hidden]), t('model.norm.weight', [hidden]),
    t('model.layers.0.input_layernorm.weight', [hidden]), t('model.layers.0.post_attention_layernorm.weight', [hidden]),
    t('model.layers.0.self_attn.q_proj.weight', [heads * hd, hidden]), t('model.layers.0.self_attn.k_proj.weight', [kvHeads * hd, hidden]),
    t('model.layers.0.self_attn.v_proj.weight', [kvHeads * hd, hidden]), t('model.layers.0.self_attn.o_proj.weight', [hidden, heads * hd]),
    t('model.layers.0.mlp.gate_proj.weight', [ff, hidden]), t('model.layers.0.mlp.up_proj.weight', [ff, hidden]), t('model.layers.0.mlp.down_proj.weight', [hidden, ff]),
  ]);
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];

const ODD_VALUES: unknown[] = [0, -1, 1, 1.5, 2 ** 53, 2 ** 64, 1e300, -1e300, '4', null, true, [], {}, 'F32'];
const DTYPES: unknown[] = ['F32', 'F16', 'BF16', 'F64', 'I64', 'U8', 'BOOL', 'F8_E4M3', 'F33', '', 'f32', null, 4, ['F32']];

/** One mutation of the header object; returns what it did. */
function mutateHeader(rng: Rng, header: Header): string {
  // entries a previous step left well formed (an earlier step may have replaced one by an odd value)
  const names = Object.keys(header).filter((k) => {
    const e = header[k] as Record<string, unknown> | null;
    return k !== '__metadata__' && typeof e === 'object' && e !== null && Array.isArray(e.shape) && Array.isArray(e.data_offsets);
  });
  if (names.length === 0) return 'nothing left to mutate';
  const name = pick(rng, names);
  const entry = header[name] as Record<string, unknown>;
  const shape = entry.shape as unknown[];
  const offsets = entry.data_offsets as unknown[];
  switch (rng.int(12)) {
    case 0: entry.dtype = pick(rng, DTYPES); return `${name}.dtype`;
    case 1: shape[rng.int(shape.length)] = pick(rng, ODD_VALUES); return `${name}.shape[i] odd`;
    case 2: shape[rng.int(shape.length)] = (shape[0] as number) + pick(rng, [-1, 1, 2]); return `${name}.shape[i] off by a little`;
    case 3: entry.shape = rng.next() < 0.5 ? [...shape, 1] : shape.slice(1); return `${name}.shape rank`;
    case 4: offsets[rng.int(2)] = (offsets[rng.int(2)] as number) + pick(rng, [-4, -1, 1, 4, 1 << 20]); return `${name}.data_offsets shifted`;
    case 5: offsets[rng.int(2)] = pick(rng, ODD_VALUES); return `${name}.data_offsets odd`;
    case 6: entry.data_offsets = [offsets[1], offsets[0]]; return `${name}.data_offsets swapped`;
    case 7: entry.data_offsets = (header[pick(rng, names)] as Record<string, unknown>).data_offsets; return `${name}.data_offsets = another's`;
    case 8: delete header[name]; return `delete ${name}`;
    case 9: header[`${name}.copy`] = { ...entry }; return `duplicate ${name}`;
    case 10: header[pick(rng, [name.toUpperCase(), `${name}x`, '', '__metadata__'])] = entry; delete header[name]; return `rename ${name}`;
    default: header[name] = pick(rng, ODD_VALUES); return `${name} = odd value`;
  }
}

test(`${MUTATIONS} safetensors header mutations: a model or a CogitoError, never a crash, never a file left behind`, async () => {
  const work = tempDir('cogito-st-fuzz-');
  try {
    const dir = path.join(work, 'model');
    tinyFolder(dir);
    const file = path.join(dir, 'model.safetensors');
    const pristine = fs.readFileSync(file);
    const headerLength = Number(pristine.readBigUInt64LE(0));
    const headerText = pristine.subarray(8, 8 + headerLength).toString('utf8');
    const data = pristine.subarray(8 + headerLength);
    const outDir = path.join(work, 'out');
    fs.mkdirSync(outDir);
    const output = path.join(outDir, 'model.gguf');
    const rng = createRng(19);
    const outcomes = new Map<string, number>();
    let converted = 0;
    for (let i = 0; i < MUTATIONS; i++) {
      let bytes: Buffer;
      let label: string;
      const kind = rng.int(10);
      if (kind < 6) {
        const header = JSON.parse(headerText) as Header;
        const steps = 1 + rng.int(2);
        const labels = Array.from({ length: steps }, () => mutateHeader(rng, header));
        label = labels.join(' + ');
        const json = Buffer.from(JSON.stringify(header), 'utf8');
        const length = Buffer.alloc(8);
        length.writeBigUInt64LE(BigInt(json.length));
        bytes = Buffer.concat([length, json, data]);
      } else if (kind < 8) {
        bytes = Buffer.from(pristine);
        const at = 8 + rng.int(headerLength);
        bytes[at] = pick(rng, [0, 0x22, 0x5b, 0x7d, 0x2c, 0x30, 0x39, 0xff, 0x80, rng.int(256)]);
        label = `header byte ${at - 8} = ${bytes[at]}`;
      } else if (kind < 9) {
        bytes = Buffer.from(pristine);
        const v = pick(rng, [0n, 1n, BigInt(headerLength - 1), BigInt(headerLength + 1), BigInt(pristine.length), 2n ** 63n, 2n ** 64n - 1n]);
        bytes.writeBigUInt64LE(v, 0);
        label = `header length ${v}`;
      } else {
        const cut = rng.int(pristine.length);
        bytes = pristine.subarray(0, cut);
        label = `truncated at ${cut}`;
      }
      fs.writeFileSync(file, bytes);
      try {
        await convertModel({ input: dir, output });
        converted++;
        fs.rmSync(output);
        outcomes.set('converted', (outcomes.get('converted') ?? 0) + 1);
      } catch (err) {
        if (!(err instanceof CogitoError)) throw new Error(`mutation ${i} (${label}) threw a non-Cogito error: ${String(err)}`);
        outcomes.set(err.code, (outcomes.get(err.code) ?? 0) + 1);
      }
      const left = fs.readdirSync(outDir);
      if (left.length) throw new Error(`mutation ${i} (${label}) left ${left.join(', ')}`);
    }
    // the mutations reach past the header parser: some still convert (a harmless rename), most are refused
    expect(outcomes.get('INVALID_CHECKPOINT')).toBeGreaterThan(MUTATIONS / 2);
    expect(converted).toBeGreaterThan(0);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});
