import * as pulumi from "@pulumi/pulumi";
import { isDeepStrictEqual } from "node:util";
import { CHART_V4, renderChartChildren } from "../providers/chart-v4";
import { randomHandlers } from "../providers/random";
import { tlsHandlers } from "../providers/tls";
import type { ProviderState, RegisteredResource, ResourceOptionsSeen } from "./registered-resource";

export type { ProviderState, RegisteredResource, ResourceOptionsSeen } from "./registered-resource";

const STACK_REFERENCE = "pulumi:pulumi:StackReference";

type Handler = (inputs: Record<string, any>) => Promise<Record<string, any>>;

/**
 * Stands in for the Pulumi engine and providers when there is no Pulumi CLI: `tls` and `random` resources
 * get real keys and certificates, Kubernetes objects are recorded as registered.
 */
export class OfflineEngine implements pulumi.runtime.Mocks {
  readonly resources: RegisteredResource[] = [];
  /** Resource hooks the program registered. The offline engine never runs them (there is no deployment). */
  readonly hooks: string[] = [];
  private readonly handlers: Record<string, Handler>;
  private readonly options = new Map<string, ResourceOptionsSeen>();
  /** The outputs of the stack's last update: what a StackReference to the stack itself reads (none for a new stack). */
  previousOutputs: Record<string, unknown> = {};

  constructor(
    private readonly providerState: ProviderState = new Map(),
    extraHandlers: Record<string, Handler> = {},
  ) {
    this.handlers = { ...tlsHandlers, ...randomHandlers, ...extraHandlers };
  }

  async newResource(args: pulumi.runtime.MockResourceArgs): Promise<{ id: string; state: Record<string, any> }> {
    if (args.type === STACK_REFERENCE) return this.readStackReference(args);
    const key = `${args.type}::${args.name}`;
    const prior = this.providerState.get(key);
    const options = this.options.get(key);
    const inputs = withIgnoredChanges(revealSecrets(args.inputs), prior?.inputs, options?.ignoreChanges ?? []);
    const handler = this.handlers[args.type];
    const state = prior && isDeepStrictEqual(prior.inputs, inputs) ? prior.state : handler ? await handler(inputs) : inputs;
    this.providerState.set(key, { inputs, state });
    const read = args.id !== undefined && args.id !== "";
    this.resources.push({ type: args.type, name: args.name, custom: args.custom ?? true, inputs, state, options, ...(read && { read }) });
    if (args.type === CHART_V4) this.resources.push(...(await renderChartChildren(args.name, inputs)));
    return { id: `${args.name}-id`, state };
  }

  /** Only the stack itself can be referenced offline: there is no backend holding other stacks. */
  private readStackReference(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, any> } {
    const name = String(args.inputs.name ?? args.name);
    const state = { name, outputs: this.previousOutputs, secretOutputNames: [] };
    this.resources.push({ type: STACK_REFERENCE, name: args.name, custom: true, inputs: { name }, state, read: true });
    return { id: name, state };
  }

  /** Options of a registration; `ignoreChanges` is honoured as the engine does (old values kept once a resource exists). */
  noteOptions(type: string, name: string, options: ResourceOptionsSeen): void {
    this.options.set(`${type}::${name}`, options);
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
    throw new Error(`offline engine: no stand-in for function ${args.token}`);
  }

  kubernetesObjects(): RegisteredResource[] {
    return this.resources.filter((r) => r.custom && !r.read && r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers:"));
  }
}

/** The mock monitor hands secret inputs over wrapped in Pulumi's secret signature; providers see plain values. */
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";
const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";

function revealSecrets(value: any): any {
  if (Array.isArray(value)) return value.map(revealSecrets);
  if (value === null || typeof value !== "object") return value;
  if (value[SIGNATURE_KEY] === SECRET_SIGNATURE) return revealSecrets(value.value);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealSecrets(v)]));
}

function withIgnoredChanges(inputs: Record<string, any>, prior: Record<string, any> | undefined, ignored: readonly string[]): Record<string, any> {
  if (!prior || ignored.length === 0) return inputs;
  const kept = { ...inputs };
  for (const property of ignored) {
    if (property.includes(".") || property.includes("[")) throw new Error(`offline engine: ignoreChanges supports top-level properties only (got ${property})`);
    kept[property] = prior[property];
  }
  return kept;
}
