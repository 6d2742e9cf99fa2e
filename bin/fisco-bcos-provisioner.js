#!/usr/bin/env node
// `fisco-bcos-provisioner <command> [args]` (npx fisco-bcos-provisioner …, and every `npm run <command>`): runs the
// compiled command from dist/cli/, compiling it first when it is missing or a source is newer than it.
"use strict";
const { existsSync, readFileSync, statSync } = require("node:fs");
const { join } = require("node:path");

const ROOT = join(__dirname, "..");
const DIST = process.env.FISCO_CLI_DIST_DIR ?? join(ROOT, "dist", "cli");
const COMMANDS = {
  synth: "render a chain offline (manifests, node directories, sdk/)",
  verify: "prove a running chain works (members, sealing, a probe transaction)",
  members: "bring the chain's sealers and observers to the stack's (day 2)",
  bench: "load generator",
  local: "run a rendered tree's nodes on this machine (up|start|stop|reload|status|down)",
};
const USAGE = `usage: fisco-bcos-provisioner <command> [options]   (each command's --help says more)\n\n${Object.entries(COMMANDS)
  .map(([name, what]) => `  ${name.padEnd(8)} ${what}`)
  .join("\n")}`;

/** The build is stale when it is missing, or a source it was built from (or the lock file) changed after it. */
function staleBecause() {
  const manifest = join(DIST, "inputs.json");
  if (!existsSync(manifest)) return "not built yet";
  const { builtAt, inputs } = JSON.parse(readFileSync(manifest, "utf8"));
  for (const input of inputs) {
    const file = join(ROOT, input);
    if (!existsSync(file)) return `${input} is gone`;
    if (statSync(file).mtimeMs > builtAt) return `${input} changed`;
  }
  return null;
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  if (command === undefined || command === "--help" || command === "-h") {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (!Object.hasOwn(COMMANDS, command)) {
    console.error(`unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  const stale = staleBecause();
  if (stale) {
    const started = Date.now();
    const { buildCli } = await import(join(ROOT, "scripts", "build-cli.mjs"));
    await buildCli();
    console.error(`[build] compiled the command line into dist/cli (${stale}) in ${Date.now() - started} ms`);
  }
  process.argv = [process.argv[0], join(DIST, `${command}.js`), ...args];
  require(join(DIST, `${command}.js`));
  return undefined;
}

main().then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error) => {
    console.error(`fisco-bcos-provisioner: ${error.message}`);
    process.exitCode = 1;
  },
);
