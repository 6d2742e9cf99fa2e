import type { DeclaredMember } from "./membership-plan";

/** Node name → 128-hex consensus node id of nodes that earlier updates declared and this one does not. */
export type FormerNodeIds = Readonly<Record<string, string>>;

/**
 * The nodes an earlier update declared and this one does not: the names the membership step gives the nodes it removes
 * from consensus (members/apply.ts memberNamer), where it would otherwise say `undeclared-<id>`. Kept from update to
 * update (stack output formerNodeIds), so it changes only with the declared set: the update after a removal renders
 * the same membership Job. A name declared again, or an id a declared node has, leaves the record.
 *
 * @param previousFormer the last update's formerNodeIds (unknown: a stack output, checked here; absent before it existed)
 * @param previousDeclared the last update's declared set (stack output declaredMembers); undefined for a new stack
 * @param declared the nodes declared now; `nodeId` undefined where a preview does not know a new node's id yet
 * @returns name → lower-case id, keys sorted (the same inputs give the same chart values, byte for byte)
 */
export function formerNodeIds(
  previousFormer: unknown,
  previousDeclared: readonly DeclaredMember[] | undefined,
  declared: readonly { readonly name: string; readonly nodeId?: string }[],
): Record<string, string> {
  const names = new Set(declared.map((d) => d.name));
  const ids = new Set(declared.flatMap((d) => (d.nodeId ? [d.nodeId.toLowerCase()] : [])));
  const candidates: [string, string][] = [
    ...Object.entries(parseFormerNodeIds(previousFormer)),
    ...(previousDeclared ?? []).map((m): [string, string] => [m.name, m.nodeId]),
  ];
  const kept = candidates.map(([name, id]): [string, string] => [name, id.toLowerCase()]).filter(([name, id]) => !names.has(name) && !ids.has(id));
  return Object.fromEntries(kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const NODE_ID = /^(0x)?[0-9a-fA-F]{128}$/;

/** A recorded formerNodeIds (a stack output, or the membership Job's declared.json): entries that are not name → node id are dropped. */
export function parseFormerNodeIds(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  const entries = Object.entries(value as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === "string" && NODE_ID.test(e[1]));
  return Object.fromEntries(entries.map(([name, id]) => [name, id.replace(/^0x/, "").toLowerCase()]));
}
