#!/usr/bin/env node
// The CLI is TypeScript (src/host/cli.ts), the same source the browser bundles.
// tsx compiles it on load, so `npx brokerlab` needs no build step after `npm install`.
import { register } from 'tsx/esm/api';

register();
// A reader that stops early (`brokerlab labs | head`) is not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
const { main } = await import('../src/host/cli.ts');
process.exitCode = await main(process.argv.slice(2));
