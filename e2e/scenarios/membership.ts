import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConsensusContractsDouble } from "../../doubles/consensus-precompiled";
import { FiscoRpcDouble } from "../../doubles/fisco-rpc-double";
import type { Cluster } from "../harness/cluster";
import { firstLines, makeStack, readyNodePods, waitFor, withCluster, type Context } from "../harness/context";
import { decodeSecretData, runVerifierJobCommand } from "../harness/job-command";
import { run } from "../harness/proc";
import { urnName, type EngineRun } from "../harness/pulumi";
import type { Scenario } from "../harness/scenario";
import { REPO } from "../harness/tools";
import { checkNoChanges } from "../harness/steps";

const STACK = "e2e-members";
const GENESIS_SEALERS = ["node0", "node1", "node2", "node3"];

const component = (o: any) => o.metadata.labels?.["app.kubernetes.io/component"];
const arg = (job: any, flag: string) => (job.spec.template.spec.containers[0].args as string[]).find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
const time = (s: string | undefined) => (s ? Date.parse(s) : NaN);

/**
 * kwok Stages that end the membership and verification Jobs' pods (e2e/kwok/*-fail.yaml, *-succeed.yaml); none: they
 * run on. kwok matches Stages when a pod changes, so a pod already Running when its Stage appears is touched (an
 * annotation) to be matched now: without that the pod ran on to the Job's deadline in one run here.
 */
async function fate(cluster: Cluster, job: "membership" | "verification", choice: "hang" | "fail" | "succeed", namespace?: string): Promise<void> {
  await cluster.kubectl(["delete", "stage", "-l", `e2e.fisco-bcos/${job}-fate=true`, "--ignore-not-found"]);
  if (choice === "hang") return;
  const applied = await cluster.kubectl(["apply", "-f", join(REPO, "e2e", "kwok", `${job}-${choice}.yaml`)]);
  if (applied.code !== 0) throw new Error(`kubectl apply ${job}-${choice}.yaml: ${applied.stderr}`);
  if (namespace)
    await cluster.kubectl(["annotate", "pods", "-n", namespace, "-l", `app.kubernetes.io/component=${job}`, `e2e.fisco-bcos/fate=${choice}`, "--overwrite"]);
}

/** The order of the engine's steps in `pulumi up --json`: the sequence number of each resource's first and last event. */
function stepOrder(up: EngineRun): Map<string, { begun: number; done?: number; type: string }> {
  const order = new Map<string, { begun: number; done?: number; type: string }>();
  for (const line of up.run.stdout.split("\n")) {
    if (!line.startsWith('{"sequence"')) continue;
    const event = JSON.parse(line);
    const m = (event.resourcePreEvent ?? event.resOutputsEvent)?.metadata;
    if (!m) continue;
    const seen: { begun: number; done?: number; type: string } = order.get(m.urn) ?? { begun: event.sequence, type: m.type };
    if (event.resOutputsEvent) seen.done = event.sequence;
    order.set(m.urn, seen);
  }
  return order;
}

/** What the harness did in place of the two Jobs' containers during one `pulumi up`. */
interface DrivenUp {
  readonly up: EngineRun;
  /** The membership and verification Jobs as first seen in the cluster, and when (ms since the epoch). */
  readonly membership?: { job: any; seenAt: number; verificationJobsThen: string[]; statefulSetsThen: string[] };
  readonly verification?: { job: any; seenAt: number; membershipJobThen: any };
  readonly membersRun?: { code: number; out: string; seconds: number };
  readonly verifierRun?: { code: number; out: string };
  readonly contracts?: ConsensusContractsDouble;
  readonly double?: FiscoRpcDouble;
}

