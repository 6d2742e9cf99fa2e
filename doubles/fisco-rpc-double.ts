import { randomBytes } from "node:crypto";
import { once } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import * as https from "node:https";
import { connect, createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { Signature, SigningKey, computeAddress, keccak256 } from "ethers";
import type { MembershipTable, SystemContract } from "./system-contract";
import { copyState, deploy, execute, genesisState, type ChainState } from "./fisco-executor";

/**
 * FiscoRpcDouble: a TEST DOUBLE of FISCO BCOS 3.x's native JSON-RPC (port 20200), not a FISCO node.
 *
 * It serves N simulated nodes, each on its own loopback port over REAL mutual TLS 1.2 (the node's ssl.crt/ssl.key,
 * client certificates required and checked against the chain CA), with one shared ledger. It answers the methods
 * the project's clients call with the JSON shapes FISCO v3.16.4 produces (JsonRpcImpl_2_0.cpp; getSyncStatus and
 * getConsensusStatus as JSON inside a string), rejects string ids and non-array params as the real parser does, and
 * for sendTransaction it decodes the tars bytes with its own reader, recomputes the transaction hash from the
 * decoded fields, recovers the sender from the 65-byte r‖s‖v signature and applies the txpool checks (chain id,
 * group id, block limit, nonce). A broken encoder, hasher or signer therefore fails here as it would on a node.
 * Its answers are held to a real fisco-bcos v3.16.4's (test/fixtures/real-node/, test/rpc-conformance.test.ts), and like
 * that node it refuses a TLS session resumption with an internal_error alert.
 *
 * Contract execution is not an EVM (doubles/fisco-executor.ts): deploys of the verifier's probe and of the load
 * generator's benchmark contract are recognised by their creation code and their functions simulated; anything else
 * reverts; SystemConfigPrecompiled's feature switches and BalancePrecompiled run as v3.16.4 runs them; system
 * contracts of other modules plug in through `systemContracts`. Blocks are sealed only when there are transactions,
 * as FISCO 3.x does, at most block_tx_count_limit at a time; beyond the txpool limit it answers TxPoolIsFull.
 *
 * Membership: the sealer list (default every node) and the observer list (default empty) are the chain's, answered
 * by getSealerList and getObserverList alike on every node. A node in neither is a free node: it answers and syncs
 * (as with `[sync] allow_free_node=true`), but a transaction sent through it is kept in its own pool and never sealed,
 * since the members drop transactions forwarded by free nodes; `received` records which node took each transaction.
 */

export interface DoubleNodeIdentity {
  readonly name: string;
  /** 128-hex consensus node id (node.nodeid). */
  readonly nodeId: string;
  /** ssl.crt / ssl.key: the node's TLS identity. */
  readonly cert: string;
  readonly key: string;
}

export interface FiscoRpcDoubleOptions {
  /** The chain CA: the only issuer whose client certificates the nodes accept. */
  readonly ca: string;
  readonly nodes: readonly DoubleNodeIdentity[];
  readonly chainId?: string;
  readonly groupId?: string;
  /** Sealers as in config.genesis; default every node with weight 1. */
  readonly sealers?: readonly { readonly nodeId: string; readonly weight: number }[];
  /**
   * Observers (node ids), as added on chain with addObserver; default none. A node in neither list is a free node:
   * it serves the RPC and syncs (`[sync] allow_free_node=true`), but a transaction sent through it never gets sealed.
   */
  readonly observers?: readonly string[];
  /** Blocks already on the chain when the double starts (empty filler blocks). */
  readonly initialHeight?: number;
  /** Time from a transaction's arrival to its block (FISCO: min_seal_time and consensus). */
  readonly sealTimeMs?: number;
  /** How long a committed block takes to reach each node. */
  readonly syncDelayMs?: number;
  /** genesis [executor] is_auth_check, reported as getGroupInfo nodeList[].iniConfig isAuthCheck. */
  readonly authCheck?: boolean;
  /** System contracts simulated in their own modules (doubles/system-contract.ts), e.g. consensus and committee. */
  readonly systemContracts?: readonly SystemContract[];
  /** genesis [chain] block_limit. */
  readonly blockLimit?: number;
  /** genesis [consensus] block_tx_count_limit: transactions per block (default 1000); the rest wait for the next. */
  readonly blockTxCountLimit?: number;
  /** config.ini [txpool] limit: pending transactions beyond it are refused with TxPoolIsFull 10002 (default 15000). */
  readonly poolLimit?: number;
  /** The committee's governors (the genesis auth_admin_account): registered as balance callers with the feature. */
  readonly governors?: readonly string[];
}

type Mode = "up" | "down" | "hang";

interface NodeState {
  readonly identity: DoubleNodeIdentity;
  readonly index: number;
  /** The listening front (the ClientHello check), which hands connections to the node's https server. */
  server: Server;
  readonly sockets: Set<Socket>;
  port: number;
  mode: Mode;
  genesisHash: string;
  groupId: string;
  chainId: string;
  lag: number;
  diverged: boolean;
  readonly hiddenPeers: Set<string>;
}

export interface ReceivedTransaction {
  readonly node: string;
  readonly hash: string;
  readonly sender: string;
  readonly version: number;
  readonly to: string;
  readonly nonce: string;
  readonly blockLimit: bigint;
  readonly attribute: number;
}

interface ExecutedTransaction extends ReceivedTransaction {
  readonly receipt: Record<string, unknown>;
}

interface Block {
  readonly number: number;
  readonly txs: readonly ExecutedTransaction[];
  readonly committedAt: number;
  /** Chain state after this block (contracts, system config, balances). */
  readonly state: ChainState;
}

interface Pending {
  readonly node: NodeState;
  readonly tx: DecodedTransaction;
  readonly hash: string;
  readonly sender: string;
  readonly respond: (receipt: Record<string, unknown>) => void;
}

export interface RequestLogEntry {
  readonly node: string;
  readonly method: string;
  readonly id: unknown;
  readonly params: unknown;
}

// ---------------------------------------------------------------------------------------------------------------
// tars reader, written independently of fisco/tars.ts (TarsCpp servant/tup/Tars.h TarsInputStream semantics)

type TarsValue = bigint | number | Buffer | TarsStruct | TarsValue[] | Map<TarsValue, TarsValue>;
type TarsField = { readonly type: number; readonly value: TarsValue };
type TarsStruct = Map<number, TarsField>;

class TarsReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Error(`tars: truncated at byte ${this.pos}`);
  }

  head(): { tag: number; type: number } {
    this.need(1);
    const b = this.buf[this.pos++];
    let tag = b >> 4;
    if (tag === 15) {
      this.need(1);
      tag = this.buf[this.pos++];
    }
    return { tag, type: b & 0x0f };
  }

  private take(n: number): Buffer {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return Buffer.from(out);
  }

  private integer(): bigint {
    const { type } = this.head();
    const v = this.value(type);
    if (typeof v !== "bigint") throw new Error("tars: expected an integer");
    return v;
  }

  value(type: number): TarsValue {
    switch (type) {
      case 0:
        return BigInt(this.take(1).readInt8(0));
      case 1:
        return BigInt(this.take(2).readInt16BE(0));
      case 2:
        return BigInt(this.take(4).readInt32BE(0));
      case 3:
        return this.take(8).readBigInt64BE(0);
      case 4:
        return this.take(4).readFloatBE(0);
      case 5:
        return this.take(8).readDoubleBE(0);
      case 6:
        return this.take(this.take(1)[0]);
      case 7:
        return this.take(this.take(4).readUInt32BE(0));
      case 8: {
        const n = Number(this.integer());
        const map = new Map<TarsValue, TarsValue>();
        for (let i = 0; i < n; i++) map.set(this.value(this.head().type), this.value(this.head().type));
        return map;
      }
      case 9: {
        const n = Number(this.integer());
        return Array.from({ length: n }, () => this.value(this.head().type));
      }
      case 10:
        return this.struct(true);
      case 12:
        return 0n;
      case 13: {
        const inner = this.head();
        if (inner.type !== 0 || inner.tag !== 0) throw new Error("tars: SimpleList of something other than bytes");
        return this.take(Number(this.integer()));
      }
      default:
        throw new Error(`tars: unexpected type ${type} at byte ${this.pos}`);
    }
  }

  /** Fields until StructEnd (nested) or the end of the buffer (top level). */
  struct(nested: boolean): TarsStruct {
    const fields: TarsStruct = new Map();
    let lastTag = -1;
    for (;;) {
      if (!nested && this.done) return fields;
      const { tag, type } = this.head();
      if (type === 11) {
        if (!nested) throw new Error("tars: StructEnd at top level");
        return fields;
      }
      if (tag <= lastTag) throw new Error(`tars: tag ${tag} after tag ${lastTag} (tags must ascend)`);
      lastTag = tag;
      fields.set(tag, { type, value: this.value(type) });
    }
  }
}

