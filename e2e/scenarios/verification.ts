import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FiscoRpcDouble } from "../../doubles/fisco-rpc-double";
import { decodeSecretData, runVerifierJobCommand } from "../harness/job-command";
import type { Cluster } from "../harness/cluster";
import { firstLines, makeStack, withCluster, type Context } from "../harness/context";
import { urnName, type EngineRun } from "../harness/pulumi";
import { REPO } from "../harness/tools";

const STACK = "e2e-verify";
const TIMEOUT_SECONDS = 10;

/** kwok Stages that decide how the verification Job's pods end (e2e/kwok/verification-*.yaml); none: they hang. */
async function fate(cluster: Cluster, choice: "hang" | "fail" | "succeed"): Promise<void> {
  await cluster.kubectl(["delete", "stage", "-l", "e2e.fisco-bcos/verification-fate=true", "--ignore-not-found"]);
  if (choice !== "hang") {
    const applied = await cluster.kubectl(["apply", "-f", join(REPO, "e2e", "kwok", `verification-${choice}.yaml`)]);
    if (applied.code !== 0) throw new Error(`kubectl apply verification-${choice}.yaml: ${applied.stderr}`);
  }
}

const jobSteps = (run: EngineRun) => run.steps.filter((s) => s.type.endsWith(":Job")).map((s) => `${s.op} ${urnName(s.urn).split("/").pop()}`);

/**
 * The post-deploy verification on the real engine. kwok runs no container: the Job's pods end as a kwok Stage says
 * (hang, fail, succeed), and nothing writes the report unless this harness runs the verifier itself, from this host,
 * against FiscoRpcDouble (a test double of FISCO's RPC serving the chain's own node certificates), with the Job's own
 * arguments and the verifier ServiceAccount's token: what the Job's container would do.
 */
