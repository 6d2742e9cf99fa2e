import { genesisSealers } from "./genesis-drift";
import { parseIni } from "./ini";
import type { NodeSpec } from "./spec";

/**
 * The declared nodes that are members of the group from block 0: those whose consensus node id the recorded genesis
 * lists as a sealer. Every other node (an observer, a node added later) is a free node until it is added on chain:
 * with `[sync] allow_free_node=true` it syncs, but sealers refuse transactions it forwards
 * (`[txpool] enable_txs_from_free_node=false`), so it must not serve clients.
 *
 * @param nodes the stack's nodes; @param genesis the recorded config.genesis text; @param nodeIds node name → 128-hex id.
 * @returns the member nodes' names, in node order.
 */
export function genesisMemberNames(nodes: readonly Pick<NodeSpec, "name">[], genesis: string, nodeIds: Readonly<Record<string, string>>): string[] {
  const sealerIds = new Set(genesisSealers(parseIni(genesis)).map((s) => s.id));
  return nodes.filter((n) => sealerIds.has(nodeIds[n.name]?.toLowerCase() ?? "")).map((n) => n.name);
}

/** Members as a fresh chain has them, before any genesis exists: the declared sealers. */
export function declaredSealerNames(nodes: readonly Pick<NodeSpec, "name" | "role">[]): string[] {
  return nodes.filter((n) => n.role === "sealer").map((n) => n.name);
}
