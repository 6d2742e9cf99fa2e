// npm run e2e: the real Pulumi engine and providers against kwok clusters (issue 11). Not part of `npm test`.
//
// Usage: npm run e2e [-- --only main,protect,verify,membership,real] [--fisco-bin <fisco-bcos>] [--keep] [--worktree]
//   --only      run these groups only (default: all, in this order)
//   --fisco-bin a real fisco-bcos binary: adds the group `real` (the objects in the API server run as real nodes by
//               the local chain runner; needs root for network namespaces), which runs only with it
//   --keep      leave the clusters up at the end (their kubeconfigs are printed)
//   --worktree  run the working tree as it is (default: the committed HEAD, so others' unfinished edits stay out)
// Exit: 0 every scenario passed, 1 a scenario failed, 2 the tools are missing or bad usage, 130 interrupted.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Cluster } from "./harness/cluster";
import type { Context } from "./harness/context";
import { stopAll } from "./harness/proc";
import { PulumiCli, pulumiEnv } from "./harness/pulumi";
import { Reporter, resultTable } from "./harness/scenario";
import { findTools, REPO } from "./harness/tools";
import { mainScenarios } from "./scenarios/main";
import { membershipScenarios } from "./scenarios/membership";
import { protectScenarios } from "./scenarios/protect";
import { realNodeScenarios } from "./scenarios/real-nodes";
import { verificationScenarios } from "./scenarios/verification";

const GROUPS: Record<string, (ctx: Context) => Promise<void>> = {
  main: mainScenarios,
  protect: protectScenarios,
  verify: verificationScenarios,
  membership: membershipScenarios,
  real: (ctx) => realNodeScenarios(ctx, fiscoBin!),
};

/** --fisco-bin: the group `real` runs with it, and only with it. */
let fiscoBin: string | undefined;

function usage(message: string): never {
  process.stderr.write(`e2e: ${message}\nusage: npm run e2e [-- --only ${Object.keys(GROUPS).join(",")}] [--fisco-bin <fisco-bcos>] [--keep] [--worktree]\n`);
  process.exit(2);
}

function parseArgs(argv: readonly string[]): { groups: string[]; keep: boolean; worktree: boolean } {
  let only: string[] | undefined;
  let keep = false;
  let worktree = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--keep") keep = true;
    else if (a === "--fisco-bin" || a.startsWith("--fisco-bin=")) {
      fiscoBin = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (!fiscoBin || !existsSync(fiscoBin)) usage(`--fisco-bin: ${fiscoBin ?? "(nothing)"} is not a file`);
      fiscoBin = resolve(fiscoBin);
    } else if (a === "--worktree") worktree = true;
    else if (a === "--only" || a.startsWith("--only=")) {
      const value = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (!value) usage("--only needs a list of groups");
      only = value.split(",").filter(Boolean);
      const unknown = only.filter((g) => !GROUPS[g]);
      if (unknown.length > 0) usage(`unknown group ${unknown.join(", ")}`);
    } else usage(`unknown argument ${a}`);
  }
  if (only?.includes("real") && !fiscoBin) usage("the group real needs --fisco-bin <a real fisco-bcos binary>");
  const groups = only ?? Object.keys(GROUPS).filter((g) => g !== "real" || fiscoBin);
  return { groups, keep, worktree };
}

