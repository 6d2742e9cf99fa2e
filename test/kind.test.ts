// The kind profile and its scripts, run against test doubles (no Docker, kind or cluster here).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, test } from "node:test";
import { kindStackFacts, parseKindCluster } from "../scripts/lib/kind-stack";
import { runScript, shellcheckBinary, tempDir, TestDoubles } from "./support/shell";
import { read, ROOT, spec } from "./support/environments";

describe("kind cluster config (deploy/kind/cluster.yaml)", () => {
  test("one control plane, three workers, RPC and web3 on host loopback ports 20200 and 8545", () => {
    const cluster = parseKindCluster(read("deploy/kind/cluster.yaml"));
    assert.equal(cluster.controlPlanes, 1);
    assert.equal(cluster.workers, 3);
    for (const m of cluster.portMappings) assert.equal(m.listenAddress, "127.0.0.1");
    const facts = kindStackFacts(spec("kind"), cluster);
    assert.equal(facts.rpcUrl, "https://127.0.0.1:20200");
    assert.equal(facts.web3Url, "http://127.0.0.1:8545");
    assert.deepEqual(facts.images.slice(0, 2), ["fiscoorg/fiscobcos:v3.16.4", "busybox:1.36.1"]);
    assert.equal(facts.sdkSecretName, "fisco-sdk");
    assert.deepEqual(spec("kind").verification.hostRpcEndpoints, [facts.rpcUrl], "pulumi up also verifies from the host");
    for (const other of ["dev", "staging", "prod"]) assert.deepEqual(spec(other).verification.hostRpcEndpoints, [], other);
  });

  test("a nodePort without a port mapping is an error naming the key", () => {
    const cluster = parseKindCluster(read("deploy/kind/cluster.yaml"));
    const moved = { ...spec("kind"), services: { ...spec("kind").services, rpc: { type: "NodePort" as const, nodePort: 31000 } } };
    assert.throws(() => kindStackFacts(moved, cluster), /services\.rpc\.nodePort 31000 has no extraPortMappings entry/);
    assert.throws(() => kindStackFacts(spec("dev"), cluster), /services\.rpc must be \{type: NodePort/);
  });

  test("kind-stack.ts prints the facts kind-up.sh reads", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/lib/kind-stack.ts", "kind"], { cwd: ROOT, encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const facts = Object.fromEntries(
      run.stdout
        .trim()
        .split("\n")
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    assert.equal(facts.CHAIN_NAME, "fisco");
    assert.equal(facts.NAMESPACE, "fisco");
    assert.equal(facts.RPC_URL, "https://127.0.0.1:20200");
    assert.equal(facts.SEALERS, "4");
    assert.equal(facts.RPC_NODE_PORT, "32020");
    assert.match(facts.IMAGES, /^fiscoorg\/fiscobcos:v3\.16\.4 busybox:1\.36\.1/);
  });
});

function shellScripts(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return shellScripts(path);
    return e.name.endsWith(".sh") ? [path] : [];
  });
}

describe("shell scripts", () => {
  const scripts = shellScripts(join(ROOT, "scripts"));

  test("kind-up.sh, kind-down.sh and their helpers exist", () => {
    const names = scripts.map((p) => relative(ROOT, p).split(sep).join("/"));
    for (const name of ["scripts/kind-up.sh", "scripts/kind-down.sh", "scripts/lib/common.sh"]) assert.ok(names.includes(name), name);
  });

  test("every .sh under scripts/ passes shellcheck", (t) => {
    const shellcheck = shellcheckBinary();
    if (!shellcheck) {
      t.skip("shellcheck is not installed here (CI installs it: apt-get install -y shellcheck); scripts not linted");
      return;
    }
    const run = spawnSync(shellcheck, ["--external-sources", "--source-path=SCRIPTDIR", ...scripts], { cwd: ROOT, encoding: "utf8" });
    assert.equal(run.status, 0, `shellcheck:\n${run.stdout}${run.stderr}`);
  });

  test("scripts start with set -euo pipefail", () => {
    for (const script of scripts.filter((p) => !p.includes(`${sep}lib${sep}`))) {
      assert.match(readFileSync(script, "utf8"), /^set -euo pipefail$/m, relative(ROOT, script));
    }
  });
});

const KIND_TOOLS = ["docker", "kind", "kubectl", "pulumi", "node", "npm"] as const;

