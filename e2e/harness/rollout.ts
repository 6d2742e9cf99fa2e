import type { WatchEvent } from "./watch";

/** One node's restart as a pod watch saw it: its old pod going away, its new pod Ready. */
export interface NodeRestart {
  readonly node: string;
  readonly wave: number;
  /** When the old pod was marked for deletion (or vanished): the node stops serving. */
  readonly downAt: number;
  /** When a new pod was Ready; undefined if none was before the watch stopped. */
  readonly readyAt?: number;
  /** New pods seen (more than 1: the node restarted more than once). */
  readonly newPods: number;
}

export interface RolloutAnalysis {
  readonly restarts: readonly NodeRestart[];
  readonly notRestarted: readonly string[];
  /** Most nodes down at the same moment, and when. */
  readonly maxDown: number;
  readonly maxDownAt?: number;
  /** Nodes of a later wave that went down before a node of an earlier wave was back. */
  readonly orderViolations: readonly string[];
}

const isReady = (pod: any) => !pod.metadata?.deletionTimestamp && (pod.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");

/**
 * How a rolling restart went, from a pod watch started before it: for each node (pod `<podOf(node)>`), when it went
 * down and when its new pod was Ready; how many were down at once; and whether every wave waited for the one before.
 */
export function analyseRollout(events: readonly WatchEvent[], waves: Readonly<Record<string, number>>, podOf: (node: string) => string): RolloutAnalysis {
  const restarts: NodeRestart[] = [];
  const notRestarted: string[] = [];
  for (const node of Object.keys(waves)) {
    const seen = events.filter((e) => e.object?.metadata?.name === podOf(node));
    const oldUid = seen[0]?.object.metadata.uid;
    const down =
      seen.find((e) => e.object.metadata.uid === oldUid && (e.type === "DELETED" || e.object.metadata.deletionTimestamp)) ??
      seen.find((e) => e.object.metadata.uid !== oldUid);
    if (!down) {
      notRestarted.push(node);
      continue;
    }
    const newUids = new Set(seen.filter((e) => e.object.metadata.uid !== oldUid && e.type !== "DELETED").map((e) => e.object.metadata.uid));
    const ready = seen.find((e) => e.t >= down.t && e.object.metadata.uid !== oldUid && e.type !== "DELETED" && isReady(e.object));
    restarts.push({ node, wave: waves[node], downAt: down.t, readyAt: ready?.t, newPods: newUids.size });
  }

  // Sweep: +1 at each down, -1 at each ready.
  const marks = restarts
    .flatMap((r) => [{ t: r.downAt, d: 1 }, ...(r.readyAt !== undefined ? [{ t: r.readyAt, d: -1 }] : [])])
    .sort((a, b) => a.t - b.t || a.d - b.d);
  let current = 0;
  let maxDown = 0;
  let maxDownAt: number | undefined;
  for (const m of marks) {
    current += m.d;
    if (current > maxDown) {
      maxDown = current;
      maxDownAt = m.t;
    }
  }

  const orderViolations: string[] = [];
  for (const later of restarts) {
    for (const earlier of restarts) {
      if (earlier.wave >= later.wave) continue;
      if (earlier.readyAt === undefined || later.downAt < earlier.readyAt) {
        const back =
          earlier.readyAt === undefined ? "was never Ready again" : `was Ready again only ${((earlier.readyAt - later.downAt) / 1000).toFixed(1)} s later`;
        orderViolations.push(`${later.node} (wave ${later.wave}) went down before ${earlier.node} (wave ${earlier.wave}) was back: ${earlier.node} ${back}`);
      }
    }
  }
  return { restarts: restarts.sort((a, b) => a.downAt - b.downAt), notRestarted, maxDown, maxDownAt, orderViolations };
}

/** One line per node: down and back, relative to t0, in seconds. */
export function formatRollout(analysis: RolloutAnalysis, t0: number): string[] {
  const s = (t: number) => `+${((t - t0) / 1000).toFixed(1)} s`;
  return analysis.restarts.map(
    (r) =>
      `${r.node} (wave ${r.wave}): down ${s(r.downAt)}, Ready ${r.readyAt === undefined ? "never" : `${s(r.readyAt)} (${((r.readyAt - r.downAt) / 1000).toFixed(1)} s down)`}${r.newPods > 1 ? `, ${r.newPods} new pods` : ""}`,
  );
}
