import { AbiCoder, id } from "ethers";
import type { MembershipTable, ReceiptLog, SystemCallContext, SystemCallResult, SystemContract } from "./system-contract";

/**
 * TEST DOUBLES of two FISCO BCOS v3.16.4 system contracts, for FiscoRpcDouble (`systemContracts` option): not FISCO.
 *
 * ConsensusPrecompiled at 0x…1003 follows bcos-executor/src/precompiled/ConsensusPrecompiled.cpp:
 * - selectors from the signature strings it registers (CSS_METHOD_*), keccak256; each call returns an int32 code
 *   (precompiled/common/Common.h): CODE_INVALID_NODE_ID -51100 (not 128 hex characters), CODE_INVALID_WEIGHT -51102
 *   (weight 0), CODE_ADD_SEALER_SHOULD_IN_OBSERVER -51104 (addSealer for a node in neither list, block version ≥ 3.1),
 *   CODE_LAST_SEALER -51101 (addObserver while only one sealer is left — even for a node that already is an observer,
 *   as the source counts — or a remove that leaves no sealer), CODE_NODE_NOT_EXIST -51103 (remove or setWeight of an
 *   unknown node), CODE_NO_AUTHORIZED -50000 (auth checking on and the sender is not the committee contract);
 * - addSealer of a node already in the list makes it a sealer of that weight (so it also changes a sealer's weight);
 *   setWeight of an observer throws a PrecompiledError ("Cannot set weight to observer.": receipt status 15);
 *   an unknown selector throws "ConsensusPrecompiled call undefined function!".
 *
 * CommitteeManager at 0x…10001 follows FISCO-BCOS/bcos-auth CommitteeManager.sol, ProposalManager.sol and
 * VoteComputer.sol as deployed at genesis (libinitializer/AuthInitializer.h: the admin sole governor of weight 1,
 * participatesRate 0, winRate 0): createSetConsensusWeightProposal (type 51) and createRmNodeProposal (type 52) by a
 * governor, the proposer's automatic agree vote, voteProposal, the vote result (participation and win rates), one open
 * proposal per type and resource ("Current proposal not end"), expiry after blockNumberInterval, and on passing the
 * call to the consensus contract with the committee as sender, reported as `execResult(int256)`. Reverts carry
 * Error(string) as Solidity's require does ("you must be governor", "invalid node.", …).
 */

export const CONSENSUS_PRECOMPILED = "0000000000000000000000000000000000001003";
export const COMMITTEE_MANAGER = "0000000000000000000000000000000000010001";

const CODE = {
  success: 0,
  noAuthorized: -50000,
  invalidNodeId: -51100,
  lastSealer: -51101,
  invalidWeight: -51102,
  nodeNotExist: -51103,
  addSealerShouldInObserver: -51104,
} as const;

const STATUS_PRECOMPILED_ERROR = 15;
const STATUS_REVERT = 16;

const abi = AbiCoder.defaultAbiCoder();
const selector = (signature: string) => id(signature).slice(2, 10);
const int32Word = (code: number) => abi.encode(["int32"], [code]);
const revert = (reason: string): SystemCallResult => ({
  status: STATUS_REVERT,
  output: `0x08c379a0${abi.encode(["string"], [reason]).slice(2)}`,
  message: reason,
});
const precompiledError = (message: string): SystemCallResult => ({ status: STATUS_PRECOMPILED_ERROR, output: "0x", message });

/** A call made to either contract, for tests to look at. */
export interface RecordedCall {
  readonly contract: "consensus" | "committee";
  readonly method: string;
  readonly sender: string;
  readonly node?: string;
  readonly weight?: number;
  /** The consensus contract's int32 code (for a committee call: of the call its proposal ran, if it ran). */
  readonly code?: number;
  readonly proposalId?: number;
}

export interface ConsensusDoubleOptions {
  /** The genesis' [executor] is_auth_check. */
  readonly authCheck?: boolean;
  /** Committee governors (0x-addresses) and their weights; at genesis the admin alone, weight 1. */
  readonly governors?: readonly { readonly address: string; readonly weight: number }[];
  readonly participatesRate?: number;
  readonly winRate?: number;
}

