/**
 * Learning-rate schedule: linear warmup then cosine decay (as nanoGPT's `get_lr`).
 *
 *   step < warmup:             lr = maxLr · (step + 1) / warmup
 *   warmup ≤ step ≤ total:     lr = minLr + ½·(1 + cos(π·(step − warmup)/(total − warmup)))·(maxLr − minLr)
 *   step > total:              lr = minLr
 * `step` counts optimizer updates from 0.
 */
export interface ScheduleOptions {
  maxLr: number;
  /** Floor of the cosine (often maxLr/10). Default 0. */
  minLr?: number;
  warmupSteps: number;
  /** Step at which the cosine reaches minLr (usually the number of training steps). */
  totalSteps: number;
}

export type Schedule = (step: number) => number;

// @answer 04.schedule
/** The warmup + cosine schedule above as a function of the step; bad options throw, naming the option. */
export function warmupCosine(options: ScheduleOptions): Schedule {
  const { maxLr, minLr = 0, warmupSteps, totalSteps } = options;
  if (!(maxLr > 0)) throw new Error(`schedule: maxLr must be > 0, got ${maxLr}`);
  if (!(minLr >= 0 && minLr <= maxLr)) throw new Error(`schedule: minLr must be in [0, maxLr], got ${minLr}`);
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0)
    throw new Error(`schedule: warmupSteps must be an integer ≥ 0, got ${warmupSteps}`);
  if (!Number.isInteger(totalSteps) || totalSteps <= warmupSteps) {
    throw new Error(
      `schedule: totalSteps (${totalSteps}) must be an integer larger than warmupSteps (${warmupSteps})`,
    );
  }
  return (step: number): number => {
    if (step < warmupSteps) return (maxLr * (step + 1)) / warmupSteps;
    if (step > totalSteps) return minLr;
    const progress = (step - warmupSteps) / (totalSteps - warmupSteps);
    return minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (maxLr - minLr);
  };
}
// @end-answer

/** A constant learning rate. */
export function constantLr(lr: number): Schedule {
  if (!(lr > 0)) throw new Error(`constantLr: lr must be > 0, got ${lr}`);
  return () => lr;
}
