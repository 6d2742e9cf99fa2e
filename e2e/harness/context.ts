import { writeFileSync } from "node:fs";
import { maxSealersDown } from "../../chain/consensus";
import { Cluster } from "./cluster";
import type { PulumiCli } from "./pulumi";
import { Group, type Reporter, type Scenario } from "./scenario";
import type { Tools } from "./tools";

/** What every group of scenarios shares. */
export interface Context {
  readonly reporter: Reporter;
  readonly tools: Tools;
  readonly pulumi: PulumiCli;
  readonly runDir: string;
  /** A log file for this group (every command, its output and exit status). */
  log(group: string): string;
  /** A cluster for this group; torn down with the run whatever happens. */
  cluster(group: string): Cluster;
  /** Keep clusters up at the end (for a look with kubectl). */
  readonly keep: boolean;
  /** stacks/Pulumi.e2e.yaml of the copy, as it was before any scenario edited a stack file. */
  readonly baseStack: string;
}

/** A group of scenarios on a fresh cluster of its own: brought up first, deleted at the end (unless --keep). */
export async function withCluster(
  ctx: Context,
  name: string,
  options: Parameters<Cluster["up"]>[0],
  body: (group: Group, cluster: Cluster) => Promise<void>,
): Promise<void> {
  const group = new Group(name, ctx.reporter);
  const cluster = ctx.cluster(name);
  try {
    await group.scenario(
      `kwok cluster up (4 nodes, 8 static PVs${options.storageClass ? `, default StorageClass ${options.storageClass}` : ", no StorageClass"})`,
      async (s) => {
        const up = s.command("e2e/cluster.sh up", await cluster.up(options));
        s.require(up.code === 0, "the control plane and 4 fake nodes are up", up.stderr.slice(-2000));
        s.note(`context ${cluster.context}, kubeconfig ${cluster.kubeconfig}`);
      },
    );
    await body(group, cluster);
  } finally {
    if (!ctx.keep) {
      const down = await cluster.down();
      if (down) ctx.reporter.line(`${name}: cluster deleted (${down.seconds.toFixed(1)} s)`);
    } else ctx.reporter.line(`${name}: cluster kept: KUBECONFIG=${cluster.kubeconfig}`);
  }
}

/** A stack file for `stack` in the project copy: stacks/Pulumi.e2e.yaml as committed, with these settings on top. */
export function makeStack(ctx: Context, stack: string, overrides: Record<string, any>): void {
  writeFileSync(ctx.pulumi.stackFile(stack), ctx.baseStack);
  ctx.pulumi.editConfig(stack, (c) => Object.assign(c, overrides));
}

/** The most sealers that may be down at once for the stack's nodes (as the program computes it). */
export function allowedDown(nodes: readonly { name: string; role?: string; weight?: number }[]): number {
  return Math.max(1, maxSealersDown(nodes.filter((n) => (n.role ?? "sealer") === "sealer").map((n) => ({ name: n.name, weight: n.weight ?? 1 }))));
}

/** Poll until `ready` holds (or the time is up); whether it did. */
export async function waitFor(what: () => Promise<boolean>, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    if (await what()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Pods of the chain's nodes that are Running and Ready. */
export async function readyNodePods(cluster: Cluster, namespace: string): Promise<string[]> {
  const pods = await cluster.get("pods", namespace);
  return pods
    .filter((p) => p.metadata.labels?.["app.kubernetes.io/component"] === "node" && !p.metadata.deletionTimestamp)
    .filter((p) => (p.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True"))
    .map((p) => p.metadata.name);
}

/** The first lines of an engine error, for a note. */
export function firstLines(text: string, n = 4): string {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, n)
    .join("\n");
}

export type { Scenario };
