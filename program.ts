import * as pulumi from "@pulumi/pulumi";
import { parseChainSpec } from "./chain/spec";
import { rawConfigFromPulumi } from "./chain/stack-config";
import { FiscoBcosChain } from "./components/fisco-bcos-chain";

/** The Pulumi program: read and validate the stack config, build the chain, return the stack outputs. */
export function fiscoBcosProgram() {
  const { spec, warnings } = parseChainSpec(rawConfigFromPulumi(pulumi.runtime.allConfig()));
  for (const warning of warnings) pulumi.log.warn(warning);
  const chain = new FiscoBcosChain(spec.chainName, { spec });
  return {
    namespace: spec.namespace,
    nodeIds: chain.nodeIds,
    adminAddress: chain.adminAddress,
    adminPrivateKey: chain.adminPrivateKey,
    genesisDigest: chain.genesisDigest,
    caCertificate: chain.caCertPem,
    endpoints: chain.endpoints,
    sdkSecretName: chain.sdkSecretName,
    chartValues: chain.chartValues,
    verification: chain.verification,
  };
}
