import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { builtinModules } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { consensusKeyFromSeed } from "../chain/keys";
import { bundleVerifier } from "../scripts/bundle-verifier";
import { runCli, type CliIo } from "../verify/cli";
import { endpointsFromUrls, readPrivateKeyFile } from "../cli/sdk-dir";
import type { VerificationReport } from "../verify/report";
import { FiscoRpcDouble } from "../doubles/fisco-rpc-double";
import { chainFixture, type ChainFixture } from "../doubles/chain-fixture";

/*
 * The CLI (`npm run verify`) and the single-file bundle the in-cluster Job runs, against FiscoRpcDouble (a test
 * double of FISCO's native RPC) over mutual TLS with the project's own certificates.
 */

let fixture: ChainFixture;
let double: FiscoRpcDouble;
let sdkDir: string;
const cleanup: (() => Promise<void> | void)[] = [];

/** A mounted SDK Secret, with endpoints.json pointed at the double instead of cluster DNS names. */
function writeSdkDir(d: FiscoRpcDouble): string {
  const dir = mkdtempSync(join(tmpdir(), "verify-sdk-"));
  writeFileSync(join(dir, "ca.crt"), fixture.sdk.ca);
  writeFileSync(join(dir, "sdk.crt"), fixture.sdk.cert);
  writeFileSync(join(dir, "sdk.key"), fixture.sdk.key, { mode: 0o600 });
  const endpoints = JSON.parse(fixture.endpointsJson);
  endpoints.rpc.nodes = d.endpoints();
  writeFileSync(join(dir, "endpoints.json"), JSON.stringify(endpoints, null, 2));
  return dir;
}

async function cli(argv: string[], extra: Pick<CliIo, "env" | "reportAccess"> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), ...extra });
  return { code, stdout, stderr };
}

function assertNoKeyMaterial(text: string): void {
  assert.doesNotMatch(text, /PRIVATE KEY/);
  const body = fixture.sdk.key.split("\n")[1];
  assert.ok(!text.includes(body), "the SDK key appears in the output");
}

before(async () => {
  fixture = await chainFixture(4);
  double = await FiscoRpcDouble.start({ ca: fixture.ca, nodes: fixture.nodes, initialHeight: 3, sealTimeMs: 20, syncDelayMs: 10 });
  cleanup.push(() => double.close());
  sdkDir = writeSdkDir(double);
});

