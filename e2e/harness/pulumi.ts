import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { dump, load } from "js-yaml";
import { run, type RunResult } from "./proc";
import { JsonStreamSplitter } from "./watch";

/** One engine message (diagnostic) with the resource it is about. */
export interface Diagnostic {
  readonly severity: string;
  readonly message: string;
  readonly urn?: string;
}

/** A step the engine planned (preview) or took (up, destroy). */
export interface Step {
  readonly op: string;
  readonly urn: string;
  readonly type: string;
  readonly diffs?: readonly string[];
  /** Planned or begun, not (yet) done: every preview step, and an update's steps that never reported outputs. */
  readonly planned?: boolean;
}

export interface EngineRun {
  readonly run: RunResult;
  readonly ok: boolean;
  readonly steps: readonly Step[];
  /** The engine's own summary: op → count. */
  readonly changes: Readonly<Record<string, number>>;
  readonly diagnostics: readonly Diagnostic[];
  /** Every error text: error diagnostics, failed operations and stderr. */
  readonly errorText: string;
  /** The preview a plain `pulumi up` (or `destroy`) ran first, as the plan it printed; undefined with --skip-preview. */
  readonly plan?: readonly Step[];
}

export interface StateResource {
  readonly urn: string;
  readonly type: string;
  readonly custom?: boolean;
  readonly id?: string;
  readonly protect?: boolean;
  readonly retainOnDelete?: boolean;
  readonly inputs?: Record<string, any>;
  readonly outputs?: Record<string, any>;
}

/** The last part of a URN: the resource's name. */
export const urnName = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/**
 * The real Pulumi CLI on a local file backend, in a copy of the project. Previews use `--json` (the plan as one
 * document), updates and destroys `--json` too (the engine's event stream, one JSON object per line).
 */
export class PulumiCli {
  constructor(
    private readonly bin: string,
    readonly projectDir: string,
    private readonly baseEnv: NodeJS.ProcessEnv,
    private readonly log: string,
  ) {}

  env(kubeconfig: string): NodeJS.ProcessEnv {
    return { ...this.baseEnv, KUBECONFIG: kubeconfig };
  }

  private pulumi(args: readonly string[], kubeconfig: string): Promise<RunResult> {
    return run(join(this.bin, "pulumi"), [...args, "--non-interactive"], { env: this.env(kubeconfig), cwd: this.projectDir, log: this.log });
  }

  stackFile(stack: string): string {
    return join(this.projectDir, "stacks", `Pulumi.${stack}.yaml`);
  }

  /** The stack's `fisco-bcos:` config as the file holds it (objects, not strings). */
  readConfig(stack: string): Record<string, any> {
    const doc = (load(readFileSync(this.stackFile(stack), "utf8")) ?? {}) as { config?: Record<string, any> };
    return Object.fromEntries(Object.entries(doc.config ?? {}).map(([k, v]) => [k.replace(/^fisco-bcos:/, ""), v]));
  }

