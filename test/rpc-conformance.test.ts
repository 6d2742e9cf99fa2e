import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as https from "node:https";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { chainFixture, type ChainFixture } from "../doubles/chain-fixture";
import { ConsensusContractsDouble } from "../doubles/consensus-precompiled";
import { FiscoRpcDouble } from "../doubles/fisco-rpc-double";
import { isUnsetConfigKey, NodeApi } from "../fisco/native-api";
import { FiscoRpcClient, parseResponse, RpcError } from "../fisco/rpc-client";
import {
  exceptionWhat,
  kindOf,
  rawTransport,
  redactBuildPaths,
  runScenario,
  shapeDifferences,
  type ConformanceCase,
  type Recording,
} from "../doubles/rpc-conformance";

/*
 * The FISCO RPC double answers as a real node does. test/fixtures/real-node/rpc-v3.16.4.json holds what a real
 * fisco-bcos v3.16.4 answered to the scenario of doubles/rpc-conformance.ts (recorded with npm run record:rpc
 * against a chain of npm run local:up, docs/real-nodes.md); here the same scenario runs against FiscoRpcDouble and
 * each answer must have the real one's shape (keys, types, string formats, JSON inside strings) and the same values
 * where they do not depend on the chain (error codes and messages, receipt statuses, outputs).
 */

const recording = JSON.parse(readFileSync(join(__dirname, "fixtures", "real-node", "rpc-v3.16.4.json"), "utf8")) as Recording;

let fixture: ChainFixture;
let double: FiscoRpcDouble;
let answers: ConformanceCase[];

before(async () => {
  fixture = await chainFixture(4);
  // A genesis of compatibility ≥ 3.3 deploys the committee whether or not auth checking is on.
  const committee = new ConsensusContractsDouble(`0x${"99".repeat(20)}`);
  double = await FiscoRpcDouble.start({
    ca: fixture.ca,
    nodes: fixture.nodes,
    initialHeight: 2,
    sealTimeMs: 20,
    syncDelayMs: 10,
    systemContracts: committee.contracts,
  });
  const transport = rawTransport(double.url("node0"), fixture.sdk);
  try {
    answers = await runScenario({ chainId: "chain0", groupId: "group0", send: transport.send });
  } finally {
    transport.close();
  }
});

after(async () => {
  await double?.close();
});

describe("the recorded answers of a real node", () => {
  test("cover the scenario, from a named binary, with no build machine's paths", () => {
    assert.match(recording.source, /FISCO BCOS Version : 3\.16\.4/);
    assert.equal(recording.cases.length, answers.length);
    assert.deepEqual(
      recording.cases.map((c) => c.name),
      answers.map((c) => c.name),
    );
    const text = JSON.stringify(recording);
    assert.equal(redactBuildPaths(text), text);
  });
});

describe("FiscoRpcDouble answers as fisco-bcos v3.16.4 did", () => {
  for (const real of recording.cases) {
    test(real.name, () => {
      const mine = answers.find((c) => c.name === real.name);
      assert.ok(mine, `the scenario no longer has ${real.name}`);
      assert.equal(mine.answer.httpStatus, real.answer.httpStatus, "HTTP status");
      const differences = shapeDifferences(real.answer.body, mine.answer.body, real.exact);
      assert.deepEqual(differences, [], `${real.name}: the double's answer ${JSON.stringify(mine.answer.body).slice(0, 400)}`);
    });
  }
});

describe("the comparison itself", () => {
  test("tells string formats apart and reads the what() of an exception report", () => {
    assert.equal(kindOf("0x12ab"), "string:0xhex");
    assert.equal(kindOf('{"a":1}\n'), "string:json");
    assert.equal(kindOf("3000000000"), "string:decimal");
    assert.equal(kindOf("ab".repeat(32)), "string:hex");
    assert.equal(exceptionWhat("x.cpp(1): Throw in function f\nDynamic exception type: e\nstd::exception::what: Chain ID mismatch!\n"), "Chain ID mismatch!");
    assert.deepEqual(shapeDifferences({ a: 1, b: "0x1" }, { a: 2, c: 1 }, ["a"]), [
      "a: 2, the node answered 1",
      'b: missing (the node answers "0x1")',
      "c: not in the node's answer",
    ]);
    assert.equal(redactBuildPaths('"/home/me/src/FISCO-BCOS/bcos-rpc/x.cpp(1): y'), '"bcos-rpc/x.cpp(1): y');
  });
});