export interface DecodedTransaction {
  readonly version: number;
  readonly chainId: string;
  readonly groupId: string;
  readonly blockLimit: bigint;
  readonly nonce: Buffer;
  readonly to: string;
  readonly input: Buffer;
  readonly abi: Buffer;
  readonly value: Buffer;
  readonly gasPrice: Buffer;
  readonly gasLimit: bigint;
  readonly maxFeePerGas: Buffer;
  readonly maxPriorityFeePerGas: Buffer;
  readonly extension: Buffer;
  readonly dataHash: Buffer;
  readonly signature: Buffer;
  readonly attribute: number;
  readonly extraData: string;
  readonly type: number;
}

const INT_TYPES = new Set([0, 1, 2, 12]);
const LONG_TYPES = new Set([0, 1, 2, 3, 12]);

function field(fields: TarsStruct, tag: number, kind: "int" | "long" | "string" | "bytes" | "byte", name: string): bigint | Buffer {
  const f = fields.get(tag);
  if (!f) return kind === "string" || kind === "bytes" ? Buffer.alloc(0) : 0n;
  const ok =
    kind === "int"
      ? INT_TYPES.has(f.type)
      : kind === "long"
        ? LONG_TYPES.has(f.type)
        : kind === "byte"
          ? f.type === 0 || f.type === 12
          : kind === "string"
            ? f.type === 6 || f.type === 7
            : f.type === 13 || f.type === 9;
  if (!ok) throw new Error(`tars: field ${name} (tag ${tag}) has wire type ${f.type}`);
  if (Array.isArray(f.value)) return Buffer.from(f.value.map((x) => Number(x) & 0xff));
  return f.value as bigint | Buffer;
}

/** Decode a whole bcostars::Transaction as the node's TransactionFactoryImpl does. */
export function decodeTransaction(bytes: Buffer): DecodedTransaction {
  const top = new TarsReader(bytes).struct(false);
  const data = top.get(1);
  if (!data || data.type !== 10) throw new Error("tars: Transaction has no data struct (tag 1)");
  const d = data.value as TarsStruct;
  const s = (tag: number, name: string) => field(d, tag, "string", name) as Buffer;
  return {
    version: Number(field(d, 1, "int", "version")),
    chainId: s(2, "chainID").toString("latin1"),
    groupId: s(3, "groupID").toString("latin1"),
    blockLimit: field(d, 4, "long", "blockLimit") as bigint,
    nonce: s(5, "nonce"),
    to: s(6, "to").toString("latin1"),
    input: field(d, 7, "bytes", "input") as Buffer,
    abi: s(8, "abi"),
    value: s(9, "value"),
    gasPrice: s(10, "gasPrice"),
    gasLimit: field(d, 11, "long", "gasLimit") as bigint,
    maxFeePerGas: s(12, "maxFeePerGas"),
    maxPriorityFeePerGas: s(13, "maxPriorityFeePerGas"),
    extension: field(d, 14, "bytes", "extension") as Buffer,
    dataHash: field(top, 2, "bytes", "dataHash") as Buffer,
    signature: field(top, 3, "bytes", "signature") as Buffer,
    attribute: Number(field(top, 5, "int", "attribute")),
    extraData: (field(top, 8, "string", "extraData") as Buffer).toString("utf8"),
    type: Number(field(top, 9, "byte", "type")),
  };
}