  /** Rewrite the stack's config (keeps every other key of the file, encryptionsalt included). */
  writeConfig(stack: string, config: Record<string, any>): void {
    const file = this.stackFile(stack);
    const doc = (load(readFileSync(file, "utf8")) ?? {}) as Record<string, any>;
    doc.config = Object.fromEntries(
      Object.entries(config)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [`fisco-bcos:${k}`, v]),
    );
    writeFileSync(file, dump(doc, { lineWidth: -1 }));
  }

  editConfig(stack: string, edit: (config: Record<string, any>) => void): void {
    const config = this.readConfig(stack);
    edit(config);
    this.writeConfig(stack, config);
  }

  init(stack: string, kubeconfig: string): Promise<RunResult> {
    return this.pulumi(["stack", "init", stack], kubeconfig);
  }

  /** Remove the (empty) stack's state; its config file stays. */
  remove(stack: string, kubeconfig: string): Promise<RunResult> {
    return this.pulumi(["stack", "rm", stack, "--yes", "--preserve-config"], kubeconfig);
  }

  async preview(stack: string, kubeconfig: string, flags: readonly string[] = []): Promise<EngineRun> {
    // --show-sames: without it the JSON plan leaves out the resources that stay the same.
    const result = await this.pulumi(["preview", "-s", stack, "--json", "--show-sames", ...flags], kubeconfig);
    let doc: any = {};
    try {
      doc = JSON.parse(result.stdout);
    } catch {
      // a program that fails early may print no plan
    }
    const steps: Step[] = (doc.steps ?? []).map((s: any) => ({
      op: s.op,
      urn: s.urn,
      type: s.newState?.type ?? s.oldState?.type ?? typeFromUrn(s.urn),
      diffs: s.detailedDiff ? Object.keys(s.detailedDiff) : s.diffReasons,
    }));
    const diagnostics: Diagnostic[] = (doc.diagnostics ?? []).map((d: any) => ({ severity: d.severity, message: String(d.message ?? "").trim(), urn: d.urn }));
    return engineRun(result, steps, doc.changeSummary ?? {}, diagnostics, []);
  }

  /**
   * `pulumi up --skip-preview` by default (each scenario previews on its own where the plan matters); with
   * `{ preview: true }` a plain `pulumi up`, which runs its preview first and stops when that fails.
   */
  up(stack: string, kubeconfig: string, flags: readonly string[] = [], options: { preview?: boolean } = {}): Promise<EngineRun> {
    return this.events(["up", "-s", stack, "--yes", ...(options.preview ? [] : ["--skip-preview"]), "--json", ...flags], kubeconfig);
  }

  destroy(stack: string, kubeconfig: string, flags: readonly string[] = []): Promise<EngineRun> {
    return this.events(["destroy", "-s", stack, "--yes", "--json", ...flags], kubeconfig);
  }

  private async events(args: readonly string[], kubeconfig: string): Promise<EngineRun> {
    const result = await this.pulumi(args, kubeconfig);
    const steps = new Map<string, Step>();
    const diagnostics: Diagnostic[] = [];
    const failures: string[] = [];
    let changes: Record<string, number> = {};
    let planned: Step[] | undefined;
    // `destroy --json` and a plain `up --json` print their preview as one JSON document first; when the preview
    // fails, that is all there is.
    if (result.stdout.startsWith("{\n")) {
      const [plan] = new JsonStreamSplitter().push(result.stdout);
      for (const d of plan?.diagnostics ?? []) diagnostics.push({ severity: d.severity, message: String(d.message ?? "").trim(), urn: d.urn });
      const previewed: Step[] = (plan?.steps ?? []).map((st: any) => ({
        op: st.op,
        urn: st.urn,
        type: st.oldState?.type ?? st.newState?.type ?? typeFromUrn(st.urn),
        planned: true,
      }));
      for (const st of previewed) steps.set(st.urn, st);
      planned = previewed;
      changes = plan?.changeSummary ?? {};
    }
    for (const line of result.stdout.split("\n")) {
      if (!line.startsWith('{"sequence"')) continue;
      const event = JSON.parse(line);
      const step = event.resourcePreEvent ?? event.resOutputsEvent ?? event.resOpFailedEvent;
      if (step?.metadata) {
        const m = step.metadata;
        // A step is done once its outputs are reported; before that (or when it failed) it was only begun.
        const done = Boolean(event.resOutputsEvent);
        steps.set(m.urn, { op: m.op, urn: m.urn, type: m.type, diffs: m.diffs ?? (m.detailedDiff ? Object.keys(m.detailedDiff) : undefined), planned: !done });
      }
      if (event.resOpFailedEvent) failures.push(`${event.resOpFailedEvent.metadata.op} ${urnName(event.resOpFailedEvent.metadata.urn)} failed`);
      if (event.diagnosticEvent && event.diagnosticEvent.severity !== "debug") {
        const d = event.diagnosticEvent;
        diagnostics.push({ severity: d.severity, message: String(d.message ?? "").trim(), urn: d.urn });
      }
      if (event.summaryEvent) changes = event.summaryEvent.resourceChanges ?? {};
    }
    return { ...engineRun(result, [...steps.values()], changes, diagnostics, failures), plan: planned };
  }

  async exportState(stack: string, kubeconfig: string): Promise<StateResource[]> {
    const result = await this.pulumi(["stack", "export", "-s", stack], kubeconfig);
    if (result.code !== 0) throw new Error(`pulumi stack export: ${result.stderr.trim()}`);
    return (JSON.parse(result.stdout).deployment?.resources ?? []) as StateResource[];
  }

  async outputs(stack: string, kubeconfig: string): Promise<Record<string, any>> {
    const result = await this.pulumi(["stack", "output", "-s", stack, "--json"], kubeconfig);
    if (result.code !== 0) throw new Error(`pulumi stack output: ${result.stderr.trim()}`);
    return JSON.parse(result.stdout);
  }
}

function typeFromUrn(urn: string): string {
  const types = urn.split("::")[2] ?? "";
  return types.slice(types.lastIndexOf("$") + 1);
}

function engineRun(result: RunResult, steps: Step[], changes: Record<string, number>, diagnostics: Diagnostic[], failures: string[]): EngineRun {
  const errors = diagnostics
    .filter((d) => d.severity === "error" || d.severity === "info#err")
    .map((d) => (d.urn ? `${urnName(d.urn)}: ${d.message}` : d.message));
  return {
    run: result,
    ok: result.code === 0,
    steps,
    changes,
    diagnostics,
    errorText: [...errors, ...failures, result.stderr.trim()].filter(Boolean).join("\n"),
  };
}

/** Environment of every Pulumi command: local file backend, no update checks, no plugin downloads. */
export function pulumiEnv(bin: string, runDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("PULUMI_")) delete env[key];
  return {
    ...env,
    // The built tools first (the engine finds the providers there), then the node that runs this harness.
    PATH: `${bin}:${dirname(process.execPath)}:${process.env.PATH}`,
    PULUMI_HOME: join(runDir, "pulumi-home"),
    PULUMI_BACKEND_URL: `file://${join(runDir, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "e2e",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
}
