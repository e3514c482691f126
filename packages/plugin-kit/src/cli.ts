#!/usr/bin/env node
// The `intelgraph-plugin` binary: keygen, sign, verify, init, build, test. See cli-app.ts.
import { relaunchForSandbox, runCli } from './cli-app.js';

const argv = process.argv.slice(2);
const relaunched = relaunchForSandbox(argv);
if (relaunched !== null) process.exitCode = relaunched;
else
  void runCli(argv).then((code) => {
    process.exitCode = code;
  });