/** TarsHashable.h: keccak256 over the raw field bytes; numbers big-endian; v1 and v2 add their fields. */
export function hashDecoded(tx: DecodedTransaction): string {
  const be = (v: bigint, n: number) => {
    const b = Buffer.alloc(n);
    if (n === 4) b.writeInt32BE(Number(v));
    else b.writeBigInt64BE(v);
    return b;
  };
  const parts = [
    be(BigInt(tx.version), 4),
    Buffer.from(tx.chainId, "latin1"),
    Buffer.from(tx.groupId, "latin1"),
    be(tx.blockLimit, 8),
    tx.nonce,
    Buffer.from(tx.to, "latin1"),
    tx.input,
    tx.abi,
  ];
  if (tx.version >= 1) parts.push(tx.value, tx.gasPrice, be(tx.gasLimit, 8), tx.maxFeePerGas, tx.maxPriorityFeePerGas);
  if (tx.version >= 2) parts.push(tx.extension);
  return keccak256(Buffer.concat(parts));
}

/** Secp256k1Crypto::recoverAddress: 65 bytes, v the raw recovery id (0 or 1); null when it does not recover. */
export function recoverSender(hash: string, signature: Buffer): string | null {
  if (signature.length !== 65 || signature[64] > 1) return null;
  try {
    const sig = Signature.from({
      r: `0x${signature.subarray(0, 32).toString("hex")}`,
      s: `0x${signature.subarray(32, 64).toString("hex")}`,
      yParity: signature[64] as 0 | 1,
    });
    return computeAddress(SigningKey.recoverPublicKey(hash, sig)).toLowerCase();
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** getGroupInfo nodeList[].featureKeys: the features a v3.16.4 node knows, in the order it answered them. */
const FEATURE_KEYS = [
  "bugfix_revert",
  "bugfix_statestorage_hash",
  "bugfix_evm_create2_delegatecall_staticcall_codecopy",
  "bugfix_event_log_order",
  "bugfix_call_noaddr_return",
  "bugfix_precompiled_codehash",
  "bugfix_dmc_revert",
  "bugfix_keypage_system_entry_hash",
  "bugfix_internal_create_redundant_storage",
  "bugfix_internal_create_permission_denied",
  "bugfix_sharding_call_in_child_executive",
  "bugfix_empty_abi_reset",
  "bugfix_eip55_addr",
  "bugfix_eoa_as_contract",
  "bugfix_eoa_match_failed",
  "bugfix_evm_exception_gas_used",
  "bugfix_dmc_deploy_gas_used",
  "bugfix_staticcall_noaddr_return",
  "bugfix_support_transfer_receive_fallback",
  "bugfix_set_row_with_dirty_flag",
  "bugfix_rpbft_vrf_blocknumber_input",
  "bugfix_delete_account_code",
  "bugfix_policy1_empty_code_address",
  "bugfix_precompiled_gasused",
  "bugfix_nonce_not_increase_when_revert",
  "bugfix_set_contract_nonce_when_create",
  "bugfix_precompiled_gascalc",
  "bugfix_method_auth_sender",
  "bugfix_precompiled_evm_status",
  "bugfix_delegatecall_transfer",
  "bugfix_nonce_initialize",
  "bugfix_v1_timestamp",
  "bugfix_revert_logs",
  "feature_dmc2serial",
  "feature_sharding",
  "feature_rpbft",
  "feature_paillier",
  "feature_balance",
  "feature_balance_precompiled",
  "feature_balance_policy1",
  "feature_paillier_add_raw",
  "feature_evm_cancun",
  "feature_evm_timestamp",
  "feature_evm_address",
  "feature_rpbft_term_weight",
  "feature_raw_address",
  "feature_rpbft_vrf_type_secp256k1",
  "feature_balance_policy2",
] as const;

/** getGroupInfo nodeList[].supportConfigs, as v3.16.4 answered them. */
const SUPPORT_CONFIGS = [
  "tx_gas_limit",
  "tx_gas_price",
  "tx_count_limit",
  "consensus_leader_period",
  "auth_check_status",
  "compatibility_version",
  "feature_rpbft",
  "feature_rpbft_epoch_block_num",
  "feature_rpbft_epoch_sealer_num",
  "feature_rpbft_notify_rotate",
  "feature_balance_precompiled",
  "web3_chain_id",
  "balance_transfer",
  "executor_version",
] as const;

/** A TLS 1.2 fatal alert record, internal_error (80): what fisco-bcos v3.16.4 answers a resumption attempt with. */
const TLS_ALERT_INTERNAL_ERROR = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x50]);

/**
 * Whether a TLS ClientHello (the first record a client sends) offers a session ticket to resume: a non-empty
 * session_ticket extension (35). A hello that does not parse is let through.
 */
export function offersSessionTicket(record: Buffer): boolean {
  try {
    if (record[0] !== 0x16 || record[5] !== 0x01) return false;
    let at = 5 + 4 + 2 + 32; // record header, handshake header, client_version, random
    at += 1 + record[at]; // session_id
    at += 2 + record.readUInt16BE(at); // cipher_suites
    at += 1 + record[at]; // compression_methods
    const end = at + 2 + record.readUInt16BE(at);
    at += 2;
    while (at + 4 <= end && at + 4 <= record.length) {
      const [type, length] = [record.readUInt16BE(at), record.readUInt16BE(at + 2)];
      if (type === 35) return length > 0;
      at += 4 + length;
    }
    return false;
  } catch {
    return false;
  }
}

/**
 * How fisco-bcos v3.16.4 reports a C++ exception in a JSON-RPC error message (boost::diagnostic_information): where it
 * was thrown, its type, then its what().
 */
function cppException(where: string, fn: string, type: string, what: string): string {
  return `${where}: Throw in function ${fn}\nDynamic exception type: ${type}\nstd::exception::what: ${what}\n`;
}

class RpcFault extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const NO_RESPONSE = Symbol("no response");