after(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

describe("usage errors exit 2 and name the flag and what is allowed", () => {
  const cases: [string[], RegExp][] = [
    [[], /--rpc: give the node URLs/],
    [["--rpc", "ftp://node:20200"], /--rpc: "ftp:\/\/node:20200" must be an https:\/\/ or http:\/\/ URL/],
    [["--rpc", "not a url"], /--rpc: "not a url" is not a URL/],
    [["--rpc", "https://node0:20200"], /--ca, --cert and --key are required for https:\/\/ RPC URLs \(missing --ca, --cert, --key\)/],
    [["--rpc", "http://node0:20200", "--timeout", "0"], /--timeout must be a number of seconds from 1 to 3600 \(got "0"\)/],
    [["--rpc", "http://node0:20200", "--timeout", "soon"], /--timeout must be a number of seconds/],
    [["--rpc", "http://node0:20200", "--max-lag=-1"], /--max-lag must be an integer from 0/],
    [["--rpc", "http://node0:20200", "--max-lag", "-1"], /--max-lag: a value starting with "-" must be written --max-lag=<value>/],
    [["--rpc", "http://node0:20200", "--expect-sealers", "0"], /--expect-sealers must be an integer from 1 to 1000/],
    [["--rpc", "http://node0:20200", "--expect-sealers", "4", "--expect-node-ids", "ab"], /--expect-sealers and --expect-node-ids cannot be combined/],
    [["--rpc", "http://node0:20200", "--expect-node-ids", "abc"], /--expect-node-ids: "abc" is not a 128-hex node id/],
    [["--rpc", "http://node0:20200", "--group", "group-0"], /--group must be 1–64 letters, digits or _/],
    [["--rpc", "http://node0:20200", "--bogus"], /Unknown option '--bogus'/],
    [["--rpc", "http://node0:20200", "--web3-key-file", "/x"], /--web3-key-file: only used with --web3/],
    [["--rpc", "http://node0:20200", "--web3", "sdk"], /--web3 sdk: needs --sdk-dir whose endpoints.json lists web3 endpoints/],
    [["--rpc", "http://node0:20200", "--web3", "ws://x"], /--web3: "ws:\/\/x" must be an https:\/\/ or http:\/\/ URL/],
    [["--rpc", "http://node0:20200", "--namespace", "fisco"], /--namespace: only used with --report-configmap/],
    [["--rpc", "http://node0:20200", "--report-configmap", "Bad_Name"], /--report-configmap must be a ConfigMap name/],
    [["--sdk-dir", "/nonexistent-sdk"], /--sdk-dir: cannot read \/nonexistent-sdk\/endpoints.json \(ENOENT\)/],
    [["--rpc", "https://node0:20200", "--ca", "/nonexistent.crt", "--cert", "/x", "--key", "/y"], /--ca: cannot read \/nonexistent.crt \(ENOENT\)/],
  ];
  for (const [argv, message] of cases) {
    test(argv.join(" ") || "(no arguments)", async () => {
      const { code, stdout, stderr } = await cli(argv);
      assert.equal(code, 2, stderr);
      assert.equal(stdout, "");
      assert.match(stderr, message);
      assert.match(stderr, /^verify: /);
      assert.match(stderr, /usage: npm run verify --/);
    });
  }

  test("--help prints the usage and exits 0", async () => {
    const { code, stdout } = await cli(["--help"]);
    assert.equal(code, 0);
    assert.match(stdout, /--sdk-dir <dir>/);
    assert.match(stdout, /Exit status: 0 healthy, 1 a check failed, 2 bad usage/);
  });

  test("--report-configmap outside a pod is a usage error", async () => {
    const { code, stderr } = await cli(["--sdk-dir", sdkDir, "--report-configmap", "fisco-verification"], { env: {} });
    assert.equal(code, 2);
    assert.match(stderr, /--report-configmap: not inside a Kubernetes pod \(KUBERNETES_SERVICE_HOST is not set\)/);
  });
});

describe("running the CLI", () => {
  test("--sdk-dir: one line per check with its numbers, progress on stderr, exit 0, no key material printed", async () => {
    const { code, stdout, stderr } = await cli(["--sdk-dir", sdkDir, "--timeout", "20", "--expect-node-ids", Object.values(fixture.nodeIds).join(",")]);
    assert.equal(code, 0, stdout + stderr);
    const lines = stdout.trimEnd().split("\n");
    assert.deepEqual(
      lines.slice(0, 11).map((l) => l.split(/\s+/).slice(0, 2).join(" ")),
      [
        "PASS reachable",
        "PASS group",
        "PASS genesis",
        "PASS sealers",
        "PASS members",
        "PASS peers",
        "PASS probe",
        "PASS block-advance",
        "PASS block-hash",
        "PASS sync-lag",
        "PASS replicated",
      ],
    );
    assert.match(stdout, /^PASS members +sealer: node0, node1, node2, node3$/m);
    assert.match(stdout, /PASS sealers +4 sealers, total weight 4, tolerates 1 faulty; matches the 4 expected node ids/);
    assert.match(stdout, /PASS group +group group0 of chain chain0 on 4\/4 nodes/);
    assert.match(lines[11], /^verification passed: 11\/11 checks in [\d.]+ s, height \d+$/);
    assert.match(stderr, /^verify: probe: deploying the probe contract through node0/m);
    assertNoKeyMaterial(stdout + stderr);
  });

  test("--rpc/--ca/--cert/--key and --json: the VerificationReport as JSON", async () => {
    const urls = double.names.map((n) => double.url(n)).join(",");
    const { code, stdout, stderr } = await cli([
      "--rpc",
      urls,
      "--ca",
      join(sdkDir, "ca.crt"),
      "--cert",
      join(sdkDir, "sdk.crt"),
      "--key",
      join(sdkDir, "sdk.key"),
      "--json",
      "--expect-sealers",
      "4",
    ]);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as VerificationReport;
    assert.equal(report.ok, true);
    assert.equal(report.checks.length, 11);
    for (const c of report.checks) assert.deepEqual(Object.keys(c).sort(), ["name", "problems", "status", "summary"]);
    assert.equal(report.blockHeight, double.height);
    assert.equal(report.genesisHash, double.genesisHash);
    assert.equal(report.sealers.length, 4);
    assert.match(report.probe!.contractAddress, /^0x[0-9a-f]{40}$/);
    assert.match(report.probe!.txHash, /^0x[0-9a-f]{64}$/);
    assert.equal(report.probe!.blockNumber, double.height);
    assert.equal(typeof report.durationMs, "number");
    // Names come from the URLs: loopback hosts are not unique, so host:port.
    assert.deepEqual(
      report.nodes.map((n) => n.name),
      double.names.map((n) => new URL(double.url(n)).host),
    );
    assertNoKeyMaterial(stdout + stderr);
  });

  test("exit 1 when a check fails, with FAIL lines that say why", async () => {
    const stalled = await FiscoRpcDouble.start({ ca: fixture.ca, nodes: fixture.nodes, initialHeight: 3 });
    cleanup.push(() => stalled.close());
    stalled.stall();
    const { code, stdout } = await cli(["--sdk-dir", writeSdkDir(stalled), "--timeout", "2"]);
    assert.equal(code, 1, stdout);
    assert.match(stdout, /^FAIL probe +the native test transaction did not complete\n +- deploy via node0: no receipt in time/m);
    assert.match(stdout, /^FAIL block-advance +height 3 → 3 in/m);
    assert.match(stdout, /^verification FAILED: 2 of 10 checks failed in [\d.]+ s, height 3$/m);
  });

  test("names that do not resolve here: it keeps retrying (a Service may resolve later) and says how to reach the nodes from outside", async () => {
    const { code, stderr } = await cli(["--sdk-dir", sdkDir, "--rpc", "https://node0.fisco.svc.invalid:20200", "--timeout", "3", "--no-probe"]);
    assert.equal(code, 1);
    assert.match(stderr, /no node's name resolves here: still retrying .*give reachable URLs with --rpc/);
  });

  test("--expect-sealers that the chain does not meet exits 1", async () => {
    const { code, stdout } = await cli(["--sdk-dir", sdkDir, "--expect-sealers", "3", "--no-probe"]);
    assert.equal(code, 1);
    assert.match(stdout, /^FAIL sealers .*\n +- the chain has 4 sealers, expected 3$/m);
    assert.match(stdout, /^SKIP probe +not run \(--no-probe\)$/m);
  });

  test("node names from URLs: the first DNS label when unique", () => {
    assert.deepEqual(
      endpointsFromUrls(["https://fisco-node0.fisco.svc.cluster.local:20200", "https://fisco-node1.fisco.svc.cluster.local:20200"]).map((e) => e.name),
      ["fisco-node0", "fisco-node1"],
    );
    assert.deepEqual(
      endpointsFromUrls(["https://10.0.0.1:20200", "https://10.0.0.2:20200"]).map((e) => e.name),
      ["10.0.0.1:20200", "10.0.0.2:20200"],
    );
  });

  test("--web3-key-file takes 0x-hex or a secp256k1 PEM (as get_account.sh writes), and never echoes the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "verify-key-"));
    const key = consensusKeyFromSeed("ab".repeat(32));
    writeFileSync(join(dir, "key.pem"), key.pem, { mode: 0o600 });
    const fromPem = readPrivateKeyFile("--web3-key-file", join(dir, "key.pem"));
    writeFileSync(join(dir, "key.hex"), `${fromPem}\n`, { mode: 0o600 });
    assert.equal(readPrivateKeyFile("--web3-key-file", join(dir, "key.hex")), fromPem);
    assert.match(fromPem, /^0x[0-9a-f]{64}$/);
    writeFileSync(join(dir, "junk"), "not a key at all", { mode: 0o600 });
    assert.throws(
      () => readPrivateKeyFile("--web3-key-file", join(dir, "junk")),
      (e: Error) => /holds neither a 0x-hex private key nor a PEM key/.test(e.message) && !e.message.includes("not a key at all"),
    );
  });
});

/** A stand-in for the Kubernetes API's ConfigMap endpoints (get, create, update), recording what it was asked. */
function kubeApiDouble() {
  const store = new Map<string, Record<string, any>>();
  const seen: { method: string; path: string; auth?: string }[] = [];
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    let text = "";
    req.on("data", (c) => (text += c));
    req.on("end", () => {
      seen.push({ method: req.method!, path: req.url!, auth: req.headers.authorization });
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      const m = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps(?:\/([^/]+))?$/.exec(req.url ?? "");
      if (!m) return reply(404, { message: "no route" });
      const key = `${m[1]}/${m[2] ?? ""}`;
      if (req.method === "GET") return store.has(key) ? reply(200, store.get(key)) : reply(404, { message: "not found" });
      const body = JSON.parse(text);
      if (req.method === "POST") {
        store.set(`${m[1]}/${body.metadata.name}`, { ...body, metadata: { ...body.metadata, resourceVersion: "1" } });
        return reply(201, body);
      }
      if (req.method === "PUT") {
        store.set(key, { ...body, metadata: { ...body.metadata, resourceVersion: String(Number(body.metadata.resourceVersion) + 1) } });
        return reply(200, body);
      }
      reply(405, { message: "method" });
    });
  };
  return { store, seen, serve };
}

