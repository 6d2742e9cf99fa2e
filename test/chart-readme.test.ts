import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { CHART_DIR } from "../components/node-chart";

const tableKeys = (text: string) => new Set([...text.matchAll(/^\| (.+?) \|/gm)].flatMap((m) => [...m[1].matchAll(/`([^`]+)`/g)].map((k) => k[1])));

test("the chart README's values tables name every value values.schema.json accepts", () => {
  const schema = JSON.parse(readFileSync(join(CHART_DIR, "values.schema.json"), "utf8"));
  const readme = readFileSync(join(CHART_DIR, "README.md"), "utf8");
  const values = readme.slice(readme.indexOf("## Values"));
  const documented = [...tableKeys(values)];
  for (const key of Object.keys(schema.properties).filter((k) => k !== "global")) {
    assert.ok(
      documented.some((d) => d === key || d.startsWith(`${key}.`) || d.startsWith(`${key}[`)),
      `chart README does not document \`${key}\``,
    );
  }
  // One level down too: a row's `.sub` after `top.key` stands for `top.sub`; a row naming `top` alone documents all of it.
  const names: string[] = [];
  for (const row of values.matchAll(/^\| (.+?) \|/gm)) {
    let prefix = "";
    for (const [, item] of row[1].matchAll(/`([^`]+)`/g)) {
      const full = item.startsWith(".") ? prefix + item : item;
      prefix = full.includes(".") ? full.slice(0, full.lastIndexOf(".")) : full;
      names.push(full);
    }
  }
  for (const [top, value] of Object.entries<{ $ref?: string; properties?: object }>(schema.properties)) {
    const definition = value.$ref ? schema.definitions[value.$ref.split("/").pop()!] : value;
    for (const sub of Object.keys(definition.properties ?? {})) {
      const path = `${top}.${sub}`;
      assert.ok(
        names.some((n) => n === top || n === path || n.startsWith(`${path}.`) || n.startsWith(`${path}[`)),
        `chart README does not document \`${path}\``,
      );
    }
  }
  for (const key of Object.keys(schema.definitions.node.properties)) {
    assert.ok(
      documented.some((d) => d === key || d.startsWith(`${key}.`)),
      `chart README does not document nodes[].${key}`,
    );
  }
});