interface Proposal {
  readonly id: number;
  readonly type: 51 | 52;
  readonly proposer: string;
  readonly expiresAfter: number;
  status: 1 | 2 | 3 | 4 | 5;
  readonly agree: string[];
  readonly against: string[];
  readonly node: string;
  readonly weight: number;
  readonly addFlag: boolean;
}

type ConsensusResult = { code: number; membership?: MembershipTable } | { error: string };

const COMMITTEE_SENDER = `0x${COMMITTEE_MANAGER}`;

export class ConsensusContractsDouble {
  readonly calls: RecordedCall[] = [];
  readonly authCheck: boolean;
  private readonly governors: Map<string, number>;
  private readonly participatesRate: number;
  private readonly winRate: number;
  private readonly proposals = new Map<number, Proposal>();
  /** ProposalManager._proposalIndex[type][resourceId]: the resource of types 51 and 52 is the consensus contract. */
  private readonly openByType = new Map<number, number>();
  private proposalCount = 0;

  constructor(admin: string, options: ConsensusDoubleOptions = {}) {
    this.authCheck = options.authCheck ?? false;
    this.governors = new Map((options.governors ?? [{ address: admin, weight: 1 }]).map((g) => [g.address.toLowerCase(), g.weight]));
    this.participatesRate = options.participatesRate ?? 0;
    this.winRate = options.winRate ?? 0;
  }

  /** The two contracts, for FiscoRpcDouble's `systemContracts`. */
  get contracts(): SystemContract[] {
    return [
      { address: CONSENSUS_PRECOMPILED, execute: (c) => this.consensusEntry(c) },
      { address: COMMITTEE_MANAGER, execute: (c) => this.committeeEntry(c) },
    ];
  }

  // ------------------------------------------------------------------------------------- ConsensusPrecompiled

  private consensusEntry(c: SystemCallContext): SystemCallResult {
    const sel = c.input.subarray(0, 4).toString("hex");
    const params = `0x${c.input.subarray(4).toString("hex")}`;
    const method = CONSENSUS_METHODS[sel];
    // ConsensusPrecompiled::call: with auth checking on, only the committee contract may call (rotateWorkingSealer aside).
    if (this.authCheck && c.sender !== COMMITTEE_SENDER) {
      this.calls.push({ contract: "consensus", method: method?.name ?? sel, sender: c.sender, code: CODE.noAuthorized });
      return { status: 0, output: int32Word(CODE.noAuthorized), message: "" };
    }
    if (!method) return precompiledError("ConsensusPrecompiled call undefined function!");
    let args: unknown[];
    try {
      args = [...abi.decode(method.types, params)];
    } catch {
      return precompiledError("ConsensusPrecompiled: cannot decode the parameters");
    }
    const node = String(args[0]);
    const weight = args[1] === undefined ? undefined : Number(args[1] as bigint);
    const result = consensusCall(method.name, node, weight, c.membership);
    this.calls.push({
      contract: "consensus",
      method: method.name,
      sender: c.sender,
      node: node.toLowerCase(),
      weight,
      code: "code" in result ? result.code : undefined,
    });
    if ("error" in result) return precompiledError(result.error);
    return { status: 0, output: int32Word(result.code), message: "", membership: c.write && result.code === 0 ? result.membership : undefined };
  }

  // ------------------------------------------------------------------------------------- CommitteeManager