export class FiscoRpcDouble {
  readonly chainId: string;
  readonly groupId: string;
  readonly genesisHash = randomBytes(32).toString("hex");
  readonly received: ReceivedTransaction[] = [];
  readonly requests: RequestLogEntry[] = [];
  private readonly nodes: NodeState[] = [];
  private readonly blocks: Block[] = [];
  private readonly pool: Pending[] = [];
  private readonly seenNonces = new Set<string>();
  private sealers: { nodeId: string; weight: number }[];
  private observers: string[];
  /** Transactions a free node took into its own pool: the sealers drop what it forwards, so they never seal. */
  private readonly stranded: Pending[] = [];
  private sealTimer: NodeJS.Timeout | undefined;
  private stalled = false;
  private revertWrites = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(private readonly options: FiscoRpcDoubleOptions) {
    this.chainId = options.chainId ?? "chain0";
    this.groupId = options.groupId ?? "group0";
    this.sealers = [...(options.sealers ?? options.nodes.map((n) => ({ nodeId: n.nodeId, weight: 1 })))];
    this.observers = [...(options.observers ?? [])];
    const initial = options.initialHeight ?? 0;
    const past = Date.now() - 1000 * (initial + 1);
    for (let n = 0; n <= initial; n++)
      this.blocks.push({ number: n, txs: [], committedAt: past + 1000 * n, state: genesisState(20200, options.blockTxCountLimit ?? 1000) });
  }

  static async start(options: FiscoRpcDoubleOptions): Promise<FiscoRpcDouble> {
    const double = new FiscoRpcDouble(options);
    await Promise.all(options.nodes.map((identity, index) => double.listen(identity, index)));
    return double;
  }

