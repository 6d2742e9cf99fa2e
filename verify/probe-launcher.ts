import { runNativeProbe, type ProbeOutcome } from "./native-probe";
import { DEFAULTS, type Context } from "./options";
import { isMember, membership, selfRole } from "./roles";
import { upNodes, type NodeSnapshot, type UpSnapshot } from "./snapshot";

/**
 * The first node, in the given order, whose snapshot says it is up and a group member by its own ledger (waiting
 * for earlier ones first). A free node never takes the probe: the sealers drop what it forwards.
 */
async function firstMemberUp(round: readonly Promise<NodeSnapshot>[]): Promise<UpSnapshot | null> {
  for (const pending of round) {
    const s = await pending;
    if (s.kind === "up" && isMember(selfRole(s))) return s;
  }
  return null;
}

/**
 * Starts the native probe on the first round in which a group member answers, through that node, while the other
 * nodes' snapshots (TLS handshakes, peers still connecting) are still in progress: the seal waits overlap them. The
 * write and the read then go through other nodes that are sealers or observers by the lists most nodes hold.
 */
export class ProbeLauncher {
  private launched: Promise<ProbeOutcome> | undefined;
  private readonly attempts: Promise<void>[] = [];
  startedAt = 0;

  constructor(
    private readonly ctx: Context,
    private readonly enabled: boolean,
  ) {}

  offer(round: readonly Promise<NodeSnapshot>[]): void {
    if (!this.enabled || this.launched) return;
    this.attempts.push(
      firstMemberUp(round).then((deployer) => {
        if (!deployer || this.launched) return;
        const api = this.ctx.apis.find((a) => a.name === deployer.name)!;
        const nodes = Promise.all(round).then((snapshots) => {
          const up = upNodes(snapshots);
          const { roleOf } = membership(up);
          return this.ctx.apis.filter((a) => up.some((s) => s.name === a.name && isMember(roleOf(s.sync.nodeId))));
        });
        this.startedAt = Date.now();
        this.launched = runNativeProbe({
          deployer: api,
          nodes,
          startHeight: deployer.sync.blockNumber,
          chainId: this.ctx.options.expectedChainId ?? deployer.group.chainId,
          groupId: this.ctx.options.groupId ?? DEFAULTS.groupId,
          deadline: this.ctx.deadline,
          reserveMs: this.ctx.reserveMs,
          progress: this.ctx.progress,
          value: this.ctx.options.probeValue,
        });
      }),
    );
  }

  /** The probe's outcome, or null when it never started (disabled, or no node ever answered). */
  async outcome(): Promise<ProbeOutcome | null> {
    await Promise.all(this.attempts);
    return this.launched ? await this.launched : null;
  }
}
