// Environments end to end: the stack files, the kind profile and its scripts, the GitHub Actions templates and the
// GitOps examples. Nothing here runs kind, Docker, a cluster or the Pulumi CLI (none exist where this is developed):
// the scripts run against test doubles, the manifests are parsed and checked against the repository.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { describe, test } from "node:test";
import { load, loadAll } from "js-yaml";
import { faultTolerance } from "../chain/consensus";
import { nodeConfigMapName, nodeSecretName } from "../chain/naming";
import { parseChainSpec, sealersOf, type ChainSpec } from "../chain/spec";
import { rawConfigFromPulumi } from "../chain/stack-config";
import { helmTemplate } from "../offline/providers/helm";
import { availableStacks, readStackConfig } from "../offline/synth/stack-file";
import { kindStackFacts, parseKindCluster } from "../scripts/lib/kind-stack";
import { PROJECT_ROOT, runScript, shellcheckBinary, tempDir, TestDoubles } from "./support/shell";

const ROOT = PROJECT_ROOT;
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const yamlDocs = (path: string) => loadAll(read(path)).filter((d): d is Record<string, any> => d !== null && typeof d === "object");

function parseStack(stack: string) {
  return parseChainSpec(rawConfigFromPulumi(readStackConfig(stack)));
}
const spec = (stack: string): ChainSpec => parseStack(stack).spec;

/** Kubernetes quantities, enough for comparing the stacks' sizes. */
function cpu(q: string): number {
  return q.endsWith("m") ? Number(q.slice(0, -1)) / 1000 : Number(q);
}
function bytes(q: string): number {
  const units: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  const m = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(q);
  assert.ok(m, `not a quantity: ${q}`);
  return Number(m[1]) * (m[2] ? units[m[2]] : 1);
}
const requests = (s: ChainSpec) => s.nodeDefaults.resources.requests;

/** Inside the repository, and present. */
function assertRepoPath(path: string, what: string): string {
  const abs = resolve(ROOT, path);
  assert.ok(!relative(ROOT, abs).startsWith(".."), `${what}: ${path} leaves the repository`);
  assert.ok(existsSync(abs), `${what}: ${path} does not exist in the repository`);
  return abs;
}

const ENVIRONMENTS = ["dev", "staging", "prod"] as const;

