import type { DeclaredMember } from "../chain/membership-plan";
import { NodeApi } from "../fisco/native-api";
import { FiscoRpcClient, type RpcEndpoint, type TlsMaterial } from "../fisco/rpc-client";
import { applyMembership, type ApplyOptions, type MembershipReport } from "./apply";

export interface MembershipAtEndpoints extends Omit<ApplyOptions, "apis"> {
  /** The nodes' native RPC endpoints: the members', and the declared nodes' not yet in the group. */
  readonly endpoints: readonly RpcEndpoint[];
  readonly tls?: TlsMaterial;
  readonly group: string;
  /** Name each endpoint after the declared node whose id its getSyncStatus reports (URLs that name no node). */
  readonly nameByNodeId: boolean;
}

/**
 * applyMembership (members/apply.ts) against RPC endpoints: opens a client per endpoint, names them after the
 * declared nodes when asked, and closes them after. The one entry the CLI (`npm run members`) and the `pulumi up`
 * hook (components/host-membership.ts) share.
 * @throws what applyMembership throws (an unreadable chain is a report with `failure`, not a throw).
 */
export async function applyMembershipAt(options: MembershipAtEndpoints): Promise<MembershipReport> {
  const { endpoints, tls, group, nameByNodeId, ...apply } = options;
  const named = nameByNodeId ? await namedEndpoints(endpoints, options.declared, tls, group, options.timing?.rpcMs ?? 10_000) : endpoints;
  const clients = named.map((e) => new FiscoRpcClient(e, tls));
  try {
    return await applyMembership({ ...apply, apis: clients.map((c) => new NodeApi(c, group)) });
  } finally {
    for (const c of clients) c.close();
  }
}

/** Each endpoint named after the declared node whose id its getSyncStatus reports; kept as it is when it does not answer. */
async function namedEndpoints(
  endpoints: readonly RpcEndpoint[],
  declared: readonly DeclaredMember[],
  tls: TlsMaterial | undefined,
  group: string,
  timeoutMs: number,
): Promise<RpcEndpoint[]> {
  const names = new Map(declared.map((m) => [m.nodeId, m.name]));
  return Promise.all(
    endpoints.map(async (endpoint) => {
      const client = new FiscoRpcClient(endpoint, tls);
      try {
        const name = names.get((await new NodeApi(client, group).syncStatus(timeoutMs)).nodeId);
        return name && !endpoints.some((e) => e.name === name && e !== endpoint) ? { ...endpoint, name } : endpoint;
      } catch {
        return endpoint;
      } finally {
        client.close();
      }
    }),
  );
}