  private committeeEntry(c: SystemCallContext): SystemCallResult {
    const sel = c.input.subarray(0, 4).toString("hex");
    const params = `0x${c.input.subarray(4).toString("hex")}`;
    const method = COMMITTEE_METHODS[sel];
    if (!method) return revert("");
    let args: unknown[];
    try {
      args = [...abi.decode(method.types, params)];
    } catch {
      return revert("");
    }
    if (method.name === "isGovernor") return { status: 0, output: abi.encode(["bool"], [this.governors.has(String(args[0]).toLowerCase())]), message: "" };
    if (!c.write) return revert("the double simulates only isGovernor as a read-only call");
    // modifier onlyGovernor
    if (!this.governors.has(c.sender)) {
      this.calls.push({ contract: "committee", method: method.name, sender: c.sender });
      return revert("you must be governor");
    }
    if (method.name === "voteProposal") return this.vote(Number(args[0] as bigint), Boolean(args[1]), c);
    const node = String(args[0]);
    if (Buffer.byteLength(node) <= 1) return revert("invalid node.");
    const remove = method.name === "createRmNodeProposal";
    const interval = Number((remove ? args[1] : args[3]) as bigint);
    const type = remove ? 52 : 51;
    // ProposalManager.create: one open proposal per (type, resource).
    const open = this.proposals.get(this.openByType.get(type) ?? 0);
    if (open && open.status === 1 && c.blockNumber > open.expiresAfter) open.status = 5;
    if (open && open.status === 1) return revert("Current proposal not end");
    const proposal: Proposal = {
      id: ++this.proposalCount,
      type,
      proposer: c.sender,
      expiresAfter: c.blockNumber + interval,
      status: 1,
      agree: [],
      against: [],
      node,
      weight: remove ? 0 : Number(args[1] as bigint),
      addFlag: remove ? true : Boolean(args[2]),
    };
    this.proposals.set(proposal.id, proposal);
    this.openByType.set(type, proposal.id);
    // _createProposal: the proposer votes for it at once.
    const voted = this.vote(proposal.id, true, c, method.name);
    if (voted.status !== 0) return voted;
    return { ...voted, output: abi.encode(["uint256"], [proposal.id]) };
  }

  private vote(proposalId: number, agree: boolean, c: SystemCallContext, method = "voteProposal"): SystemCallResult {
    const proposal = this.proposals.get(proposalId);
    if (!proposal) return revert("Proposal not exist");
    if (proposal.status !== 1) return revert("Proposal is not votable");
    if (proposal.agree.includes(c.sender) || proposal.against.includes(c.sender)) return revert("Already voted");
    (agree ? proposal.agree : proposal.against).push(c.sender);
    proposal.status = this.voteResult(proposal);
    const record: RecordedCall = { contract: "committee", method, sender: c.sender, node: proposal.node.toLowerCase(), weight: proposal.weight, proposalId };
    if (proposal.status !== 2) {
      this.calls.push(record);
      return { status: 0, output: "0x", message: "" };
    }
    // voteProposal: type 51 with addFlag runs addObserver (weight 0) or addSealer, without it setWeight; type 52 remove.
    const call = proposal.type === 52 ? "remove" : proposal.addFlag ? (proposal.weight === 0 ? "addObserver" : "addSealer") : "setWeight";
    const result = consensusCall(call, proposal.node, call === "remove" || call === "addObserver" ? undefined : proposal.weight, c.membership);
    if ("error" in result) {
      this.calls.push(record);
      return { status: STATUS_REVERT, output: "0x", message: result.error };
    }
    this.calls.push({ ...record, code: result.code });
    this.calls.push({
      contract: "consensus",
      method: call,
      sender: COMMITTEE_SENDER,
      node: proposal.node.toLowerCase(),
      weight: proposal.weight,
      code: result.code,
    });
    const log: ReceiptLog = { address: COMMITTEE_MANAGER, topics: [id("execResult(int256)")], data: abi.encode(["int256"], [result.code]) };
    return { status: 0, output: "0x", message: "", logEntries: [log], membership: result.code === 0 ? result.membership : undefined };
  }

  /** VoteComputer.determineVoteResult: 1 needs more votes, 2 passed, 3 denied. */
  private voteResult(proposal: Proposal): 1 | 2 | 3 {
    const weightOf = (voters: readonly string[]) => voters.reduce((sum, v) => sum + (this.governors.get(v) ?? 0), 0);
    const agreeVotes = weightOf(proposal.agree);
    const doneVotes = agreeVotes + weightOf(proposal.against);
    const allVotes = [...this.governors.values()].reduce((a, b) => a + b, 0);
    if (doneVotes * 100 < allVotes * this.participatesRate) return 1;
    return agreeVotes * 100 >= this.winRate * doneVotes ? 2 : 3;
  }
}

