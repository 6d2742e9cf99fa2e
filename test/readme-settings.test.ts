import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { chainConfigSchema } from "../chain/spec";

/** Settings documented as one unit (an object of Kubernetes quantities), not key by key. */
const DOCUMENTED_AS_A_WHOLE = new Set(["resources", "storage", "nodeDefaults.resources", "nodeDefaults.storage"]);

/** Every stack key the schema accepts, as the README's table writes it (`nodes[i].name`, `consensus.type`, …). */
function settingKeys(schema: any, prefix = ""): string[] {
  let inner = schema;
  while (inner?._zod?.def?.innerType) inner = inner._zod.def.innerType;
  const def = inner?._zod?.def;
  if (def?.type === "array" && def.element?._zod?.def?.type === "object") return [prefix, ...settingKeys(def.element, `${prefix}[i]`)];
  if (def?.type !== "object" || (prefix && DOCUMENTED_AS_A_WHOLE.has(prefix.replace("[i].", ".").replace(/^nodes\./, "")))) return [prefix];
  return Object.entries(def.shape).flatMap(([key, child]) => settingKeys(child, prefix ? `${prefix}.${key}` : key));
}

test("the README's settings table names every key the stack schema accepts, and no key it rejects", () => {
  const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
  const table = readme.slice(readme.indexOf("## Stack configuration"), readme.indexOf("## Post-deploy verification"));
  const documented = new Set([...table.matchAll(/^\| (.+?) \|/gm)].flatMap((m) => [...m[1].matchAll(/`([^`]+)`/g)].map((k) => k[1])));
  const keys = settingKeys(chainConfigSchema);
  for (const key of keys) assert.ok(documented.has(key), `README's settings table does not name \`${key}\``);
  for (const key of documented) assert.ok(keys.includes(key) || key === "key", `README documents \`${key}\`, which the schema does not accept`);
});
