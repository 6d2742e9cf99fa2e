import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { keccak256 } from "ethers";
import { accountFromPrivateKeyHex } from "../chain/keys";
import type { DeclaredMember } from "../chain/membership-plan";
import { membershipFromHost } from "../components/host-membership";
import { chainFixture, type ChainFixture } from "../doubles/chain-fixture";
import { ConsensusContractsDouble } from "../doubles/consensus-precompiled";
import { FiscoRpcDouble } from "../doubles/fisco-rpc-double";
import { k8sObject, runChain } from "./support/offline-chain";

/*
 * membership.hostRpcEndpoints: the program registers a hook that runs the membership executor from the machine
 * running `pulumi up` (hooks never run under mocks); its body runs here against FiscoRpcDouble (a test double of
 * FISCO's native RPC with the consensus precompiled contract's rules, over real mutual TLS).
 */

const ADMIN_KEY = keccak256(Buffer.from("host-membership admin"));
const FAST_SYNC_SECONDS = 2;
let fixture: ChainFixture;
let double: FiscoRpcDouble;
let contracts: ConsensusContractsDouble;

before(async () => {
  fixture = await chainFixture(5);
  contracts = new ConsensusContractsDouble(accountFromPrivateKeyHex(ADMIN_KEY).address);
  const genesisSealers = fixture.nodes.slice(0, 4).map((n) => ({ nodeId: n.nodeId, weight: 1 }));
  double = await FiscoRpcDouble.start({
    ca: fixture.ca,
    nodes: fixture.nodes,
    sealers: genesisSealers,
    chainId: "chain0",
    initialHeight: 5,
    sealTimeMs: 15,
    syncDelayMs: 10,
    systemContracts: contracts.contracts,
  });
});
after(() => double?.close());

const declared = (count: number): DeclaredMember[] => fixture.nodes.slice(0, count).map((n) => ({ name: n.name, nodeId: n.nodeId, role: "sealer", weight: 1 }));
const inputs = (members: DeclaredMember[], log?: (line: string) => void) => ({
  rpc: double.names.map((name) => double.url(name)),
  tls: fixture.sdk,
  groupId: "group0",
  chainId: "chain0",
  authCheck: false,
  declared: members,
  adminKey: ADMIN_KEY,
  syncTimeoutSeconds: FAST_SYNC_SECONDS,
  log,
});

describe("membershipFromHost (the membership hook's body)", () => {
  test("a node added to the stack joins as an observer, then as a sealer; the next run sends nothing; the key is never logged", async () => {
    const lines: string[] = [];
    const report = await membershipFromHost(inputs(declared(5), (line) => lines.push(line)));
    assert.equal(report.ok, true, report.failure ?? "");
    assert.deepEqual(
      report.applied.map((a) => `${a.step.action} ${a.step.name}`),
      ["addObserver node4", "addSealer node4"],
    );
    assert.equal(report.after?.sealers.length, 5);
    assert.ok(!lines.join("\n").includes(ADMIN_KEY.slice(2)), "the admin key is never logged");
    assert.ok(
      lines.some((l) => /addSealer/.test(l)),
      lines.join("\n"),
    );

    const again = await membershipFromHost(inputs(declared(5)));
    assert.deepEqual(again.applied, []);
    assert.deepEqual(
      contracts.calls.map((c) => c.method),
      ["addObserver", "addSealer"],
    );
  });

  test("a plan that would lose quorum fails the hook with the numbers, and sends nothing", async () => {
    const sent = contracts.calls.length;
    await assert.rejects(membershipFromHost(inputs(declared(2))), /membership: the chain does not match the stack's sealers and observers:[\s\S]*refused/);
    assert.equal(contracts.calls.length, sent);
  });
});

describe("the program with membership.hostRpcEndpoints", () => {
  test("a membership hook after the workloads, before the host verification; the Job leaves the sealer set to it", async () => {
    const endpoints = ["https://127.0.0.1:20200"];
    const run = await runChain({ membership: { hostRpcEndpoints: endpoints }, verification: { hostRpcEndpoints: endpoints } });
    assert.deepEqual([...run.engine.hooks].sort(), ["fisco-host-membership-apply", "fisco-host-verification-verify"]);
    const marker = run.engine.resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.name === "fisco-host-membership")!;
    assert.deepEqual(marker.options?.hooks, { afterCreateList: ["fisco-host-membership-apply"], afterUpdateList: ["fisco-host-membership-apply"] });
    assert.equal(marker.inputs.metadata.name, "fisco-membership-request");
    const declaredSet = JSON.parse(marker.inputs.data.declared) as DeclaredMember[];
    assert.deepEqual(
      declaredSet.map((d) => [d.name, d.nodeId, d.role, d.weight]),
      Object.entries(run.outputs.nodeIds).map(([name, id]) => [name, id, "sealer", 1]),
    );
    assert.doesNotMatch(JSON.stringify(marker.inputs), /PRIVATE|adminPrivateKey/);
    assert.ok(!JSON.stringify(marker.inputs).includes(String(run.outputs.adminPrivateKey).slice(2)), "the admin key is not in the cluster");
    const job = run.engine.kubernetesObjects().find((r) => r.inputs.kind === "Job")!.inputs;
    assert.ok(
      !job.spec.template.spec.containers[0].args.some((a: string) => a.startsWith("--expect-node-ids")),
      "the Job runs before membership: no sealer-set expectation",
    );
    assert.ok(k8sObject(run, "ConfigMap", "fisco-membership-request"));
  });

  test("without it: no membership hook, and the Job expects the genesis sealers", async () => {
    const run = await runChain({});
    assert.deepEqual(run.engine.hooks, []);
    const job = run.engine.kubernetesObjects().find((r) => r.inputs.kind === "Job")!.inputs;
    assert.ok(job.spec.template.spec.containers[0].args.some((a: string) => a.startsWith("--expect-node-ids=")));
  });
});