describe("stack files through the real schema", () => {
  test("the four stacks exist", () => {
    for (const stack of ["dev", "kind", "prod", "staging"]) assert.ok(availableStacks().includes(stack), stack);
  });

  for (const stack of ["dev", "prod", "kind"]) {
    test(`${stack}: parses without error or warning`, () => {
      const { warnings } = parseStack(stack);
      assert.deepEqual(warnings, []);
    });
  }

  test("staging: parses; its only warning is the documented one about a LoadBalancer RPC with auth checking off", () => {
    const { warnings } = parseStack("staging");
    assert.equal(warnings.length, 1, warnings.join("\n"));
    assert.match(warnings[0], /services\.rpc\.type is LoadBalancer with fisco-bcos:authCheck false/);
  });

  test("each environment has its own namespace", () => {
    const namespaces = availableStacks().map((s) => spec(s).namespace);
    assert.equal(new Set(namespaces).size, namespaces.length, `namespaces: ${namespaces.join(", ")}`);
  });

  test("prod: at least 7 sealers, required spread, protected, web3 off, RPC only inside the cluster, largest pods", () => {
    const prod = spec("prod");
    assert.ok(sealersOf(prod).length >= 7, `prod has ${sealersOf(prod).length} sealers`);
    assert.ok(faultTolerance(sealersOf(prod)) >= 2, "prod tolerates two faulty sealers");
    assert.equal(prod.scheduling.sealerSpread, "required");
    assert.equal(prod.protect, true);
    assert.equal(prod.web3.enabled, false);
    assert.equal(prod.services.rpc.type, "ClusterIP");
    assert.equal(prod.networkPolicy.enabled, true);
    for (const other of ["dev", "staging"]) {
      const o = spec(other);
      assert.ok(cpu(requests(prod).cpu) > cpu(requests(o).cpu), `prod requests more CPU than ${other}`);
      assert.ok(bytes(requests(prod).memory) > bytes(requests(o).memory), `prod requests more memory than ${other}`);
      assert.ok(bytes(prod.nodeDefaults.storage.size) > bytes(o.nodeDefaults.storage.size), `prod has larger volumes than ${other}`);
    }
  });

  test("staging: production-like (tolerates a fault, has an observer), larger than dev, RPC behind a LoadBalancer", () => {
    const staging = spec("staging");
    const dev = spec("dev");
    assert.ok(faultTolerance(sealersOf(staging)) >= 1);
    assert.ok(staging.nodes.some((n) => n.role === "observer"), "staging has an observer for read traffic");
    assert.ok(cpu(requests(staging).cpu) > cpu(requests(dev).cpu));
    assert.ok(bytes(staging.nodeDefaults.storage.size) > bytes(dev.nodeDefaults.storage.size));
    assert.equal(staging.services.rpc.type, "LoadBalancer");
    assert.equal(staging.protect, false);
    assert.equal(staging.networkPolicy.enabled, true);
  });

  test("dev: four sealers that tolerate one fault, small pods, web3 on, services inside the cluster", () => {
    const dev = spec("dev");
    assert.ok(sealersOf(dev).length >= 4);
    assert.ok(faultTolerance(sealersOf(dev)) >= 1);
    assert.equal(dev.web3.enabled, true);
    assert.equal(dev.services.rpc.type, "ClusterIP");
    assert.equal(dev.services.web3.type, "ClusterIP");
    assert.equal(dev.scheduling.sealerSpread, "preferred");
    assert.equal(dev.protect, false);
  });

  test("kind: NodePorts mapped by deploy/kind/cluster.yaml, storage class standard, images kind can load", () => {
    const kind = spec("kind");
    const cluster = parseKindCluster(read("deploy/kind/cluster.yaml"));
    assert.equal(kind.services.rpc.type, "NodePort");
    assert.equal(kind.services.web3.type, "NodePort");
    assert.equal(kind.web3.enabled, true);
    assert.deepEqual(
      cluster.portMappings.map((m) => m.containerPort).sort(),
      [kind.services.rpc.nodePort, kind.services.web3.nodePort].sort(),
      "extraPortMappings containerPorts are exactly the stack's nodePorts",
    );
    for (const node of kind.nodes) assert.equal(node.storage.storageClass, "standard", `${node.name}: kind's default StorageClass`);
    assert.notEqual(kind.imagePullPolicy, "Always", "images loaded with kind load must not be pulled again");
    // More sealers than workers: only the preferred spread can schedule them all.
    assert.ok(sealersOf(kind).length > cluster.workers);
    assert.equal(kind.scheduling.sealerSpread, "preferred");
    assert.equal(kind.networkPolicy.enabled, false, "host traffic to the NodePorts would be dropped by the clients policy");
    assert.equal(kind.protect, false);
  });
});

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
    const facts = Object.fromEntries(run.stdout.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
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
    assert.ok(calls.some((c) => /^kubectl get pods -n fisco -o wide$/.test(c)), calls.join("\n"));
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
    assert.match(run.stderr, /^  - kind: /m);
  });
});