  private async listen(identity: DoubleNodeIdentity, index: number, port = 0): Promise<void> {
    const existing = this.nodes[index];
    const tlsServer = https.createServer(
      {
        key: identity.key,
        cert: identity.cert,
        ca: this.options.ca,
        requestCert: true,
        rejectUnauthorized: true,
        minVersion: "TLSv1.2",
        maxVersion: "TLSv1.2",
      },
      (req, res) => this.onRequest(this.nodes[index], req, res),
    );
    tlsServer.on("tlsClientError", () => undefined);
    const sockets = existing?.sockets ?? new Set<Socket>();
    tlsServer.on("secureConnection", (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    // fisco-bcos v3.16.4 issues TLS session tickets but answers every attempt to resume one with a fatal
    // internal_error alert (its RPC sets verify-peer without a session id context), so a client must never offer
    // one: the front reads each ClientHello and does the same, within one run of the server (a restart has new keys).
    // (TLS reads the socket's handle, so the checked bytes cannot be given back: the front relays to the https server.)
    tlsServer.listen(0, "127.0.0.1");
    await once(tlsServer, "listening");
    const inner = (tlsServer.address() as AddressInfo).port;
    const server = createServer((raw) => {
      raw.on("error", () => undefined);
      raw.once("data", (hello: Buffer) => {
        if (offersSessionTicket(hello)) {
          this.resumptionsRefused++;
          raw.end(TLS_ALERT_INTERNAL_ERROR);
          return;
        }
        const relay = connect({ host: "127.0.0.1", port: inner }, () => {
          relay.write(hello);
          raw.pipe(relay).pipe(raw);
        });
        relay.on("error", () => raw.destroy());
        raw.on("close", () => relay.destroy());
        relay.on("close", () => raw.destroy());
      });
    });
    server.on("close", () => tlsServer.close());
    server.listen(port, "127.0.0.1");
    await once(server, "listening");
    const state: NodeState = existing ?? {
      identity,
      index,
      server,
      sockets,
      port: 0,
      mode: "up",
      genesisHash: this.genesisHash,
      groupId: this.groupId,
      chainId: this.chainId,
      lag: 0,
      diverged: false,
      hiddenPeers: new Set(),
    };
    state.server = server;
    state.port = (server.address() as AddressInfo).port;
    this.nodes[index] = state;
  }

  // ------------------------------------------------------------------------------------------- addressing

  get names(): string[] {
    return this.nodes.map((n) => n.identity.name);
  }

  url(name: string): string {
    return `https://127.0.0.1:${this.node(name).port}`;
  }

  /** name → URL, the shape of endpoints.json's rpc.nodes. */
  endpoints(): Record<string, string> {
    return Object.fromEntries(this.nodes.map((n) => [n.identity.name, this.url(n.identity.name)]));
  }

  get height(): number {
    return this.blocks.length - 1;
  }

  private node(name: string): NodeState {
    const n = this.nodes.find((x) => x.identity.name === name);
    if (!n) throw new Error(`the double has no node ${name}`);
    return n;
  }

  // ------------------------------------------------------------------------------------------- fault injection

  /** The node runs on another genesis (its genesis hash and therefore its block hashes differ). */
  otherGenesis(name: string): void {
    const n = this.node(name);
    n.genesisHash = randomBytes(32).toString("hex");
  }

  /** `name` has no connection to `peer` (absent from its sync peers). */
  hidePeer(name: string, peer: string): void {
    this.node(name).hiddenPeers.add(peer);
  }

  /** Consensus stops: transactions are accepted into the pool but never sealed. */
  stall(): void {
    this.stalled = true;
    clearTimeout(this.sealTimer);
  }

  /** The node process is gone: its port refuses connections. */
  async down(name: string): Promise<void> {
    const n = this.node(name);
    n.mode = "down";
    for (const s of n.sockets) s.destroy();
    n.server.close();
    await once(n.server, "close").catch(() => undefined);
  }

  /** The node process is back, on the same port. */
  async up(name: string): Promise<void> {
    const n = this.node(name);
    await this.listen(n.identity, n.index, n.port);
    n.mode = "up";
  }

  /**
   * The node closes its clients' connections cleanly (a TLS close_notify, then FIN) and keeps running, with the same
   * session ticket keys: a client that reconnects and offers the session it had is refused, as fisco-bcos refuses it.
   */
  closeConnections(name: string): void {
    for (const s of this.node(name).sockets) (s as Socket & { end(): void }).end();
  }

  /** How many ClientHellos offered a session ticket (and were refused with an internal_error alert). */
  resumptionsRefused = 0;

  /** The node accepts connections and requests but never answers. */
  hang(name: string): void {
    this.node(name).mode = "hang";
  }

  /** The next `count` writes to a probe contract revert (status 16), as a failing require would. */
  revertProbeWrites(count = 1): void {
    this.revertWrites = count;
  }

  /** The node stays `blocks` behind the chain head. */
  lag(name: string, blocks: number): void {
    this.node(name).lag = blocks;
  }

  /** The node's blocks have different hashes than everyone else's (a fork). */
  diverge(name: string): void {
    this.node(name).diverged = true;
  }

  /** The node serves another group, so getGroupInfo for ours answers nothing. */
  serveGroup(name: string, groupId: string): void {
    this.node(name).groupId = groupId;
  }

  setSealers(sealers: readonly { nodeId: string; weight: number }[]): void {
    this.sealers = [...sealers];
  }

  /** The on-chain observer list (addObserver / removeNode), every node's ledger alike. */
  setObservers(nodeIds: readonly string[]): void {
    this.observers = [...nodeIds];
  }

  /** A sealer or an observer; any other node is a free node. */
  isMember(name: string): boolean {
    const id = this.node(name).identity.nodeId;
    return this.sealers.some((s) => s.nodeId === id) || this.observers.includes(id);
  }

  // ------------------------------------------------------------------------------------------- system contracts

  private get membership(): MembershipTable {
    return { sealers: this.sealers, observers: this.observers };
  }

  /** getGroupInfo nodeList[].iniConfig: a JSON string (PBFTInitializer::generateIniConfig). */
  /** nodeList[].iniConfig of getGroupInfo: JSON in a string, ending in a newline, as fisco-bcos v3.16.4 answered. */
  private iniConfig(n: NodeState): string {
    const binaryInfo = { buildTime: "20260101 00:00:00", gitCommitHash: "fb904507481607d24ca07a2743444ddf77500798", platform: "Linux/g++", version: "3.16.4" };
    const ini = {
      binaryInfo,
      chainID: n.chainId,
      gatewayServiceName: "",
      groupID: n.groupId,
      isAuthCheck: this.options.authCheck ?? false,
      isSerialExecute: true,
      isWasm: false,
      nodeID: n.identity.nodeId,
      nodeName: n.identity.nodeId,
      rpcServiceName: "",
      smCryptoType: false,
    };
    return `${JSON.stringify(ini)}\n`;
  }

  /**
   * getGroupInfo [group] as fisco-bcos v3.16.4 answered it (test/fixtures/real-node/): the genesis in a JSON string,
   * an empty group iniConfig, and one nodeList entry, the answering node, named by its node id.
   */
  private groupInfo(n: NodeState): Record<string, unknown> {
    const genesis = {
      blockTxCountLimit: this.options.blockTxCountLimit ?? 1000,
      consensusLeaderPeriod: 1,
      consensusType: "pbft",
      sealerList: this.sealers.map((s) => ({ nodeID: s.nodeId, weight: s.weight })),
      txGasLimit: 3_000_000_000,
    };
    const node = {
      featureKeys: [...FEATURE_KEYS],
      iniConfig: this.iniConfig(n),
      microService: false,
      name: n.identity.nodeId,
      nodeID: n.identity.nodeId,
      protocol: { compatibilityVersion: 0x3100000, maxSupportedVersion: 2, minSupportedVersion: 0 },
      serviceInfo: [
        { serviceName: "LedgerServiceObj", type: 2 },
        { serviceName: "SchedulerServiceObj", type: 3 },
        { serviceName: "FrontServiceObj", type: 4 },
        { serviceName: "", type: 6 },
        { serviceName: "", type: 7 },
        { serviceName: "TxPoolServiceObj", type: 8 },
      ],
      supportConfigs: [...SUPPORT_CONFIGS],
      type: 0,
    };
    return { chainID: n.chainId, genesisConfig: `${JSON.stringify(genesis)}\n`, groupID: n.groupId, iniConfig: "", nodeList: [node] };
  }

  private systemContract(to: unknown): SystemContract | undefined {
    const address = String(to ?? "")
      .replace(/^0x/i, "")
      .toLowerCase();
    return this.options.systemContracts?.find((c) => c.address === address);
  }

  /** The receipt of a transaction to a system contract (which may change the membership); undefined for other addresses. */
  private systemTransaction(p: Pending, number: number): Record<string, unknown> | undefined {
    const contract = this.systemContract(p.tx.to);
    if (!contract) return undefined;
    const result = contract.execute({ input: p.tx.input, sender: p.sender, blockNumber: number, write: true, membership: this.membership });
    if (result.membership) {
      this.sealers = result.membership.sealers.map((s) => ({ nodeId: s.nodeId, weight: s.weight }));
      this.observers = [...result.membership.observers];
    }
    return {
      version: 0,
      contractAddress: "",
      checksumContractAddress: "",
      gasUsed: (21000 + p.tx.input.length * 16).toString(16),
      status: result.status,
      blockNumber: number,
      output: result.output,
      message: result.message,
      transactionHash: p.hash,
      hash: keccak256(Buffer.from(`${p.hash}/${result.status}`)),
      logEntries: result.logEntries ?? [],
      to: p.tx.to,
      from: p.sender,
      input: `0x${p.tx.input.toString("hex")}`,
      extraData: p.tx.extraData,
    };
  }

  async close(): Promise<void> {
    clearTimeout(this.sealTimer);
    for (const t of this.timers) clearTimeout(t);
    await Promise.all(
      this.nodes.map(async (n) => {
        for (const s of n.sockets) s.destroy();
        if (n.server.listening) {
          n.server.close();
          await once(n.server, "close").catch(() => undefined);
        }
      }),
    );
  }

  // ------------------------------------------------------------------------------------------- ledger views

  private heightOf(n: NodeState): number {
    const delay = this.options.syncDelayMs ?? 20;
    const now = Date.now();
    let h = this.blocks.length - 1;
    while (h > 0 && this.blocks[h].committedAt + delay > now) h--;
    return Math.max(0, h - n.lag);
  }

  private readonly hashes = new Map<string, string>();

  private blockHash(n: NodeState, number: number): string {
    const block = this.blocks[number];
    const salt = n.diverged ? n.identity.name : "";
    const key = `${n.genesisHash}/${number}/${block.txs.map((t) => t.hash).join(",")}/${salt}`;
    let hash = this.hashes.get(key);
    if (!hash) this.hashes.set(key, (hash = keccak256(Buffer.from(key))));
    return hash;
  }

  private peersOf(n: NodeState): NodeState[] {
    return this.nodes.filter((p) => p !== n && p.mode !== "down" && !n.hiddenPeers.has(p.identity.name));
  }

  // ------------------------------------------------------------------------------------------- JSON-RPC

  private onRequest(n: NodeState, req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (n.mode === "hang") return; // never answer
      let id: unknown = 0;
      let jsonrpc = "";
      const reply = (body: Record<string, unknown>) => {
        if (res.writableEnded || res.destroyed) return;
        const text = JSON.stringify({ jsonrpc, id, ...body });
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        res.end(text);
      };
      const error = (code: number, message: string) => reply({ error: { code, message } });
      // parseRpcRequestJson, as v3.16.4 answered: a request it cannot take is answered with id 0 and jsonrpc "".
      const invalid = "The JSON sent is not a valid Request object.";
      let request: { jsonrpc?: unknown; method?: unknown; params?: unknown; id?: unknown };
      try {
        request = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return error(-32600, invalid);
      }
      this.requests.push({ node: n.identity.name, method: String(request.method), id: request.id, params: request.params });
      // jsonrpc, method and an array params are required; the id is read with asInt64.
      if (request.id !== undefined && !(typeof request.id === "number" && Number.isInteger(request.id)))
        return error(-32700, "Invalid JSON was received by the server.");
      if (typeof request.jsonrpc !== "string" || typeof request.method !== "string" || !Array.isArray(request.params)) return error(-32600, invalid);
      id = request.id ?? 0;
      jsonrpc = request.jsonrpc;
      const params = request.params as unknown[];
      try {
        const result = this.dispatch(n, request.method, params, (receipt) => reply({ result: receipt }));
        if (result !== NO_RESPONSE) reply({ result });
      } catch (e) {
        if (e instanceof RpcFault) return error(e.code, e.message);
        return error(-32603, (e as Error).message);
      }
    });
  }

