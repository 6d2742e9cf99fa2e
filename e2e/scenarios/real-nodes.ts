import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli as verifyCli } from "../../verify/cli";
import type { Cluster } from "../harness/cluster";
import { makeStack, withCluster, type Context } from "../harness/context";
import { decodeSecretData } from "../harness/job-command";
import { run, type RunResult } from "../harness/proc";
import type { EngineRun } from "../harness/pulumi";

const STACK = "e2e-real";

/**
 * Write a local chain runner tree from the objects as the API server stores them (what the pods mount): per node its
 * ConfigMap `<chain>-<node>-config` (config.ini, config.genesis, nodes.json) and its key Secret `<chain>-<node>-keys`
 * (conf/), and sdk/ from the SDK Secret. Returns the node names.
 */
async function treeFromApiServer(cluster: Cluster, ns: string, chain: string, tree: string): Promise<string[]> {
  const [configMaps, secrets] = await Promise.all([cluster.get("configmaps", ns), cluster.get("secrets", ns)]);
  const keys = secrets.filter((o) => o.metadata.labels?.["fisco-bcos.io/node"] && o.metadata.name.endsWith("-keys"));
  const nodes: string[] = [];
  for (const secret of keys) {
    const node: string = secret.metadata.labels["fisco-bcos.io/node"];
    const config = configMaps.find((c) => c.metadata.name === `${chain}-${node}-config`);
    if (!config) throw new Error(`no ConfigMap ${chain}-${node}-config for ${node}`);
    mkdirSync(join(tree, node, "conf"), { recursive: true });
    for (const [file, text] of Object.entries(config.data as Record<string, string>)) writeFileSync(join(tree, node, file), text);
    for (const [file, text] of Object.entries(decodeSecretData(secret.data))) writeFileSync(join(tree, node, "conf", file), text, { mode: 0o600 });
    nodes.push(node);
  }
  const sdk = secrets.find((o) => o.metadata.name === `${chain}-sdk`);
  if (!sdk) throw new Error(`no Secret ${chain}-sdk`);
  mkdirSync(join(tree, "sdk"), { recursive: true });
  for (const [file, text] of Object.entries(decodeSecretData(sdk.data))) writeFileSync(join(tree, "sdk", file), text, { mode: 0o600 });
  return nodes.sort();
}

/** Node name → native RPC URL, from what `local:up` prints. */
function rpcUrls(out: string): Record<string, string> {
  return Object.fromEntries([...out.matchAll(/^(\S+): \S+ \(\S+\)\s+rpc (https?:\/\/\S+)/gm)].map((m) => [m[1], m[2]]));
}

/** What the membership hook printed during an update (its `membership: …` diagnostics), in order. */
const hookLines = (run: EngineRun): string[] => run.diagnostics.filter((d) => /membership:/.test(d.message ?? "")).map((d) => d.message.trim());

/** The engine's events in sequence: each step's start (op and URN) and each diagnostic's text. */
function eventOrder(stdout: string): { kind: string; text: string }[] {
  const out: { kind: string; text: string }[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.startsWith('{"sequence"')) continue;
    const event = JSON.parse(line);
    if (event.resourcePreEvent) out.push({ kind: event.resourcePreEvent.metadata.op, text: event.resourcePreEvent.metadata.urn });
    if (event.diagnosticEvent) out.push({ kind: "diagnostic", text: String(event.diagnosticEvent.message ?? "") });
  }
  return out;
}

interface NodeStatus {
  readonly name: string;
  readonly process: string;
  readonly height?: number;
  readonly peers?: number;
}

/**
 * `pulumi up` on kwok, then the objects it stored in the API server run by the local chain runner on a real
 * fisco-bcos (`--fisco-bin`): the membership resource hook (`membership.hostRpcEndpoints`) of the real engine brings
 * the real chain to the stack, a node added to the stack joins the running chain by peer reload, and the verifier
 * checks the result with a real probe transaction. kwok runs no containers: the nodes run here, in network
 * namespaces, from the files the pods would mount.
 */
