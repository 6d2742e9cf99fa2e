import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { load, loadAll } from "js-yaml";
import { nodeIdFromPem } from "../chain/keys";
import { REDACTED } from "../offline/synth/write-tree";
import { validateWithKubernetesModels } from "./support/helm";

const ROOT = join(__dirname, "..");

function synth(...args: string[]) {
  return synthWith({}, ...args);
}

function synthWith(env: Record<string, string>, ...args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "synth.ts"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), "synth-"));

describe("npm run synth", () => {
  let out: string;
  let result: ReturnType<typeof synth>;
  before(() => {
    out = join(tmp(), "nodes");
    result = synth("--stack", "dev", "--out", out);
  });

  test("writes a build_chain-style tree for the dev stack", () => {
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /wrote \d+ files for 4 nodes/);
    for (const node of ["node0", "node1", "node2", "node3"]) {
      for (const file of ["config.ini", "config.genesis", "nodes.json", "conf/ca.crt", "conf/ssl.crt", "conf/ssl.key", "conf/node.pem", "conf/node.nodeid"]) {
        assert.ok(existsSync(join(out, node, file)), `${node}/${file}`);
      }
      assert.equal(nodeIdFromPem(readFileSync(join(out, node, "conf/node.pem"), "utf8")), readFileSync(join(out, node, "conf/node.nodeid"), "utf8").trim());
    }
    assert.deepEqual(readdirSync(join(out, "sdk")).sort(), ["ca.crt", "config.ini", "config.toml", "endpoints.json", "sdk.crt", "sdk.key"]);
    assert.deepEqual(readdirSync(join(out, "ca")), ["ca.crt"]);
  });

  test("key files are owner-only (0600), certificates are not", () => {
    for (const file of ["node0/conf/ssl.key", "node0/conf/node.pem", "sdk/sdk.key"]) assert.equal(statSync(join(out, file)).mode & 0o777, 0o600, file);
    assert.equal(statSync(join(out, "node0/conf/ssl.crt")).mode & 0o777, 0o644);
  });

  test("manifests/ has every registered Kubernetes object as YAML, with Secret values redacted", () => {
    const manifests = readdirSync(join(out, "manifests"));
    assert.ok(manifests.includes("namespace-fisco-dev.yaml"));
    assert.equal(manifests.filter((f) => /^configmap-fisco-node\d-config\.yaml$/.test(f)).length, 4);
    assert.ok(manifests.includes("configmap-fisco-genesis.yaml"), "the genesis record");
    assert.equal(manifests.filter((f) => f.startsWith("secret-")).length, 5);
    for (const n of [0, 1, 2, 3]) {
      assert.ok(manifests.includes(`statefulset-fisco-node${n}.yaml`), "the chart's objects are in manifests/ too");
      assert.ok(manifests.includes(`service-fisco-node${n}.yaml`));
    }
    assert.ok(manifests.includes("poddisruptionbudget-fisco-sealers.yaml"));
    const secret = load(readFileSync(join(out, "manifests", "secret-fisco-node0-keys.yaml"), "utf8")) as any;
    assert.equal(secret.stringData["ssl.key"], REDACTED);
    const all = manifests.map((f) => readFileSync(join(out, "manifests", f), "utf8")).join("\n");
    assert.doesNotMatch(all, /BEGIN (RSA )?PRIVATE KEY/);
    assert.doesNotMatch(result.stdout + result.stderr, /BEGIN|PRIVATE/);
  });

  test("--include-secrets shows Secret values and writes the CA key and admin account key", () => {
    const dir = join(tmp(), "with-secrets");
    const r = synth("--stack", "dev", "--out", dir, "--include-secrets", "--nodes", "1");
    assert.equal(r.code, 0, r.stderr);
    const secret = load(readFileSync(join(dir, "manifests", "secret-fisco-node0-keys.yaml"), "utf8")) as any;
    assert.match(secret.stringData["ssl.key"], /BEGIN PRIVATE KEY/);
    assert.equal(statSync(join(dir, "ca", "ca.key")).mode & 0o777, 0o600);
    const accounts = readdirSync(join(dir, "ca", "accounts"));
    assert.equal(accounts.length, 1);
    assert.match(accounts[0], /^0x[0-9a-f]{40}\.pem$/);
    assert.equal(statSync(join(dir, "ca", "accounts", accounts[0])).mode & 0o777, 0o600, "the admin account's key");
    assert.equal(statSync(join(dir, "manifests", "secret-fisco-node0-keys.yaml")).mode & 0o777, 0o600, "a Secret manifest with its values");
    assert.equal(statSync(join(dir, "manifests", "configmap-fisco-node0-config.yaml")).mode & 0o777, 0o644);
  });

  test("--force over an earlier render removes what that render wrote and this one does not, and says so; nothing else", () => {
    const dir = join(tmp(), "shrunk");
    const state = join(tmp(), "state.json");
    assert.equal(synth("--stack", "dev", "--out", dir, "--state", state, "--nodes", "6", "--include-secrets").code, 0);
    mkdirSync(join(dir, ".local-run"));
    writeFileSync(join(dir, ".local-run", "state.json"), "{}");
    writeFileSync(join(dir, "notes.txt"), "mine");
    const again = synth("--stack", "dev", "--out", dir, "--state", state, "--nodes", "5", "--force");
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /removed \d+ files an earlier render left that this one does not write: .*ca\/ca\.key/);
    assert.match(again.stdout, /node5\//);
    assert.equal(existsSync(join(dir, "node5")), false, "the removed node's directory (its keys too)");
    assert.deepEqual(
      readdirSync(join(dir, "manifests")).filter((f) => f.includes("node5")),
      [],
      "no manifest would bring node5 back",
    );
    assert.deepEqual(readdirSync(join(dir, "ca")), ["ca.crt"], "the CA key and admin key of the earlier --include-secrets");
    assert.equal(readFileSync(join(dir, "notes.txt"), "utf8"), "mine");
    assert.equal(readFileSync(join(dir, ".local-run", "state.json"), "utf8"), "{}");
    assert.ok(existsSync(join(dir, "node4", "conf", "ssl.key")));
  });

  test("--state: another stack's state is refused; a state in a directory that does not exist is refused before anything is written", () => {
    const state = join(tmp(), "dev.state");
    assert.equal(synth("--stack", "dev", "--out", join(tmp(), "dev"), "--state", state, "--nodes", "1").code, 0);
    const other = synth("--stack", "staging", "--out", join(tmp(), "staging"), "--state", state);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /it is stack dev's state, not staging's/);
    const dir = join(tmp(), "never");
    const missing = synth("--stack", "dev", "--out", dir, "--state", join(tmp(), "no", "such", "s.state"));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /--state .*s\.state: its directory .* does not exist or is not writable/);
    assert.equal(existsSync(dir), false);
  });

  test("--nodes N replaces the node list with N sealers of weight 1", () => {
    const dir = join(tmp(), "six");
    const r = synth("--stack", "prod", "--out", dir, "--nodes", "6");
    assert.equal(r.code, 0, r.stderr);
    const nodes = readdirSync(dir)
      .filter((d) => d.startsWith("node"))
      .sort();
    assert.deepEqual(nodes, ["node0", "node1", "node2", "node3", "node4", "node5"]);
    const genesis = readFileSync(join(dir, "node0", "config.genesis"), "utf8");
    assert.equal(genesis.match(/^\s*node\.\d+=[0-9a-f]{128}: 1$/gm)?.length, 6);
  });

  test("--state keeps the chain's identity: a re-render with one more node keeps every key and the genesis, the new node gets that genesis", () => {
    const dir = join(tmp(), "grown");
    const state = join(tmp(), "synth-state.json");
    assert.equal(synth("--stack", "dev", "--out", dir, "--state", state).code, 0);
    assert.equal(statSync(state).mode & 0o777, 0o600);
    const before = (file: string) => readFileSync(join(dir, file), "utf8");
    const [pem, genesis, ca] = [before("node0/conf/node.pem"), before("node0/config.genesis"), before("ca/ca.crt")];
    const grown = synth("--stack", "dev", "--out", dir, "--state", state, "--nodes", "5", "--force");
    assert.equal(grown.code, 0, grown.stderr);
    assert.match(grown.stdout, /keeping the chain's identity/);
    assert.equal(before("node0/conf/node.pem"), pem);
    assert.equal(before("ca/ca.crt"), ca);
    assert.equal(before("node0/config.genesis"), genesis);
    assert.equal(before("node4/config.genesis"), genesis, "a node added later starts with the recorded genesis");
    assert.equal(JSON.parse(before("node0/nodes.json")).nodes.length, 5);
    assert.deepEqual(Object.keys(JSON.parse(before("sdk/endpoints.json")).rpc.nonMembers), ["node4"]);
    assert.equal(
      synthWith({}, "--stack", "dev", "--out", join(tmp(), "x"), "--state", join(dir, "node0", "config.ini")).code,
      1,
      "a file that is no state is refused",
    );
  });

  test("refuses to write into a non-empty directory unless --force", () => {
    const dir = tmp();
    writeFileSync(join(dir, "keep.txt"), "mine");
    const refused = synth("--stack", "dev", "--out", dir, "--nodes", "1");
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /exists and is not empty.*--force/);
    assert.equal(readFileSync(join(dir, "keep.txt"), "utf8"), "mine");
    assert.equal(synth("--stack", "dev", "--out", dir, "--nodes", "1", "--force").code, 0);
  });

  test("refuses, even with --force, to re-render a tree a local chain runs from unless --state keeps its identity", () => {
    const dir = join(tmp(), "running");
    const state = join(tmp(), "state.json");
    assert.equal(synth("--stack", "dev", "--out", dir, "--state", state).code, 0);
    mkdirSync(join(dir, ".local-run"));
    const ca = readFileSync(join(dir, "ca/ca.crt"), "utf8");
    const refused = synth("--stack", "dev", "--out", dir, "--nodes", "5", "--force");
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /holds a local chain's data \(\.local-run\/\).*--state <file> of its first render/s);
    assert.equal(readFileSync(join(dir, "ca/ca.crt"), "utf8"), ca, "nothing was overwritten");
    const kept = synth("--stack", "dev", "--out", dir, "--nodes", "5", "--force", "--state", state);
    assert.equal(kept.code, 0, kept.stderr);
    assert.equal(readFileSync(join(dir, "ca/ca.crt"), "utf8"), ca);
  });

  test("bad usage exits 2; an unknown stack or a bad stack file exits 1 naming the problem", () => {
    assert.equal(synth("--out", tmp()).code, 2);
    assert.equal(synth("--stack", "dev", "--out", tmp(), "--nodes", "0").code, 2);
    const unknown = synth("--stack", "nope", "--out", join(tmp(), "x"));
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /available stacks: dev, (\w+, )*kind, prod, staging/);
  });

  test("a stack file's shape is checked as the Pulumi CLI reads it: namespace, top-level keys, YAML", () => {
    const stacks = tmp();
    const cases: [string, RegExp][] = [
      ["config:\n  fisco_bcos:namespace: x\n", /fisco-bcos:namespace: is written fisco_bcos:namespace, which nothing reads/],
      ["config:\n  namespace: x\n", /config "namespace" lacks the <namespace>: prefix .*write fisco-bcos:namespace/],
      ["confg:\n  fisco-bcos:namespace: x\n", /confg is not a stack file key \(a stack file holds config, /],
      ["config:\n  fisco-bcos:nodes: [{name: a}\n", /Pulumi\.bad\.yaml: not valid YAML: /],
    ];
    for (const [text, message] of cases) {
      writeFileSync(join(stacks, "Pulumi.bad.yaml"), text);
      const dir = join(tmp(), "never");
      const r = synthWith({ FISCO_STACKS_DIR: stacks }, "--stack", "bad", "--out", dir);
      assert.equal(r.code, 1, text);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stdout, /generating/, "nothing is said to be generated");
      assert.equal(existsSync(dir), false);
    }
    writeFileSync(join(stacks, "Pulumi.ok.yaml"), "config:\n  kubernetes:context: kind-fisco\n  fisco-bcos:nodes: [{name: a}]\n");
    assert.equal(synthWith({ FISCO_STACKS_DIR: stacks }, "--stack", "ok", "--out", join(tmp(), "ok")).code, 0, "other namespaces are left alone");
  });

  test("an invalid stack file fails before anything is written, naming every bad key", () => {
    const stacks = tmp();
    writeFileSync(join(stacks, "Pulumi.bad.yaml"), "config:\n  fisco-bcos:chainId: chain-0\n  fisco-bcos:nodes:\n    - {name: a, weight: 0}\n");
    const dir = join(tmp(), "never");
    const r = synthWith({ FISCO_STACKS_DIR: stacks }, "--stack", "bad", "--out", dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /fisco-bcos:chainId: must be 1 to 64 letters or digits/);
    assert.match(r.stderr, /fisco-bcos:nodes\[0\]\.weight: must be an integer from 1 to 1000 \(got 0\)/);
    assert.equal(existsSync(dir), false);
  });

  test("every stack renders, and every file in manifests/ is one valid object named after it, as kubectl would apply it", () => {
    for (const stack of readdirSync(join(ROOT, "stacks"))
      .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
      .filter(Boolean) as string[]) {
      const dir = join(tmp(), stack);
      const r = synth("--stack", stack, "--out", dir);
      assert.equal(r.code, 0, `${stack}: ${r.stderr}`);
      for (const file of readdirSync(join(dir, "manifests"))) {
        const docs = loadAll(readFileSync(join(dir, "manifests", file), "utf8"));
        assert.equal(docs.length, 1, `${stack}/${file}`);
        const object = docs[0] as any;
        assert.equal(file, `${String(object.kind).toLowerCase()}-${object.metadata?.name}.yaml`, `${stack}/${file}`);
        assert.doesNotMatch(file, /undefined/, `${stack}/${file}`);
        validateWithKubernetesModels(object);
        for (const mode of fileModes(object))
          assert.ok(Number.isInteger(mode) && mode >= 0 && mode <= 0o777, `${stack}/${file}: file mode ${mode} is no mode kubectl would apply as meant`);
      }
    }
  });

  test("volume file modes are the ones meant (key Secrets 0400, the verifier's SDK Secret 0440)", () => {
    const dir = join(tmp(), "modes");
    assert.equal(synth("--stack", "dev", "--out", dir).code, 0);
    const modes = (file: string) => fileModes(load(readFileSync(join(dir, "manifests", file), "utf8")));
    assert.deepEqual(modes("statefulset-fisco-node0.yaml"), [0o400]);
    const jobs = readdirSync(join(dir, "manifests")).filter((f) => f.startsWith("job-fisco-verify"));
    assert.equal(jobs.length, 1);
    assert.deepEqual(modes(jobs[0]), [0o440]);
  });
});

/** Every defaultMode/mode in an object's volumes (where kubectl reads YAML octals, js-yaml reads decimals). */
function fileModes(object: unknown): number[] {
  const found: number[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (value === null || typeof value !== "object") return;
    for (const [key, child] of Object.entries(value)) {
      if ((key === "defaultMode" || key === "mode") && typeof child === "number") found.push(child);
      else walk(child);
    }
  };
  walk(object);
  return found;
}