  private groupCheck(n: NodeState, params: unknown[], method: string): void {
    const group = typeof params[0] === "string" ? params[0] : "";
    if (group !== "" && group !== n.groupId) {
      // JsonRpcImpl_2_0::getNodeService, as v3.16.4 answered it.
      throw new RpcFault(
        -32000,
        `Invalid request for the specified node of doesn't exist or doesn't started!,request=${method},chain=${n.chainId},group=${group},node=${String(params[1] ?? "")}`,
      );
    }
  }

  private dispatch(n: NodeState, method: string, params: unknown[], respond: (r: Record<string, unknown>) => void): unknown {
    const system = method === "call" ? this.systemContract(params[2]) : undefined;
    if (system) {
      this.groupCheck(n, params, method);
      const height = this.heightOf(n);
      const input = Buffer.from(String(params[3]).replace(/^0x/, ""), "hex");
      const { status, output } = system.execute({ input, sender: "", blockNumber: height, write: false, membership: this.membership });
      return { blockNumber: height, status, output };
    }
    switch (method) {
      case "getGroupInfo": {
        if (params[0] !== n.groupId) return null;
        return this.groupInfo(n);
      }
      case "getBlockNumber":
        this.groupCheck(n, params, method);
        return this.heightOf(n);
      case "getSyncStatus":
        this.groupCheck(n, params, method);
        return `${JSON.stringify(this.syncStatus(n))}\n`;
      case "getConsensusStatus":
        this.groupCheck(n, params, method);
        return `${JSON.stringify(this.consensusStatus(n))}\n`;
      case "getSealerList":
        this.groupCheck(n, params, method);
        return this.sealers.map((s) => ({ nodeID: s.nodeId, termWeight: 0, weight: s.weight }));
      case "getObserverList":
        // JsonRpcImpl_2_0::getObserverList (v3.16.4): a plain array of nodeID->hex() strings, no weights.
        this.groupCheck(n, params, method);
        return [...this.observers];
      case "getGroupPeers":
        // JsonRpcImpl_2_0::getGroupPeers [group]: node ids of the group on this node's gateway and its peers', itself included.
        return params[0] === n.groupId ? [n, ...this.peersOf(n)].map((p) => p.identity.nodeId).sort() : [];
      case "getBlockHashByNumber": {
        this.groupCheck(n, params, method);
        const number = params[2];
        if (typeof number !== "number" || !Number.isInteger(number)) throw new RpcFault(-32603, "Value is not convertible to Int64.");
        return number >= 0 && number <= this.heightOf(n) ? this.blockHash(n, number) : `0x${"0".repeat(64)}`;
      }
      case "getTransactionReceipt": {
        this.groupCheck(n, params, method);
        const hash = String(params[2])
          .toLowerCase()
          .replace(/^(0x)?/, "0x");
        const tx = this.blocks
          .slice(0, this.heightOf(n) + 1)
          .flatMap((b) => b.txs)
          .find((t) => t.hash === hash);
        // LedgerError::GetStorageError, as v3.16.4 answered it; the receipt read back carries a transactionProof.
        if (!tx) throw new RpcFault(3008, "GetTransactionReceiptByHash");
        return { ...tx.receipt, transactionProof: null };
      }
      case "call": {
        this.groupCheck(n, params, method);
        const height = this.heightOf(n);
        const input = Buffer.from(String(params[3]).replace(/^0x/, ""), "hex");
        // SchedulerImpl::call runs in a block numbered as the head, not head + 1: a feature set in the head block
        // (enableNumber = head + 1) is not in force for calls until a later block exists (seen on v3.16.4).
        const { status, output } = execute(this.blocks[height].state, String(params[2]), input, { number: height, sender: "", governors: [], write: false });
        return { blockNumber: height, status, output };
      }
      case "getBlockByNumber": {
        this.groupCheck(n, params, method);
        return this.blockJson(n, params);
      }
      case "getSystemConfigByKey": {
        this.groupCheck(n, params, method);
        const entry = this.blocks[this.heightOf(n)].state.config.get(String(params[2]));
        // A key never set: LedgerError::GetStorageError from Ledger::checkEntryValid, as v3.16.4 answered it.
        if (!entry) throw new RpcFault(3008, `Entry: ${String(params[2])} does not exists!`);
        return { blockNumber: entry.enableNumber, value: entry.value };
      }
      case "sendTransaction":
        this.groupCheck(n, params, method);
        this.submit(n, String(params[2] ?? ""), respond);
        return NO_RESPONSE;
      default:
        throw new RpcFault(-32601, "The method does not exist/is not available.");
    }
  }