export async function realNodeScenarios(ctx: Context, fiscoBin: string): Promise<void> {
  const p = ctx.pulumi;
  const project = join(ctx.runDir, "project");
  const tree = mkdtempSync(join(ctx.runDir, "real-tree-"));
  const local = (args: readonly string[]): Promise<RunResult> =>
    run(process.execPath, [join(project, "bin", "fisco-bcos-provisioner.js"), "local", ...args, "--tree", tree], { cwd: project, log: ctx.log("real") });
  const status = async (): Promise<NodeStatus[]> => {
    const out = await local(["status", "--json"]);
    const parsed = JSON.parse(out.stdout);
    return Array.isArray(parsed) ? parsed : parsed.nodes;
  };
  const urls: Record<string, string> = {};
  /** The RPC URL of every node running here, in node-name order. */
  const urlsInOrder = () =>
    Object.keys(urls)
      .sort()
      .map((n) => urls[n]);
  try {
    await withCluster(ctx, "real", { stages: true }, async (group, cluster) => {
      const kc = cluster.kubeconfig;
      makeStack(ctx, STACK, {});
      const ns: string = p.readConfig(STACK).namespace;
      const chain: string = p.readConfig(STACK).chainName ?? "fisco";

      await group.scenario("pulumi up: a 4-sealer chain's objects in the API server", async (s) => {
        s.require(s.command("pulumi stack init", await p.init(STACK, kc)).code === 0, "stack created");
        const up = s.engine("pulumi up", await p.up(STACK, kc));
        s.require(up.ok, "pulumi up succeeds", up.errorText);
      });

      await group.scenario("the objects as the API server stores them run on real fisco-bcos nodes: every node connected to every peer", async (s) => {
        const nodes = await treeFromApiServer(cluster, ns, chain, tree);
        s.check(nodes.join(",") === "node0,node1,node2,node3", `a tree of 4 nodes from the ConfigMaps and Secrets (${nodes.join(", ")})`);
        const up = s.command("local:up", await local(["up", "--bin", fiscoBin]));
        s.require(up.code === 0, "local:up starts the 4 nodes", up.stderr.slice(-2000));
        Object.assign(urls, rpcUrls(up.stdout));
        s.note(`RPC: ${Object.values(urls).join(", ")}`);
        let nodesNow: NodeStatus[] = [];
        for (let i = 0; i < 60; i++) {
          nodesNow = await status();
          if (nodesNow.length === 4 && nodesNow.every((n) => n.process === "running" && n.peers === 3)) break;
          await new Promise((r) => setTimeout(r, 1000));
        }
        s.check(
          nodesNow.length === 4 && nodesNow.every((n) => n.process === "running" && n.peers === 3),
          `each node runs and has 3 peers: ${nodesNow.map((n) => `${n.name} ${n.process} peers ${n.peers ?? "-"}`).join(", ")}`,
        );
      });

      await group.scenario("membership.hostRpcEndpoints on the real nodes: the engine's hook reads the chain, finds it matches, sends nothing", async (s) => {
        p.editConfig(STACK, (c) => (c.membership = { hostRpcEndpoints: urlsInOrder(), syncTimeoutSeconds: 120 }));
        const up = s.engine("pulumi up", await p.up(STACK, kc));
        s.check(up.ok, "pulumi up succeeds", up.errorText);
        const lines = hookLines(up);
        s.note(`hook output:\n${lines.slice(0, 12).join("\n")}`);
        s.check(
          lines.some((l) => /4 sealers/.test(l)),
          "the hook read 4 sealers from the real chain",
        );
        s.check(!lines.some((l) => /applied:/.test(l)), "nothing was sent");
      });

      await group.scenario(
        "node4 (sealer) and node5 (observer) added to the stack: their objects run as real nodes, the running nodes load them by peer reload, the hook adds both as observers and promotes node4",
        async (s) => {
          // The new node's key is made by the update, so its address is known only after its objects exist: a first
          // update without the hook makes them, the node starts from them, then the hook runs with its URL.
          p.editConfig(STACK, (c) => {
            c.nodes.push({ name: "node4" }, { name: "node5", role: "observer" });
            c.membership = { syncTimeoutSeconds: 120 };
          });
          const first = s.engine("pulumi up (node4 and node5 added, hook off)", await p.up(STACK, kc));
          s.require(first.ok, "pulumi up succeeds", first.errorText);
          const nodes = await treeFromApiServer(cluster, ns, chain, tree);
          s.check(
            nodes.includes("node4") && nodes.includes("node5") && existsSync(join(tree, "node5", "conf", "node.nodeid")),
            "node4's and node5's ConfigMaps and key Secrets are in the API server",
          );
          const up4 = s.command("local:up --nodes node4,node5", await local(["up", "--bin", fiscoBin, "--nodes", "node4,node5"]));
          s.require(up4.code === 0, "local:up starts node4 and node5", up4.stderr.slice(-2000));
          Object.assign(urls, rpcUrls(up4.stdout));
          s.check(/SIGUSR1|reload/i.test(up4.stdout + up4.stderr), "the running nodes were signalled to reload their peers", up4.stdout.slice(-1500));
          p.editConfig(
            STACK,
            (c) =>
              (c.membership = {
                hostRpcEndpoints: urlsInOrder(),
                syncTimeoutSeconds: 120,
              }),
          );
          const up = s.engine("pulumi up (hook on, 5 endpoints)", await p.up(STACK, kc));
          s.check(up.ok, "pulumi up succeeds: the hook brought the chain to the stack", up.errorText);
          const lines = hookLines(up);
          s.note(`hook output:\n${lines.slice(0, 16).join("\n")}`);
          s.check(
            lines.some((l) => /addObserver node4/.test(l)) && lines.some((l) => /addSealer node4/.test(l)) && lines.some((l) => /addObserver node5/.test(l)),
            "the hook added node4 as an observer, then as a sealer, and node5 as an observer",
          );
          const again = s.engine("pulumi up (no change)", await p.up(STACK, kc));
          s.check(again.ok, "a second pulumi up succeeds", again.errorText);
        },
      );

      await group.scenario(
        "node1 removed from the stack: the hook removes it from consensus before the engine deletes its StatefulSet; its key Secret stays; the 4 left keep sealing",
        async (s) => {
          delete urls.node1;
          p.editConfig(STACK, (c) => {
            c.nodes = c.nodes.filter((n: { name: string }) => n.name !== "node1");
            c.membership = {
              hostRpcEndpoints: urlsInOrder(),
              syncTimeoutSeconds: 120,
            };
          });
          const up = s.engine("pulumi up (node1 removed)", await p.up(STACK, kc));
          s.check(up.ok, "pulumi up succeeds", up.errorText);
          const order = eventOrder(up.run.stdout);
          const removed = order.findIndex((e) => e.kind === "diagnostic" && /remove\(.*\): done|applied: remove/.test(e.text));
          const deleted = order.findIndex((e) => e.kind === "delete" && /StatefulSet/.test(e.text) && e.text.endsWith("fisco-node1"));
          s.note(`hook output:\n${hookLines(up).slice(0, 12).join("\n")}`);
          s.note(`events: remove done at #${removed}, StatefulSet fisco-node1 deleted at #${deleted} (of ${order.length})`);
          s.check(removed >= 0 && deleted >= 0 && removed < deleted, "node1 left consensus before its StatefulSet was deleted");
          s.check(
            up.diagnostics.some((d) => /remove\(node1\): done/.test(d.message ?? "")),
            "the hook names it node1 (the set the last update declared, read back through the stack's own outputs)",
          );
          const [keys] = await cluster.get("secret", ns, `${chain}-node1-keys`);
          s.check(keys !== undefined, `Secret ${chain}-node1-keys is kept`);
          // kwok deleted a pod that never ran: the node runs here, so it stops here, as the pod would have.
          s.command("local:stop --nodes node1", await local(["stop", "--nodes", "node1"]));
        },
      );

      await group.scenario("node2's weight 1 → 2: the hook sends setWeight; a second update sends nothing", async (s) => {
        p.editConfig(STACK, (c) => (c.nodes = c.nodes.map((n: { name: string }) => (n.name === "node2" ? { ...n, weight: 2 } : n))));
        const up = s.engine("pulumi up (node2 weight 2)", await p.up(STACK, kc));
        s.check(up.ok, "pulumi up succeeds", up.errorText);
        const lines = hookLines(up);
        s.note(`hook output:\n${lines.slice(0, 10).join("\n")}`);
        s.check(
          lines.some((l) => /setWeight.*node2.*done|applied: setWeight node2/.test(l)),
          "the hook set node2's weight on chain",
        );
        s.check(
          lines.some((l) => /weights 1,1,1,2|weights 1,1,2,1|weights 1,2,1,1|weights 2,1,1,1/.test(l)),
          "the chain shows weights with one 2",
        );
        const again = s.engine("pulumi up (no change)", await p.up(STACK, kc));
        s.check(again.ok, "a second pulumi up succeeds", again.errorText);
        const sent = again.diagnostics.filter((d) => /membership:.*(applied:|\[\d+\/\d+\])/.test(d.message ?? ""));
        s.check(sent.length === 0, "and sends nothing", sent.map((d) => d.message).join("\n"));
      });

      await group.scenario(
        "the verifier, from this host, against the 5 real nodes left: 4 sealers (node2 of weight 2), node5 following as an observer, a real probe transaction",
        async (s) => {
          const out: string[] = [];
          const args = ["--sdk-dir", join(tree, "sdk"), "--rpc", urlsInOrder().join(","), "--expect-sealers", "4", "--timeout", "120"];
          const code = await verifyCli(args, { stdout: (t) => out.push(t), stderr: (t) => out.push(t) });
          s.check(code === 0, "the verifier passes", out.join("").slice(-3000));
          s.note(out.join("").split("\n").slice(0, 14).join("\n"));
          const nodesNow = await status();
          s.note(`local:status: ${nodesNow.map((n) => `${n.name} height ${n.height ?? "-"} peers ${n.peers ?? "-"}`).join(", ")}`);
        },
      );
    });
  } finally {
    await local(["down"]).catch(() => undefined);
  }
}
