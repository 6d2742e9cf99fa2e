import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { run, type RunResult } from "./proc";
import { REPO } from "./tools";

export interface ClusterOptions {
  /** Apply e2e/kwok/stages.yaml (pods Ready 3 s after they start, Stages swappable at run time). */
  readonly stages: boolean;
  /** A default StorageClass of this name, and the static PVs in it (otherwise the PVs have no class). */
  readonly storageClass?: string;
  readonly nodes?: number;
  readonly pvs?: number;
}

/** One kwok cluster (e2e/cluster.sh) of its own, with its own state folder, kubeconfig and context. */
export class Cluster {
  readonly name: string;
  readonly dir: string;
  readonly kubeconfig: string;
  /** kwokctl names the kubeconfig context after the cluster. */
  readonly context: string;
  private upDone = false;

  constructor(
    group: string,
    runDir: string,
    private readonly bin: string,
    private readonly log: string,
  ) {
    this.name = `fisco-e2e-${group}`;
    this.dir = join(runDir, "clusters", group);
    this.kubeconfig = join(this.dir, "kubeconfig");
    this.context = `kwok-${this.name}`;
    mkdirSync(this.dir, { recursive: true });
  }

  private get env(): NodeJS.ProcessEnv {
    return { ...process.env, FISCO_E2E_DIR: this.dir, FISCO_E2E_CLUSTER: this.name, KUBECONFIG: this.kubeconfig, PATH: `${this.bin}:${process.env.PATH}` };
  }

  async up(options: ClusterOptions): Promise<RunResult> {
    const args = [join(REPO, "e2e", "cluster.sh"), "up", "--nodes", String(options.nodes ?? 4), "--pvs", String(options.pvs ?? 8)];
    if (options.stages) args.push("--stages", join(REPO, "e2e", "kwok", "stages.yaml"));
    if (options.storageClass) args.push("--storage-class", options.storageClass);
    this.upDone = true;
    return run("bash", args, { env: this.env, log: this.log });
  }

  async down(): Promise<RunResult | undefined> {
    if (!this.upDone) return undefined;
    this.upDone = false;
    return run("bash", [join(REPO, "e2e", "cluster.sh"), "down"], { env: this.env, log: this.log });
  }

  kubectl(args: readonly string[], input?: string): Promise<RunResult> {
    return run(join(this.bin, "kubectl"), args, { env: this.env, log: this.log, input });
  }

  /** `kubectl get … -o json`; the items (or the one object), [] when it is not found. */
  async get(resource: string, namespace?: string, name?: string): Promise<any[]> {
    const args = ["get", resource, ...(name ? [name] : []), ...(namespace ? ["-n", namespace] : []), "-o", "json", "--ignore-not-found"];
    const result = await this.kubectl(args);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${result.stderr.trim()}`);
    if (!result.stdout.trim()) return [];
    const parsed = JSON.parse(result.stdout);
    return parsed.kind?.endsWith("List") ? parsed.items : [parsed];
  }

  /** The API server's address and CA, from the kubeconfig kwokctl wrote. */
  apiServer(): { server: string; ca: string } {
    const text = readFileSync(this.kubeconfig, "utf8");
    const server = /server:\s*(\S+)/.exec(text)?.[1];
    const caFile = /certificate-authority:\s*(\S+)/.exec(text)?.[1];
    if (!server || !caFile) throw new Error(`no server or CA in ${this.kubeconfig}`);
    return { server, ca: readFileSync(caFile, "utf8") };
  }
}
