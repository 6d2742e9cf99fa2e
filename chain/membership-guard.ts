import { planMembership, type DeclaredMember } from "./membership-plan";

/**
 * Why a change of the stack's sealers and observers is refused before anything is applied: the membership plan
 * (chain/membership-plan.ts) from the set the stack declared at its last update, taken as the chain's, to the set it
 * declares now. Refused: sealers of more weight than f leaving at once, no sealer left, a sealer joining heavier than
 * the chain could then lose (each with the numbers). The executor checks the same against the chain itself when it
 * runs; this check needs no chain, so `pulumi preview` can refuse.
 * @param previous the declared set recorded by the last update (stack output declaredMembers); undefined for a new stack.
 * @param next the declared set now; a node whose id a preview does not know yet has the id `new:<name>`.
 * @returns the refusals, empty when the change may go ahead.
 */
export function membershipChangeRefusals(previous: readonly DeclaredMember[] | undefined, next: readonly DeclaredMember[]): readonly string[] {
  if (!previous || previous.length === 0) return [];
  const onChain = {
    sealers: previous.filter((m) => m.role === "sealer").map((m) => ({ nodeId: m.nodeId, weight: m.weight })),
    observers: previous.filter((m) => m.role === "observer").map((m) => m.nodeId),
  };
  const kept = new Set(next.map((m) => m.nodeId.toLowerCase()));
  const removed = Object.fromEntries(previous.filter((m) => !kept.has(m.nodeId.toLowerCase())).map((m) => [m.name, m.nodeId]));
  return planMembership(next, onChain, removed).refusals;
}

/** The recorded form of the declared set: what a stack output holds, checked on the way in. */
export function parseDeclaredMembers(value: unknown): DeclaredMember[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const valid = value.every(
    (m) => m && typeof m.name === "string" && typeof m.nodeId === "string" && (m.role === "sealer" || m.role === "observer") && Number.isInteger(m.weight),
  );
  return valid ? (value as DeclaredMember[]) : undefined;
}
