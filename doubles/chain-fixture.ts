import { pulumiConfigFromStackFile } from "../chain/stack-config";
import { runProgramOffline, type OfflineRun } from "../offline/mocks/run-program";
import type { DoubleNodeIdentity } from "./fisco-rpc-double";

/** Certificates and ids the project's own PKI made (the real Pulumi program, run offline), for the double and the client. */
export interface ChainFixture {
  readonly ca: string;
  /** The SDK Secret's ca.crt, sdk.crt, sdk.key. */
  readonly sdk: { readonly ca: string; readonly cert: string; readonly key: string };
  /** The SDK Secret's endpoints.json text (cluster DNS names; tests point it at the double). */
  readonly endpointsJson: string;
  readonly nodes: readonly DoubleNodeIdentity[];
  readonly nodeIds: Readonly<Record<string, string>>;
}

/** Run the program offline for `nodeCount` sealers node0…; the chain's CA, SDK files and each node's TLS identity. */
export async function chainFixture(nodeCount = 4): Promise<ChainFixture> {
  const nodes = Array.from({ length: nodeCount }, (_, i) => ({ name: `node${i}` }));
  const run = await runProgramOffline({ stack: "test", config: pulumiConfigFromStackFile({ "fisco-bcos:nodes": nodes }) });
  const sdk = secretData(run, "fisco-sdk");
  const nodeIds = run.outputs.nodeIds as Record<string, string>;
  const identities = Object.keys(nodeIds).map((name) => {
    const keys = secretData(run, `fisco-${name}-keys`);
    return { name, nodeId: nodeIds[name], cert: keys["ssl.crt"], key: keys["ssl.key"] };
  });
  return {
    ca: run.outputs.caCertificate,
    sdk: { ca: sdk["ca.crt"], cert: sdk["sdk.crt"], key: sdk["sdk.key"] },
    endpointsJson: sdk["endpoints.json"],
    nodes: identities,
    nodeIds,
  };
}

/** A registered Secret's stringData. @throws when the program registered no Secret of that name. */
function secretData(run: OfflineRun, name: string): Record<string, string> {
  const found = run.engine.kubernetesObjects().find((r) => r.inputs.kind === "Secret" && r.inputs.metadata?.name === name);
  if (!found) throw new Error(`no Secret ${name} registered`);
  return found.inputs.stringData as Record<string, string>;
}