describe("--report-configmap: the in-cluster Job stores its report", () => {
  test("without a service account to read, it says so (usage error)", async () => {
    const { code, stderr } = await cli(["--sdk-dir", sdkDir, "--report-configmap", "fisco-verification"], {
      env: { KUBERNETES_SERVICE_HOST: "10.0.0.1" },
      reportAccess: () => {
        throw Object.assign(new Error("no token"), { code: "ENOENT" });
      },
    });
    assert.equal(code, 2);
    assert.match(stderr, /--report-configmap: cannot read the pod's service account \(ENOENT\)/);
  });

  test("end to end: the CLI stores its JSON report through the API (verify/report-configmap.ts), over TLS checked against the cluster CA", async () => {
    const dir = mkdtempSync(join(tmpdir(), "verify-kube-"));
    // A throwaway API server certificate for 127.0.0.1 (the IP SAN is what a pod's client checks).
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "api.key",
        "-out",
        "api.crt",
        "-days",
        "1",
        "-subj",
        "/CN=kube-apiserver",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
      ],
      { cwd: dir, stdio: "ignore" },
    );
    chmodSync(join(dir, "api.key"), 0o600);
    const api = kubeApiDouble();
    const server = createHttpsServer({ cert: readFileSync(join(dir, "api.crt")), key: readFileSync(join(dir, "api.key")) }, api.serve).listen(0, "127.0.0.1");
    await once(server, "listening");
    cleanup.push(() => void server.close());
    const access = {
      server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
      token: "pod-token",
      ca: readFileSync(join(dir, "api.crt"), "utf8"),
      namespace: "from-sa",
    };
    const { code, stdout, stderr } = await cli(["--sdk-dir", sdkDir, "--report-configmap", "fisco-verification", "--namespace", "fisco", "--no-probe"], {
      reportAccess: () => access,
    });
    assert.equal(code, 0, stdout + stderr);
    assert.match(stderr, /verify: report written to ConfigMap fisco\/fisco-verification/);
    const stored = JSON.parse(api.store.get("fisco/fisco-verification")!.data["report.json"]) as VerificationReport;
    assert.equal(stored.ok, true);
    assert.equal(stored.checks.find((c) => c.name === "probe")?.status, "skip");
    assert.ok(api.seen.every((s) => s.auth === "Bearer pod-token"));
  });
});

