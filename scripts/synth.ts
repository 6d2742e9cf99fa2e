import { parseArgs } from "node:util";
import { deferUnusedPulumiModules } from "../offline/synth/deferred-modules";
import { prefetchRsaKeys } from "../offline/providers/key-pool";
import { readStackConfig } from "../offline/synth/stack-file";

const USAGE = `usage: npm run synth -- --stack <env> --out <dir> [--nodes N] [--include-secrets] [--force] [--state <file>]

Renders the chain offline (no Pulumi CLI, no cluster): a build_chain-style tree of node directories,
sdk/, ca/ca.crt and manifests/ with every Kubernetes object the program registers.
  --stack <env>        stack file stacks/Pulumi.<env>.yaml (dev, staging, prod, kind)
  --out <dir>          output directory; must be empty or absent unless --force
  --nodes N            replace the stack's node list with N sealers of weight 1
  --include-secrets    show Secret values in manifests/ and write ca/ca.key and the admin account key
  --force              write into a non-empty --out directory
  --state <file>       keep the chain's identity between runs, as a stack's state does: read it when it exists,
                       write it after (owner-only; it holds every private key, the CA's too). Re-render with one
                       more node and --force to add a node to a running chain (npm run local:up -- --nodes <new>)`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        stack: { type: "string" },
        out: { type: "string" },
        nodes: { type: "string" },
        "include-secrets": { type: "boolean", default: false },
        force: { type: "boolean", default: false },
        state: { type: "string" },
        help: { type: "boolean", default: false },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (!args.stack || !args.out) {
    console.error(`--stack and --out are required\n\n${USAGE}`);
    return 2;
  }
  const nodes = args.nodes === undefined ? undefined : Number(args.nodes);
  if (nodes !== undefined && !(Number.isInteger(nodes) && nodes >= 1 && nodes <= 256)) {
    console.error(`--nodes must be an integer from 1 to 256 (got ${args.nodes})`);
    return 2;
  }
  try {
    // Start the TLS keys (nodes, CA, SDK) on the thread pool before the Pulumi program loads.
    prefetchRsaKeys((nodes ?? configuredNodeCount(args.stack)) + 2);
    deferUnusedPulumiModules();
    const { synth } = require("../offline/synth/synth") as typeof import("../offline/synth/synth");
    await synth({
      stack: args.stack,
      out: args.out,
      nodes,
      includeSecrets: args["include-secrets"],
      force: args.force,
      state: args.state,
      log: (l) => console.log(l),
    });
    return 0;
  } catch (error) {
    const { ChainConfigError } = require("../chain/spec") as typeof import("../chain/spec");
    const { RunError } = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const plain = error instanceof ChainConfigError || RunError.isInstance(error);
    console.error(plain ? (error as Error).message : `synth failed: ${(error as Error).message}`);
    return 1;
  }
}

/** How many nodes the stack file lists (a hint for key prefetching; the program validates the real list). */
function configuredNodeCount(stack: string): number {
  try {
    const nodes = JSON.parse(readStackConfig(stack)["fisco-bcos:nodes"] ?? "null");
    return Array.isArray(nodes) ? nodes.length : 4;
  } catch {
    return 0;
  }
}

// The Pulumi runtime captures a stack trace for every promise it tracks, and source-mapping them makes it worse.
// synth reports messages, not stacks: capture none (FISCO_SYNTH_STACKS=1 keeps them, for debugging synth itself).
process.setSourceMapsEnabled(false);
if (!process.env.FISCO_SYNTH_STACKS) Error.stackTraceLimit = 0;
main().then((code) => process.exit(code));