  private syncStatus(n: NodeState) {
    const h = this.heightOf(n);
    const head = Math.max(...this.nodes.filter((p) => p.mode !== "down").map((p) => this.heightOf(p)));
    return {
      isSyncing: h < head,
      genesisHash: n.genesisHash,
      nodeID: n.identity.nodeId,
      blockNumber: h,
      archivedBlockNumber: 0,
      latestHash: this.blockHash(n, h).slice(2),
      knownHighestNumber: head,
      knownLatestHash: this.blockHash(n, Math.min(head, this.blocks.length - 1)).slice(2),
      peers: this.peersOf(n).map((p) => {
        const ph = this.heightOf(p);
        return { nodeID: p.identity.nodeId, genesisHash: p.genesisHash, blockNumber: ph, latestHash: this.blockHash(p, ph).slice(2), archivedBlockNumber: 0 };
      }),
    };
  }

  private consensusStatus(n: NodeState) {
    const h = this.heightOf(n);
    const total = this.sealers.reduce((s, x) => s + x.weight, 0);
    const f = Math.floor((total - 1) / 3);
    const index = this.sealers.findIndex((s) => s.nodeId === n.identity.nodeId);
    return {
      nodeID: n.identity.nodeId,
      index: Math.max(0, index),
      leaderIndex: h % Math.max(1, this.sealers.length),
      consensusNodesNum: this.sealers.length,
      maxFaultyQuorum: f,
      minRequiredQuorum: total - f,
      isConsensusNode: index >= 0,
      blockNumber: h,
      hash: this.blockHash(n, h).slice(2),
      timeout: false,
      changeCycle: 0,
      view: h,
      // v3.16.4 counts the node itself: 4 on a 4-node chain with every peer connected.
      connectedNodeList: this.peersOf(n).length + 1,
      consensusNodeList: this.sealers.map((s, i) => ({ index: i, nodeID: s.nodeId, termWeight: 0, weight: s.weight })),
    };
  }

  // ------------------------------------------------------------------------------------------- transactions

  private submit(n: NodeState, hex: string, respond: (r: Record<string, unknown>) => void): void {
    const clean = hex.replace(/^0x/, "");
    if (clean.length === 0 || clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
      throw new RpcFault(
        -1,
        cppException(
          "bcos-rpc/bcos-rpc/jsonrpc/JsonRpcImpl_2_0.cpp(136)",
          "static bcos::bytes bcos::rpc::JsonRpcImpl_2_0::decodeData(std::string_view)",
          "boost::wrapexcept<std::runtime_error>",
          "Unexpect hex string",
        ),
      );
    }
    let tx: DecodedTransaction;
    try {
      tx = decodeTransaction(Buffer.from(clean, "hex"));
    } catch (e) {
      throw new RpcFault(-1, `decode transaction failed: ${(e as Error).message}`);
    }
    if (tx.type !== 0) throw new RpcFault(-1, "only native transactions (type 0) are simulated");
    if (tx.version < 0 || tx.version > 2) throw new RpcFault(-1, `transaction version ${tx.version} not supported`);
    // TransactionFactoryImpl::createTransaction: recompute the hash; a supplied dataHash must match it.
    const hash = hashDecoded(tx);
    if (tx.dataHash.length > 0 && `0x${tx.dataHash.toString("hex")}` !== hash)
      throw new RpcFault(-1, "transaction hash mismatching, maybe transaction version not support.");
    if (tx.chainId !== n.chainId) {
      throw new RpcFault(
        -1,
        cppException(
          "bcos-rpc/bcos-rpc/jsonrpc/JsonRpcImpl_2_0.cpp(514)",
          "void bcos::rpc::JsonRpcImpl_2_0::sendTransaction(…)",
          "boost::wrapexcept<bcos::rpc::JsonRpcException>",
          "Chain ID mismatch!",
        ),
      );
    }
    // txpool validation (TxValidator, LedgerNonceChecker): group, block limit, nonce, signature.
    if (tx.groupId !== n.groupId) throw new RpcFault(10007, "InvalidGroupId");
    const height = BigInt(this.heightOf(n));
    const limit = BigInt(this.options.blockLimit ?? 1000);
    if (!(tx.blockLimit > height && tx.blockLimit <= height + limit)) throw new RpcFault(10001, "BlockLimitCheckFail");
    const nonceKey = tx.nonce.toString("hex");
    if (this.seenNonces.has(nonceKey)) throw new RpcFault(10000, "NonceCheckFail");
    const sender = recoverSender(hash, tx.signature);
    if (!sender) throw new RpcFault(10008, "InvalidSignature");
    if (this.pool.length >= (this.options.poolLimit ?? 15000)) throw new RpcFault(10002, "TxPoolIsFull");
    this.seenNonces.add(nonceKey);
    this.received.push({
      node: n.identity.name,
      hash,
      sender,
      version: tx.version,
      to: tx.to,
      nonce: tx.nonce.toString("latin1"),
      blockLimit: tx.blockLimit,
      attribute: tx.attribute,
    });
    // A free node's txpool takes the transaction, but the members drop what it forwards
    // (`[txpool] enable_txs_from_free_node=false`, FrontServiceInitializer.cpp): no block, no receipt.
    if (!this.isMember(n.identity.name)) {
      this.stranded.push({ node: n, tx, hash, sender, respond });
      return;
    }
    this.pool.push({ node: n, tx, hash, sender, respond });
    this.scheduleSeal();
  }

