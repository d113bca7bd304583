// Preloaded (`node -r`) into the tslab kernel process that tools/course/kernel.ts starts: when the runner that
// started the kernel is gone (killed with SIGKILL, crashed), the kernel is re-parented and exits too, so no
// stray kernel outlives its runner. Normal exits and signals are handled by the runner itself.
"use strict";
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(1);
}, 500).unref();
