import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { nodeIdFromPem } from "../chain/keys";
import { renderConfigIni } from "../chain/render/config-ini";
import { renderGenesis } from "../chain/render/genesis";
import { renderNodesJson } from "../chain/render/nodes-json";
import { renderEndpoints, renderGoSdkConfig, renderJavaSdkConfig } from "../chain/render/sdk-configs";
import { parseChainSpec } from "../chain/spec";
import { keysOf, parseIni } from "./support/ini";
import { referenceFile } from "./support/reference";

const NODES = ["node0", "node1", "node2", "node3"];
const reference = {
  ini: parseIni(referenceFile("node0/config.ini")),
  genesis: parseIni(referenceFile("node0/config.genesis")),
  nodeIds: Object.fromEntries(NODES.map((n) => [n, nodeIdFromPem(referenceFile(`${n}/conf/node.pem`))])),
  adminAddress: parseIni(referenceFile("node0/config.genesis")).get("executor")!.get("auth_admin_account")!,
};
const { spec } = parseChainSpec({});

/** Where we differ from build_chain on purpose, and why. */
const INI_ADAPTATIONS: Record<string, string> = { "log.enable_console_output": "true" };
/** Keys build_chain leaves at FISCO's defaults that we set, and why. */
const INI_ADDITIONS: Record<string, string> = {
  // FISCO 3.x reads the consensus timeout only here (bcos-tool/NodeConfig.cpp loadConsensusConfig), in ms, ≥ 3000.
  "consensus.checkpoint_timeout": "3000",
  // Nodes outside the genesis (observers, added nodes) sync only when their peers allow free nodes (bcos-sync).
  "sync.allow_free_node": "true",
};

describe("config.ini conformance with build_chain v3.16.4", () => {
  const ours = parseIni(renderConfigIni(spec));

  test("same sections and keys, plus the keys we set on purpose", () => {
    const added = new Set(Object.keys(INI_ADDITIONS));
    const withoutAdded = Object.fromEntries(
      Object.entries(keysOf(ours)).map(([section, keys]) => [section, keys.filter((k) => !added.has(`${section}.${k}`))]),
    );
    assert.deepEqual(withoutAdded, keysOf(reference.ini));
    for (const [key, value] of Object.entries(INI_ADDITIONS)) {
      const [section, name] = key.split(".");
      assert.equal(ours.get(section)?.get(name), value, key);
    }
  });

  test("consensus.consensusTimeout is the checkpoint_timeout FISCO reads, not a genesis key", () => {
    const custom = parseChainSpec({ consensus: { consensusTimeout: 9000 } }).spec;
    assert.equal(parseIni(renderConfigIni(custom)).get("consensus")!.get("checkpoint_timeout"), "9000");
    const ids = reference.nodeIds;
    assert.equal(
      renderGenesis(custom, { nodeIds: ids, adminAddress: reference.adminAddress }),
      renderGenesis(spec, { nodeIds: ids, adminAddress: reference.adminAddress }),
    );
  });

  test("same values, except logs on the console for kubectl logs", () => {
    for (const [section, entries] of reference.ini) {
      for (const [key, value] of entries) {
        const expected = INI_ADAPTATIONS[`${section}.${key}`] ?? value;
        assert.equal(ours.get(section)!.get(key), expected, `[${section}] ${key}`);
      }
    }
  });

  test("every pod uses the configured ports; web3 and seal time follow the stack", () => {
    const custom = parseChainSpec({
      ports: { p2p: 30400, rpc: 20300, web3: 8600 },
      web3: { enabled: true },
      consensus: { minSealTime: 800 },
      log: { level: "debug" },
    }).spec;
    const ini = parseIni(renderConfigIni(custom));
    assert.equal(ini.get("p2p")!.get("listen_port"), "30400");
    assert.equal(ini.get("rpc")!.get("listen_port"), "20300");
    assert.equal(ini.get("web3_rpc")!.get("listen_port"), "8600");
    assert.equal(ini.get("web3_rpc")!.get("enable"), "true");
    assert.equal(ini.get("consensus")!.get("min_seal_time"), "800");
    assert.equal(ini.get("log")!.get("level"), "debug");
  });
});

