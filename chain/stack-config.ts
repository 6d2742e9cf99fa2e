import { z } from "zod";
import { ChainConfigError, chainConfigSchema, CONFIG_NAMESPACE, type Problem } from "./spec";

/**
 * Pulumi hands every config value to the program as a string (objects as JSON, numbers as "4").
 * Turn the `fisco-bcos:*` entries back into the values the user wrote in the stack file.
 * @throws ChainConfigError for keys in a namespace that is a misspelling of fisco-bcos (see misspeltNamespaceProblems)
 */
export function rawConfigFromPulumi(all: Readonly<Record<string, string>>): Record<string, unknown> {
  const misspelt = misspeltNamespaceProblems(Object.keys(all));
  if (misspelt.length > 0) throw new ChainConfigError(misspelt);
  const prefix = `${CONFIG_NAMESPACE}:`;
  const raw: Record<string, unknown> = {};
  for (const [fullKey, text] of Object.entries(all)) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    raw[key] = isStringSetting(key) ? text : parseJsonOrString(text);
  }
  return raw;
}

/** The inverse, as the Pulumi CLI does it: what `synth` uses to feed a stack file to the program. */
export function pulumiConfigFromStackFile(config: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
}

/**
 * Keys whose namespace is close to fisco-bcos but is not it (fisco_bcos:, FISCO-BCOS:, fisco-bocs:): Pulumi passes them
 * to the program like any other package's config, and nothing reads them, so the setting would silently keep its default.
 * Other namespaces (kubernetes:, pulumi:, a provider's) are left alone.
 */
export function misspeltNamespaceProblems(keys: readonly string[]): Problem[] {
  return keys
    .filter((key) => key.includes(":"))
    .map((key) => [key, key.slice(0, key.indexOf(":"))] as const)
    .filter(([, namespace]) => namespace !== CONFIG_NAMESPACE && editDistance(namespace.toLowerCase(), CONFIG_NAMESPACE) <= 2)
    .map(([key, namespace]) => ({
      key: key.slice(namespace.length + 1),
      message: `is written ${key}, which nothing reads: this project's settings are in the namespace ${CONFIG_NAMESPACE}:`,
    }));
}

/** Levenshtein distance (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

function parseJsonOrString(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isStringSetting(key: string): boolean {
  const shape = chainConfigSchema.shape as Record<string, z.ZodType>;
  let schema: z.ZodType | undefined = shape[key];
  type Wrapped = { unwrap(): z.ZodType };
  type Inner = { _zod?: { def?: { innerType?: z.ZodType; type?: string } } };
  while (schema && "unwrap" in schema && typeof schema.unwrap === "function") schema = (schema as unknown as Wrapped).unwrap();
  while (schema && (schema as unknown as Inner)._zod?.def?.innerType) schema = (schema as unknown as Inner)._zod!.def!.innerType;
  return (schema as unknown as Inner | undefined)?._zod?.def?.type === "string";
}