/**
 * The in-cluster membership Job on the real engine. kwok runs no container, so this harness does what the two Jobs'
 * containers would do, each while its Job's pod is running and before kwok ends the pod (e2e/kwok/membership-*.yaml,
 * verification-*.yaml): the membership Job's command (members.js from the bundle ConfigMap, run with plain node; the
 * declared set from the Job's ConfigMap; the admin key from the Secret) and the verifier CLI with the verification
 * Job's arguments and its ServiceAccount's token, both against FiscoRpcDouble (a test double of FISCO's native RPC,
 * serving the chain's own node certificates) whose consensus precompiled contract is doubles/consensus-precompiled.ts.
 */
export async function membershipScenarios(ctx: Context): Promise<void> {
  const p = ctx.pulumi;
  const work = mkdtempSync(join(ctx.runDir, "members-"));
  const doubles: FiscoRpcDouble[] = [];
  try {
    await withCluster(ctx, "membership", { stages: true }, async (group, cluster) => {
      const kc = cluster.kubeconfig;
      makeStack(ctx, STACK, { membership: { inCluster: true }, verification: { enabled: true, timeoutSeconds: 30 } });
      const config = () => p.readConfig(STACK);
      const ns: string = config().namespace;
      const chain: string = config().chainName ?? "fisco";
      const nodeNames = () => (config().nodes as { name: string }[]).map((n) => n.name);
      const jobs = async (kind: string) => (await cluster.get("jobs", ns)).filter((j) => component(j) === kind);
      const log = ctx.log("membership");

      /**
       * The membership Job's command, from this host, against a fresh double of the chain whose sealers are `sealers`
       * (the nodes it serves: the declared ones and those sealers, from their key Secrets, which outlive a removal).
       */
      const runMembersJob = async (job: any, sealers: readonly string[]) => {
        const dir = mkdtempSync(join(work, "job-"));
        const secrets = await cluster.get("secrets", ns);
        const secret = (name: string) => decodeSecretData(secrets.find((o) => o.metadata.name === name)?.data);
        const sdk = secret(`${chain}-sdk`);
        const keys = [...new Set([...nodeNames(), ...sealers])].map((name) => ({ name, ...secret(`${chain}-${name}-keys`) }));
        const [bundle] = await cluster.get("configmap", ns, `${chain}-members-bundle`);
        const [declared] = await cluster.get("configmap", ns, job.metadata.name);
        writeFileSync(join(dir, "members.js"), bundle.data["members.js"]);
        writeFileSync(join(dir, "declared.json"), declared.data["declared.json"]);
        writeFileSync(join(dir, "admin.key"), secret(`${chain}-membership-admin`)["admin.key"], { mode: 0o600 });
        for (const f of ["ca.crt", "sdk.crt", "sdk.key"]) writeFileSync(join(dir, f), sdk[f], { mode: 0o600 });
        // The consensus contracts' double, with the committee's sole governor at the declared admin address.
        const contracts = new ConsensusContractsDouble(JSON.parse(declared.data["declared.json"]).adminAddress);
        const nodes = keys.map((k: any) => ({ name: k.name, nodeId: k["node.nodeid"].trim(), cert: k["ssl.crt"], key: k["ssl.key"] }));
        const double = await FiscoRpcDouble.start({
          ca: sdk["ca.crt"],
          nodes,
          sealers: nodes.filter((n) => sealers.includes(n.name)).map((n) => ({ nodeId: n.nodeId, weight: 1 })),
          chainId: config().chainId,
          initialHeight: 5,
          sealTimeMs: 20,
          syncDelayMs: 10,
          systemContracts: contracts.contracts,
        });
        doubles.push(double);
        // The Job's arguments with its mount paths moved here; the double's URLs stand in for the Services' DNS names.
        const container = job.spec.template.spec.containers[0];
        const args = (container.args as string[])
          .filter((a) => !a.startsWith("--sdk-dir="))
          .map((a) =>
            a
              .replace("=/declared/", `=${dir}/`)
              .replace("=/admin/", `=${dir}/`)
              .replace(/^--sync-timeout=\d+$/, "--sync-timeout=30"),
          )
          // Only the declared nodes, as the SDK Secret's endpoints.json names them for the Job.
          .concat([
            `--rpc=${nodeNames()
              .map((n) => double.url(n))
              .join(",")}`,
            `--ca=${dir}/ca.crt`,
            `--cert=${dir}/sdk.crt`,
            `--key=${dir}/sdk.key`,
          ]);
        const result = await run(process.execPath, [join(dir, "members.js"), ...args], { cwd: dir, env: { PATH: process.env.PATH }, log });
        rmSync(dir, { recursive: true, force: true });
        return { run: { code: result.code, out: result.stdout + result.stderr, seconds: result.seconds }, contracts, double };
      };

      /** The verifier CLI with the verification Job's arguments and its ServiceAccount, against the same double. */
      const runVerifier = async (job: any, double: FiscoRpcDouble) => {
        const dir = mkdtempSync(join(work, "sdk-"));
        const [sdkSecret] = await cluster.get("secret", ns, `${chain}-sdk`);
        for (const [name, text] of Object.entries(decodeSecretData(sdkSecret.data))) writeFileSync(join(dir, name), text, { mode: 0o600 });
        const verified = await runVerifierJobCommand(
          cluster,
          ns,
          chain,
          job,
          dir,
          nodeNames().map((n) => double.url(n)),
        );
        rmSync(dir, { recursive: true, force: true });
        return verified.tokenError === undefined ? verified : { code: 1, out: `no token for ${chain}-verifier: ${verified.tokenError}` };
      };

      /**
       * `pulumi up` with the two Jobs' pods held Running until this harness has run what their containers would: the
       * membership Job's command when its Job appears, the verifier when the verification Job appears. `sealers`: the
       * chain's sealers before the membership Job runs.
       */
      const drivenUp = async (s: Scenario, label: string, sealers: readonly string[] = GENESIS_SEALERS): Promise<DrivenUp> => {
        await fate(cluster, "membership", "hang");
        await fate(cluster, "verification", "hang");
        const before = new Set((await cluster.get("jobs", ns)).map((j) => j.metadata.uid));
        let finished = false;
        const pending = p.up(STACK, kc).finally(() => (finished = true));
        const result: { -readonly [K in keyof DrivenUp]?: DrivenUp[K] } = {};
        while (!finished && !(result.membership && result.verification)) {
          const now = (await cluster.get("jobs", ns)).filter((j) => !before.has(j.metadata.uid));
          const members = now.find((j) => component(j) === "membership");
          const verify = now.find((j) => component(j) === "verification");
          if (members && !result.membership) {
            const statefulSetsThen = (await cluster.get("statefulsets", ns)).filter((x) => !x.metadata.deletionTimestamp).map((x) => x.metadata.name);
            result.membership = {
              statefulSetsThen,
              job: members,
              seenAt: Date.now(),
              verificationJobsThen: now.filter((j) => component(j) === "verification").map((j) => j.metadata.name),
            };
            s.note(`membership Job ${members.metadata.name} appeared; running its command here (node members.js … --rpc=<the double>)`);
            const ran = await runMembersJob(members, sealers);
            Object.assign(result, { membersRun: ran.run, contracts: ran.contracts, double: ran.double });
            await fate(cluster, "membership", ran.run.code === 0 ? "succeed" : "fail", ns);
          } else if (verify && !result.verification && result.double) {
            const [membershipJobThen] = await cluster.get("job", ns, result.membership!.job.metadata.name);
            result.verification = { job: verify, seenAt: Date.now(), membershipJobThen };
            s.note(`verification Job ${verify.metadata.name} appeared; running the verifier here with its arguments`);
            result.verifierRun = await runVerifier(verify, result.double);
            await fate(cluster, "verification", result.verifierRun.code === 0 ? "succeed" : "fail", ns);
          } else if (verify && !result.membership) {
            result.verification = { job: verify, seenAt: Date.now(), membershipJobThen: undefined };
            await fate(cluster, "verification", "fail", ns);
          } else await new Promise((r) => setTimeout(r, 500));
        }
        const up = s.engine(label, await pending);
        return { ...result, up };
      };

      /**
       * The admin key is not in what the engine shows: its output without the debug events, which `pulumi up` shows
       * only with --debug but `--json` always carries. The Node.js SDK logs every ReadResource and RegisterResource
       * response at debug severity with secret values in plaintext (the self-StackReference's outputs, with
       * adminPrivateKey, and every generated key): counted, not failed.
       */
      const checkSecretNotPrinted = async (s: Scenario, what: string, runs: EngineRun[]) => {
        const [admin] = await cluster.get("secret", ns, `${chain}-membership-admin`);
        const key = decodeSecretData(admin?.data)["admin.key"]?.trim().replace(/^0x/, "");
        if (!key) return void s.check(false, `Secret ${chain}-membership-admin holds admin.key`);
        let debugHits = 0;
        const shown = runs
          .flatMap((r) => [...r.run.stdout.split("\n"), r.run.stderr])
          .filter((line) => {
            if (!line.startsWith('{"sequence"') || !line.includes('"severity":"debug"')) return true;
            if (line.includes(key)) debugHits++;
            return JSON.parse(line).diagnosticEvent?.severity !== "debug";
          })
          .join("\n");
        s.check(!shown.includes(key), `the admin key is not in ${what}'s output (debug events aside)`);
        if (debugHits > 0)
          s.note(
            `the admin key is in ${debugHits} debug event(s) of the --json stream (the Node.js SDK's "ReadResource RPC finished … resp:" of the self-StackReference)`,
          );
      };

      let firstJobName = "";

      await group.scenario(
        "membership.inCluster: pulumi up creates the admin Secret, the members bundle, the declared set and the Job, in the order StatefulSets → membership Job → verification Job",
        async (s) => {
          s.require(s.command("pulumi stack init", await p.init(STACK, kc)).code === 0, "stack created");
          const preview = s.engine("pulumi preview", await p.preview(STACK, kc));
          s.require(preview.ok, "preview succeeds", preview.errorText);
          const d = await drivenUp(s, "pulumi up");
          s.require(d.up.ok, "pulumi up succeeds", d.up.errorText);
          await checkSecretNotPrinted(s, "pulumi preview and up", [preview, d.up]);
          const outputs = await p.outputs(STACK, kc);

          // The objects, as the API server has them.
          const [admin] = await cluster.get("secret", ns, `${chain}-membership-admin`);
          s.check(
            admin !== undefined && Object.keys(admin.data ?? {}).join() === "admin.key",
            `Secret ${chain}-membership-admin exists with one key, admin.key`,
          );
          const [bundle] = await cluster.get("configmap", ns, `${chain}-members-bundle`);
          const bundleBytes = Buffer.byteLength(bundle?.data?.["members.js"] ?? "");
          s.check(
            bundleBytes > 0,
            `ConfigMap ${chain}-members-bundle exists with members.js (${(bundleBytes / 1024).toFixed(0)} KiB; the API server's limit is 1 MiB)`,
          );
          const [job] = await jobs("membership");
          s.require(job !== undefined, "the membership Job exists");
          firstJobName = job.metadata.name;
          s.check(new RegExp(`^${chain}-members-[0-9a-f]{10}$`).test(job.metadata.name), `its name is ${chain}-members-<runId10>: ${job.metadata.name}`);
          s.check(job.status?.succeeded === 1, "the membership Job completed");
          const [declaredMap] = await cluster.get("configmap", ns, job.metadata.name);
          const declared = JSON.parse(declaredMap?.data?.["declared.json"] ?? "{}");
          s.check(
            JSON.stringify(declared.nodeIds) === JSON.stringify(outputs.nodeIds) && declared.adminAddress === outputs.adminAddress,
            `ConfigMap ${job.metadata.name} (the declared set) holds the stack's node ids and admin address`,
          );
          s.check(
            (declared.chartValues?.nodes ?? []).map((n: any) => `${n.name}:${n.role}:${n.weight}`).join() ===
              nodeNames()
                .map((n) => `${n}:sealer:1`)
                .join(),
            `the declared set: ${(declared.chartValues?.nodes ?? []).map((n: any) => `${n.name} ${n.role} ${n.weight}`).join(", ")}`,
          );
          const pod = job.spec.template.spec;
          s.check(pod.automountServiceAccountToken === false, "the Job's pod mounts no service account token");
          const dependsOn: string[] = job.metadata.annotations?.["config.kubernetes.io/depends-on"]?.split(",") ?? [];
          s.check(
            nodeNames().every((n) => dependsOn.includes(`apps/namespaces/${ns}/StatefulSet/${chain}-${n}`)),
            `its depends-on names every StatefulSet (${dependsOn.length} references)`,
          );

          // The order, as the engine took its steps (pulumi up --json) …
          const order = stepOrder(d.up);
          const find = (pred: (urn: string, type: string) => boolean) => [...order].filter(([urn, o]) => pred(urn, o.type));
          const sts = find((_, t) => t === "kubernetes:apps/v1:StatefulSet");
          const [mJob] = find((u, t) => t === "kubernetes:batch/v1:Job" && urnName(u).endsWith(job.metadata.name));
          const [vJob] = find((u, t) => t === "kubernetes:batch/v1:Job" && /-verify-/.test(urnName(u)));
          s.require(sts.length === nodeNames().length && mJob !== undefined && vJob !== undefined, "the engine created the StatefulSets and both Jobs");
          const lastSts = Math.max(...sts.map(([, o]) => o.done ?? Infinity));
          s.check(
            mJob[1].begun > lastSts,
            `engine: the membership Job began (event ${mJob[1].begun}) after every StatefulSet was done (last: event ${lastSts})`,
          );
          s.check(
            vJob[1].begun > (mJob[1].done ?? Infinity),
            `engine: the verification Job began (event ${vJob[1].begun}) after the membership Job was done (event ${mJob[1].done})`,
          );

          // … and as the cluster saw it.
          const pods = (await cluster.get("pods", ns)).filter((x) => component(x) === "node");
          const readyAt = pods.map((x) => time(x.status?.conditions?.find((c: any) => c.type === "Ready")?.lastTransitionTime));
          const created = time(job.metadata.creationTimestamp);
          s.check(
            readyAt.length === nodeNames().length && readyAt.every((t) => t <= created),
            `cluster: the membership Job was created (${job.metadata.creationTimestamp}) after every node pod was Ready (last ${new Date(Math.max(...readyAt)).toISOString()})`,
          );
          const [vj] = await jobs("verification");
          const completed = time(job.status?.completionTime);
          s.check(
            time(vj?.metadata.creationTimestamp) >= completed,
            `cluster: the verification Job was created (${vj?.metadata.creationTimestamp}) after the membership Job completed (${job.status?.completionTime})`,
          );
          s.check(
            d.membership !== undefined && d.membership.verificationJobsThen.length === 0,
            "while the membership Job's pod was held running, no verification Job existed",
          );
          const vDepends: string[] = vj?.metadata.annotations?.["config.kubernetes.io/depends-on"]?.split(",") ?? [];
          s.check(vDepends.includes(`batch/namespaces/${ns}/Job/${job.metadata.name}`), "the verification Job's depends-on names the membership Job");

          // What the two Jobs' containers did (run here).
          s.check(d.membersRun?.code === 0, `the membership Job's command exits 0 (${d.membersRun?.seconds.toFixed(1)} s)`, d.membersRun?.out.slice(-2000));
          s.check(d.contracts?.calls.length === 0, `nothing to change on a chain whose sealers are the declared ones: ${d.contracts?.calls.length} calls`);
          s.note(`members: ${firstLines(d.membersRun?.out ?? "", 3)}`);
          const sealerIds = nodeNames().map((n) => outputs.nodeIds[n]);
          s.check(
            arg(vj, "--expect-node-ids")?.split(",").join() === sealerIds.join(),
            `the verification Job's --expect-node-ids lists the ${sealerIds.length} declared sealers`,
          );
          s.check(d.verifierRun?.code === 0, "the verifier with the Job's arguments passes against the double", d.verifierRun?.out.slice(-2000));
          s.check(outputs.verification?.ok === true, "the stack output `verification` is a passing report");
          s.limit(
            "kwok runs no container: the membership Job's command and the verifier ran from this host, while each Job's pod was held Running, against FiscoRpcDouble (not FISCO)",
          );
        },
      );

      await group.scenario("a second preview --expect-no-changes shows no diff; a pulumi up re-runs neither Job", async (s) => {
        const preview = await checkNoChanges(s, p, STACK, kc);
        const before = (await cluster.get("jobs", ns)).map((j) => `${j.metadata.name}/${j.metadata.uid}`).sort();
        const up = s.engine("pulumi up", await p.up(STACK, kc));
        s.check(up.ok, "pulumi up succeeds", up.errorText);
        await checkSecretNotPrinted(s, "pulumi preview and up", [preview, up]);
        const jobSteps = up.steps.filter((st) => st.type === "kubernetes:batch/v1:Job").map((st) => st.op);
        s.check(jobSteps.length === 2 && jobSteps.every((op) => op === "same"), `both Jobs are "same": ${jobSteps.join(", ")}`);
        const after = (await cluster.get("jobs", ns)).map((j) => `${j.metadata.name}/${j.metadata.uid}`).sort();
        s.check(before.join() === after.join(), "the same two Job objects (name and uid)");
      });

      await group.scenario(
        "adding node4: a new membership Job replaces the old one; its command adds node4 as observer, then sealer; verification expects 5 sealers",
        async (s) => {
          p.editConfig(STACK, (c) => c.nodes.push({ name: "node4" }));
          const preview = s.engine("pulumi preview", await p.preview(STACK, kc));
          s.require(preview.ok, "preview succeeds (the membership guard allows one sealer of weight 1 joining four)", preview.errorText);
          const jobPlan = preview.steps.filter((st) => st.type === "kubernetes:batch/v1:Job").map((st) => `${st.op} ${urnName(st.urn).split("/").pop()}`);
          s.note(`planned Job steps: ${jobPlan.join(", ")}`);
          s.check(jobPlan.includes(`delete ${firstJobName}`), `the preview deletes the old membership Job ${firstJobName}`);
          s.check(
            jobPlan.some((l) => /^create .*-members-/.test(l) && !l.endsWith(firstJobName)),
            "and creates a membership Job of another name",
          );
          const replaced = preview.steps.filter((st) => /replace/.test(st.op) && st.type !== "kubernetes:batch/v1:Job").map((st) => urnName(st.urn));
          s.check(replaced.length === 0, "nothing but Jobs is replaced", replaced.join(", "));
          const d = await drivenUp(s, "pulumi up");
          s.require(d.up.ok, "pulumi up succeeds", d.up.errorText);
          await checkSecretNotPrinted(s, "pulumi preview and up", [preview, d.up]);
          const [job, ...more] = await jobs("membership");
          s.check(more.length === 0 && job !== undefined && job.metadata.name !== firstJobName, `one membership Job, a new one: ${job?.metadata.name}`);
          s.check(job?.status?.succeeded === 1, "it completed");
          const plannedName = jobPlan.find((l) => /^create .*-members-/.test(l))?.split(" ")[1];
          if (plannedName !== job?.metadata.name)
            s.note(
              `the preview planned ${plannedName}, the update created ${job?.metadata.name}: during the preview node4's id is not known, and its stand-in leaves it out of the declared set the Job's name digests`,
            );
          const oldDeleted = d.up.steps.find((st) => st.type === "kubernetes:batch/v1:Job" && urnName(st.urn).endsWith(firstJobName));
          s.check(oldDeleted?.op === "delete" && !oldDeleted.planned, `the engine deleted the old Job (${oldDeleted?.op})`);
          s.check((await cluster.get("configmap", ns, firstJobName)).length === 0, `the old declared-set ConfigMap ${firstJobName} is gone too`);
          s.check(d.membersRun?.code === 0, `the membership Job's command exits 0 (${d.membersRun?.seconds.toFixed(1)} s)`, d.membersRun?.out.slice(-2000));
          const calls = d.contracts?.calls.map((c) => c.method) ?? [];
          s.check(calls.join() === "addObserver,addSealer", `it sent addObserver, then addSealer for node4: ${calls.join(", ")}`);
          s.note(`members: ${firstLines(d.membersRun?.out ?? "", 6)}`);
          const outputs = await p.outputs(STACK, kc);
          const [vj] = await jobs("verification");
          const expected = arg(vj, "--expect-node-ids")?.split(",") ?? [];
          s.check(
            expected.length === 5 && expected.includes(outputs.nodeIds.node4),
            `the new verification Job's --expect-node-ids lists 5 sealers, node4 among them`,
          );
          s.check(d.verifierRun?.code === 0, "the verifier passes against the double after membership ran", d.verifierRun?.out.slice(-2000));
          s.check(
            time(vj?.metadata.creationTimestamp) >= time(job?.status?.completionTime),
            "the verification Job was created after the new membership Job completed",
          );
          s.check(await waitFor(async () => (await readyNodePods(cluster, ns)).includes(`${chain}-node4-0`), 30), "node4's pod is Ready");
          s.limit("the membership Job's command and the verifier ran from this host against FiscoRpcDouble with doubles/consensus-precompiled.ts, not FISCO");
        },
      );

      await group.scenario("after node4: preview --expect-no-changes shows no diff", async (s) => {
        await checkNoChanges(s, p, STACK, kc);
      });

      await group.scenario("a failing membership Job fails pulumi up before any verification Job; the next pulumi up replaces it and goes on", async (s) => {
        // membership.syncTimeoutSeconds is part of the Job's run id: a new Job, and nothing else about the chain changes.
        p.editConfig(STACK, (c) => (c.membership = { ...c.membership, syncTimeoutSeconds: 300 }));
        await fate(cluster, "membership", "fail");
        await fate(cluster, "verification", "hang");
        const before = new Set((await cluster.get("jobs", ns)).map((j) => j.metadata.uid));
        const failed = s.engine("pulumi up (the membership Job's pods exit 1)", await p.up(STACK, kc));
        s.check(!failed.ok, "pulumi up fails");
        const [job] = (await jobs("membership")).filter((j) => !before.has(j.metadata.uid));
        const condition = job?.status?.conditions?.find((c: any) => c.type === "Failed" && c.status === "True");
        s.check(condition?.reason === "BackoffLimitExceeded", `the new membership Job failed after its retry (${condition?.reason ?? "no Failed condition"})`);
        s.check(job !== undefined && failed.errorText.includes(job.metadata.name), "the error names the membership Job", failed.errorText);
        s.note(`reported:\n${firstLines(failed.errorText, 4)}`);
        const newVerification = (await jobs("verification")).filter((j) => !before.has(j.metadata.uid));
        s.check(newVerification.length === 0, "no new verification Job was created", newVerification.map((j) => j.metadata.name).join(", "));
        const d = await drivenUp(s, "pulumi up (no change; the Job's command run here)");
        s.check(d.up.ok, "the next pulumi up succeeds", d.up.errorText);
        const steps = d.up.steps.filter((st) => st.type === "kubernetes:batch/v1:Job").map((st) => `${st.op} ${urnName(st.urn).split("/").pop()}`);
        s.check(
          steps.some((l) => /replace/.test(l) && job !== undefined && l.endsWith(job.metadata.name)),
          `the failed membership Job is replaced (pulumi.com/replaceUnready): ${steps.join(", ")}`,
        );
        const [now] = await cluster.get("job", ns, job?.metadata.name ?? "-");
        s.check(now?.status?.succeeded === 1 && now.metadata.uid !== job?.metadata.uid, "a new Job object of the same name completed");
        s.check(d.verifierRun?.code === 0, "then the verification Job ran (the verifier here) and passed", d.verifierRun?.out.slice(-2000));
      });

      await group.scenario(
        "removing node4: the membership Job removes it from consensus while its StatefulSet still runs; the StatefulSet goes after",
        async (s) => {
          const node4: string = (await p.outputs(STACK, kc)).nodeIds?.node4;
          p.editConfig(STACK, (c) => (c.nodes = c.nodes.filter((n: { name: string }) => n.name !== "node4")));
          const preview = s.engine("pulumi preview", await p.preview(STACK, kc));
          s.require(preview.ok, "preview succeeds (the membership guard allows one sealer of weight 1 of five leaving)", preview.errorText);
          const d = await drivenUp(s, "pulumi up", [...GENESIS_SEALERS, "node4"]);
          s.require(d.up.ok, "pulumi up succeeds", d.up.errorText);
          const calls = d.contracts?.calls.map((c) => c.method) ?? [];
          s.check(calls.join() === "remove", `the membership Job's command sent remove for node4: ${calls.join(", ")}`, d.membersRun?.out.slice(-2000));
          s.check(
            /remove\(node4\)/.test(d.membersRun?.out ?? "") && !/undeclared-/.test(d.membersRun?.out ?? ""),
            "the Job names the node it removes node4 (its declared set carries formerNodeIds), not undeclared-<id>",
            d.membersRun?.out.slice(-2000),
          );
          s.note(`members: ${firstLines(d.membersRun?.out ?? "", 6)}`);
          s.check(
            d.membership?.statefulSetsThen.includes(`${chain}-node4`) === true,
            `node4's StatefulSet still existed when the membership Job ran (${d.membership?.statefulSetsThen.length} StatefulSets)`,
          );
          const order = stepOrder(d.up);
          const at = (pred: (urn: string, type: string) => boolean) => [...order].find(([urn, o]) => pred(urn, o.type))?.[1];
          const members = at((u, t) => t === "kubernetes:batch/v1:Job" && urnName(u).endsWith(d.membership?.job.metadata.name ?? "-"));
          const sts4 = at((u, t) => t === "kubernetes:apps/v1:StatefulSet" && urnName(u).endsWith(`/${chain}-node4`));
          s.check(
            members?.done !== undefined && sts4 !== undefined && sts4.begun > members.done,
            `engine: node4's StatefulSet was deleted (event ${sts4?.begun}) after the membership Job was done (event ${members?.done})`,
          );
          s.check((await cluster.get("statefulset", ns, `${chain}-node4`)).length === 0, "node4's StatefulSet is gone");
          const [vj] = await jobs("verification");
          const expected = arg(vj, "--expect-node-ids")?.split(",") ?? [];
          s.check(expected.length === 4 && Boolean(node4) && !expected.includes(node4), "the verification Job expects the 4 remaining sealers, not node4");
          s.check(d.verifierRun?.code === 0, "the verifier passes against the double after the removal", d.verifierRun?.out.slice(-2000));
          s.limit("the membership Job's command and the verifier ran from this host against FiscoRpcDouble with doubles/consensus-precompiled.ts, not FISCO");
        },
      );

      await group.scenario("after removing node4: preview --expect-no-changes shows no diff (formerNodeIds is kept as it was)", async (s) => {
        s.check(JSON.stringify((await p.outputs(STACK, kc)).formerNodeIds ?? {}).includes("node4"), "the stack output formerNodeIds names node4");
        await checkNoChanges(s, p, STACK, kc);
      });
    });
  } finally {
    for (const d of doubles) await d.close().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}
