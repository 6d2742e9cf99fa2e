import * as pulumi from "@pulumi/pulumi";
import { fiscoBcosProgram } from "../../program";
import { OfflineEngine, type ProviderState } from "./engine";

// Internal to @pulumi/pulumi, but it is exactly "wait until every registration has been answered".
const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void>; getMonitor: () => any };

export const PROJECT = "fisco-bcos";

export interface OfflineRunOptions {
  readonly stack: string;
  /** Config as the Pulumi CLI passes it: `fisco-bcos:<key>` → string. */
  readonly config: Readonly<Record<string, string>>;
  /** Reuse provider state from an earlier run (same key material), as a stack's state does. */
  readonly providerState?: ProviderState;
  /** Run as `pulumi preview` does (isDryRun): only the tests use it, with an engine that answers some outputs as unknown. */
  readonly preview?: boolean;
  /** The engine to use instead of a new OfflineEngine over `providerState`. */
  readonly engine?: OfflineEngine;
  /** The outputs the stack's last update left (what the program reads back through a StackReference to itself). */
  readonly previousOutputs?: Record<string, unknown>;
}

export interface OfflineRun {
  readonly engine: OfflineEngine;
  readonly outputs: Record<string, any>;
}

/** Run the real Pulumi program in-process, with the offline engine standing in for the Pulumi engine and providers. */
export async function runProgramOffline(options: OfflineRunOptions): Promise<OfflineRun> {
  const engine = options.engine ?? new OfflineEngine(options.providerState);
  if (options.previousOutputs) engine.previousOutputs = options.previousOutputs;
  // "organization": what a self-managed backend (file, S3, …) calls every stack's organization.
  await pulumi.runtime.setMocks(engine, PROJECT, options.stack, options.preview ?? false, "organization");
  forwardResourceOptions(engine);
  pulumi.runtime.setAllConfig({ ...options.config }, []);
  const outputs = (await pulumi.runtime.runInPulumiStack(async () => fiscoBcosProgram())) ?? {};
  await settings.waitForRPCs();
  return { engine, outputs: outputs as Record<string, any> };
}

/** The mock monitor drops resource options; pass them on to the offline engine (it honours `ignoreChanges`). */
function forwardResourceOptions(engine: OfflineEngine): void {
  const monitor = settings.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: unknown) => {
    const hooks = req.getHooks()?.toObject() ?? {};
    engine.noteOptions(req.getType(), req.getName(), {
      ignoreChanges: req.getIgnorechangesList(),
      protect: Boolean(req.getProtect()),
      retainOnDelete: Boolean(req.getRetainondelete()),
      hooks: Object.fromEntries(Object.entries(hooks).filter(([, names]) => Array.isArray(names) && names.length > 0)) as Record<string, string[]>,
    });
    return register(req, callback);
  };
  // The mock monitor has no resource-hook registry: accept registrations, record them, never run them.
  monitor.registerResourceHook = (req: any, callback: (error: Error | null, response: unknown) => void) => {
    engine.hooks.push(req.getName());
    callback(null, {});
  };
}
