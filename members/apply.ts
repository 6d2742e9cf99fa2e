import { planMembership, type DeclaredMember, type MembershipPlan, type MembershipStep, type OnChainMembers } from "../chain/membership-plan";
import type { FormerNodeIds } from "../chain/former-members";
import { accountFromPrivateKeyHex } from "../chain/keys";
import type { NodeApi } from "../fisco/native-api";
import { describeMembers, MembershipReadError, membersKey, readChainView, roleOf, type ChainView } from "./chain-view";
import { GovernanceError, requireGovernor, resolveAuthCheck } from "./governance";
import { describeStep, sendDirect, sendProposal, StepFailure, type Sender, type StepOutcome } from "./send";
import { quorumProblem } from "./quorum-guard";
import { judgePeer, judgeSync, type SyncJudgement } from "./sync-gate";

/**
 * The membership executor: read the chain's sealer and observer sets, plan the steps that bring them to the declared
 * ones (chain/membership-plan.ts), and apply them one at a time — each gated (a new node must be a group peer before
 * addObserver, and within 10 blocks of the head before addSealer), sent as a native transaction signed by the genesis
 * admin key unless the sealers that are up could not seal after it (members/quorum-guard.ts), checked (receipt
 * status 0, code ≥ 0), and waited for until a majority of the nodes show it in their lists
 * before the next. A step the chain already shows is skipped, so a second run with nothing to do sends nothing, and a
 * run that stopped half-way resumes where it stopped.
 */

export interface Timing {
  /** One RPC call. */
  readonly rpcMs: number;
  /** sendTransaction, which answers once the transaction is in a block. */
  readonly txMs: number;
  /** How long a gated step waits for its node to connect and sync before the run stops (nothing sent). */
  readonly syncMs: number;
  /** How long an applied step may take to show in a majority of the nodes' lists. */
  readonly visibleMs: number;
  readonly pollMs: number;
}

export const DEFAULT_TIMING: Timing = { rpcMs: 10_000, txMs: 60_000, syncMs: 600_000, visibleMs: 60_000, pollMs: 1_000 };

export interface ApplyOptions {
  /** Every node to ask: the members, and the declared nodes not yet in the group (their own sync status counts). */
  readonly apis: readonly NodeApi[];
  readonly declared: readonly DeclaredMember[];
  /** The genesis admin account's 0x-hex private key; not needed for a dry run. Never printed. */
  readonly adminKey?: string;
  /** The genesis' is_auth_check when the declared set knows it; the chain's own report wins and must agree. */
  readonly declaredAuthCheck?: boolean;
  /** The chain id the declared set names; checked against the nodes' getGroupInfo. */
  readonly chainId?: string;
  readonly dryRun: boolean;
  readonly timing?: Partial<Timing>;
  readonly progress?: (line: string) => void;
  /** Nodes earlier updates declared and this one does not (stack output formerNodeIds): a member no longer declared is named after it. */
  readonly formerNodeIds?: FormerNodeIds;
}

export interface AppliedStep extends StepOutcome {
  readonly step: MembershipStep;
  /** The node the transaction was sent through. */
  readonly via: string;
}

