import * as pulumi from "@pulumi/pulumi";
import { ChainConfigError, parseChainSpec, type ParsedSpec } from "./chain/spec";
import { rawConfigFromPulumi } from "./chain/stack-config";
import { FiscoBcosChain } from "./components/fisco-bcos-chain";

/** The Pulumi program: read and validate the stack config, build the chain, return the stack outputs. */
export function fiscoBcosProgram() {
  const { spec, warnings } = parseStackConfig();
  for (const warning of warnings) pulumi.log.warn(warning);
  const chain = new FiscoBcosChain(spec.chainName, { spec });
  return {
    namespace: spec.namespace,
    nodeIds: chain.nodeIds,
    adminAddress: chain.adminAddress,
    adminPrivateKey: chain.adminPrivateKey,
    genesisDigest: chain.genesisDigest,
    caCertificate: chain.caCertPem,
    certificateExpiry: chain.certificateExpiry,
    endpoints: chain.endpoints,
    sdkSecretName: chain.sdkSecretName,
    chartValues: chain.chartValues,
    verification: chain.verification,
    declaredMembers: chain.declaredMembers,
    formerNodeIds: chain.formerNodeIds,
  };
}

/** The stack config as a ChainSpec; a bad config stops the program with the message alone (RunError: no stack trace). */
function parseStackConfig(): ParsedSpec {
  try {
    return parseChainSpec(rawConfigFromPulumi(pulumi.runtime.allConfig()));
  } catch (error) {
    if (error instanceof ChainConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}
