#!/usr/bin/env node
// Finds the Chromium the e2e tests drive. Playwright cannot download browsers on our machines, so
// we use Debian's package: $CHROMIUM_PATH, else /usr/bin/chromium; as root with apt-get we install
// it; otherwise we stop and name the one command to run. Never downloads a browser build.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium'].filter(Boolean);
const found = candidates.find((p) => existsSync(p));
if (found) {
  console.log(`ensure-chromium: using ${found}`);
  process.exit(0);
}
if (process.env.CHROMIUM_PATH) {
  console.error(`ensure-chromium: CHROMIUM_PATH is set to ${process.env.CHROMIUM_PATH}, but there is no file there.`);
  process.exit(1);
}
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (isRoot && hasApt) {
  console.log("ensure-chromium: installing Debian's chromium package (apt-get install -y chromium)…");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
  if (existsSync('/usr/bin/chromium')) process.exit(0);
  console.error('ensure-chromium: apt-get finished but /usr/bin/chromium is still missing.');
  process.exit(1);
}
console.error(
  'ensure-chromium: the end-to-end tests need Chromium and none was found.\n' +
    'Install it with:  sudo apt-get install -y chromium\n' +
    'or point CHROMIUM_PATH at a Chromium binary you already have.',
);
process.exit(1);
