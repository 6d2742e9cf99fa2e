import { createPrivateKey } from "node:crypto";
import { join } from "node:path";
import { SDK_FILES, type Endpoints } from "../chain/render/sdk-configs";
import type { RpcEndpoint } from "../fisco/rpc-client";
import { fail, readText, UsageError } from "./flags";

/**
 * What the verifier's and the load generator's command lines read from an SDK directory (the mounted SDK Secret or
 * synth's sdk/): endpoints.json, the chain CA, the SDK certificate and key; and account keys from files.
 */

/** endpoints.json as the clients read it: `rpc.nonMembers` (and `web3.nonMembers`) may be absent (older Secrets). */
export type SdkEndpoints = Omit<Endpoints, "rpc"> & { readonly rpc: { readonly nodes: Record<string, string>; readonly nonMembers?: Record<string, string> } };

const isUrlMap = (value: unknown): value is Record<string, string> =>
  value !== null && typeof value === "object" && !Array.isArray(value) && Object.values(value).every((u) => typeof u === "string");

/** `<dir>/endpoints.json`, checked: rpc.nodes a name → URL map, rpc.nonMembers (optional) disjoint from it. @throws UsageError */
export function readSdkEndpoints(dir: string): SdkEndpoints {
  const text = readText("--sdk-dir", join(dir, SDK_FILES.endpoints));
  try {
    const parsed = JSON.parse(text) as SdkEndpoints;
    if (!parsed?.rpc?.nodes || !isUrlMap(parsed.rpc.nodes)) throw new Error("no rpc.nodes");
    if (parsed.rpc.nonMembers !== undefined && !isUrlMap(parsed.rpc.nonMembers)) throw new Error("rpc.nonMembers is not a map of node names to URLs");
    const shared = Object.keys(parsed.rpc.nonMembers ?? {}).filter((name) => name in parsed.rpc.nodes);
    if (shared.length > 0) throw new Error(`${shared.join(", ")} listed in both rpc.nodes and rpc.nonMembers`);
    return parsed;
  } catch (error) {
    return fail(`--sdk-dir: ${join(dir, SDK_FILES.endpoints)} is not the SDK Secret's endpoints.json (${(error as Error).message})`);
  }
}

/** A name → URL map as endpoints. */
export const endpointEntries = (map: Record<string, string> | undefined): RpcEndpoint[] => Object.entries(map ?? {}).map(([name, url]) => ({ name, url }));

/** node0-style names from URLs: the host's first DNS label, or host:port when that is not unique. */
export function endpointsFromUrls(list: readonly string[]): RpcEndpoint[] {
  const label = (u: URL) => (/^[\d.]+$|^\[/.test(u.hostname) ? u.host : u.hostname.split(".")[0]);
  const parsed = list.map((u) => new URL(u));
  const labels = parsed.map(label);
  const unique = new Set(labels).size === labels.length;
  return parsed.map((u, i) => ({ name: unique ? labels[i] : u.host, url: list[i] }));
}

/** PEM text of --ca/--cert/--key, each falling back to the SDK directory's ca.crt/sdk.crt/sdk.key. */
export function readTlsFiles(
  flags: { readonly ca?: string; readonly cert?: string; readonly key?: string },
  sdkDir?: string,
): { ca?: string; cert?: string; key?: string } {
  const file = (flag: "ca" | "cert" | "key", sdkName: string) => {
    const path = flags[flag] ?? (sdkDir !== undefined ? join(sdkDir, sdkName) : undefined);
    return path === undefined ? undefined : readText(`--${flag}`, path);
  };
  return { ca: file("ca", SDK_FILES.caCert), cert: file("cert", SDK_FILES.cert), key: file("key", SDK_FILES.key) };
}

/** A secp256k1 private key from a file: 0x-hex (32 bytes) or a PEM as FISCO's get_account.sh writes it. @throws UsageError */
export function readPrivateKeyFile(flag: string, file: string): string {
  const text = readText(flag, file).trim();
  if (/^(0x)?[0-9a-fA-F]{64}$/.test(text)) return `0x${text.replace(/^0x/, "").toLowerCase()}`;
  try {
    const jwk = createPrivateKey(text).export({ format: "jwk" });
    if (jwk.crv !== "secp256k1" || !jwk.d) fail(`${flag}: ${file} is not a secp256k1 key`);
    return `0x${Buffer.from(jwk.d, "base64url").toString("hex").padStart(64, "0")}`;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    return fail(`${flag}: ${file} holds neither a 0x-hex private key nor a PEM key`);
  }
}