describe("the single-file bundle (what the in-cluster Job runs)", () => {
  let bundle: string;
  let bytes: number;

  before(async () => {
    ({ outfile: bundle, bytes } = await bundleVerifier(join(mkdtempSync(join(tmpdir(), "verify-bundle-")), "verifier.js")));
  });

  test("one file, well under a ConfigMap's 1 MiB, requiring nothing but Node's built-in modules", () => {
    assert.ok(bytes < 600 * 1024, `${bytes} bytes`);
    const text = readFileSync(bundle, "utf8");
    const required = new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1].replace(/^node:/, "")));
    const builtins = new Set(builtinModules);
    assert.deepEqual(
      [...required].filter((r) => !builtins.has(r)),
      [],
    );
  });

  test("`node verifier.js --sdk-dir …` verifies the chain from a bare directory (no node_modules)", async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [bundle, ...args], { cwd: tmpdir(), stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c) => (stdout += c));
        child.stderr.on("data", (c) => (stderr += c));
        child.on("close", (code) => resolve({ code, stdout, stderr }));
      });
    const ok = await run(["--sdk-dir", sdkDir, "--timeout", "20", "--json"]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const report = JSON.parse(ok.stdout) as VerificationReport;
    assert.equal(report.ok, true);
    assert.equal(report.checks.find((c) => c.name === "probe")?.status, "pass");
    assertNoKeyMaterial(ok.stdout + ok.stderr);
    const bad = await run(["--sdk-dir", sdkDir, "--bogus"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Unknown option '--bogus'/);
  });
});