describe("config.genesis conformance with build_chain v3.16.4", () => {
  const text = renderGenesis(spec, { nodeIds: reference.nodeIds, adminAddress: reference.adminAddress });
  const ours = parseIni(text);

  test("same sections, keys and values for the same node ids and admin", () => {
    assert.deepEqual(keysOf(ours), keysOf(reference.genesis));
    for (const [section, entries] of reference.genesis) {
      for (const [key, value] of entries) assert.equal(ours.get(section)!.get(key), value, `[${section}] ${key}`);
    }
  });

  test("node.N lines list the sealers' ids with their weights, in node order; observers are left out", () => {
    const mixed = parseChainSpec({
      nodes: [{ name: "node0", weight: 3 }, { name: "node1" }, { name: "obs", role: "observer" }, { name: "node2" }, { name: "node3", weight: 2 }],
    }).spec;
    const ids: Record<string, string> = { ...reference.nodeIds, obs: "f".repeat(128) };
    const consensus = parseIni(renderGenesis(mixed, { nodeIds: ids, adminAddress: reference.adminAddress })).get("consensus")!;
    const lines = [...consensus].filter(([k]) => k.startsWith("node."));
    assert.deepEqual(lines, [
      ["node.0", `${ids.node0}: 3`],
      ["node.1", `${ids.node1}: 1`],
      ["node.2", `${ids.node2}: 1`],
      ["node.3", `${ids.node3}: 2`],
    ]);
  });

  test("a sealer without a node id is an error, not an empty line", () => {
    assert.throws(() => renderGenesis(spec, { nodeIds: { node0: "a" }, adminAddress: reference.adminAddress }), /no consensus node id for sealer 'node1'/);
  });

  test("deterministic", () => {
    assert.equal(renderGenesis(spec, { nodeIds: reference.nodeIds, adminAddress: reference.adminAddress }), text);
  });
});

describe("nodes.json", () => {
  test("build_chain's one-line format, every node (self included), by per-node Service DNS name", () => {
    const text = renderNodesJson(spec);
    assert.match(referenceFile("node0/nodes.json"), /^\{"nodes":\["[^"]+"(,"[^"]+")*\]\}\n$/);
    assert.match(text, /^\{"nodes":\["[^"]+"(,"[^"]+")*\]\}\n$/);
    assert.deepEqual(
      JSON.parse(text).nodes,
      NODES.map((n) => `fisco-${n}.fisco.svc.cluster.local:30300`),
    );
  });
});

describe("SDK configs", () => {
  const custom = parseChainSpec({ namespace: "ledger", groupId: "g1", web3: { enabled: true } }).spec;

  test("Java SDK config.toml names the group, the RPC peers and the cert directory", () => {
    const toml = renderJavaSdkConfig(custom);
    assert.match(toml, /defaultGroup = "g1"/);
    assert.match(toml, /peers = \["fisco-node0\.ledger\.svc\.cluster\.local:20200", .*"fisco-node3\.ledger\.svc\.cluster\.local:20200"\]/);
    assert.match(toml, /certPath = "conf"/);
    assert.match(toml, /enableSsl = "true"/);
  });

  test("Go SDK config ini: [common], [cert] and one [peers] line per node", () => {
    const ini = parseIni(renderGoSdkConfig(custom));
    assert.equal(ini.get("cert")!.get("ssl_type"), "ssl");
    assert.equal(ini.get("cert")!.get("sdk_cert"), "sdk.crt");
    assert.equal(ini.get("common")!.get("disable_ssl"), "false");
    assert.deepEqual(
      [...ini.get("peers")!.values()],
      NODES.map((n) => `fisco-${n}.ledger.svc.cluster.local:20200`),
    );
  });

  test("endpoints.json has native RPC and web3 URLs, and null web3 when it is off", () => {
    const endpoints = renderEndpoints(custom);
    assert.equal(endpoints.rpc.service, "https://fisco-rpc.ledger.svc.cluster.local:20200");
    assert.equal(endpoints.web3?.nodes.node2, "http://fisco-node2.ledger.svc.cluster.local:8545");
    assert.equal(endpoints.web3ChainId, 20200);
    assert.equal(endpoints.ethers.batchMaxCount, 8);
    assert.equal(renderEndpoints(spec).web3, null);
  });
});
