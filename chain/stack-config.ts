import { z } from "zod";
import { chainConfigSchema, CONFIG_NAMESPACE } from "./spec";

/**
 * Pulumi hands every config value to the program as a string (objects as JSON, numbers as "4").
 * Turn the `fisco-bcos:*` entries back into the values the user wrote in the stack file.
 */
export function rawConfigFromPulumi(all: Readonly<Record<string, string>>): Record<string, unknown> {
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
