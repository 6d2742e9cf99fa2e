/** The post-deploy verifier: a library (runVerification), the CLI behind scripts/verify.ts, and the bundled Job. */
export { runVerification, type VerifyOptions } from "./run";
export { runCli } from "./cli";
export {
  formatJson,
  formatText,
  type CheckName,
  type CheckResult,
  type CheckStatus,
  type NodeReport,
  type ProbeResult,
  type VerificationReport,
} from "./report";
export type { SealerExpectation } from "./checks";
export type { NodeRole } from "./roles";
export type { RpcEndpoint, TlsMaterial } from "../fisco/rpc-client";
