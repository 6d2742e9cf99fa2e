import { join } from "node:path";
import { SDK_FILES } from "../chain/render/sdk-configs";
import { fail, readText } from "../cli/flags";
import type { RpcEndpoint } from "../fisco/rpc-client";

/**
 * What `npm run members` reads from an SDK directory (the SDK Secret's files, or synth's sdk/): endpoints.json and the
 * TLS files. (The same readers are being moved into cli/sdk-dir.ts for the verifier and the load generator; this
 * module goes once that lands.)
 */

type UrlMap = Record<string, string>;

export interface SdkEndpointsFile {
  readonly chainId?: string;
  readonly groupId?: string;
  readonly rpc: { readonly nodes: UrlMap; readonly nonMembers?: UrlMap };
}

const isUrlMap = (value: unknown): value is UrlMap =>
  value !== null && typeof value === "object" && !Array.isArray(value) && Object.values(value).every((u) => typeof u === "string");

/** `<dir>/endpoints.json`: rpc.nodes (and rpc.nonMembers, when present) as name → URL maps. @throws UsageError */
export function readEndpointsFile(dir: string): SdkEndpointsFile {
  const file = join(dir, SDK_FILES.endpoints);
  const text = readText("--sdk-dir", file);
  try {
    const parsed = JSON.parse(text) as SdkEndpointsFile;
    if (!isUrlMap(parsed?.rpc?.nodes)) throw new Error("no rpc.nodes");
    if (parsed.rpc.nonMembers !== undefined && !isUrlMap(parsed.rpc.nonMembers)) throw new Error("rpc.nonMembers is not a map of node names to URLs");
    return parsed;
  } catch (error) {
    return fail(`--sdk-dir: ${file} is not the SDK Secret's endpoints.json (${(error as Error).message})`);
  }
}

/** Every node endpoints.json lists: the members, then the declared nodes outside the group. */
export function allEndpoints(file: SdkEndpointsFile): RpcEndpoint[] {
  return Object.entries({ ...file.rpc.nodes, ...file.rpc.nonMembers }).map(([name, url]) => ({ name, url }));
}

/** URLs named by host:port (the CLI renames each after the declared node that answers there). */
export const endpointsFromUrls = (urls: readonly string[]): RpcEndpoint[] => urls.map((url) => ({ name: new URL(url).host, url }));

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