export async function verificationScenarios(ctx: Context): Promise<void> {
  const p = ctx.pulumi;
  let double: FiscoRpcDouble | undefined;
  const sdkDir = mkdtempSync(join(ctx.runDir, "sdk-"));
  try {
    await withCluster(ctx, "verify", { stages: true }, async (group, cluster) => {
      const kc = cluster.kubeconfig;
      makeStack(ctx, STACK, { verification: { enabled: true, timeoutSeconds: TIMEOUT_SECONDS } });
      const ns: string = p.readConfig(STACK).namespace;
      const chain: string = p.readConfig(STACK).chainName ?? "fisco";
      const jobs = async () => (await cluster.get("jobs", ns)).filter((j) => j.metadata.labels?.["app.kubernetes.io/component"] === "verification");

      await group.scenario(
        `a verification Job that never ends: pulumi up fails at the Job's deadline (timeoutSeconds ${TIMEOUT_SECONDS} + 120 s)`,
        async (s) => {
          await fate(cluster, "hang");
          s.require(s.command("pulumi stack init", await p.init(STACK, kc)).code === 0, "stack created");
          const up = s.engine("pulumi up", await p.up(STACK, kc));
          s.check(!up.ok, "pulumi up fails");
          const [job] = await jobs();
          const failed = job?.status?.conditions?.find((c: any) => c.type === "Failed" && c.status === "True");
          s.check(failed?.reason === "DeadlineExceeded", `the Job failed with DeadlineExceeded (${failed?.reason ?? "no Failed condition"})`);
          s.check(/Job|fisco-verify/.test(up.errorText), "the error names the Job", up.errorText);
          s.note(`reported:\n${firstLines(up.errorText, 5)}`);
          s.limit("kwok runs no container: the verifier never ran; the pod stayed Running until the Job's activeDeadlineSeconds");
        },
      );

      await group.scenario("a failed verification: the next pulumi up (no change) replaces the Job and reports its failure", async (s) => {
        await fate(cluster, "fail");
        const before = (await jobs()).map((j) => j.metadata.uid);
        const up = s.engine("pulumi up", await p.up(STACK, kc));
        s.check(!up.ok, "pulumi up fails");
        s.check(
          jobSteps(up).some((l) => /replace/.test(l)),
          `the failed Job is replaced (pulumi.com/replaceUnready): ${jobSteps(up).join(", ")}`,
        );
        const [job] = await jobs();
        s.check(job !== undefined && !before.includes(job.metadata.uid), "a new Job object ran");
        const failed = job?.status?.conditions?.find((c: any) => c.type === "Failed" && c.status === "True");
        s.check(failed?.reason === "BackoffLimitExceeded", `the new Job failed after its retry (${failed?.reason ?? "no Failed condition"})`);
        s.note(`reported:\n${firstLines(up.errorText, 5)}`);
      });

      await group.scenario("a Job that succeeds without writing a report: the update fails reading the report", async (s) => {
        await fate(cluster, "succeed");
        const up = s.engine("pulumi up", await p.up(STACK, kc));
        s.check(
          jobSteps(up).some((l) => /replace/.test(l)),
          `the failed Job is replaced again: ${jobSteps(up).join(", ")}`,
        );
        const [job] = await jobs();
        s.check(job?.status?.succeeded === 1, "the Job completed");
        s.check(
          !up.ok && /does not exist/.test(up.errorText) && up.errorText.includes(`${chain}-verification`),
          `pulumi up fails: ConfigMap ${chain}-verification does not exist`,
          up.errorText,
        );
        s.limit("kwok completed the Job's pod without running the verifier, so no report exists; on a real cluster a Job succeeds only after writing it");
      });

      await group.scenario(
        "the verifier CLI with the Job's arguments and ServiceAccount writes the report; pulumi up then succeeds and outputs it",
        async (s) => {
          const secrets = await cluster.get("secrets", ns);
          const sdk = decodeSecretData(secrets.find((o) => o.metadata.name === `${chain}-sdk`)?.data);
          for (const [name, text] of Object.entries(sdk)) writeFileSync(join(sdkDir, name), text, { mode: 0o600 });
          const nodes = secrets
            .filter((o) => /-keys$/.test(o.metadata.name))
            .map((o) => ({ name: o.metadata.labels?.["fisco-bcos.io/node"], ...decodeSecretData(o.data) }))
            .map((k: any) => ({ name: k.name, nodeId: k["node.nodeid"].trim(), cert: k["ssl.crt"], key: k["ssl.key"] }));
          double = await FiscoRpcDouble.start({ ca: sdk["ca.crt"], nodes, initialHeight: 3, sealTimeMs: 50, syncDelayMs: 10 });
          s.note(
            `FiscoRpcDouble (a test double of FISCO's native RPC, not FISCO) serves ${nodes.length} nodes with their certificates from the cluster: ${double.names.map((n) => double!.url(n)).join(", ")}`,
          );
          const [job] = await jobs();
          const container = job.spec.template.spec.containers[0];
          s.note(`the Job's container: ${[...container.command, ...container.args].join(" ")}`);
          const run = await runVerifierJobCommand(
            cluster,
            ns,
            chain,
            job,
            sdkDir,
            double.names.map((n) => double!.url(n)),
          );
          s.require(run.tokenError === undefined, `a token of ServiceAccount ${chain}-verifier (the chart's)`, run.tokenError);
          s.check(run.code === 0, "the verifier passes against the double and writes the report with the ServiceAccount's RBAC", run.out.slice(-3000));
          const [report] = await cluster.get("configmap", ns, `${chain}-verification`);
          s.check(JSON.parse(report?.data?.["report.json"] ?? "{}").ok === true, `ConfigMap ${chain}-verification holds a passing report`);
          const up = s.engine("pulumi up", await p.up(STACK, kc));
          s.check(up.ok, "pulumi up succeeds", up.errorText);
          s.check(
            jobSteps(up).every((l) => l.startsWith("same")),
            `the passed Job is not re-run: ${jobSteps(up).join(", ")}`,
          );
          const outputs = await p.outputs(STACK, kc);
          s.check(outputs.verification?.ok === true && Array.isArray(outputs.verification?.nodes), "the stack output `verification` is the report");
          s.limit("the chain is FiscoRpcDouble, not FISCO: the verifier's checks and probe transaction ran against the double");
        },
      );

      await group.scenario("verification.hostRpcEndpoints: the resource hook verifies from this host (against the double)", async (s) => {
        if (!double) throw new Error("no double: the previous scenario did not start it");
        const before = double.received.length;
        p.editConfig(STACK, (c) => (c.verification = { ...c.verification, hostRpcEndpoints: double!.names.map((n) => double!.url(n)) }));
        const up = s.engine("pulumi up", await p.up(STACK, kc));
        s.check(up.ok, "pulumi up succeeds", up.errorText);
        const hookLines = up.diagnostics
          .filter((d) => d.message && (d.urn?.includes("HostVerification") || /verif|probe/i.test(d.message)))
          .map((d) => `${d.severity}: ${d.message.split("\n")[0]}`);
        s.check(double.received.length > before, `the hook sent the probe transactions to the double (${double.received.length - before})`);
        s.note(`hook output (first lines):\n${hookLines.slice(0, 6).join("\n")}`);
        const [request] = await cluster.get("configmap", ns, `${chain}-verification-request`);
        s.check(request !== undefined, `ConfigMap ${chain}-verification-request (the hook's anchor) exists`);
      });

      await group.scenario("a failing host verification: how the engine reports a failing after-hook", async (s) => {
        if (!double) throw new Error("no double");
        for (const n of double.names) await double.down(n);
        p.editConfig(STACK, (c) => (c.consensus = { minSealTime: 600 }));
        const up = s.engine("pulumi up (nodes of the double down, run id changed)", await p.up(STACK, kc));
        const failure = up.diagnostics.find((d) => /post-deploy verification failed|verification failed|hook/i.test(d.message) && d.severity !== "info");
        s.check(failure !== undefined, "the hook's failure is reported", up.diagnostics.map((d) => `${d.severity}: ${d.message.split("\n")[0]}`).join("\n"));
        if (failure) s.note(`${failure.severity}: ${firstLines(failure.message, 3)}`);
        s.check(
          !up.ok && failure?.severity === "error",
          `the engine fails the update with the hook's failure as an error (observed: pulumi up ${up.ok ? "succeeds" : "fails"}, ${failure?.severity ?? "nothing"})`,
        );
      });
    });
  } finally {
    await double?.close();
    rmSync(sdkDir, { recursive: true, force: true });
  }
}