describe("the project's client reads what the real node answered", () => {
  const errorOf = (name: string): RpcError => {
    const real = recording.cases.find((c) => c.name === name)!;
    try {
      parseResponse(JSON.stringify(real.answer.body), (real.request as { id: number }).id, "node0", "m");
    } catch (error) {
      return error as RpcError;
    }
    throw new Error(`${name}: the recorded answer is not an error`);
  };

  test("a system config key never set is 3008 'does not exists', which systemConfig reads as unset; other errors are not", () => {
    assert.equal(isUnsetConfigKey(errorOf("getSystemConfigByKey of a key never set")), true);
    assert.equal(isUnsetConfigKey(new RpcError("rpc", "node0", "getSystemConfigByKey", "x", 3008, "Get row: feature_balance failed!")), false);
    assert.equal(isUnsetConfigKey(errorOf("getTransactionReceipt of an unknown hash")), false);
  });

  test("an error reported as a C++ exception reads as its what(): 'Chain ID mismatch!', not 700 characters of signature", () => {
    const error = errorOf("sendTransaction with another chain id");
    assert.equal(error.code, -1);
    assert.equal(error.nodeMessage, "Chain ID mismatch!");
    assert.equal(error.message, "m failed: Chain ID mismatch! (code -1)");
  });

  test("NodeApi.systemConfig against the double: null for a key never set, the value for a genesis key", async () => {
    const client = new FiscoRpcClient({ name: "node1", url: double.url("node1") }, fixture.sdk);
    try {
      const api = new NodeApi(client, "group0");
      assert.equal(await api.systemConfig("feature_balance", 5_000), null);
      assert.deepEqual(await api.systemConfig("tx_gas_limit", 5_000), { value: "3000000000", blockNumber: 0 });
    } finally {
      client.close();
    }
  });
});

describe("TLS session resumption, which fisco-bcos v3.16.4 refuses", () => {
  // Seen on the real node: a second connection that offers the first one's session ticket gets a fatal
  // internal_error alert (openssl s_client -reconnect: "tlsv1 alert internal error ... SSL alert number 80").
  test("the double refuses a resumed session with an internal_error alert, as the node does", async () => {
    const agent = new https.Agent({ ...fixture.sdk, checkServerIdentity: () => undefined, minVersion: "TLSv1.2", maxVersion: "TLSv1.2" });
    const post = () =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(double.url("node2"));
        const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getBlockNumber", params: ["group0", ""] });
        const req = https.request(
          { method: "POST", hostname: url.hostname, port: url.port, agent, headers: { "content-length": Buffer.byteLength(body) } },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    try {
      const before = double.resumptionsRefused;
      assert.equal(await post(), 200);
      await assert.rejects(post(), (e: NodeJS.ErrnoException) => /alert internal error/.test(e.message) && /alert number 80/.test(e.message));
      assert.equal(double.resumptionsRefused, before + 1);
    } finally {
      agent.destroy();
    }
  });

  test("FiscoRpcClient reconnects after the node closed its connection without offering the old session", async () => {
    const client = new FiscoRpcClient({ name: "node3", url: double.url("node3") }, fixture.sdk);
    try {
      const before = double.resumptionsRefused;
      const api = new NodeApi(client, "group0");
      await api.blockNumber(5_000);
      double.closeConnections("node3");
      await new Promise((resolve) => setTimeout(resolve, 50));
      await api.blockNumber(5_000);
      assert.equal(double.resumptionsRefused, before);
    } finally {
      client.close();
    }
  });
});
