import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ChainConfigError, parseChainSpec } from "../chain/spec";
import { pulumiConfigFromStackFile, rawConfigFromPulumi } from "../chain/stack-config";

const sealers = (...weights: number[]) => weights.map((weight, i) => ({ name: `node${i}`, weight }));

/** [what, raw config, the config key the message must name, a fragment of the message]. */
const BAD_CONFIGS: [string, Record<string, unknown>, string, RegExp][] = [
  ["unknown top-level key", { chainID: "x" }, "fisco-bcos:chainID", /not a known setting/],
  ["unknown nested key", { consensus: { blockLimit: 5 } }, "fisco-bcos:consensus.blockLimit", /not a known setting/],
  ["chain id with a dash", { chainId: "chain-0" }, "fisco-bcos:chainId", /letters or digits/],
  ["empty chain id", { chainId: "" }, "fisco-bcos:chainId", /1 to 64 letters or digits/],
  ["group id with a space", { groupId: "group 0" }, "fisco-bcos:groupId", /letters, digits or '_'/],
  ["version not 3.x", { version: "v2.9.0" }, "fisco-bcos:version", /3\.x release tag/],
  ["version without patch", { version: "v3.16" }, "fisco-bcos:version", /3\.x release tag/],
  ["DNS peers need v3.6.0", { version: "v3.5.0" }, "fisco-bcos:version", /v3\.6\.0 or newer/],
  ["web3 needs v3.9.0", { version: "v3.8.0", web3: { enabled: true } }, "fisco-bcos:web3.enabled", /v3\.9\.0 or newer/],
  ["compatibility newer than image", { version: "v3.12.0", compatibilityVersion: "3.16.0" }, "fisco-bcos:compatibilityVersion", /must not be newer/],
  ["consensus type", { consensus: { type: "raft" } }, "fisco-bcos:consensus.type", /one of pbft, rpbft/],
  ["block tx count limit 0", { consensus: { blockTxCountLimit: 0 } }, "fisco-bcos:consensus.blockTxCountLimit", /integer from 1 to 1000000/],
  ["leader period fractional", { consensus: { leaderPeriod: 1.5 } }, "fisco-bcos:consensus.leaderPeriod", /integer from 1 to 1000/],
  ["min seal time too large", { consensus: { minSealTime: 600001 } }, "fisco-bcos:consensus.minSealTime", /integer from 1 to 600000/],
  ["min seal time as string", { consensus: { minSealTime: "500" } }, "fisco-bcos:consensus.minSealTime", /integer/],
  ["consensus timeout below 3000", { consensus: { consensusTimeout: 1000 } }, "fisco-bcos:consensus.consensusTimeout", /3000/],
  ["web3 chain id 0", { web3: { chainId: 0 } }, "fisco-bcos:web3.chainId", /integer from 1/],
  ["p2p port below 1025", { ports: { p2p: 1024 } }, "fisco-bcos:ports.p2p", /1025 to 65535/],
  ["rpc port above 65535", { ports: { rpc: 70000 } }, "fisco-bcos:ports.rpc", /1025 to 65535/],
  ["ports clash", { ports: { p2p: 20200 } }, "fisco-bcos:ports.rpc", /must differ from ports.p2p/],
  ["no nodes", { nodes: [] }, "fisco-bcos:nodes", /at least one node/],
  ["no sealer", { nodes: [{ name: "a", role: "observer" }] }, "fisco-bcos:nodes", /at least one node with role 'sealer'/],
  ["duplicate node names", { nodes: [{ name: "a" }, { name: "a" }] }, "fisco-bcos:nodes[1].name", /duplicate node name 'a'/],
  [
    "a node named like the chain's own Service",
    { nodes: [{ name: "node0" }, { name: "rpc" }] },
    "fisco-bcos:nodes[1].name",
    /'rpc' is reserved: the chain's own Services are fisco-rpc, -web3 and -headless/,
  ],
  ["upper-case node name", { nodes: [{ name: "Node0" }] }, "fisco-bcos:nodes[0].name", /DNS label/],
  ["node name too long", { nodes: [{ name: "n".repeat(31) }] }, "fisco-bcos:nodes[0].name", /at most 30 characters/],
  ["unknown role", { nodes: [{ name: "a", role: "leader" }] }, "fisco-bcos:nodes[0].role", /one of sealer, observer/],
  ["weight 0", { nodes: [{ name: "a", weight: 0 }] }, "fisco-bcos:nodes[0].weight", /integer from 1 to 1000/],
  ["negative weight", { nodes: [{ name: "a", weight: -2 }] }, "fisco-bcos:nodes[0].weight", /integer from 1/],
  [
    "bad cpu quantity",
    { nodes: [{ name: "a", resources: { requests: { cpu: "lots", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } } }] },
    "fisco-bcos:nodes[0].resources.requests.cpu",
    /CPU quantity/,
  ],
  ["bad storage size", { nodeDefaults: { storage: { size: "20 GB" } } }, "fisco-bcos:nodeDefaults.storage.size", /whole number of Mi, Gi or Ti/],
  ["storage size in decimal units", { nodeDefaults: { storage: { size: "20G" } } }, "fisco-bcos:nodeDefaults.storage.size", /whole number of Mi, Gi or Ti/],
  ["fractional storage size", { nodes: [{ name: "a", storage: { size: "1.5Gi" } }] }, "fisco-bcos:nodes[0].storage.size", /whole number of Mi, Gi or Ti/],
  ["storage size in Ki", { nodes: [{ name: "a", storage: { size: "500Ki" } }] }, "fisco-bcos:nodes[0].storage.size", /whole number of Mi, Gi or Ti/],
  ["volume too small for FISCO", { nodes: [{ name: "a", storage: { size: "1Gi" } }] }, "fisco-bcos:nodes[0].storage.size", /at least 2Gi.*1 GiB free/],
  ["compatibility below 3.1.0", { compatibilityVersion: "3.0.0" }, "fisco-bcos:compatibilityVersion", /3\.1\.0 or newer.*\[chain\]/],
  ["service type", { services: { rpc: { type: "Ingress" } } }, "fisco-bcos:services.rpc.type", /ClusterIP, NodePort, LoadBalancer/],
  ["nodePort out of range", { services: { rpc: { type: "NodePort", nodePort: 8080 } } }, "fisco-bcos:services.rpc.nodePort", /30000 to 32767/],
  ["nodePort without NodePort", { services: { web3: { nodePort: 31000 } } }, "fisco-bcos:services.web3.nodePort", /only with type NodePort/],
  ["sealer spread", { scheduling: { sealerSpread: "always" } }, "fisco-bcos:scheduling.sealerSpread", /preferred, required/],
  ["bad CIDR", { networkPolicy: { p2pAllowedCidrs: ["10.0.0.0"] } }, "fisco-bcos:networkPolicy.p2pAllowedCidrs[0]", /CIDR/],
  ["validity over 100 years", { certificates: { validityDays: 40000 } }, "fisco-bcos:certificates.validityDays", /1 to 36500/],
  ["verification timeout", { verification: { timeoutSeconds: 1 } }, "fisco-bcos:verification.timeoutSeconds", /10 to 3600/],
  ["namespace upper case", { namespace: "Fisco" }, "fisco-bcos:namespace", /DNS label/],
  ["log level", { log: { level: "verbose" } }, "fisco-bcos:log.level", /trace, debug, info, warning, error/],
  ["auth check not boolean", { authCheck: "yes" }, "fisco-bcos:authCheck", /true or false/],
  ["bench concurrency 0", { bench: { concurrency: 0 } }, "fisco-bcos:bench.concurrency", /integer from 1 to 20000/],
  ["unknown workloads manager", { workloads: { manager: "argo" } }, "fisco-bcos:workloads.manager", /one of pulumi, gitops/],
  ["host RPC endpoint not a URL", { verification: { hostRpcEndpoints: ["localhost:20200"] } }, "fisco-bcos:verification.hostRpcEndpoints[0]", /http\(s\) URL/],
  ["protect without a kube context", { protect: true }, "fisco-bcos:kubernetes.context", /required when protect is true/],
  [
    "a context and in-cluster at once",
    { kubernetes: { context: "prod", inCluster: true } },
    "fisco-bcos:kubernetes.inCluster",
    /cannot be true together with kubernetes.context/,
  ],
  ["gas limit too small", { txGasLimit: 10 }, "fisco-bcos:txGasLimit", /integer from 100001/],
  ["gas limit FISCO refuses", { txGasLimit: 100000 }, "fisco-bcos:txGasLimit", /integer from 100001/],
];

