import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";

/*
 * bin/fisco-bcos-provisioner.js, the `bin` entry every `npm run <command>` goes through: the compiled command from
 * dist/cli (here a folder of the test's own, FISCO_CLI_DIST_DIR), compiled again when a source is newer than it.
 */
const ROOT = join(__dirname, "..");
const LAUNCHER = join(ROOT, "bin", "fisco-bcos-provisioner.js");
// Inside the project (dist/ is ignored), so the compiled commands find the packages in node_modules.
mkdirSync(join(ROOT, "dist"), { recursive: true });
const dist = mkdtempSync(join(ROOT, "dist", "cli-test-"));
after(() => rmSync(dist, { recursive: true, force: true }));

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [LAUNCHER, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, FISCO_CLI_DIST_DIR: dist } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the command-line launcher", () => {
  test("builds what is missing, then runs the compiled command without building again", () => {
    const first = run("verify", "--help");
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^usage: npm run verify -- /);
    assert.match(first.stderr, /\[build\] compiled the command line into dist\/cli \(not built yet\)/);
    const manifest = JSON.parse(readFileSync(join(dist, "inputs.json"), "utf8")) as { inputs: string[] };
    assert.ok(manifest.inputs.includes("scripts/synth.ts") && manifest.inputs.includes("verify/cli.ts") && manifest.inputs.includes("package-lock.json"));
    assert.ok(!manifest.inputs.some((f) => f.startsWith("node_modules/")), "packages stay in node_modules");

    const second = run("verify", "--help");
    assert.equal(second.code, 0);
    assert.equal(second.stderr, "", "fresh: no build");
    const compiled = readFileSync(join(dist, "verify.js"), "utf8");
    assert.doesNotMatch(compiled, /require\("tsx/, "no TypeScript compilation at run time");
  });

  test("a source newer than the build is compiled again, and named", () => {
    const manifestFile = join(dist, "inputs.json");
    run("verify", "--help");
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, builtAt: 0 }));
    const stale = run("verify", "--help");
    assert.equal(stale.code, 0, stale.stderr);
    assert.match(stale.stderr, /\[build\] compiled the command line into dist\/cli \([^)]+ changed\)/);
    assert.ok(JSON.parse(readFileSync(manifestFile, "utf8")).builtAt > 0);
  });

  test("no command or an unknown one: the list of commands, exit 2; --help: exit 0", () => {
    const none = run();
    assert.equal(none.code, 2);
    assert.match(none.stdout, /usage: fisco-bcos-provisioner <command>/);
    for (const command of ["synth", "verify", "members", "bench", "local"]) assert.match(none.stdout, new RegExp(`^  ${command} `, "m"));
    const unknown = run("deploy");
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "deploy"/);
    assert.equal(run("--help").code, 0);
  });

  test("arguments reach the command as they were given, exit codes come back", () => {
    const bad = run("synth", "--stack", "dev");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--stack and --out are required/);
    const local = run("local", "status");
    assert.equal(local.code, 2);
    assert.match(local.stderr, /--tree/);
  });

  test("package.json: the bin entry, and the npm scripts of the commands go through it", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    assert.deepEqual(pkg.bin, { "fisco-bcos-provisioner": "bin/fisco-bcos-provisioner.js" });
    for (const script of ["synth", "verify", "members", "bench", "local:up", "local:down", "local:status"])
      assert.match(pkg.scripts[script], /^node bin\/fisco-bcos-provisioner\.js /, script);
    assert.equal(pkg.scripts.prepare, "node scripts/build-cli.mjs");
  });
});