/** Doubles for every tool kind-up checks, except `without`; node reports v20. */
function prerequisiteDoubles(without?: string): TestDoubles {
  const doubles = new TestDoubles();
  for (const tool of KIND_TOOLS) {
    if (tool === without) continue;
    doubles.add(tool, tool === "node" ? `case "$1" in --version) printf 'v20.19.0\\n' ;; esac\nexit 0` : "exit 0");
  }
  return doubles;
}

describe("kind-up.sh prerequisites (PATH holds only test doubles)", () => {
  for (const missing of KIND_TOOLS) {
    test(`without ${missing}: names it, says how to get it, exit 2, runs nothing`, async () => {
      const doubles = prerequisiteDoubles(missing);
      const run = await runScript("scripts/kind-up.sh", [], { PATH: doubles.dir, PULUMI_CONFIG_PASSPHRASE: "x" });
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /missing prerequisites/);
      assert.match(run.stderr, new RegExp(`^  - ${missing}: `, "m"));
      for (const other of KIND_TOOLS.filter((t) => t !== missing)) assert.doesNotMatch(run.stderr, new RegExp(`^  - ${other}: `, "m"), `${other} is present`);
      // Only the checks ran: `docker info` and `node --version`, nothing that creates anything.
      for (const call of doubles.calls()) assert.match(call, /^(docker info|node --version)$/);
    });
  }

  test("all missing: every tool is named at once", async () => {
    const doubles = new TestDoubles();
    const run = await runScript("scripts/kind-up.sh", [], { PATH: doubles.dir });
    assert.equal(run.code, 2);
    for (const tool of KIND_TOOLS) assert.match(run.stderr, new RegExp(`^  - ${tool}: `, "m"));
  });

  test("docker installed but its daemon unreachable: says so, exit 2", async () => {
    const doubles = prerequisiteDoubles().add("docker", `[ "$1" = info ] && exit 1\nexit 0`);
    const run = await runScript("scripts/kind-up.sh", [], { PATH: doubles.dir, PULUMI_CONFIG_PASSPHRASE: "x" });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /docker daemon: 'docker info' failed/);
  });

  test("Node.js outside 20-22: says which version was found, exit 2", async () => {
    const doubles = prerequisiteDoubles().add("node", `printf 'v18.20.0\\n'`);
    const run = await runScript("scripts/kind-up.sh", [], { PATH: doubles.dir, PULUMI_CONFIG_PASSPHRASE: "x" });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /node: found 'v18\.20\.0', this project needs Node\.js 20 or 22/);
  });

  test("without PULUMI_CONFIG_PASSPHRASE: exit 2 before touching anything", async () => {
    const doubles = prerequisiteDoubles();
    const run = await runScript("scripts/kind-up.sh", [], { PATH: doubles.dir });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /PULUMI_CONFIG_PASSPHRASE is not set/);
    for (const call of doubles.calls()) assert.match(call, /^(docker info|node --version)$/);
  });

  test("an unknown argument is bad usage, exit 2", async () => {
    const run = await runScript("scripts/kind-up.sh", ["--bogus"], { PATH: prerequisiteDoubles().dir });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown argument: --bogus/);
  });
});

const PASSPHRASE = "test-passphrase-must-never-be-printed-4b1d";
const SYSTEM_PATH = "/usr/bin:/bin";

/** Doubles for a whole kind-up run; node delegates to the real node for everything but the version check. */
function kindUpDoubles(opts: { clusterExists: boolean; upFails: boolean; mapped?: boolean }): TestDoubles {
  const doubles = new TestDoubles();
  doubles.add("docker", `case "$1" in image) exit 1 ;; port) ${opts.mapped === false ? ":" : "printf '127.0.0.1:20200\\n'"} ;; esac\nexit 0`);
  doubles.add(
    "kind",
    `case "$1 $2" in
  "get clusters") ${opts.clusterExists ? "printf 'fisco-test\\n'" : ":"} ;;
  "get kubeconfig") printf 'apiVersion: v1\\nkind: Config\\n# kubeconfig test double\\n' ;;
esac
exit 0`,
  );
  doubles.add(
    "kubectl",
    `case "$*" in
  *"get pods"*"-o name"*) printf 'pod/fisco-node0-0\\n' ;;
  *"get secret"*) printf 'sdk file from a test double\\n' ;;
  *) printf 'kubectl test double: %s\\n' "$*" ;;
esac
exit 0`,
  );
  doubles.add(
    "pulumi",
    `printf 'backend=%s\\n' "$PULUMI_BACKEND_URL" >> '${doubles.dir}/pulumi-env.log'
printf 'kubeconfig=%s\\n' "$KUBECONFIG" >> '${doubles.dir}/pulumi-env.log'
case "$1" in up) ${opts.upFails ? "printf 'error: update failed (test double)\\n' >&2; exit 255" : "exit 0"} ;; esac
exit 0`,
  );
  doubles.add("node", `case "$1" in --version) printf 'v20.19.0\\n'; exit 0 ;; esac\nexec '${process.execPath}' "$@"`);
  doubles.add("npm", "exit 0");
  return doubles;
}

