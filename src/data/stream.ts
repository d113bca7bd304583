/**
 * Streaming pipeline: documents flow one at a time through a list of stages, so memory stays flat however
 * large the input (only what a stage must remember, such as dedup hashes, grows). Each stage keeps or drops a
 * document and says why; the pipeline counts documents and tokens kept and removed per stage and reason.
 */
import { countTokens } from "./text";

/** A document as the pipeline sees it. `html` is set before extraction; `text` after it. */
export interface DataDoc {
  id: string;
  text: string;
  html?: string;
  url?: string;
  /** The data domain used for mixtures (e.g. "news", "fiction"). */
  domain?: string;
}

/** A stage's answer for one document: keep it (possibly changed) or drop it with a reason. */
export type Verdict<D extends DataDoc = DataDoc> =
  { keep: true; doc: D } | { keep: false; reason: string; detail?: string };

/** One step of the pipeline. `apply` sees each document once, in order. */
export interface Stage<D extends DataDoc = DataDoc> {
  readonly name: string;
  apply(doc: D): Verdict<D>;
}

/** Counts for one stage. Tokens are counted on the text a stage received (0 before extraction). */
export interface StageStats {
  stage: string;
  seen: number;
  kept: number;
  removed: number;
  tokensSeen: number;
  tokensRemoved: number;
  /** Removed documents per reason. */
  reasons: Record<string, number>;
}

/** A document a stage dropped, for showing examples. */
export interface Dropped<D extends DataDoc = DataDoc> {
  stage: string;
  reason: string;
  detail?: string;
  doc: D;
}

export interface PipelineOptions<D extends DataDoc> {
  /** Called for every dropped document (e.g. to keep a few examples per reason). */
  onDrop?: (dropped: Dropped<D>) => void;
  /** Token counter for the statistics (default: `countTokens`, an approximate word/punctuation count). */
  countTokens?: (text: string) => number;
}

/** Runs stages over a stream of documents and keeps per-stage statistics. */
export class Pipeline<D extends DataDoc = DataDoc> {
  readonly stages: readonly Stage<D>[];
  private readonly counts: StageStats[];
  private readonly options: PipelineOptions<D>;

  constructor(stages: readonly Stage<D>[], options: PipelineOptions<D> = {}) {
    if (stages.length === 0) throw new Error("Pipeline: give at least one stage");
    this.stages = stages;
    this.options = options;
    this.counts = stages.map((s) => ({
      stage: s.name,
      seen: 0,
      kept: 0,
      removed: 0,
      tokensSeen: 0,
      tokensRemoved: 0,
      reasons: {},
    }));
  }

  /** Passes one document through every stage; returns it if all kept it, else `null`. */
  process(doc: D): D | null {
    const count = this.options.countTokens ?? countTokens;
    let current = doc;
    for (let i = 0; i < this.stages.length; i++) {
      const stats = this.counts[i];
      const tokens = current.text ? count(current.text) : 0;
      stats.seen++;
      stats.tokensSeen += tokens;
      const verdict = this.stages[i].apply(current);
      if (verdict.keep) {
        stats.kept++;
        current = verdict.doc;
      } else {
        stats.removed++;
        stats.tokensRemoved += tokens;
        stats.reasons[verdict.reason] = (stats.reasons[verdict.reason] ?? 0) + 1;
        this.options.onDrop?.({
          stage: this.stages[i].name,
          reason: verdict.reason,
          detail: verdict.detail,
          doc: current,
        });
        return null;
      }
    }
    return current;
  }

  /** Streams the documents that survive every stage (lazy: nothing runs until you iterate). */
  *run(docs: Iterable<D>): Generator<D> {
    for (const doc of docs) {
      const out = this.process(doc);
      if (out !== null) yield out;
    }
  }

  /** The same over an async source (a file being read, a network stream). */
  async *runAsync(docs: AsyncIterable<D> | Iterable<D>): AsyncGenerator<D> {
    for await (const doc of docs) {
      const out = this.process(doc);
      if (out !== null) yield out;
    }
  }

  /** A copy of the statistics so far, one entry per stage. */
  stats(): StageStats[] {
    return this.counts.map((c) => ({ ...c, reasons: { ...c.reasons } }));
  }
}

/** A stage from a name and a function. */
export function stage<D extends DataDoc>(name: string, apply: (doc: D) => Verdict<D>): Stage<D> {
  return { name, apply };
}
