import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./proc";
import { urnName, type StateResource } from "./pulumi";

/** What the offline engine registered, as e2e/harness/offline-compare.ts's helper script prints it. */
export interface OfflineResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
  readonly options: { protect: boolean; retainOnDelete: boolean; ignoreChanges: string[] } | null;
}

const SCRIPT = `// Written by the e2e harness: the offline engine (offline/mocks) on one stack file of this copy, as JSON.
import { join } from "node:path";
import { runProgramOffline } from "./offline/mocks/run-program";
import { readStackConfig } from "./offline/synth/stack-file";

(async () => {
  const stack = process.argv[2];
  const run = await runProgramOffline({ stack, config: readStackConfig(stack, join(__dirname, "stacks")) });
  const out = run.engine.resources
    .filter((r) => r.custom && !r.read && !r.type.startsWith("pulumi:providers:"))
    .map((r) => ({ type: r.type, name: r.name, inputs: r.inputs, options: r.options ?? null }));
  process.stdout.write(JSON.stringify(out));
})().catch((error) => {
  process.stderr.write(String(error?.stack ?? error));
  process.exit(1);
});
`;

/** Run the offline engine of the project copy on a stack file (what `npm run synth` runs), in a child process. */
export async function offlineRegistrations(projectDir: string, stack: string, log: string): Promise<OfflineResource[]> {
  const script = join(projectDir, "e2e-offline-registrations.ts");
  writeFileSync(script, SCRIPT);
  const result = await run(join(projectDir, "node_modules", ".bin", "tsx"), [script, stack], { cwd: projectDir, log });
  if (result.code !== 0) throw new Error(`offline engine failed: ${result.stderr.slice(-2000)}`);
  return JSON.parse(result.stdout);
}

/**
 * Text that differs between two runs of the same stack only through fresh keys: PEM blocks, long hex (ids, digests,
 * addresses) and long base64. Replaced by placeholders, so that two renders of the same stack compare equal.
 */
export function normalise(value: any): any {
  if (typeof value === "string") {
    return value
      .replace(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----\n?/g, "<pem>")
      .replace(/(0x)?[0-9a-f]{32,}/gi, "<hex>")
      .replace(/[A-Za-z0-9+/]{64,}={0,2}/g, "<b64>");
  }
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === "object") {
    if ("4dabf18193072939515e22adb298388d" in value) return "<secret>";
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== "__defaults")
        .map(([k, v]) => [k, normalise(v)]),
    );
  }
  return value;
}

/** Paths where two values differ (first `limit` of them). */
export function differences(a: any, b: any, path = "", out: string[] = [], limit = 20): string[] {
  if (out.length >= limit) return out;
  if (JSON.stringify(a) === JSON.stringify(b)) return out;
  if (a && b && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) differences(a[k], b[k], `${path}.${k}`, out, limit);
    return out;
  }
  out.push(`${path || "."}: real ${JSON.stringify(a)?.slice(0, 120)} / offline ${JSON.stringify(b)?.slice(0, 120)}`);
  return out;
}

export interface Divergence {
  /** `only-real`, `only-offline`, `options`, `inputs`. */
  readonly kind: string;
  readonly resource: string;
  readonly detail: string;
}

/** The program reads its own last outputs through one (components/previous-outputs.ts); the offline engine answers that read without a resource. */
const STACK_REFERENCE = "pulumi:pulumi:StackReference";

/** Compare the real engine's state with the offline engine's registrations of the same stack file. */
export function compareWithState(state: readonly StateResource[], offline: readonly OfflineResource[]): Divergence[] {
  const key = (type: string, name: string) => `${type} ${name}`;
  const real = new Map(
    state
      .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:") && r.type !== "pulumi:pulumi:Stack" && r.type !== STACK_REFERENCE)
      .map((r) => [key(r.type, urnName(r.urn)), r]),
  );
  const off = new Map(offline.map((r) => [key(r.type, r.name), r]));
  const out: Divergence[] = [];
  for (const k of real.keys()) if (!off.has(k)) out.push({ kind: "only-real", resource: k, detail: "registered by the real engine only" });
  for (const k of off.keys()) if (!real.has(k)) out.push({ kind: "only-offline", resource: k, detail: "registered by the offline engine only" });
  for (const [k, r] of real) {
    const o = off.get(k);
    if (!o) continue;
    const realOptions = { protect: Boolean(r.protect), retainOnDelete: Boolean(r.retainOnDelete) };
    const offOptions = o.options ? { protect: o.options.protect, retainOnDelete: o.options.retainOnDelete } : undefined;
    if (!offOptions) out.push({ kind: "options", resource: k, detail: `offline: no resource options recorded; real: ${JSON.stringify(realOptions)}` });
    else if (JSON.stringify(realOptions) !== JSON.stringify(offOptions))
      out.push({ kind: "options", resource: k, detail: `real ${JSON.stringify(realOptions)} / offline ${JSON.stringify(offOptions)}` });
    if (r.type.startsWith("kubernetes:")) {
      const diff = differences(normalise(r.inputs ?? {}), normalise(o.inputs ?? {}));
      if (diff.length > 0) out.push({ kind: "inputs", resource: k, detail: diff.join("\n") });
    }
  }
  return out;
}
