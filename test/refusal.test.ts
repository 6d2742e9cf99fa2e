import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { renderGenesis } from "../chain/render/genesis";
import { parseChainSpec } from "../chain/spec";
import { checkedGenesis } from "../components/fisco-bcos-chain";
import { OfflineEngine } from "../offline/mocks/engine";

// @pulumi/pulumi's own formatter of an uncaught error (what the language host logs for it).
const { defaultErrorMessage } = require("@pulumi/pulumi/cmd/run/error") as { defaultErrorMessage: (err: unknown) => string };

const ids = { node0: "a".repeat(128), node1: "b".repeat(128), node2: "c".repeat(128), node3: "d".repeat(128) };
const genesisFor = (config: Record<string, unknown>) =>
  renderGenesis(parseChainSpec({ nodes: Object.keys(ids).map((name) => ({ name })), ...config }).spec, { nodeIds: ids, adminAddress: `0x${"1".repeat(40)}` });

test("a refused genesis change is reported at once, with its own message (e2e finding 4)", async () => {
  await pulumi.runtime.setMocks(new OfflineEngine(), "fisco-bcos", "test", false);
  const resource = new pulumi.ComponentResource("fisco-bcos:index:Test", "refusal");
  const checked = checkedGenesis(
    pulumi.output(genesisFor({})),
    pulumi.output(genesisFor({ chainId: "chain1" })),
    pulumi.output<Record<string, string | undefined>>(ids),
    resource,
  );
  const internal = checked as unknown as { promise(): Promise<string>; isKnown: Promise<boolean>; isSecret: Promise<boolean> };
  // The output's other facets reject with the same error: seen here, not left unhandled.
  for (const facet of [internal.isKnown, internal.isSecret]) facet.catch(() => undefined);
  const error = await internal.promise().then(
    () => assert.fail("the change is refused"),
    (e: unknown) => e as pulumi.ResourceError,
  );
  assert.ok(pulumi.ResourceError.isInstance(error));
  assert.match(
    error.message,
    /^genesis-only settings changed after the chain was created:\n {2}fisco-bcos:chainId is chain0 in the chain's genesis and chain1 in the stack/,
  );
  // The language host prints the message alone, and the stack holds no frame: an apply's frames are in
  // node_modules/@pulumi/output.ts, on which Node 20.20's util.inspect with colors loops for ~30 s (nodejs/node#64011).
  assert.equal(error.hideStack, true, "hideStack: the uncaught-error handler logs the message only");
  assert.doesNotMatch(String(error.stack), /\n\s+at /, "no stack frames");
  // The SDK prefixes the message once per resource whose inputs the error failed; it stays the program's message.
  const message = error.message;
  error.message = `error serializing property "data": ${error.message}`;
  assert.equal(error.message, message);
  // What the handler does with it besides logging the message (a trace event): fast, and it names no node_modules.
  const started = Date.now();
  const formatted = defaultErrorMessage(error);
  assert.ok(Date.now() - started < 2000, `formatted in ${Date.now() - started} ms`);
  assert.match(formatted, /genesis-only settings changed/);
  assert.doesNotMatch(inspect(error, { colors: true }), /node_modules/);
});
