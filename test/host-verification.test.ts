import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { verifyFromHost } from "../components/host-verification";
import { FiscoRpcDouble } from "../doubles/fisco-rpc-double";
import { chainFixture, type ChainFixture } from "../doubles/chain-fixture";

/** The resource hook's body (hooks never run under mocks), against FiscoRpcDouble over real mutual TLS. */
let fixture: ChainFixture;
let double: FiscoRpcDouble;

before(async () => {
  fixture = await chainFixture(4);
  double = await FiscoRpcDouble.start({ ca: fixture.ca, nodes: fixture.nodes, initialHeight: 3, sealTimeMs: 20, syncDelayMs: 10 });
});
after(() => double.close());

const inputs = () => ({
  rpc: double.names.map((name) => double.url(name)),
  tls: fixture.sdk,
  groupId: "group0",
  expectNodeIds: Object.values(fixture.nodeIds),
  timeoutSeconds: 10,
  probe: true,
});

describe("verifyFromHost (the host verification hook's body)", () => {
  test("resolves with the report when the chain is healthy, logging as it goes", async () => {
    const lines: string[] = [];
    const report = await verifyFromHost({ ...inputs(), log: (line) => lines.push(line) });
    assert.equal(report.ok, true);
    assert.match(report.probe?.txHash ?? "", /^0x[0-9a-f]{64}$/);
    assert.ok(
      lines.some((l) => /PASS/.test(l)),
      lines.join("\n"),
    );
  });

  test("throws with the failing checks when the sealers are not the genesis sealers", async () => {
    const wrong = Object.values(fixture.nodeIds).slice(1);
    await assert.rejects(verifyFromHost({ ...inputs(), expectNodeIds: wrong, probe: false }), /post-deploy verification failed:[\s\S]*FAIL/);
  });
});