export interface MembershipReport {
  /** True when the chain matches the declared set at the end (or would, for a dry run with a plan that is not refused). */
  readonly ok: boolean;
  readonly dryRun: boolean;
  /** The on-chain sets before anything was sent (null when they could not be read). */
  readonly before: OnChainMembers | null;
  /** Names of the nodes that agreed on them, and of those that did not answer. */
  readonly agreedBy: readonly string[];
  readonly unreachable: readonly string[];
  readonly plan: MembershipPlan | null;
  /** Auth checking as the chain reports it (null when not asked: nothing to send, or a dry run). */
  readonly authCheck: boolean | null;
  /** The signing key's address (never the key). */
  readonly admin: string | null;
  readonly applied: readonly AppliedStep[];
  /** Steps the chain already showed when their turn came. */
  readonly skipped: readonly MembershipStep[];
  /** Why the run stopped early or was refused; null when it did all it set out to. */
  readonly failure: string | null;
  readonly after: OnChainMembers | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether the chain already shows what `step` does. */
export function isDone(step: MembershipStep, members: OnChainMembers): boolean {
  const role = roleOf(members, step.nodeId);
  switch (step.action) {
    case "addObserver":
      return role.role === "observer";
    case "addSealer":
    case "setWeight":
      return role.role === "sealer" && role.weight === step.weight;
    case "remove":
      return role.role === "none";
  }
}

/**
 * The name a node id goes by: the declared node's; else the name an earlier update gave that id (formerNodeIds, e.g.
 * node1, removed from the stack) unless a declared node now has that name; else `undeclared-<first 8 hex of the id>`.
 * Ids are compared in lower case.
 */
export function memberNamer(declared: readonly DeclaredMember[], formerNodeIds: FormerNodeIds = {}): (nodeId: string) => string {
  const declaredNames = new Set(declared.map((d) => d.name));
  const former = Object.entries(formerNodeIds).filter(([name]) => !declaredNames.has(name));
  const names = new Map([
    ...former.map(([name, id]): [string, string] => [id.toLowerCase(), name]),
    ...declared.map((d): [string, string] => [d.nodeId.toLowerCase(), d.name]),
  ]);
  return (nodeId) => names.get(nodeId.toLowerCase()) ?? `undeclared-${nodeId.toLowerCase().slice(0, 8)}`;
}

/** On-chain members the declared set does not name, as name → id (named by memberNamer). */
export function undeclaredMembers(declared: readonly DeclaredMember[], members: OnChainMembers, formerNodeIds: FormerNodeIds = {}): Record<string, string> {
  const known = new Set(declared.map((d) => d.nodeId.toLowerCase()));
  const nameOf = memberNamer(declared, formerNodeIds);
  const ids = [...members.sealers.map((s) => s.nodeId), ...members.observers].map((id) => id.toLowerCase());
  return Object.fromEntries(ids.filter((id) => !known.has(id)).map((id) => [nameOf(id), id]));
}

class Stop extends Error {}

export async function applyMembership(options: ApplyOptions): Promise<MembershipReport> {
  const timing = { ...DEFAULT_TIMING, ...options.timing };
  const progress = options.progress ?? (() => undefined);
  const admin = options.adminKey ? accountFromPrivateKeyHex(options.adminKey).address : null;
  const nameOf = memberNamer(options.declared, options.formerNodeIds);
  const report = {
    ok: false,
    dryRun: options.dryRun,
    before: null as OnChainMembers | null,
    agreedBy: [] as string[],
    unreachable: [] as string[],
    plan: null as MembershipPlan | null,
    authCheck: null as boolean | null,
    admin,
    applied: [] as AppliedStep[],
    skipped: [] as MembershipStep[],
    failure: null as string | null,
    after: null as OnChainMembers | null,
  };
  const read = async (): Promise<ChainView> => {
    try {
      return await readChainView(options.apis, timing.rpcMs);
    } catch (error) {
      if (error instanceof MembershipReadError) {
        report.unreachable = [...error.unreachable];
        throw new Stop(error.message);
      }
      throw error;
    }
  };

  try {
    let view = await read();
    report.before = report.after = view.members;
    report.agreedBy = view.nodes.filter((n) => membersKey(n.members) === membersKey(view.members)).map((n) => n.api.name);
    report.unreachable = view.unreachable.map((u) => u.name);
    progress(`on chain: ${describeMembers(view.members)} (agreed by ${report.agreedBy.length} of ${options.apis.length} nodes)`);

    const plan = planMembership(options.declared, view.members, undeclaredMembers(options.declared, view.members, options.formerNodeIds));
    report.plan = plan;
    if (plan.refusals.length > 0) throw new Stop(`the plan is refused: ${plan.refusals.join("; ")}`);
    if (plan.steps.length === 0 || options.dryRun) {
      report.ok = true;
      return report;
    }
    if (!options.adminKey) throw new Stop("no admin key: membership changes are signed by the genesis admin account (--admin-key)");

    const first = pickSender(view, null);
    const authCheck = await resolveAuthCheck(first, options.declaredAuthCheck, timing.rpcMs);
    report.authCheck = authCheck;
    if (authCheck) await requireGovernor(first, admin!, timing.rpcMs);
    const group = await first.groupInfo(timing.rpcMs);
    if (!group) throw new Stop(`${first.name} does not serve group ${first.group}`);
    if (options.chainId !== undefined && group.chainId !== options.chainId)
      throw new Stop(`${first.name} serves chain ${group.chainId}, but the declared set names chain ${options.chainId}`);
    const sender: Sender = { chainId: group.chainId, groupId: group.groupId, privateKey: options.adminKey };
    progress(
      `auth checking ${authCheck ? "on: each step is a committee proposal" : "off: each step is a call to the consensus precompiled contract"}, signed by ${admin}`,
    );

    for (const [index, step] of plan.steps.entries()) {
      const label = `[${index + 1}/${plan.steps.length}] ${describeStep(step)}`;
      view = await read();
      if (isDone(step, view.members)) {
        progress(`${label}: already on chain, skipped`);
        report.skipped.push(step);
        continue;
      }
      view = await gate(step, view, label, read, timing, progress);
      const problem = quorumProblem(view, step, nameOf);
      if (problem) throw new Stop(`${label} not sent: ${problem}`);
      const via = pickSender(view, step.nodeId);
      const outcome = authCheck ? await sendProposal(via, sender, step, timing.txMs) : await sendDirect(via, sender, step, timing.txMs);
      report.applied.push({ ...outcome, step, via: via.name });
      progress(
        `${label}: in block ${outcome.blockNumber} (tx ${outcome.txHash}${outcome.proposalId ? `, proposal ${outcome.proposalId}` : ""}, via ${via.name}); waiting for the nodes' lists to show it`,
      );
      view = await waitVisible(step, label, read, timing);
      report.after = view.members;
      progress(`${label}: done, on chain: ${describeMembers(view.members)}`);
    }
    report.ok = true;
  } catch (error) {
    if (error instanceof Stop || error instanceof StepFailure || error instanceof GovernanceError) report.failure = error.message;
    else throw error;
  }
  return report;
}

/** A node to send through: a sealer other than the step's node if one answered, else another member. */
function pickSender(view: ChainView, exclude: string | null): NodeApi {
  const ok = (role: string) => view.nodes.find((n) => n.nodeId !== exclude && roleOf(view.members, n.nodeId).role === role);
  const chosen = ok("sealer") ?? ok("observer");
  if (!chosen)
    throw new Stop(
      `none of the nodes that answered (${view.nodes.map((n) => n.api.name).join(", ") || "none"}) is a sealer or an observer: transactions sent through a free node are never sealed`,
    );
  return chosen.api;
}

/** Wait until the step's node may take it: a group peer before addObserver of a new node, synced before addSealer. */
async function gate(
  step: MembershipStep,
  view: ChainView,
  label: string,
  read: () => Promise<ChainView>,
  timing: Timing,
  progress: (line: string) => void,
): Promise<ChainView> {
  const judge = (v: ChainView): SyncJudgement | null => {
    if (step.action === "addSealer") return judgeSync(v, step.nodeId, step.name);
    if (step.action === "addObserver" && roleOf(v.members, step.nodeId).role === "none") return judgePeer(v, step.nodeId, step.name);
    return null;
  };
  const deadline = Date.now() + timing.syncMs;
  let lastReason = "";
  let lastPrinted = 0;
  for (;;) {
    const judgement = judge(view);
    if (!judgement || judgement.ready) {
      if (judgement && lastReason)
        progress(`${label}: ${step.name} is ready (block ${judgement.height ?? "?"} of ${judgement.highest}, a group peer of ${judgement.seenBy.join(", ")})`);
      return view;
    }
    if (Date.now() >= deadline) {
      throw new Stop(
        `${label} not sent: ${judgement.reason} after waiting ${Math.round(timing.syncMs / 1000)} s; run this again once ${step.name} has caught up (nothing was sent for this step)`,
      );
    }
    if (judgement.reason !== lastReason || Date.now() - lastPrinted >= 10_000) {
      progress(`${label}: waiting: ${judgement.reason}`);
      lastReason = judgement.reason;
      lastPrinted = Date.now();
    }
    await sleep(timing.pollMs);
    view = await read();
  }
}

async function waitVisible(step: MembershipStep, label: string, read: () => Promise<ChainView>, timing: Timing): Promise<ChainView> {
  const deadline = Date.now() + timing.visibleMs;
  for (;;) {
    let view: ChainView | null = null;
    try {
      view = await read();
    } catch (error) {
      if (!(error instanceof Stop)) throw error; // nodes still disagree while the block spreads
    }
    if (view && isDone(step, view.members)) return view;
    if (Date.now() >= deadline) {
      throw new Stop(
        `${label} was accepted, but after ${Math.round(timing.visibleMs / 1000)} s a majority of the nodes still does not show it (${view ? describeMembers(view.members) : "the nodes disagree"})`,
      );
    }
    await sleep(timing.pollMs);
  }
}
