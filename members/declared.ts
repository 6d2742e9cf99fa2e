import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseFormerNodeIds, type FormerNodeIds } from "../chain/former-members";
import type { DeclaredMember } from "../chain/membership-plan";
import { parseIni } from "../chain/ini";

/**
 * The declared membership: every node the stack declares, with its consensus node id, role and vote weight. Read from
 * the stack outputs — `pulumi stack output --json` (nodeIds: name → 128-hex id; chartValues.nodes: name, role,
 * weight; formerNodeIds: the names of nodes removed since), or the same outputs that `npm run synth` writes into its tree as stack-outputs.json. A synth tree is also
 * checked against itself: each node directory's conf/node.nodeid must be the id the outputs name, and its
 * config.genesis gives the chain id and whether auth checking is on (`[executor] is_auth_check`).
 */

export interface DeclaredSet {
  readonly members: readonly DeclaredMember[];
  /** Nodes earlier updates declared and this one does not (stack output formerNodeIds): named when removed. */
  readonly formerNodeIds?: FormerNodeIds;
  /** The genesis admin account (stack output adminAddress), when the outputs carry it. */
  readonly adminAddress?: string;
  /** The genesis' is_auth_check, when a genesis was read. */
  readonly authCheck?: boolean;
  readonly chainId?: string;
  readonly groupId?: string;
}

export class DeclaredSetError extends Error {}

const NODE_ID = /^[0-9a-f]{128}$/;

interface StackOutputs {
  readonly nodeIds?: unknown;
  readonly chartValues?: { readonly nodes?: unknown };
  readonly adminAddress?: unknown;
  readonly formerNodeIds?: unknown;
  readonly endpoints?: { readonly chainId?: unknown; readonly groupId?: unknown };
}

/** The declared set in stack outputs (already parsed JSON). @throws DeclaredSetError naming what is missing. */
export function declaredFromOutputs(outputs: unknown, source: string): DeclaredSet {
  const o = (outputs ?? {}) as StackOutputs;
  if (typeof o.nodeIds !== "object" || o.nodeIds === null)
    throw new DeclaredSetError(`${source}: no nodeIds (node name → node id): is this \`pulumi stack output --json\` of a fisco-bcos stack?`);
  const ids = o.nodeIds as Record<string, unknown>;
  const nodes = o.chartValues?.nodes;
  if (!Array.isArray(nodes)) throw new DeclaredSetError(`${source}: no chartValues.nodes (each node's role and weight)`);
  const members = nodes.map((node: { name?: unknown; role?: unknown; weight?: unknown }, i): DeclaredMember => {
    const name = String(node?.name ?? "");
    const nodeId = typeof ids[name] === "string" ? (ids[name] as string).replace(/^0x/, "").toLowerCase() : "";
    if (!name) throw new DeclaredSetError(`${source}: chartValues.nodes[${i}] has no name`);
    if (!NODE_ID.test(nodeId)) throw new DeclaredSetError(`${source}: nodeIds.${name} is not a 128-hex node id`);
    if (node.role !== "sealer" && node.role !== "observer")
      throw new DeclaredSetError(`${source}: chartValues.nodes[${i}] (${name}) has role ${JSON.stringify(node.role)}, expected sealer or observer`);
    const weight = Number(node.weight ?? 1);
    if (!Number.isInteger(weight) || weight < 1)
      throw new DeclaredSetError(`${source}: chartValues.nodes[${i}] (${name}) has weight ${JSON.stringify(node.weight)}, expected an integer ≥ 1`);
    return { name, nodeId, role: node.role, weight };
  });
  const text = (v: unknown) => (typeof v === "string" && v ? v : undefined);
  return {
    members,
    formerNodeIds: parseFormerNodeIds(o.formerNodeIds),
    adminAddress: text(o.adminAddress)?.toLowerCase(),
    chainId: text(o.endpoints?.chainId),
    groupId: text(o.endpoints?.groupId),
  };
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new DeclaredSetError(`${what}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new DeclaredSetError(`${what}: ${file} is not JSON`);
  }
}

/** `pulumi stack output --json > file`. */
export function declaredFromStackOutputFile(file: string): DeclaredSet {
  return declaredFromOutputs(readJson(file, "--stack-nodes"), file);
}

/**
 * A synth tree: stack-outputs.json, checked against each node directory's conf/node.nodeid, with the genesis' auth
 * setting and chain id from config.genesis.
 */
export function declaredFromTree(dir: string): DeclaredSet {
  const file = join(dir, "stack-outputs.json");
  if (!existsSync(file))
    throw new DeclaredSetError(`--tree: ${dir} has no stack-outputs.json (each node's role and weight): render it again with \`npm run synth\``);
  const declared = declaredFromOutputs(readJson(file, "--tree"), file);
  for (const member of declared.members) {
    const idFile = join(dir, member.name, "conf", "node.nodeid");
    if (!existsSync(idFile)) continue; // a node without its directory: its keys were not written here
    const onDisk = readFileSync(idFile, "utf8").trim().toLowerCase();
    if (onDisk !== member.nodeId)
      throw new DeclaredSetError(
        `--tree: ${idFile} holds ${onDisk.slice(0, 16)}…, but stack-outputs.json names ${member.nodeId.slice(0, 16)}… for ${member.name}: the tree is not from one render`,
      );
  }
  const withGenesis = declared.members.map((m) => join(dir, m.name, "config.genesis")).find((f) => existsSync(f));
  if (!withGenesis) return declared;
  const genesis = parseIni(readFileSync(withGenesis, "utf8"));
  const authCheck = genesis.get("executor")?.get("is_auth_check");
  return {
    ...declared,
    authCheck: authCheck === undefined ? undefined : authCheck === "true",
    chainId: genesis.get("chain")?.get("chain_id") ?? declared.chainId,
    groupId: genesis.get("chain")?.get("group_id") ?? declared.groupId,
  };
}
