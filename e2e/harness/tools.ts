import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const REPO = join(__dirname, "..", "..");

/** What `npm run e2e` runs, all built by e2e/tools/build.sh (the tls and random providers are our stand-ins). */
export const REQUIRED_TOOLS = [
  "pulumi",
  "pulumi-language-nodejs",
  "pulumi-resource-kubernetes",
  "pulumi-resource-tls",
  "pulumi-resource-random",
  "kubectl",
  "kwokctl",
  "kwok",
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
] as const;

export interface Tools {
  readonly bin: string;
  readonly versions: Record<string, string>;
}

/** The bin folder of the built tools, or the names of the missing ones. */
export function findTools(): { tools: Tools } | { missing: string[]; bin: string } {
  const bin = execFileSync("bash", [join(REPO, "e2e", "tools", "build.sh"), "--print-bin"], { encoding: "utf8" }).trim();
  const missing = REQUIRED_TOOLS.filter((t) => !existsSync(join(bin, t)));
  if (missing.length > 0) return { missing, bin };
  return { tools: { bin, versions: toolVersions(bin) } };
}

/** Versions as the binaries report them, plus the pins e2e/tools/build.sh wrote beside bin/. */
function toolVersions(bin: string): Record<string, string> {
  const ask = (tool: string, ...args: string[]) => {
    try {
      return execFileSync(join(bin, tool), args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
        .trim()
        .split("\n")[0];
    } catch {
      return "?";
    }
  };
  const pins = join(dirname(bin), "versions.txt");
  return {
    pulumi: ask("pulumi", "version"),
    "kube-apiserver": ask("kube-apiserver", "--version"),
    kubectl: ask("kubectl", "version", "--client").replace(/^Client Version: /, ""),
    kwokctl: ask("kwokctl", "--version"),
    etcd: ask("etcd", "--version"),
    node: process.version,
    pins: existsSync(pins) ? readFileSync(pins, "utf8").trim().split("\n").join(", ") : "?",
  };
}
