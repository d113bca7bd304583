// Preloaded (`node -r`) into the tslab kernel process that tools/course/kernel.ts starts: when the runner that
// started the kernel is gone (killed with SIGKILL, crashed), the kernel removes its connection folder and exits
// too, so no stray kernel outlives its runner. Normal exits and signals are handled by the runner itself.
// (`process.ppid` is read once at start-up in Node, so the parent is probed with signal 0 instead.)
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const parent = process.ppid;
const config = process.argv[process.argv.indexOf("--config-path") + 1];
setInterval(() => {
  try {
    process.kill(parent, 0);
  } catch (err) {
    if (err.code !== "ESRCH") return;
    if (config && path.basename(path.dirname(config)).startsWith("llm-ts-kernel-")) {
      fs.rmSync(path.dirname(config), { recursive: true, force: true });
    }
    process.exit(1);
  }
}, 500).unref();