describe("kind-up.sh end to end against test doubles", () => {
  async function kindUp(opts: { clusterExists: boolean; upFails: boolean; mapped?: boolean }) {
    const doubles = kindUpDoubles(opts);
    const state = tempDir("fisco-kind-state-");
    const run = await runScript("scripts/kind-up.sh", [], {
      PATH: `${doubles.dir}:${SYSTEM_PATH}`,
      HOME: state,
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
      KIND_CLUSTER_NAME: "fisco-test",
      FISCO_PULUMI_STATE_DIR: state,
    });
    return { run, doubles, state };
  }

  test("creates the cluster, loads the images, deploys the kind stack to a local backend, prints the endpoints", async () => {
    const { run, doubles, state } = await kindUp({ clusterExists: false, upFails: false });
    assert.equal(run.code, 0, run.stderr);
    const calls = doubles.calls();
    const index = (re: RegExp) => calls.findIndex((c) => re.test(c));
    const create = index(/^kind create cluster --name fisco-test --config .*deploy\/kind\/cluster\.yaml/);
    const load = index(/^kind load docker-image fiscoorg\/fiscobcos:v3\.16\.4 --name fisco-test$/);
    const select = index(/^pulumi stack select --create kind --secrets-provider passphrase/);
    const up = index(/^pulumi up -s kind --yes --skip-preview/);
    assert.ok(create >= 0 && load > create && select > load && up > select, calls.join("\n"));
    assert.ok(calls.includes("docker pull busybox:1.36.1"));
    assert.ok(calls.includes("kind load docker-image busybox:1.36.1 --name fisco-test"));
    // The backend and kubeconfig were set for pulumi only through the environment: no `pulumi login`.
    assert.ok(!calls.some((c) => /^pulumi login/.test(c)));
    const env = readFileSync(join(doubles.dir, "pulumi-env.log"), "utf8");
    assert.match(env, new RegExp(`^backend=file://${state}$`, "m"));
    assert.match(env, new RegExp(`^kubeconfig=${state}/kind-fisco-test\\.kubeconfig$`, "m"));
    assert.equal(statSync(join(state, "kind-fisco-test.kubeconfig")).mode & 0o777, 0o600);
    for (const file of ["ca.crt", "sdk.crt", "sdk.key", "endpoints.json"]) {
      assert.equal(statSync(join(state, "kind-sdk", file)).mode & 0o777, 0o600, file);
    }
    assert.match(run.stdout, /native RPC: +https:\/\/127\.0\.0\.1:20200/);
    assert.match(run.stdout, /web3 JSON-RPC: +http:\/\/127\.0\.0\.1:8545/);
    assert.match(run.stdout, /get secret fisco-sdk/);
    assert.match(run.stdout, new RegExp(`npm run verify -- --sdk-dir ${state}/kind-sdk --rpc https://127\\.0\\.0\\.1:20200 --expect-sealers 4`));
    assert.ok(!`${run.stdout}${run.stderr}`.includes(PASSPHRASE), "the passphrase is never printed");
  });

  test("an existing cluster is reused, not recreated", async () => {
    const { run, doubles } = await kindUp({ clusterExists: true, upFails: false });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!doubles.calls().some((c) => c.startsWith("kind create")));
    assert.match(run.stdout, /kind cluster 'fisco-test' exists; reusing it/);
    assert.ok(doubles.calls().includes("docker port fisco-test-control-plane 32020/tcp"));
    assert.doesNotMatch(run.stderr, /maps no host port/);
  });

  test("an existing cluster without the port mappings (plain kind create cluster) gets a warning saying how to fix it", async () => {
    const { run } = await kindUp({ clusterExists: true, upFails: false, mapped: false });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /maps no host port to NodePort 32020: it was not created from deploy\/kind\/cluster\.yaml/);
    assert.match(run.stderr, /npm run kind:down, then npm run kind:up/);
  });

  test("a failed update prints pods, events and each node's last log lines, then exits non-zero", async () => {
    const { run, doubles } = await kindUp({ clusterExists: true, upFails: true });
    assert.equal(run.code, 1);
    const calls = doubles.calls();
    assert.ok(
      calls.some((c) => /^kubectl get pods -n fisco -o wide$/.test(c)),
      calls.join("\n"),
    );
    assert.ok(calls.some((c) => /^kubectl get events -n fisco --sort-by=\.lastTimestamp$/.test(c)));
    assert.ok(calls.some((c) => /^kubectl logs -n fisco pod\/fisco-node0-0 -c fisco-bcos --tail=40$/.test(c)));
    assert.match(run.stderr, /--- last log lines of pod\/fisco-node0-0 \(fisco-bcos\)/);
    assert.match(run.stderr, /pulumi up -s kind failed/);
    assert.ok(!`${run.stdout}${run.stderr}`.includes(PASSPHRASE), "the passphrase is never printed");
  });
});

