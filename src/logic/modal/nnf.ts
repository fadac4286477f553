/**
 * Propositional modal formulas in negation normal form, hash-consed: every distinct node gets
 * one integer id and its negation is created with it, so `neg[id]` is a lookup and a tableau
 * can store formula sets as sets of ids. ∧/∨ are flattened, deduplicated and sorted, which
 * makes equal sets of requirements equal keys for caching.
 */
import type { Formula } from '../ast';
import { UnsupportedFormulaError } from '../errors';
import { atomKey } from './kripke';

export type NnfNode =
  | { readonly kind: 'true' | 'false' }
  | { readonly kind: 'lit'; readonly atom: string; readonly positive: boolean }
  | { readonly kind: 'and' | 'or'; readonly args: readonly number[] }
  | { readonly kind: 'box' | 'dia'; readonly arg: number };

const DUAL = { true: 'false', false: 'true', and: 'or', or: 'and', box: 'dia', dia: 'box' } as const;

export class NnfTable {
  readonly nodes: NnfNode[] = [];
  /** neg[id] is the id of the node's negation (in NNF). */
  readonly neg: number[] = [];
  private readonly ids = new Map<string, number>();
  private readonly converted = new Map<Formula, number>();
  readonly TRUE: number;
  readonly FALSE: number;

  constructor() {
    this.TRUE = this.intern({ kind: 'true' });
    this.FALSE = this.neg[this.TRUE];
  }

  /** The id of `f` (quantifier- and equality-free), or of ¬f when `positive` is false. */
  of(f: Formula, positive = true): number {
    let id = this.converted.get(f);
    if (id === undefined) {
      id = this.convert(f);
      this.converted.set(f, id);
    }
    return positive ? id : this.neg[id];
  }

  and(args: readonly number[]): number {
    return this.junction('and', args);
  }

  or(args: readonly number[]): number {
    return this.junction('or', args);
  }

  modal(kind: 'box' | 'dia', arg: number): number {
    return this.intern({ kind, arg });
  }

  private convert(f: Formula): number {
    const n = (g: Formula): number => this.of(g, false);
    switch (f.kind) {
      case 'true':
        return this.TRUE;
      case 'false':
        return this.FALSE;
      case 'pred':
        return this.intern({ kind: 'lit', atom: atomKey(f.name, f.args), positive: true });
      case 'not':
        return n(f.arg);
      case 'and':
        return this.and(f.args.map((a) => this.of(a)));
      case 'or':
        return this.or(f.args.map((a) => this.of(a)));
      case 'implies':
        return this.or([n(f.left), this.of(f.right)]);
      case 'iff':
        return this.or([this.and([this.of(f.left), this.of(f.right)]), this.and([n(f.left), n(f.right)])]);
      case 'xor':
        return this.or([this.and([this.of(f.left), n(f.right)]), this.and([n(f.left), this.of(f.right)])]);
      case 'box':
      case 'dia':
        return this.modal(f.kind, this.of(f.arg));
      default:
        throw new UnsupportedFormulaError(`the modal tableau takes no ${f.kind}`);
    }
  }

  /** ∧ or ∨ of ids: flattened, ⊤/⊥ absorbed, complementary pairs collapsed. */
  private junction(kind: 'and' | 'or', args: readonly number[]): number {
    const unit = kind === 'and' ? this.TRUE : this.FALSE;
    const zero = this.neg[unit];
    const set = new Set<number>();
    const add = (id: number): void => {
      const node = this.nodes[id];
      if (node.kind === kind) node.args.forEach(add);
      else if (id !== unit) set.add(id);
    };
    args.forEach(add);
    if (set.has(zero) || [...set].some((id) => set.has(this.neg[id]))) return zero;
    if (set.size === 0) return unit;
    if (set.size === 1) return set.values().next().value as number;
    return this.intern({ kind, args: [...set].sort((a, b) => a - b) });
  }

  private key(node: NnfNode): string {
    switch (node.kind) {
      case 'true':
      case 'false':
        return node.kind;
      case 'lit':
        return `${node.positive ? '+' : '-'}${node.atom}`;
      case 'and':
      case 'or':
        return `${node.kind}(${node.args.join(',')})`;
      case 'box':
      case 'dia':
        return `${node.kind}(${node.arg})`;
    }
  }

  /** The id of a node whose children already exist; creates it together with its negation. */
  private intern(node: NnfNode): number {
    const key = this.key(node);
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const dual: NnfNode =
      node.kind === 'lit'
        ? { ...node, positive: !node.positive }
        : node.kind === 'and' || node.kind === 'or'
          ? { kind: DUAL[node.kind], args: node.args.map((a) => this.neg[a]).sort((a, b) => a - b) }
          : node.kind === 'box' || node.kind === 'dia'
            ? { kind: DUAL[node.kind], arg: this.neg[node.arg] }
            : { kind: DUAL[node.kind] };
    const id = this.nodes.length;
    this.nodes.push(node, dual);
    this.neg.push(id + 1, id);
    this.ids.set(key, id);
    this.ids.set(this.key(dual), id + 1);
    return id;
  }
}