describe("GitHub Actions templates (deploy/github-actions/)", () => {
  const workflow = (name: string) => load(read(`deploy/github-actions/${name}`)) as Record<string, any>;
  const jobs = (wf: Record<string, any>) => Object.values(wf.jobs) as Array<Record<string, any>>;
  const pulumiSteps = (job: Record<string, any>) => (job.steps as any[]).filter((s) => /^pulumi\/actions@v\d+$/.test(s.uses ?? ""));

  test("templates live outside .github (this repository's CI is .ci/run)", () => {
    assert.ok(!existsSync(join(ROOT, ".github", "workflows", "preview.yml")));
    assert.deepEqual(readdirSync(join(ROOT, "deploy", "github-actions")).filter((f) => f.endsWith(".yml")).sort(), [
      "deploy-dev.yml",
      "deploy-prod.yml",
      "preview.yml",
    ]);
  });

  for (const file of ["preview.yml", "deploy-dev.yml", "deploy-prod.yml"]) {
    test(`${file}: every job uses Node 20 and npm ci; secrets reach scripts only through env`, () => {
      const wf = workflow(file);
      assert.ok(wf.name && wf.on && wf.jobs);
      for (const job of jobs(wf)) {
        const steps = job.steps as any[];
        assert.ok(steps.some((s) => s.uses?.startsWith("actions/setup-node@") && String(s.with?.["node-version"]) === "20"));
        assert.ok(steps.some((s) => /^npm ci\b/.test(s.run ?? "")));
        for (const step of steps.filter((s) => s.run)) {
          assert.doesNotMatch(step.run, /\$\{\{/, `no expression interpolated into a script: ${step.name ?? step.run}`);
          assert.doesNotMatch(step.run, /set -x|echo "?\$PULUMI_CONFIG_PASSPHRASE|echo "?\$KUBECONFIG_CONTENT/);
        }
        for (const step of pulumiSteps(job)) {
          assert.equal(step.with["suppress-outputs"], true, "stack outputs include a secret; never display them");
          assert.match(step.with["cloud-url"], /secrets\.PULUMI_BACKEND_URL/);
        }
        assert.match(String(job.env?.PULUMI_CONFIG_PASSPHRASE), /^\$\{\{ secrets\.PULUMI_CONFIG_PASSPHRASE \}\}$/);
        assert.match(String(job.env?.PULUMI_ACCESS_TOKEN), /^\$\{\{ secrets\.PULUMI_ACCESS_TOKEN \}\}$/);
      }
    });
  }

  test("preview.yml: on pull requests, a preview per stack (dev, staging, prod) commented on the PR", () => {
    const wf = workflow("preview.yml");
    assert.ok(wf.on.pull_request);
    assert.ok(!wf.on.push && !wf.on.workflow_dispatch);
    assert.equal(wf.permissions["pull-requests"], "write");
    const job = wf.jobs.preview;
    assert.deepEqual(job.strategy.matrix.include.map((m: any) => m.stack), ["dev", "staging", "prod"]);
    for (const m of job.strategy.matrix.include) assertRepoPath(`stacks/Pulumi.${m.stack}.yaml`, "matrix stack");
    const [step] = pulumiSteps(job);
    assert.equal(step.with.command, "preview");
    assert.equal(step.with["comment-on-pr"], true);
    assert.equal(step.with.diff, true);
  });

  test("deploy-dev.yml: on push to main, pulumi up dev, verification output to the step summary", () => {
    const wf = workflow("deploy-dev.yml");
    assert.deepEqual(wf.on.push.branches, ["main"]);
    const job = wf.jobs.up;
    const [step] = pulumiSteps(job);
    assert.equal(step.with.command, "up");
    assert.match(job.env.STACK_NAME, /'dev'/);
    const summary = (job.steps as any[]).find((s) => /GITHUB_STEP_SUMMARY/.test(s.run ?? ""));
    assert.ok(summary, "a step writes the step summary");
    assert.match(summary.run, /pulumi stack output -s "\$STACK_NAME" verification --json/);
    assert.doesNotMatch(summary.run, /--show-secrets/);
    assert.equal(wf.concurrency["cancel-in-progress"], false);
  });

  test("deploy-prod.yml: manual only, previewed, then gated by the production environment", () => {
    const wf = workflow("deploy-prod.yml");
    assert.deepEqual(Object.keys(wf.on), ["workflow_dispatch"]);
    const up = wf.jobs.up;
    assert.equal(up.environment, "production");
    assert.equal(up.needs, "preview");
    assert.equal(pulumiSteps(up)[0].with.command, "up");
    assert.equal(pulumiSteps(wf.jobs.preview)[0].with.command, "preview");
    assert.match(wf.jobs.preview.if, /github\.ref == 'refs\/heads\/main'/);
    assert.match(wf.env.STACK_NAME, /'prod'/);
    assert.ok((up.steps as any[]).some((s) => /verification --json/.test(s.run ?? "") && /GITHUB_STEP_SUMMARY/.test(s.run)));
  });
});

/** Every environment's stack namespace and chain name, for the GitOps checks. */
const envOf = (env: string) => ({ namespace: spec(env).namespace, chainName: spec(env).chainName });

describe("Pulumi Kubernetes Operator Stacks (deploy/gitops/pulumi-operator/)", () => {
  const rbac = yamlDocs("deploy/gitops/pulumi-operator/rbac.yaml");
  const serviceAccount = rbac.find((d) => d.kind === "ServiceAccount")!;

  test("rbac.yaml: a service account with the auth-delegator binding and a role for what the program creates", () => {
    assert.ok(serviceAccount);
    const bindings = rbac.filter((d) => d.kind === "ClusterRoleBinding");
    assert.ok(bindings.some((b) => b.roleRef.name === "system:auth-delegator"));
    const role = rbac.find((d) => d.kind === "ClusterRole")!;
    const resources = role.rules.flatMap((r: any) => r.resources);
    for (const r of ["namespaces", "secrets", "configmaps", "services", "persistentvolumeclaims", "statefulsets", "jobs", "poddisruptionbudgets", "networkpolicies"]) {
      assert.ok(resources.includes(r), r);
    }
    for (const b of bindings) assert.deepEqual(b.subjects, [{ kind: "ServiceAccount", name: serviceAccount.metadata.name, namespace: serviceAccount.metadata.namespace }]);
  });

  for (const env of ENVIRONMENTS) {
    test(`${env}.yaml: a pulumi.com/v1 Stack for stacks/Pulumi.${env}.yaml with Secret references and runProgram`, () => {
      const docs = yamlDocs(`deploy/gitops/pulumi-operator/${env}.yaml`);
      assert.equal(docs.length, 1);
      const [stack] = docs;
      assert.equal(stack.apiVersion, "pulumi.com/v1");
      assert.equal(stack.kind, "Stack");
      assert.ok(stack.metadata.name && stack.metadata.name.length <= 42, "operator limit on Stack names");
      assert.equal(stack.metadata.namespace, serviceAccount.metadata.namespace, "the Stack runs where its service account is");
      const s = stack.spec;
      assert.equal(s.stack, env);
      assert.ok(s.projectRepo && (s.branch || s.commit), "a git source");
      assert.ok(!s.fluxSource && !s.programRef, "one source only");
      const projectDir = assertRepoPath(s.repoDir ?? ".", "repoDir");
      assert.ok(existsSync(join(projectDir, "Pulumi.yaml")), "Pulumi.yaml in the project directory");
      const project = load(readFileSync(join(projectDir, "Pulumi.yaml"), "utf8")) as { stackConfigDir?: string };
      assertRepoPath(relative(ROOT, join(projectDir, project.stackConfigDir ?? ".", `Pulumi.${env}.yaml`)), "stack file");
      assert.equal(s.serviceAccountName, serviceAccount.metadata.name);
      assert.equal(s.secretsProvider, "passphrase");
      for (const name of ["PULUMI_CONFIG_PASSPHRASE", "PULUMI_BACKEND_URL"]) {
        const ref = s.envRefs[name];
        assert.equal(ref.type, "Secret", `${name} comes from a Secret`);
        assert.ok(ref.secret.name && ref.secret.key);
        assert.ok(!ref.literal, `${name} is not inline`);
      }
      assert.ok(!s.secrets && !s.secretsRef && !s.accessTokenSecret, "no inline or deprecated secret fields");
      assert.equal(s.runProgram, true, "the operator runs the program on destroy/refresh too, so hooks run");
      assert.equal(s.destroyOnFinalize, env === "dev");
      assert.match(s.workspaceTemplate.spec.image, /^pulumi\/pulumi:\d+\.\d+\.\d+-nonroot$/);
    });
  }

  test("prod follows its own branch and passphrase Secret", () => {
    const [prod] = yamlDocs("deploy/gitops/pulumi-operator/prod.yaml");
    const [dev] = yamlDocs("deploy/gitops/pulumi-operator/dev.yaml");
    assert.equal(prod.spec.branch, "production");
    assert.notEqual(prod.spec.envRefs.PULUMI_CONFIG_PASSPHRASE.secret.name, dev.spec.envRefs.PULUMI_CONFIG_PASSPHRASE.secret.name);
  });
});

describe("Argo CD Applications (deploy/gitops/argocd/application.yaml)", () => {
  const apps = yamlDocs("deploy/gitops/argocd/application.yaml");

  test("one Application per environment", () => {
    assert.deepEqual(apps.map((a) => a.metadata.name), ENVIRONMENTS.map((e) => `fisco-bcos-${e}`));
  });

  for (const [i, env] of ENVIRONMENTS.entries()) {
    test(`${env}: the chart from git, values from deploy/gitops/values/${env}.yaml, into the stack's namespace`, () => {
      const app = apps[i];
      assert.equal(app.apiVersion, "argoproj.io/v1alpha1");
      assert.equal(app.kind, "Application");
      assert.ok(app.metadata.namespace);
      const s = app.spec;
      assert.ok(s.project);
      assert.ok(s.source.repoURL && s.source.targetRevision);
      const chartDir = assertRepoPath(s.source.path, "source.path");
      assert.equal(relative(ROOT, chartDir), join("charts", "fisco-bcos"));
      assert.ok(existsSync(join(chartDir, "Chart.yaml")));
      assert.equal(s.source.helm.valueFiles.length, 1);
      const values = assertRepoPath(relative(ROOT, resolve(chartDir, s.source.helm.valueFiles[0])), "helm.valueFiles (relative to the chart)");
      assert.equal(relative(ROOT, values), join("deploy", "gitops", "values", `${env}.yaml`));
      const { namespace, chainName } = envOf(env);
      assert.equal(s.destination.namespace, namespace);
      assert.ok(s.destination.server || s.destination.name);
      assert.equal(s.source.helm.releaseName, chainName);
      assert.ok(!(s.syncPolicy?.syncOptions ?? []).includes("CreateNamespace=true"), "the Pulumi stack owns the namespace");
      assert.ok(!(app.metadata.finalizers ?? []).length, "deleting the Application leaves the chain running");
      if (env === "prod") assert.ok(!s.syncPolicy?.automated, "production syncs by hand");
      else assert.ok(s.syncPolicy.automated);
    });
  }
});

describe("Flux HelmReleases (deploy/gitops/flux/)", () => {
  const sources = yamlDocs("deploy/gitops/flux/gitrepository.yaml");
  const releases = yamlDocs("deploy/gitops/flux/helmrelease.yaml");

  test("GitRepository sources", () => {
    assert.ok(sources.length >= 1);
    for (const src of sources) {
      assert.equal(src.apiVersion, "source.toolkit.fluxcd.io/v1");
      assert.equal(src.kind, "GitRepository");
      assert.ok(src.metadata.name && src.metadata.namespace);
      assert.ok(src.spec.url && src.spec.interval && src.spec.ref?.branch);
    }
  });

  for (const [i, env] of ENVIRONMENTS.entries()) {
    test(`${env}: a helm.toolkit.fluxcd.io/v2 HelmRelease of charts/fisco-bcos with deploy/gitops/values/${env}.yaml`, () => {
      const hr = releases[i];
      assert.equal(hr.apiVersion, "helm.toolkit.fluxcd.io/v2");
      assert.equal(hr.kind, "HelmRelease");
      assert.ok(hr.metadata.name);
      const { namespace, chainName } = envOf(env);
      assert.equal(hr.metadata.namespace, namespace);
      assert.equal(hr.spec.releaseName, chainName);
      assert.ok(hr.spec.interval);
      const chart = hr.spec.chart.spec;
      assert.ok(existsSync(join(assertRepoPath(chart.chart, "chart.spec.chart"), "Chart.yaml")));
      assert.equal(chart.reconcileStrategy, "Revision", "a new chart artifact on every commit");
      const ref = chart.sourceRef;
      assert.equal(ref.kind, "GitRepository");
      const src = sources.find((s) => s.metadata.name === ref.name && s.metadata.namespace === ref.namespace);
      assert.ok(src, `sourceRef ${ref.namespace}/${ref.name} is defined in gitrepository.yaml`);
      assert.equal(src.spec.ref.branch, env === "prod" ? "production" : "main");
      for (const file of chart.valuesFiles) assertRepoPath(file, "chart.spec.valuesFiles (relative to the source root)");
      assert.equal(chart.valuesFiles.at(-1), `deploy/gitops/values/${env}.yaml`);
    });
  }
});

describe("GitOps values (deploy/gitops/values/<env>.yaml)", () => {
  for (const env of ENVIRONMENTS) {
    test(`${env}.yaml: the stack's chartValues, and the chart renders with it (verification as a post-install,post-upgrade hook)`, async () => {
      const values = load(read(`deploy/gitops/values/${env}.yaml`)) as Record<string, any>;
      const s = spec(env);
      assert.equal(values.chainName, s.chainName);
      assert.deepEqual(values.nodes.map((n: any) => n.name), s.nodes.map((n) => n.name));
      for (const [i, node] of s.nodes.entries()) {
        assert.equal(values.nodes[i].secretName, nodeSecretName(s, node));
        assert.equal(values.nodes[i].configMapName, nodeConfigMapName(s, node));
        assert.equal(values.nodes[i].role, node.role);
      }
      assert.equal(values.scheduling.sealerSpread, s.scheduling.sealerSpread);
      assert.equal(values.web3.enabled, s.web3.enabled);
      let objects: Record<string, any>[];
      try {
        objects = await helmTemplate(join(ROOT, "charts", "fisco-bcos"), values, { namespace: s.namespace, releaseName: s.chainName });
      } catch (error) {
        assert.fail(`${(error as Error).message}\nRegenerate: npx tsx scripts/lib/gitops-values.ts ${env} --offline`);
      }
      assert.equal(objects.filter((o) => o.kind === "StatefulSet").length, s.nodes.length);
      const job = objects.find((o) => o.kind === "Job");
      if (values.verification?.enabled) {
        assert.ok(job, "the verification Job renders");
        assert.equal(job.metadata.annotations["helm.sh/hook"], "post-install,post-upgrade", "Argo CD runs it as PostSync");
      }
    });
  }

  test("no key material in any GitOps or pipeline file", () => {
    const files = ["deploy/gitops", "deploy/github-actions", "deploy/kind"].flatMap(function walk(dir: string): string[] {
      return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(`${dir}/${e.name}`) : [`${dir}/${e.name}`],
      );
    });
    for (const file of files) assert.doesNotMatch(read(file), /-----BEGIN [A-Z ]*PRIVATE KEY-----|"secure":|\bsecure: v1:/, file);
  });
});

describe("images are named in short form (no registry host)", () => {
  /** A reference whose first path component has a dot or a port names a registry host. */
  const hasHost = (image: string) => /^[^/]+[.:][^/]*\//.test(image);

  function imagesIn(value: unknown): string[] {
    if (Array.isArray(value)) return value.flatMap(imagesIn);
    if (!value || typeof value !== "object") return [];
    return Object.entries(value).flatMap(([key, v]) => (key === "image" && typeof v === "string" ? [v] : imagesIn(v)));
  }

  test("every image: in deploy/ and every image kind-up loads", () => {
    const yamlFiles = ["deploy"].flatMap(function walk(dir: string): string[] {
      return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(`${dir}/${e.name}`) : /\.ya?ml$/.test(e.name) ? [`${dir}/${e.name}`] : [],
      );
    });
    const images = yamlFiles.flatMap((f) => yamlDocs(f).flatMap(imagesIn));
    assert.ok(images.length > 0);
    const facts = kindStackFacts(spec("kind"), parseKindCluster(read("deploy/kind/cluster.yaml")));
    for (const image of [...images, ...facts.images]) assert.ok(!hasHost(image), `${image} names a registry host`);
  });
});
