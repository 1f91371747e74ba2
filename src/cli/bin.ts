#!/usr/bin/env node
import { runCommandLine } from './program.js';
import { ORGKIT_COMMAND_LINE } from './registry.js';

const io = {
  out: (line: string) => console.log(line),
  err: (line: string) => console.error(line),
};

runCommandLine(ORGKIT_COMMAND_LINE, process.argv.slice(2), io).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // runCommandLine handles every error; reaching this is a bug in it.
    console.error(error);
    process.exit(1);
  },
);
