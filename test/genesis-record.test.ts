import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { genesisDrift } from "../chain/genesis-drift";
import { genesisSettingChanges } from "../chain/genesis-settings";
import { renderGenesis } from "../chain/render/genesis";
import { parseChainSpec } from "../chain/spec";
import type { ProviderState } from "../offline/mocks/engine";
import { k8sObject, runChain } from "./support/offline-chain";

const ids = { node0: "a".repeat(128), node1: "b".repeat(128), node2: "c".repeat(128), node3: "d".repeat(128), node4: "e".repeat(128) };
const admin = `0x${"1".repeat(40)}`;
const genesisFor = (config: Record<string, unknown>) => renderGenesis(parseChainSpec(config).spec, { nodeIds: ids, adminAddress: admin });
const four = { nodes: ["node0", "node1", "node2", "node3"].map((name) => ({ name })) };
const names = Object.fromEntries(Object.entries(ids).map(([n, id]) => [id, n]));

describe("genesis drift", () => {
  test("none when the config still writes the recorded genesis", () => {
    assert.deepEqual(genesisDrift(genesisFor(four), genesisFor(four)), []);
  });

  test("a sealer added later must be added on chain", () => {
    const grown = { nodes: [...four.nodes, { name: "node4", weight: 2 }] };
    const [message, ...rest] = genesisDrift(genesisFor(four), genesisFor(grown), names);
    assert.deepEqual(rest, []);
    assert.match(message, /sealer node4 \(eeeeeeeeeeee…\) is not in the genesis.*addObserver, then addSealer with weight 2/);
  });

  test("a removed sealer and a changed weight are named, with what to do on chain", () => {
    const changed = { nodes: [{ name: "node0", weight: 3 }, { name: "node1" }, { name: "node2" }] };
    const messages = genesisDrift(genesisFor(four), genesisFor(changed), names);
    assert.equal(messages.length, 2);
    assert.match(messages[0], /node0 .* weight 1 in the genesis, 3 in the config: change it on chain with setWeight/);
    assert.match(messages[1], /genesis sealer node3 .* remove it on chain/);
  });

  test("a changed genesis setting is named", () => {
    const [message] = genesisDrift(genesisFor(four), genesisFor({ ...four, chainId: "other" }));
    assert.match(message, /\[chain\] chain_id is chain0 in the genesis, other in the config/);
  });
});

describe("genesis-only settings changed after creation are refused", () => {
  const GENESIS_ONLY: [string, Record<string, unknown>, RegExp][] = [
    ["chainId", { chainId: "other" }, /fisco-bcos:chainId is chain0 in the chain's genesis and other in the stack.*cannot change on a live chain/],
    ["groupId", { groupId: "g1" }, /fisco-bcos:groupId is group0 .* g1 .*cannot change/],
    ["web3.chainId", { web3: { chainId: 7 } }, /fisco-bcos:web3\.chainId .*setSystemConfigByKey.*web3_chain_id|system config web3_chain_id/],
    ["consensus.type", { consensus: { type: "rpbft" } }, /fisco-bcos:consensus\.type is pbft/],
    [
      "consensus.blockTxCountLimit",
      { consensus: { blockTxCountLimit: 5000 } },
      /fisco-bcos:consensus\.blockTxCountLimit is 1000 .* 5000 .*system config tx_count_limit/,
    ],
    ["consensus.leaderPeriod", { consensus: { leaderPeriod: 3 } }, /system config consensus_leader_period/],
    ["consensus.epochSealerNum", { consensus: { epochSealerNum: 5 } }, /system config feature_rpbft_epoch_sealer_num/],
    ["consensus.epochBlockNum", { consensus: { epochBlockNum: 5 } }, /system config feature_rpbft_epoch_block_num/],
    ["txGasLimit", { txGasLimit: 500000 }, /fisco-bcos:txGasLimit .*system config tx_gas_limit/],
    ["authCheck", { authCheck: true }, /fisco-bcos:authCheck is false .* true/],
  ];
  for (const [key, change, message] of GENESIS_ONLY) {
    test(`${key}: refused with the key and how it changes on a live chain`, () => {
      const { refusals } = genesisSettingChanges(genesisFor(four), genesisFor({ ...four, ...change }), names);
      assert.equal(refusals.length, 1, refusals.join("\n"));
      assert.match(refusals[0], message);
    });
  }

  test("membership and the image's compatibility version are not refused: they are warnings with what to do", () => {
    const grown = genesisSettingChanges(genesisFor(four), genesisFor({ nodes: [...four.nodes, { name: "node4" }] }), names);
    assert.deepEqual(grown.refusals, []);
    assert.match(grown.warnings[0], /node4 .* addObserver/);
    const upgraded = genesisSettingChanges(genesisFor(four), genesisFor({ ...four, version: "v3.17.0" }), names);
    assert.deepEqual(upgraded.refusals, []);
    assert.match(upgraded.warnings[0], /compatibility_version stays 3\.16\.0 .*3\.17\.0.*setSystemConfigByKey compatibility_version/);
  });
});

describe("the genesis is created once", () => {
  test("adding a node later keeps the recorded genesis for every node, the new one too", async () => {
    const state: ProviderState = new Map();
    const first = await runChain(four, state);
    const later = await runChain({ nodes: [...four.nodes, { name: "node4" }] }, state);
    assert.equal(later.outputs.genesisDigest, first.outputs.genesisDigest);
    const recorded = k8sObject(first, "ConfigMap", "fisco-genesis").data["config.genesis"];
    for (const node of ["node0", "node4"]) assert.equal(k8sObject(later, "ConfigMap", `fisco-${node}-config`).data["config.genesis"], recorded, node);
    assert.doesNotMatch(recorded, new RegExp(later.outputs.nodeIds.node4));
  });

  test("a new chain (no recorded state) gets the genesis its config describes", async () => {
    const run = await runChain({ consensus: { blockTxCountLimit: 5000 } });
    assert.match(k8sObject(run, "ConfigMap", "fisco-node0-config").data["config.genesis"], /block_tx_count_limit=5000/);
  });
});