  private scheduleSeal(): void {
    if (this.stalled || this.sealTimer) return;
    this.sealTimer = setTimeout(() => {
      this.sealTimer = undefined;
      this.seal();
    }, this.options.sealTimeMs ?? 30);
  }

  private seal(): void {
    if (this.stalled || this.pool.length === 0) return;
    const pending = this.pool.splice(0, this.options.blockTxCountLimit ?? 1000);
    if (this.pool.length > 0) this.scheduleSeal();
    const number = this.blocks.length;
    const state = copyState(this.blocks[number - 1].state);
    const txs: ExecutedTransaction[] = pending.map((p, index) => {
      const receipt = this.systemTransaction(p, number) ?? this.executeTransaction(state, p, number, index);
      return {
        node: p.node.identity.name,
        hash: p.hash,
        sender: p.sender,
        version: p.tx.version,
        to: p.tx.to,
        nonce: p.tx.nonce.toString("latin1"),
        blockLimit: p.tx.blockLimit,
        attribute: p.tx.attribute,
        receipt,
      };
    });
    this.blocks.push({ number, txs, committedAt: Date.now(), state });
    // The receiving node answers once it has committed the block itself.
    for (const [i, p] of pending.entries()) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        p.respond(txs[i].receipt);
      }, this.options.syncDelayMs ?? 20);
      this.timers.add(timer);
    }
  }

  private executeTransaction(state: ChainState, p: Pending, number: number, index: number): Record<string, unknown> {
    let contractAddress = "";
    let status = 0;
    let output = "0x";
    let message = "";
    if (p.tx.to === "") {
      contractAddress = deploy(state, p.tx.input, number, index);
    } else {
      const revertProbeWrite = () => this.revertWrites > 0 && this.revertWrites-- > 0;
      ({ status, output, message } = execute(state, p.tx.to, p.tx.input, {
        number,
        sender: p.sender,
        governors: this.options.governors ?? [],
        write: true,
        revertProbeWrite,
      }));
    }
    return {
      version: 0,
      contractAddress: contractAddress ? `0x${contractAddress}` : "",
      checksumContractAddress: contractAddress ? `0x${contractAddress}` : "",
      gasUsed: (21000 + p.tx.input.length * 16).toString(16),
      status,
      blockNumber: number,
      output,
      message,
      transactionHash: p.hash,
      // v3.16.4 answers "0x" as the receipt hash of a reverted transaction.
      hash: status === 0 ? keccak256(Buffer.from(`${p.hash}/${status}`)) : "0x",
      logEntries: [],
      to: p.tx.to,
      from: p.sender,
      input: `0x${p.tx.input.toString("hex")}`,
      extraData: p.tx.extraData,
    };
  }

  /**
   * getBlockByNumber [group, node, n, onlyHeader, onlyTxHash] as JsonRpcImpl_2_0's toJsonResp writes a block: the
   * header fields, then `transactions` (hashes with onlyTxHash, objects otherwise; absent with onlyHeader).
   */
  private blockJson(n: NodeState, params: unknown[]): Record<string, unknown> {
    const number = params[2];
    if (typeof number !== "number" || !Number.isInteger(number)) throw new RpcFault(-32603, "Value is not convertible to Int64.");
    // LedgerError::CollectAsyncCallbackError, as v3.16.4 answered it.
    if (number < 0 || number > this.heightOf(n)) throw new RpcFault(3006, "Get block failed with errors!");
    const block = this.blocks[number];
    const header = {
      hash: this.blockHash(n, number),
      version: 0,
      txsRoot: keccak256(Buffer.from(`txs/${number}`)),
      receiptsRoot: keccak256(Buffer.from(`receipts/${number}`)),
      stateRoot: keccak256(Buffer.from(`state/${number}`)),
      number,
      gasUsed: "0",
      timestamp: block.committedAt,
      sealer: 0,
      extraData: "0x",
      consensusWeights: this.sealers.map((x) => x.weight),
      sealerList: this.sealers.map((x) => `0x${x.nodeId}`),
      parentInfo: number > 0 ? [{ blockNumber: number - 1, blockHash: this.blockHash(n, number - 1) }] : [],
      signatureList: this.sealers
        .slice(0, this.sealers.length - Math.floor((this.sealers.length - 1) / 3))
        .map((_, i) => ({ sealerIndex: i, signature: keccak256(Buffer.from(`sig/${number}/${i}`)) + "00".repeat(33) })),
    };
    const onlyHeader = params.length > 3 ? params[3] === true : true;
    const onlyTxHash = params.length > 4 ? params[4] === true : true;
    if (onlyHeader) return header;
    return {
      ...header,
      transactions: block.txs.map((t) =>
        onlyTxHash
          ? t.hash
          : {
              hash: t.hash,
              from: t.sender,
              to: t.to,
              nonce: Buffer.from(t.nonce, "latin1").toString("hex"),
              blockLimit: Number(t.blockLimit),
              version: t.version,
            },
      ),
    };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// As its own process (scripts/bench-verify.ts uses this so the nodes' TLS work does not share the verifier's CPU):
// `node --import tsx doubles/fisco-rpc-double.ts` reads JSON lines on stdin — {"start": FiscoRpcDoubleOptions}
// answers {"urls": {name: url}}, {"close": true} answers {"closed": true} — and exits when stdin ends.
if (require.main === module) {
  let current: FiscoRpcDouble | undefined;
  let buffered = "";
  const answer = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);
  process.stdin.on("data", async (chunk: Buffer) => {
    buffered += chunk.toString();
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      const command = JSON.parse(line) as { start?: FiscoRpcDoubleOptions; close?: boolean };
      if (command.start) {
        current = await FiscoRpcDouble.start(command.start);
        answer({ urls: current.endpoints() });
      } else if (command.close) {
        await current?.close();
        current = undefined;
        answer({ closed: true });
      }
    }
  });
  process.stdin.on("end", () => void current?.close().then(() => process.exit(0)));
}
