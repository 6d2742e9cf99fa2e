import { peerAddress } from "../naming";
import type { ChainSpec } from "../spec";

/** nodes.json: every node's P2P address, self included, on one line (as build_chain writes it). */
export function renderNodesJson(spec: Pick<ChainSpec, "chainName" | "namespace" | "clusterDomain" | "ports" | "nodes">): string {
  return `${JSON.stringify({ nodes: spec.nodes.map((n) => peerAddress(spec, n)) })}\n`;
}
