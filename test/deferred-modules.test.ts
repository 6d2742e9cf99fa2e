import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";

const ROOT = join(__dirname, "..");

function inFreshProcess(code: string): string {
  const result = spawnSync(process.execPath, ["--import", "tsx", "-e", code], { cwd: ROOT, encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.trim();
}

const loaded = `Object.keys(require.cache).filter((k) => /@npmcli[\\\\/]arborist[\\\\/]lib[\\\\/]arborist[\\\\/]|typescript[\\\\/]lib[\\\\/]typescript\\.js|automation[\\\\/]stack\\.js/.test(k)).length`;

test("synth loads the Pulumi SDK without the Automation API, arborist or the TypeScript compiler", () => {
  const count = inFreshProcess(`require("./offline/synth/deferred-modules").deferUnusedPulumiModules(); require("@pulumi/pulumi"); console.log(${loaded});`);
  assert.equal(count, "0");
  assert.notEqual(inFreshProcess(`require("@pulumi/pulumi"); console.log(${loaded});`), "0", "without deferral they are loaded (the test is not vacuous)");
});

test("a deferred module still works when something uses it", () => {
  const out = inFreshProcess(
    `require("./offline/synth/deferred-modules").deferUnusedPulumiModules(); const p = require("@pulumi/pulumi"); console.log(typeof p.automation.LocalWorkspace.create, ${loaded} > 0);`,
  );
  assert.equal(out, "function true");
});