describe("stack config validation", () => {
  test(`rejects ${BAD_CONFIGS.length} bad configs, each naming its key and what is allowed`, () => {
    assert.ok(BAD_CONFIGS.length >= 25);
    for (const [what, raw, key, message] of BAD_CONFIGS) {
      assert.throws(
        () => parseChainSpec(raw),
        (error: unknown) => {
          assert.ok(error instanceof ChainConfigError, `${what}: not a ChainConfigError`);
          const line = error.message.split("\n").find((l) => l.trim().startsWith(`${key}:`));
          assert.ok(line, `${what}: message does not name ${key}:\n${error.message}`);
          assert.match(line, message, `${what}`);
          return true;
        },
        what,
      );
    }
  });

  test("reports every problem at once", () => {
    assert.throws(
      () => parseChainSpec({ chainId: "a-b", ports: { p2p: 1 }, nodes: [{ name: "x", weight: 0 }] }),
      (error: ChainConfigError) => error.problems.length === 3,
    );
  });

  test("says what it got", () => {
    assert.throws(() => parseChainSpec({ ports: { p2p: 80 } }), /fisco-bcos:ports\.p2p: must be an integer from 1025 to 65535 \(got 80\)/);
  });

  test("defaults match build_chain v3.16 and a four-sealer chain", () => {
    const { spec, warnings } = parseChainSpec({});
    assert.deepEqual(warnings, []);
    assert.equal(spec.chainId, "chain0");
    assert.equal(spec.groupId, "group0");
    assert.equal(spec.compatibilityVersion, "3.16.0");
    assert.deepEqual(spec.consensus, {
      type: "pbft",
      blockTxCountLimit: 1000,
      leaderPeriod: 1,
      minSealTime: 500,
      consensusTimeout: 3000,
      epochSealerNum: 4,
      epochBlockNum: 1000,
    });
    assert.deepEqual(spec.ports, { p2p: 30300, rpc: 20200, web3: 8545 });
    assert.deepEqual(spec.web3, { enabled: false, chainId: 20200 });
    assert.deepEqual(
      spec.nodes.map((n) => [n.name, n.role, n.weight]),
      [0, 1, 2, 3].map((i) => [`node${i}`, "sealer", 1]),
    );
    assert.equal(spec.txGasLimit, 3_000_000_000);
  });

  test("the bench Job needs no web3: it sends native transactions through the SDK Secret", () => {
    const { spec, warnings } = parseChainSpec({ bench: { enabled: true } });
    assert.deepEqual(warnings, []);
    assert.equal(spec.web3.enabled, false);
    assert.deepEqual(spec.bench, { enabled: true, txs: 10_000, concurrency: 512, senders: 16, seed: "fisco-bench", timeoutSeconds: 300 });
  });

  test("a node without resources or storage takes nodeDefaults", () => {
    const storage = { size: "7Gi", storageClass: "fast" };
    const { spec } = parseChainSpec({ nodeDefaults: { storage }, nodes: [{ name: "a" }, { name: "b", storage: { size: "9Gi" } }] });
    assert.deepEqual(spec.nodes[0].storage, storage);
    assert.deepEqual(spec.nodes[1].storage, { size: "9Gi", storageClass: "" });
  });

  test("warns when the sealers tolerate no fault", () => {
    for (const weights of [[1], [1, 1, 1], [2, 1]]) {
      const { warnings } = parseChainSpec({ nodes: sealers(...weights) });
      assert.equal(warnings.length, 1, `weights ${weights}`);
      assert.match(warnings[0], /tolerates no faulty sealer/);
    }
    assert.deepEqual(parseChainSpec({ nodes: sealers(1, 1, 1, 1) }).warnings, []);
  });

  test("membership.hostRpcEndpoints with fewer URLs than declared nodes is warned about, naming the counts", () => {
    const url = (i: number) => `https://10.0.0.${i}:20200`;
    const few = parseChainSpec({ nodes: sealers(1, 1, 1, 1), membership: { hostRpcEndpoints: [url(1)] } }).warnings;
    assert.equal(few.length, 1);
    assert.match(few[0], /^fisco-bcos:membership\.hostRpcEndpoints has 1 URL\(s\) for 4 declared nodes: give one per node/);
    assert.deepEqual(parseChainSpec({ nodes: sealers(1, 1, 1, 1), membership: { hostRpcEndpoints: [1, 2, 3, 4].map(url) } }).warnings, []);
  });

  test("warns when one sealer outweighs f, so the PodDisruptionBudget allows no eviction; the budget can be turned off", () => {
    const [warning, ...more] = parseChainSpec({ nodes: sealers(3, 1, 1, 1) }).warnings;
    assert.equal(more.length, 0);
    assert.match(warning, /node0 has weight 3.*f = 1 of W = 6.*allows 0 evictions.*disruptionBudget\.enabled/);
    assert.deepEqual(parseChainSpec({ nodes: sealers(3, 1, 1, 1), disruptionBudget: { enabled: false } }).warnings, []);
  });

  test("warns when RPC or web3 is exposed outside the cluster but the NetworkPolicy admits no outside source, or auth is off", () => {
    const exposed = { services: { rpc: { type: "LoadBalancer" } } };
    const warnings = parseChainSpec(exposed).warnings;
    assert.equal(warnings.length, 2);
    assert.match(warnings[0], /services\.rpc\.type is LoadBalancer.*networkPolicy\.clientCidrs/);
    assert.match(warnings[1], /authCheck false/);
    assert.deepEqual(parseChainSpec({ ...exposed, authCheck: true, networkPolicy: { clientCidrs: ["203.0.113.0/24"] } }).warnings, []);
    assert.deepEqual(parseChainSpec({ services: { web3: { type: "NodePort" } } }).warnings, [], "web3 off: its Service does not exist");
    const nodePort = parseChainSpec({ services: { rpc: { type: "NodePort" } }, networkPolicy: { clientCidrs: ["203.0.113.0/24"] } }).warnings;
    assert.equal(nodePort.length, 1, "a NodePort is reachable from outside the cluster too");
    assert.match(
      nodePort[0],
      /services\.rpc\.type is NodePort with fisco-bcos:authCheck false: anyone who can send a transaction there can change the sealer set/,
    );
    assert.deepEqual(
      parseChainSpec({ services: { rpc: { type: "NodePort" } }, authCheck: true, networkPolicy: { clientCidrs: ["203.0.113.0/24"] } }).warnings,
      [],
    );
  });

  test("warns when certificates expire within 90 days", () => {
    const [warning, ...more] = parseChainSpec({ certificates: { validityDays: 30 } }).warnings;
    assert.equal(more.length, 0);
    assert.match(warning, /certificates\.validityDays is 30.*certificateExpiry/);
    assert.deepEqual(parseChainSpec({ certificates: { validityDays: 90 } }).warnings, []);
  });

  test("observers do not count towards fault tolerance", () => {
    const { warnings } = parseChainSpec({ nodes: [...sealers(1, 1, 1), { name: "obs", role: "observer" }] });
    assert.equal(warnings.length, 1);
  });
});

describe("Pulumi config strings", () => {
  test("round-trips a stack file's values the way the Pulumi CLI passes them", () => {
    const stackFile = {
      "fisco-bcos:chainId": "123",
      "fisco-bcos:txGasLimit": 500000,
      "fisco-bcos:authCheck": true,
      "fisco-bcos:nodes": [{ name: "a" }],
      "other:key": "x",
    };
    const raw = rawConfigFromPulumi(pulumiConfigFromStackFile(stackFile));
    assert.deepEqual(raw, { chainId: "123", txGasLimit: 500000, authCheck: true, nodes: [{ name: "a" }] });
    assert.equal(parseChainSpec(raw).spec.chainId, "123");
  });
});
