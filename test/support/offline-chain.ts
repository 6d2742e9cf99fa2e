import { pulumiConfigFromStackFile } from "../../chain/stack-config";
import type { RegisteredResource } from "../../offline/mocks/engine";
import { runProgramOffline, type OfflineRun } from "../../offline/mocks/run-program";
import type { ProviderState } from "../../offline/mocks/engine";

/** Run the Pulumi program offline with config written as in a stack file (keys without the namespace). */
export function runChain(config: Record<string, unknown> = {}, providerState?: ProviderState, previousOutputs?: Record<string, unknown>): Promise<OfflineRun> {
  const stackFile = Object.fromEntries(Object.entries(config).map(([k, v]) => [`fisco-bcos:${k}`, v]));
  return runProgramOffline({ stack: "test", config: pulumiConfigFromStackFile(stackFile), providerState, previousOutputs });
}

export function k8sObject(run: OfflineRun, kind: string, name: string): Record<string, any> {
  const found = run.engine.kubernetesObjects().find((r) => r.inputs.kind === kind && r.inputs.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name} registered`);
  return found.inputs;
}

export function resourcesOfType(run: OfflineRun, type: string): RegisteredResource[] {
  return run.engine.resources.filter((r) => r.type === type);
}