describe("kind-down.sh against test doubles", () => {
  function downDoubles(clusterExists: boolean): TestDoubles {
    return new TestDoubles()
      .add("docker", "exit 0")
      .add("kind", `case "$1 $2" in "get clusters") ${clusterExists ? "printf 'fisco-test\\n'" : ":"} ;; esac\nexit 0`);
  }
  const env = (doubles: TestDoubles, state: string, extra: Record<string, string> = {}) => ({
    PATH: `${doubles.dir}:${SYSTEM_PATH}`,
    KIND_CLUSTER_NAME: "fisco-test",
    FISCO_PULUMI_STATE_DIR: state,
    ...extra,
  });
  const stateWithBackend = () => {
    const state = tempDir("fisco-kind-state-");
    mkdirSync(join(state, ".pulumi", "stacks"), { recursive: true });
    return state;
  };

  test("in CI without --yes: refuses, deletes nothing, exit 2", async () => {
    const doubles = downDoubles(true);
    const run = await runScript("scripts/kind-down.sh", [], env(doubles, stateWithBackend(), { CI: "true" }));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /refusing to delete the kind cluster 'fisco-test' in CI without --yes/);
    assert.ok(!doubles.calls().some((c) => c.startsWith("kind delete")));
  });

  test("without a terminal and without --yes: refuses, exit 2", async () => {
    const doubles = downDoubles(true);
    const run = await runScript("scripts/kind-down.sh", [], env(doubles, stateWithBackend()));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /without a terminal to ask on; pass --yes/);
    assert.ok(!doubles.calls().some((c) => c.startsWith("kind delete")));
  });

  test("--yes deletes the cluster and keeps the state, saying where it is", async () => {
    const doubles = downDoubles(true);
    const state = stateWithBackend();
    const run = await runScript("scripts/kind-down.sh", ["--yes"], env(doubles, state, { CI: "true" }));
    assert.equal(run.code, 0, run.stderr);
    assert.ok(doubles.calls().includes("kind delete cluster --name fisco-test"));
    assert.ok(existsSync(join(state, ".pulumi")));
    assert.match(run.stdout, new RegExp(`Kept the local Pulumi state in ${state}`));
    assert.match(run.stdout, /--purge-state/);
  });

  test("--yes --purge-state also deletes the local state", async () => {
    const doubles = downDoubles(true);
    const state = stateWithBackend();
    const run = await runScript("scripts/kind-down.sh", ["--yes", "--purge-state"], env(doubles, state));
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!existsSync(state));
  });

  test("--purge-state refuses a directory that is not a Pulumi file backend", async () => {
    const doubles = downDoubles(false);
    const state = tempDir("fisco-not-state-");
    writeFileSync(join(state, "keep-me"), "x");
    const run = await runScript("scripts/kind-down.sh", ["--yes", "--purge-state"], env(doubles, state));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /does not look like a Pulumi file backend/);
    assert.ok(existsSync(join(state, "keep-me")));
  });

  test("no such cluster: says so, exit 0", async () => {
    const doubles = downDoubles(false);
    const run = await runScript("scripts/kind-down.sh", [], env(doubles, tempDir("fisco-kind-state-"), { CI: "true" }));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /No kind cluster named 'fisco-test'/);
  });

  test("without kind: names it, exit 2", async () => {
    const doubles = new TestDoubles().add("docker", "exit 0");
    const run = await runScript("scripts/kind-down.sh", ["--yes"], { PATH: doubles.dir });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^ {2}- kind: /m);
  });
});
