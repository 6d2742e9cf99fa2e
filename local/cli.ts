import { parseArgs } from "node:util";
import { fail, numberFlag, UsageError } from "../cli/flags";
import { loadState, LockedError } from "./state";
import { PrerequisiteError } from "./prerequisites";
import { down, reload, RunnerUsageError, status, stop, up, type RunnerIo } from "./runner";
import { TreeError } from "./tree";

export const USAGE = `usage: npm run local:<command> -- --tree <dir> [options]

Runs the nodes of a tree written by \`npm run synth\` on this Linux machine, with its files as they are: each node in
its own network namespace, the tree's peer DNS names resolving to the nodes' addresses, RPC (and web3) reachable
from this host. Needs root (or CAP_SYS_ADMIN and CAP_NET_ADMIN) and iproute2.

  local:up     --tree <dir> --bin <fisco-bcos> [--nodes a,b] [--wait S]   start nodes (all by default)
  local:start  same as local:up (e.g. to restart nodes stopped with local:stop); --bin defaults to the binary
               the tree's nodes were last started with
  local:stop   --tree <dir> [--nodes a,b] [--grace S]                      stop nodes, keep their network and data
  local:reload --tree <dir> [--nodes a,b]                                 refresh peer names, send SIGUSR1 (peer reload)
  local:status --tree <dir> [--json]                                      processes, addresses, block height, peers
  local:down   --tree <dir> [--grace S] [--purge]                         stop all, remove namespaces, links, hosts files

  --bin <file>   the fisco-bcos binary (or $FISCO_BCOS_BIN); must answer --version
  --nodes a,b    node directory names of the tree (default: all)
  --wait S       seconds to wait for each node's RPC port (default 60)
  --grace S      seconds between SIGTERM and SIGKILL (default 60, the pod's grace period)
  --purge        also delete <tree>/.local-run (the nodes' data/ and logs, kept by default)
  --json         status as JSON
Exit status: 0 done, 1 failed (a node did not start, nodes already running, a node died), 2 bad usage or a missing
prerequisite.`;

const COMMANDS = ["up", "start", "stop", "reload", "status", "down"] as const;
type Command = (typeof COMMANDS)[number];

const processIo: RunnerIo = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

function parse(argv: readonly string[]) {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      tree: { type: "string" },
      bin: { type: "string" },
      nodes: { type: "string" },
      wait: { type: "string" },
      grace: { type: "string" },
      purge: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  const command = positionals[0] as Command | undefined;
  if (values.help) return { command: "help" as const, values };
  if (!command || !COMMANDS.includes(command)) fail(`give a command: ${COMMANDS.join(", ")}`);
  if (positionals.length > 1) fail(`unexpected argument ${positionals[1]}`);
  if (!values.tree) fail("--tree <dir> is required (the --out of npm run synth)");
  return { command, values };
}

function nodeList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  if (names.length === 0) fail("--nodes: give node names, comma-separated (e.g. node0,node2)");
  return names;
}

const seconds = (flag: string, value: string | undefined, fallback: number) =>
  (numberFlag(flag, value, 1, 3600, false, "a number of seconds") ?? fallback) * 1000;

async function dispatch(command: Command, values: ReturnType<typeof parse>["values"], io: RunnerIo): Promise<number> {
  const tree = values.tree!;
  const nodes = nodeList(values.nodes);
  switch (command) {
    case "up":
    case "start": {
      const started = command === "start" ? loadState(tree)?.binary?.path : undefined;
      const bin = values.bin ?? process.env.FISCO_BCOS_BIN ?? started;
      if (!bin) fail(`--bin <path to fisco-bcos> is required (or set FISCO_BCOS_BIN)${command === "start" ? ": the tree's nodes were never started" : ""}`);
      return up({ tree, bin, nodes, waitMs: seconds("--wait", values.wait, 60) }, io);
    }
    case "stop":
      return stop({ tree, nodes, graceMs: seconds("--grace", values.grace, 60) }, io);
    case "reload":
      return reload({ tree, nodes }, io);
    case "status":
      return status({ tree, json: values.json, timeoutMs: 5_000 }, io);
    case "down":
      if (nodes) fail("local:down takes no --nodes (it removes everything); use local:stop --nodes for single nodes");
      return down({ tree, graceMs: seconds("--grace", values.grace, 60), purge: values.purge }, io);
  }
}

/** The local runner CLI: `<command> --tree <dir> …`. Resolves with the exit code (0, 1, or 2 for usage/prerequisites). */
export async function runLocalCli(argv: readonly string[], io: RunnerIo = processIo): Promise<number> {
  try {
    const parsed = parse(argv);
    if (parsed.command === "help") {
      io.out(USAGE);
      return 0;
    }
    return await dispatch(parsed.command, parsed.values, io);
  } catch (error) {
    if (error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")) {
      io.err(`local: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof PrerequisiteError || error instanceof TreeError || error instanceof RunnerUsageError) {
      io.err(`local: ${error.message}`);
      return 2;
    }
    io.err(`local: ${error instanceof LockedError ? "" : "failed: "}${(error as Error).message}`);
    return 1;
  }
}