const CONSENSUS_METHODS: Readonly<Record<string, { name: string; types: string[] }>> = Object.fromEntries(
  [
    ["addSealer", "addSealer(string,uint256)", ["string", "uint256"]],
    ["addSealer", "addSealer(string,uint256,uint256)", ["string", "uint256", "uint256"]],
    ["addObserver", "addObserver(string)", ["string"]],
    ["remove", "remove(string)", ["string"]],
    ["setWeight", "setWeight(string,uint256)", ["string", "uint256"]],
  ].map(([name, signature, types]) => [selector(signature as string), { name: name as string, types: types as string[] }]),
);

const COMMITTEE_METHODS: Readonly<Record<string, { name: string; types: string[] }>> = Object.fromEntries(
  [
    ["createSetConsensusWeightProposal", "createSetConsensusWeightProposal(string,uint32,bool,uint256)", ["string", "uint32", "bool", "uint256"]],
    ["createRmNodeProposal", "createRmNodeProposal(string,uint256)", ["string", "uint256"]],
    ["voteProposal", "voteProposal(uint256,bool)", ["uint256", "bool"]],
    ["isGovernor", "isGovernor(address)", ["address"]],
  ].map(([name, signature, types]) => [selector(signature as string), { name: name as string, types: types as string[] }]),
);

const NODE_LENGTH = 128;

/** addSealerImpl / removeNode / setWeight of ConsensusPrecompiled.cpp over the membership table. */
function consensusCall(method: string, rawNode: string, weight: number | undefined, table: MembershipTable): ConsensusResult {
  const node = rawNode.toLowerCase();
  const sealers = table.sealers.map((s) => ({ nodeId: s.nodeId.toLowerCase(), weight: s.weight }));
  const observers = table.observers.map((o) => o.toLowerCase());
  const isSealer = sealers.some((s) => s.nodeId === node);
  const isObserver = observers.includes(node);
  const withoutNode = { sealers: sealers.filter((s) => s.nodeId !== node), observers: observers.filter((o) => o !== node) };
  switch (method) {
    case "addSealer": {
      if (node.length !== NODE_LENGTH || !/^[0-9a-f]*$/.test(node)) return { code: CODE.invalidNodeId };
      if (weight === 0) return { code: CODE.invalidWeight };
      if (isSealer) return { code: 0, membership: { sealers: sealers.map((s) => (s.nodeId === node ? { nodeId: node, weight: weight! } : s)), observers } };
      if (!isObserver) return { code: CODE.addSealerShouldInObserver };
      return { code: 0, membership: { sealers: [...sealers, { nodeId: node, weight: weight! }], observers: withoutNode.observers } };
    }
    case "addObserver": {
      if (node.length !== NODE_LENGTH || !/^[0-9a-f]*$/.test(node)) return { code: CODE.invalidNodeId };
      if (isSealer || isObserver) {
        // "addObserver failed, because last sealer": the source counts the sealers, whichever node is named.
        if (sealers.length === 1) return { code: CODE.lastSealer };
        return { code: 0, membership: { sealers: withoutNode.sealers, observers: isObserver ? observers : [...observers, node] } };
      }
      return { code: 0, membership: { sealers, observers: [...observers, node] } };
    }
    case "remove": {
      if (node.length !== NODE_LENGTH) return { code: CODE.invalidNodeId };
      if (!isSealer && !isObserver) return { code: CODE.nodeNotExist };
      if (withoutNode.sealers.length === 0) return { code: CODE.lastSealer };
      return { code: 0, membership: withoutNode };
    }
    case "setWeight": {
      if (node.length !== NODE_LENGTH) return { code: CODE.invalidNodeId };
      if (weight === 0) return { code: CODE.invalidWeight };
      if (isObserver) return { error: "Cannot set weight to observer." };
      if (!isSealer) return { code: CODE.nodeNotExist };
      return { code: 0, membership: { sealers: sealers.map((s) => (s.nodeId === node ? { nodeId: node, weight: weight! } : s)), observers } };
    }
    default:
      return { error: "ConsensusPrecompiled call undefined function!" };
  }
}
