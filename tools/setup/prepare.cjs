#!/usr/bin/env node
// Runs on `npm install` / `npm ci`: builds the library into dist/ and links node_modules/llm-ts to the
// package root, so notebooks (tslab) and scripts import the library by its package name, typed.
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..", "..");
const pkg = require(path.join(root, "package.json"));
const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
try {
  execFileSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], {
    cwd: root,
    stdio: "inherit",
  });
} catch {
  // tsc still emits JavaScript when types are wrong (e.g. a half-written exercise): keep the install usable and
  // say what to do. `npm run typecheck` (run by CI) is where type errors fail.
  console.warn("llm-ts: dist/ was built with type errors (shown above); fix them and run `npm run build`.");
}

const link = path.join(root, "node_modules", pkg.name);
try {
  const stat = fs.lstatSync(link);
  if (stat.isSymbolicLink() || stat.isFile()) fs.unlinkSync(link);
  else fs.rmSync(link, { recursive: true, force: true });
} catch {
  // nothing there yet
}
fs.mkdirSync(path.dirname(link), { recursive: true });
fs.symlinkSync(path.relative(path.dirname(link), root) || ".", link, "junction");
console.log(`llm-ts: built dist/ and linked node_modules/${pkg.name} -> ${path.relative(root, root) || "."}`);