/** A copy of the project to run Pulumi in (stack init writes into its stack files), node_modules linked in. */
function projectCopy(dir: string, worktree: boolean): string {
  const git = (...args: string[]) => execFileSync("git", ["-C", REPO, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  mkdirSync(dir, { recursive: true });
  const head = git("rev-parse", "--short", "HEAD").trim();
  if (worktree) {
    const files = git("ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0").filter(Boolean);
    for (const f of files) if (existsSync(join(REPO, f))) cpSync(join(REPO, f), join(dir, f), { recursive: true });
  } else {
    execFileSync("sh", ["-c", `git -C "$1" archive HEAD | tar -x -C "$2"`, "sh", REPO, dir]);
  }
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"));
  // helm for the offline engine (the comparison with synth); npm run e2e (pree2e), npm test and npm run synth install it.
  if (existsSync(join(REPO, ".tools"))) symlinkSync(join(REPO, ".tools"), join(dir, ".tools"));
  return worktree ? `working tree of ${head}${git("status", "--porcelain").trim() ? " (with uncommitted changes)" : ""}` : `commit ${head}`;
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const found = findTools();
  if ("missing" in found) {
    process.stderr.write(
      `e2e: missing in ${found.bin}: ${found.missing.join(", ")}\nBuild them first: npm run e2e:tools (30 to 70 minutes the first time; see e2e/README.md)\n`,
    );
    return 2;
  }
  const { tools } = found;
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const runDir = join(REPO, ".e2e", "runs", stamp);
  const logDir = join(runDir, "logs");
  mkdirSync(logDir, { recursive: true });

  const reporter = new Reporter((line) => process.stdout.write(`${line}\n`));
  const clusters: Cluster[] = [];
  let interrupted = false;
  const teardown = async () => {
    await stopAll();
    if (!options.keep) for (const c of clusters) await c.down().catch(() => undefined);
  };
  // Whatever breaks in the harness itself, the clusters go.
  process.on("uncaughtException", (error) => {
    process.stderr.write(`e2e: harness error: ${error.stack ?? error}\n`);
    void teardown().finally(() => process.exit(1));
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      reporter.line(`${signal}: stopping the running commands and deleting the clusters…`);
      void teardown().finally(() => process.exit(130));
    });
  }

  const source = projectCopy(join(runDir, "project"), options.worktree);
  const pulumi = new PulumiCli(tools.bin, join(runDir, "project"), pulumiEnv(tools.bin, runDir), join(logDir, "pulumi.log"));
  mkdirSync(join(runDir, "state"), { recursive: true });
  reporter.line(`e2e run in ${runDir}, program: ${source}`);
  for (const [tool, version] of Object.entries(tools.versions)) reporter.line(`  ${tool}: ${version}`);
  reporter.line(
    "  providers: kubernetes v4.25.0 (built from the module proxy); tls and random: our STAND-IN provider (e2e/tools/standin-provider), not the real ones",
  );

  const ctx: Context = {
    reporter,
    tools,
    pulumi,
    runDir,
    keep: options.keep,
    baseStack: readFileSync(join(runDir, "project", "stacks", "Pulumi.e2e.yaml"), "utf8"),
    log: (group) => join(logDir, `${group}.log`),
    cluster: (group) => {
      const cluster = new Cluster(group, runDir, tools.bin, join(logDir, `${group}.log`));
      clusters.push(cluster);
      return cluster;
    },
  };
  try {
    for (const group of options.groups) {
      if (interrupted) break;
      await GROUPS[group](ctx);
    }
  } finally {
    await teardown();
  }

  const records = reporter.records;
  const failed = records.filter((r) => r.outcome !== "PASS");
  const table = resultTable(records);
  process.stdout.write(`\n${table}\n\n`);
  const limits = records.flatMap((r) => r.limits.map((l) => `${r.name}: ${l}`));
  if (limits.length > 0) process.stdout.write(`Known limits of this environment met by the scenarios:\n${limits.map((l) => `- ${l}`).join("\n")}\n\n`);
  const summary = `${records.length - failed.length}/${records.length} scenarios passed in ${Math.round(reporter.elapsedSeconds)} s; logs in ${logDir}`;
  process.stdout.write(`${summary}\n`);
  writeFileSync(join(runDir, "result.md"), `${table}\n\n${summary}\n`);
  if (failed.length === 0 && !options.keep) {
    // The state, the project copy and the groups' work directories (SDK files, the real group's node tree) hold the
    // test chains' private keys: nothing but the logs and the result is kept once all passed.
    for (const entry of readdirSync(runDir)) if (entry !== "logs" && entry !== "result.md") rmSync(join(runDir, entry), { recursive: true, force: true });
  }
  return interrupted ? 130 : failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (error) => {
    process.stderr.write(`e2e: ${(error as Error).stack ?? error}\n`);
    await stopAll();
    process.exit(1);
  },
);
