import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { CONFIG_NAMESPACE } from "../../chain/spec";
import { pulumiConfigFromStackFile } from "../../chain/stack-config";
import { PROJECT_ROOT } from "../../project-root";

/** Where stack files live; FISCO_STACKS_DIR overrides it (tests, or stacks kept outside the project). */
export const STACKS_DIR = process.env.FISCO_STACKS_DIR ?? join(PROJECT_ROOT, "stacks");

export function availableStacks(dir = STACKS_DIR): string[] {
  return readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => Boolean(s))
    .sort();
}

/** What a Pulumi stack file may hold at its top level. */
const STACK_FILE_KEYS = ["config", "environment", "secretsprovider", "encryptedkey", "encryptionsalt"];

/**
 * The `config:` map of stacks/Pulumi.<stack>.yaml, as the Pulumi CLI would pass it to the program.
 * @throws Error naming the file: no such stack, not YAML, a top-level key a stack file does not have, a config key
 *   without its `<namespace>:` (which the Pulumi CLI refuses too), or a Pulumi secret (not decryptable offline).
 */
export function readStackConfig(stack: string, dir = STACKS_DIR): Record<string, string> {
  const file = join(dir, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) {
    throw new Error(`--stack ${stack}: no ${file}; available stacks: ${availableStacks(dir).join(", ")}`);
  }
  let doc: { config?: Record<string, unknown> };
  try {
    doc = (load(readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  } catch (error) {
    throw new Error(`${file}: not valid YAML: ${(error as Error).message.split("\n")[0]}`, { cause: error });
  }
  const unknown = Object.keys(doc).filter((key) => !STACK_FILE_KEYS.includes(key));
  if (unknown.length > 0) throw new Error(`${file}: ${unknown.join(", ")} is not a stack file key (a stack file holds ${STACK_FILE_KEYS.join(", ")})`);
  const config = doc.config ?? {};
  const bare = Object.keys(config).filter((key) => !key.includes(":"));
  if (bare.length > 0)
    throw new Error(
      `${file}: config ${bare.map((k) => `"${k}"`).join(", ")} lacks the <namespace>: prefix (the Pulumi CLI refuses it too): write ${bare.map((k) => `${CONFIG_NAMESPACE}:${k}`).join(", ")}`,
    );
  for (const [key, value] of Object.entries(config)) {
    if (value && typeof value === "object" && "secure" in value) {
      throw new Error(`${file}: ${key} is a Pulumi secret; the offline render cannot decrypt it`);
    }
  }
  return pulumiConfigFromStackFile(config);
}

/** Replace the node list with N sealers of weight 1 (synth --nodes N). */
export function withSealerCount(config: Record<string, string>, count: number): Record<string, string> {
  const nodes = Array.from({ length: count }, (_, i) => ({ name: `node${i}`, role: "sealer", weight: 1 }));
  return { ...config, [`${CONFIG_NAMESPACE}:nodes`]: JSON.stringify(nodes) };
}
