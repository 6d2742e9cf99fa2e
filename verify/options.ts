import type { SealerExpectation } from "./checks";
import type { Deadline } from "./deadline";
import type { NodeApi } from "../fisco/native-api";
import type { RpcEndpoint, TlsMaterial } from "../fisco/rpc-client";

/** Everything runVerification needs; the CLI builds it from flags, a Pulumi hook from stack outputs. */
export interface VerifyOptions {
  /**
   * Native RPC endpoints, one per node (https:// with `tls`, or http:// when the node runs enable_ssl=false): the
   * nodes expected to be group members (sealers or observers on chain; endpoints.json rpc.nodes).
   */
  readonly rpc: readonly RpcEndpoint[];
  /**
   * Nodes declared but not expected to be group members yet (endpoints.json rpc.nonMembers): checked like the others
   * (reachable, genesis, peers, block hash, sync lag), reported with their role, never sent the probe unless the
   * chain already lists them as sealer or observer.
   */
  readonly nonMembers?: readonly RpcEndpoint[];
  /** Chain CA, SDK certificate and key as PEM text. */
  readonly tls?: TlsMaterial;
  /** Default group0. */
  readonly groupId?: string;
  /** When known (endpoints.json), the chain id every node must report. */
  readonly expectedChainId?: string;
  /** Web3 endpoints: when given, an ethers probe runs as well. */
  readonly web3?: readonly RpcEndpoint[];
  /** Funded key for the web3 probe (0x-hex). Never logged or reported. */
  readonly web3PrivateKey?: string;
  readonly expect?: SealerExpectation;
  /** Overall budget; default 300 s. */
  readonly timeoutMs?: number;
  /** Largest allowed height difference between nodes; default 10 (the SDK's SYNC_KEEP_UP_THRESHOLD). */
  readonly maxLag?: number;
  /** Send the test transactions; default true. */
  readonly probe?: boolean;
  /** Progress while waiting, one line at a time (the CLI writes them to stderr). */
  readonly onProgress?: (line: string) => void;
  /** Per-request cap; default 10 s. */
  readonly requestTimeoutMs?: number;
  /** Pause between polls; default 500 ms. */
  readonly pollIntervalMs?: number;
  /** Tests only: the value the probes write (0 makes them revert). */
  readonly probeValue?: bigint;
}

export const DEFAULTS = { groupId: "group0", timeoutMs: 300_000, maxLag: 10, requestTimeoutMs: 10_000, pollIntervalMs: 500 };

/** What every phase of a run shares. */
export interface Context {
  readonly options: VerifyOptions;
  /** Every node: the expected members (options.rpc) first, then options.nonMembers. */
  readonly apis: readonly NodeApi[];
  /** Names of the nodes in options.rpc. */
  readonly expectedMembers: ReadonlySet<string>;
  readonly deadline: Deadline;
  /** Kept back at the end for the final readings. */
  readonly reserveMs: number;
  readonly requestMs: number;
  readonly pollMs: number;
  readonly progress: (line: string) => void;
}
