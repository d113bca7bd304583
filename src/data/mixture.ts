/**
 * Data mixtures: how many tokens each domain contributes, and sampling a training set whose tokens follow
 * chosen domain weights (upsampling small domains, downsampling large ones), as in The Pile or Llama's mix.
 */
import { Rng } from "../random";
import { countTokens } from "./text";
import type { DataDoc } from "./stream";

/** Documents and tokens per domain (documents without a domain count under "unknown"). */
export function tokensPerDomain(
  docs: Iterable<DataDoc>,
  count: (text: string) => number = countTokens,
): Map<string, { docs: number; tokens: number }> {
  const out = new Map<string, { docs: number; tokens: number }>();
  for (const d of docs) {
    const key = d.domain ?? "unknown";
    const e = out.get(key) ?? { docs: 0, tokens: 0 };
    e.docs++;
    e.tokens += count(d.text);
    out.set(key, e);
  }
  return out;
}

export interface MixtureOptions {
  /** Stop once this many tokens are sampled. */
  totalTokens: number;
  seed?: number;
  count?: (text: string) => number;
}

/** A sampled mixture: the documents in sampling order and the tokens drawn per domain. */
export interface Mixture<D extends DataDoc> {
  docs: D[];
  tokens: Map<string, number>;
  /** Times each domain's documents were reused (draws beyond the domain's size = "epochs" on it). */
  epochs: Map<string, number>;
}

/**
 * Samples documents until `totalTokens`: each draw picks a domain with probability ∝ its weight divided by its
 * mean document length — so the expected *token* share of each domain matches its weight — then a document of
 * that domain, cycling through a seeded shuffle (each document is used once before any repeats).
 */
export function sampleMixture<D extends DataDoc>(
  docs: readonly D[],
  weights: Record<string, number>,
  options: MixtureOptions,
): Mixture<D> {
  const count = options.count ?? countTokens;
  if (!(options.totalTokens > 0))
    throw new Error(`sampleMixture: totalTokens must be > 0, got ${options.totalTokens}`);
  const rng = new Rng(options.seed ?? 0);
  const domains = Object.keys(weights).filter((d) => weights[d] > 0);
  if (domains.length === 0) throw new Error("sampleMixture: give at least one domain a positive weight");
  const pools = new Map<string, { docs: D[]; tokens: number[] }>();
  for (const d of domains) pools.set(d, { docs: [], tokens: [] });
  for (const doc of docs) {
    const pool = pools.get(doc.domain ?? "unknown");
    if (!pool) continue;
    pool.docs.push(doc);
    pool.tokens.push(count(doc.text));
  }
  for (const d of domains) {
    if (pools.get(d)!.docs.length === 0) {
      throw new Error(`sampleMixture: domain "${d}" has weight ${weights[d]} but no documents`);
    }
  }
  const drawWeights = domains.map((d) => {
    const pool = pools.get(d)!;
    const mean = pool.tokens.reduce((a, b) => a + b, 0) / pool.tokens.length;
    return weights[d] / Math.max(mean, 1);
  });
  const orders = new Map(domains.map((d) => [d, rng.shuffle(pools.get(d)!.docs.map((_, i) => i))]));
  const cursor = new Map(domains.map((d) => [d, 0]));
  const tokens = new Map(domains.map((d) => [d, 0]));
  const out: D[] = [];
  let total = 0;
  while (total < options.totalTokens) {
    const d = domains[rng.categorical(drawWeights)];
    const pool = pools.get(d)!;
    const c = cursor.get(d)!;
    const k = orders.get(d)![c % pool.docs.length];
    cursor.set(d, c + 1);
    out.push(pool.docs[k]);
    tokens.set(d, tokens.get(d)! + pool.tokens[k]);
    total += pool.tokens[k];
  }
  const epochs = new Map(domains.map((d) => [d, cursor.get(d)! / pools.get(d)!.docs.length]));
  return { docs: out, tokens, epochs };
}
