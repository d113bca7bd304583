/**
 * Chapter 06: scaling laws. Power-law fits in log–log space with standard errors and bootstrap intervals,
 * Hoffmann et al.'s parametric fit L(N, D) = E + A/N^α + B/D^β (Huber loss, L-BFGS from a grid of starts),
 * IsoFLOP parabolas and the training-curve envelope, compute-optimal allocation, and the sweep driver that
 * trains a grid of small GPTs.
 */
export * from "./sweep";
export * from "./powerlaw";
export * from "./lbfgs";
export * from "./huber";
export * from "./chinchilla";
export * from "./isoflop";
