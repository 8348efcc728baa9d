#!/usr/bin/env node
// Plain-JS launcher so the bin link exists (and is executable) before `tsc -b` runs.
import { main } from '../dist/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
