/** The browser's `train` namespace: everything of `src/train` that needs no disk and no worker threads. */
export * from "../train/loss";
export * from "../train/schedule";
export * from "../train/clip";
export * from "../train/adamw";
export * from "../train/batches";
export * from "../train/safetensors";
export * from "../train/step";
export * from "../train/precision";
