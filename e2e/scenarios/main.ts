import { allowedDown, firstLines, makeStack, readyNodePods, waitFor, withCluster, type Context } from "../harness/context";
import type { Cluster } from "../harness/cluster";
import { urnName, type Diagnostic, type EngineRun, type Step } from "../harness/pulumi";
import { analyseRollout, formatRollout } from "../harness/rollout";
import { compareWithState, offlineRegistrations, type Divergence } from "../harness/offline-compare";
import { changedKeys, identityOf, liveSnapshot, stateObjects, type LiveObject } from "../harness/snapshot";
import type { Scenario } from "../harness/scenario";
import { changedSteps, checkNoChanges } from "../harness/steps";
import { watch } from "../harness/watch";

const STACK = "e2e";

const replacements = (run: EngineRun) => run.steps.filter((s) => /replace|delete-replaced|create-replacement/.test(s.op));

/**
 * The day-1 and day-2 path of an unprotected stack on one cluster: up, no-op preview, a rolling config change,
 * adding and removing a node, a refused genesis change, destroy, and a reinstall over what destroy kept.
 * The cluster has a default StorageClass (the API server fills it into claims that name none, as on a real cluster).
 */
export async function mainScenarios(ctx: Context): Promise<void> {
  const p = ctx.pulumi;
  await withCluster(ctx, "main", { stages: true, storageClass: "standard" }, async (group, cluster) => {
    const kc = cluster.kubeconfig;
    makeStack(ctx, STACK, {});
    const config = () => p.readConfig(STACK);
    const ns: string = config().namespace;
    const chain: string = config().chainName ?? "fisco";
    const nodeNames = () => (config().nodes as { name: string }[]).map((n) => n.name);

    await group.scenario("pulumi up creates every object; the API server accepts each", async (s) => {
      s.require(s.command("pulumi stack init", await p.init(STACK, kc)).code === 0, "stack created on the file backend");
      const preview = s.engine("pulumi preview", await p.preview(STACK, kc));
      s.require(preview.ok, "preview succeeds", preview.errorText);
      const up = s.engine("pulumi up", await p.up(STACK, kc));
      s.require(up.ok, "pulumi up succeeds", up.errorText);
      const state = await p.exportState(STACK, kc);
      const objects = stateObjects(state);
      const live = await liveSnapshot(cluster, ns);
      const missing = [...objects].filter(([key, o]) => live.get(key)?.uid !== o.uid).map(([key]) => key);
      s.check(missing.length === 0, `all ${objects.size} Kubernetes objects of the state exist in the cluster with the state's uid`, missing.join(", "));
      s.note(`the engine created ${up.changes.create} resources; the state holds ${state.length} (with the default providers and the stack)`);
      const ready = await waitFor(async () => (await readyNodePods(cluster, ns)).length === nodeNames().length, 60);
      s.check(ready, `${nodeNames().length} node pods Running and Ready`);
      const pvcs = await cluster.get("persistentvolumeclaims", ns);
      s.check(pvcs.length === nodeNames().length && pvcs.every((c) => c.status?.phase === "Bound"), `${pvcs.length} PVCs Bound`);
      s.note(
        `PVC storageClassName as the API server filled it in: ${[...new Set(pvcs.map((c) => JSON.stringify(c.spec.storageClassName ?? null)))].join(", ")} (the program renders none)`,
      );
      await podSecurity(s, cluster, ns);
      const warnings = [
        ...new Set(
          up.diagnostics
            .filter((d) => d.severity === "warning" && !/from \$PATH|expected to have version/.test(d.message))
            .map((d) => d.message.split("\n")[0]),
        ),
      ];
      if (warnings.length > 0) s.note(`engine warnings:\n${warnings.join("\n")}`);
    });

    await group.scenario("synth's offline engine registers what the real engine did (objects, options, rendered inputs)", async (s) => {
      await compareOffline(ctx, s, STACK, await p.exportState(STACK, kc));
    });

    await group.scenario("a second preview --expect-no-changes shows no diff at all (PVCs included)", async (s) => {
      const preview = await checkNoChanges(s, p, STACK, kc);
      const pvcSteps = preview.steps.filter((st) => st.type.endsWith("PersistentVolumeClaim"));
      s.check(
        pvcSteps.length === nodeNames().length && pvcSteps.every((st) => st.op === "same"),
        `the ${pvcSteps.length} PVCs are "same" (the live claims carry the default class the program never renders)`,
      );
      const refreshed = s.engine("pulumi preview --refresh --expect-no-changes", await p.preview(STACK, kc, ["--refresh", "--expect-no-changes"]));
      s.check(refreshed.ok, "after a refresh from the cluster too", refreshed.errorText);
    });

    await group.scenario("consensus.minSealTime 500 → 800: config updated in place, sealers restart in waves", async (s) => {
      const before = await liveSnapshot(cluster, ns);
      p.editConfig(STACK, (c) => (c.consensus = { ...(c.consensus ?? {}), minSealTime: 800 }));
      const preview = s.engine("pulumi preview", await p.preview(STACK, kc));
      s.require(preview.ok, "preview succeeds", preview.errorText);
      const changed = changedSteps(preview);
      const expected = nodeNames().flatMap((n) => [`update ConfigMap ${chain}-${n}-config`, `update StatefulSet fisco-workloads:${ns}/${chain}-${n}`]);
      s.check(
        sameSet(changed, expected),
        `the plan updates exactly the ${nodeNames().length} node ConfigMaps and StatefulSets, nothing else`,
        changed.join("\n"),
      );

      const waves = Object.fromEntries(
        nodeNames().map((n) => [n, Number(before.get(`StatefulSet/${chain}-${n}`)?.annotations["argocd.argoproj.io/sync-wave"] ?? 0)]),
      );
      const allowed = allowedDown(config().nodes);
      s.note(`rollout waves from the chart: ${JSON.stringify(waves)}; at most ${allowed} sealer(s) may be down at once`);
      const podWatch = watch(ctx.tools.bin, kc, "pods", ns, ctx.log("main"));
      await new Promise((r) => setTimeout(r, 1500));
      const t0 = Date.now();
      const up = s.engine("pulumi up", await p.up(STACK, kc));
      await waitFor(async () => (await readyNodePods(cluster, ns)).length === nodeNames().length, 60);
      await new Promise((r) => setTimeout(r, 1000));
      await podWatch.stop();
      s.require(up.ok, "pulumi up succeeds", up.errorText);

      const after = await liveSnapshot(cluster, ns);
      for (const n of nodeNames()) {
        const key = `ConfigMap/${chain}-${n}-config`;
        s.check(
          after.get(key)?.uid === before.get(key)?.uid && /min_seal_time\s*=\s*800/.test(after.get(key)?.object.data?.["config.ini"] ?? ""),
          `${key}: same uid (updated in place), config.ini has min_seal_time=800`,
        );
      }
      const keep = (k: string) => k.startsWith("Secret/") || k.startsWith("PersistentVolumeClaim/") || k === `ConfigMap/${chain}-genesis`;
      const touched = changedKeys(filter(before, keep), after, (a, b) => a.uid === b.uid && a.digest === b.digest);
      s.check(touched.length === 0, "Secrets, PVCs and the genesis record untouched", touched.join(", "));

      const rollout = analyseRollout(podWatch.events, waves, (n) => `${chain}-${n}-0`);
      s.note(
        `pod watch, from the start of pulumi up (which returned at +${((up.run.endedAt - t0) / 1000).toFixed(1)} s):\n${formatRollout(rollout, t0).join("\n")}`,
      );
      s.check(
        rollout.notRestarted.length === 0 && rollout.restarts.every((r) => r.newPods === 1),
        "every sealer restarted exactly once",
        `not restarted: ${rollout.notRestarted.join(", ")}`,
      );
      s.check(rollout.maxDown <= allowed, `at most ${allowed} sealer(s) down at any moment (observed ${rollout.maxDown})`);
      s.check(rollout.orderViolations.length === 0, "each wave went down only after the previous wave was Ready again", rollout.orderViolations.join("\n"));
      const lastReady = Math.max(...rollout.restarts.map((r) => r.readyAt ?? Infinity));
      s.check(up.run.endedAt >= lastReady, "pulumi up returned only after the last restarted node was Ready");
    });

    await group.scenario(
      "adding node4: the preview plans no delete, a plain pulumi up adds it; nothing existing replaced (identity, Secrets, PVCs), no running node restarted",
      async (s) => {
        const before = await liveSnapshot(cluster, ns);
        const idBefore = identityOf(await p.exportState(STACK, kc));
        p.editConfig(STACK, (c) => c.nodes.push({ name: "node4" }));
        const preview = s.engine("pulumi preview", await p.preview(STACK, kc));
        s.require(preview.ok, "preview succeeds", preview.errorText);
        addedNodePlan(s, "the preview", preview.steps, preview.diagnostics, { ns, chain, node: "node4", existing: nodeNames().filter((n) => n !== "node4") });
        s.note(`planned: ${summarise(changedSteps(preview))}`);
        // A plain `pulumi up`: it previews first, and stops if that preview fails.
        const up = s.engine("pulumi up", await p.up(STACK, kc, [], { preview: true }));
        s.require(up.ok, "pulumi up (with its preview) succeeds", up.errorText);
        addedNodePlan(s, "pulumi up's own preview", up.plan ?? [], up.diagnostics, {
          ns,
          chain,
          node: "node4",
          existing: nodeNames().filter((n) => n !== "node4"),
        });
        const warn = up.diagnostics.find((d) => d.severity === "warning" && /node4/.test(d.message));
        if (warn) s.note(`program warning: ${firstLines(warn.message, 2)}`);
        const after = await liveSnapshot(cluster, ns);
        const replaced = changedKeys(before, after, (a, b) => a.uid === b.uid);
        s.check(replaced.length === 0, `no object replaced (${before.size} existing objects keep their uid)`, replaced.join(", "));
        const idAfter = identityOf(await p.exportState(STACK, kc));
        const idChanged = changedKeys(idBefore, idAfter, (a, b) => a === b);
        s.check(idChanged.length === 0, `identity unchanged in the state (${idBefore.size} keys, certificates, seeds)`, idChanged.join(", "));
        s.check(after.get(`ConfigMap/${chain}-genesis`)?.digest === before.get(`ConfigMap/${chain}-genesis`)?.digest, "the genesis record is unchanged");
        const restarted = nodeNames()
          .filter((n) => n !== "node4")
          .filter((n) => after.get(`StatefulSet/${chain}-${n}`)?.generation !== before.get(`StatefulSet/${chain}-${n}`)?.generation);
        s.check(restarted.length === 0, "no existing StatefulSet changed (the new peer list is reloaded live)", restarted.join(", "));
        const up4 = await waitFor(async () => (await readyNodePods(cluster, ns)).includes(`${chain}-node4-0`), 60);
        s.check(up4, "node4's pod is Ready");
        s.check(after.get(`PersistentVolumeClaim/${chain}-node4-data`) !== undefined, "node4's PVC exists");
      },
    );

    await group.scenario("removing node1: only node1's objects go; its volume and key Secret are kept; nothing replaced", async (s) => {
      const before = await liveSnapshot(cluster, ns);
      const idBefore = identityOf(await p.exportState(STACK, kc));
      p.editConfig(STACK, (c) => (c.nodes = c.nodes.filter((n: { name: string }) => n.name !== "node1")));
      const preview = s.engine("pulumi preview", await p.preview(STACK, kc));
      s.require(preview.ok, "preview succeeds", preview.errorText);
      const deletes = preview.steps.filter((st) => st.op === "delete").map((st) => urnName(st.urn));
      s.check(replacements(preview).length === 0, "the plan replaces nothing", changedSteps(preview).join("\n"));
      s.check(
        deletes.length > 0 && deletes.every((d) => d.includes("node1")),
        `the plan deletes only node1's resources (${deletes.length})`,
        deletes.join(", "),
      );
      const warn = preview.diagnostics.find((d) => d.severity === "warning" && /node1/.test(d.message));
      if (warn) s.note(`program warning: ${firstLines(warn.message, 2)}`);
      const up = s.engine("pulumi up", await p.up(STACK, kc));
      s.require(up.ok, "pulumi up succeeds", up.errorText);
      const after = await liveSnapshot(cluster, ns);
      s.check(
        after.get(`PersistentVolumeClaim/${chain}-node1-data`)?.uid === before.get(`PersistentVolumeClaim/${chain}-node1-data`)?.uid,
        "node1's PVC is kept (retainOnDelete)",
      );
      s.check(after.get(`Secret/${chain}-node1-keys`)?.uid === before.get(`Secret/${chain}-node1-keys`)?.uid, "node1's key Secret is kept (retainOnDelete)");
      const gone = [`StatefulSet/${chain}-node1`, `Service/${chain}-node1`, `ConfigMap/${chain}-node1-config`].filter((k) => after.has(k));
      s.check(gone.length === 0, "node1's StatefulSet, Service and ConfigMap are deleted", gone.join(", "));
      const others = filter(before, (k) => !k.includes("node1"));
      const replaced = changedKeys(others, after, (a, b) => a.uid === b.uid);
      const vanished = [...others.keys()].filter((k) => !after.has(k));
      s.check(replaced.length === 0 && vanished.length === 0, "every other object keeps its uid", [...replaced, ...vanished].join(", "));
      const idAfter = identityOf(await p.exportState(STACK, kc));
      const idChanged = changedKeys(
        filter(idBefore, (k) => !k.includes("node1")),
        idAfter,
        (a, b) => a === b,
      );
      s.check(idChanged.length === 0, "the other nodes' identity and the CA are unchanged in the state", idChanged.join(", "));
    });

    await group.scenario("a genesis-only change (chainId) is refused at preview, and pulumi up changes nothing", async (s) => {
      const before = await liveSnapshot(cluster, ns);
      p.editConfig(STACK, (c) => (c.chainId = "chain1"));
      const preview = s.engine("pulumi preview", await p.preview(STACK, kc));
      s.check(!preview.ok, "preview fails");
      s.check(
        /genesis-only settings changed/.test(preview.errorText) && /chainId/.test(preview.errorText),
        "the message names chainId as a genesis-only setting",
        preview.errorText,
      );
      // Finding 4: the SDK's "error serializing property" prefixes and a stack (whose formatting took 30-70 s on Node 20.20).
      s.check(
        !/error serializing property|\n\s+at /.test(preview.errorText),
        "the message is the program's own: no serialization prefixes, no stack",
        firstLines(preview.errorText, 6),
      );
      s.note(firstLines(preview.errorText, 3));
      const up = s.engine("pulumi up", await p.up(STACK, kc));
      s.check(!up.ok, "pulumi up fails the same way", up.errorText);
      const after = await liveSnapshot(cluster, ns);
      const changed = changedKeys(before, after, (a, b) => a.uid === b.uid && a.digest === b.digest);
      s.check(changed.length === 0, "no object in the cluster changed", changed.join(", "));
      p.editConfig(STACK, (c) => (c.chainId = "chain0"));
    });

    await group.scenario("pulumi destroy keeps what the README says: namespace, genesis record, volumes, node key Secrets", async (s) => {
      const before = await liveSnapshot(cluster, ns);
      const inState = stateObjects(await p.exportState(STACK, kc));
      const destroy = s.engine("pulumi destroy", await p.destroy(STACK, kc));
      s.require(destroy.ok, "destroy succeeds", destroy.errorText);
      await waitFor(async () => (await cluster.get("pods", ns)).length === 0, 60);
      const after = await liveSnapshot(cluster, ns);
      const promised = [...before.keys()].filter(
        (k) => k === `Namespace/${ns}` || k === `ConfigMap/${chain}-genesis` || k.startsWith("PersistentVolumeClaim/") || /^Secret\/.*-keys$/.test(k),
      );
      const lost = promised.filter((k) => after.get(k)?.uid !== before.get(k)?.uid);
      s.check(
        lost.length === 0,
        `kept with their uid: ${promised.length} objects (${promised
          .map((k) => k.split("/")[0])
          .filter((v, i, a) => a.indexOf(v) === i)
          .join(", ")})`,
        lost.join(", "),
      );
      const leftover = [...inState.keys()].filter((k) => after.has(k) && !promised.includes(k));
      s.check(leftover.length === 0, "everything else the stack made is gone", leftover.join(", "));
      s.check((await cluster.get("pods", ns)).length === 0, "no pod left");
      s.note(`left in ${ns}: ${[...after.keys()].join(", ")}`);
    });

    await group.scenario("a new stack (new identity) over what destroy kept is refused before any node starts; nothing kept is overwritten", async (s) => {
      const before = await liveSnapshot(cluster, ns);
      s.command("pulumi stack rm (state only)", await p.remove(STACK, kc));
      s.require(s.command("pulumi stack init (new identity)", await p.init(STACK, kc)).code === 0, "a fresh stack");
      const up = s.engine("pulumi up", await p.up(STACK, kc));
      s.check(!up.ok, "pulumi up fails");
      s.note(`what stopped it:\n${firstLines(up.errorText, 8)}`);
      const after = await liveSnapshot(cluster, ns);
      s.check(!(await cluster.get("statefulsets", ns)).length && !(await cluster.get("pods", ns)).length, "no StatefulSet and no pod was created");
      const kept = [...before.keys()];
      const overwritten = changedKeys(
        before,
        after,
        (a, b) => a.uid === b.uid && a.digest === b.digest && a.annotations["fisco-bcos.io/genesis-digest"] === b.annotations["fisco-bcos.io/genesis-digest"],
      );
      s.check(
        overwritten.length === 0,
        `the ${kept.length} kept objects are unchanged (genesis record, key Secrets, PVCs and their genesis digest)`,
        overwritten.join(", "),
      );
      // README: under Pulumi the update stops at the kept genesis record and key Secrets (a server-side apply field
      // conflict with the old stack's field manager); the chart's own check comes after them (next scenario).
      s.check(
        /Server-Side Apply field conflict/.test(up.errorText) && up.errorText.includes(`${chain}-genesis`),
        `it stops at the kept genesis record ${chain}-genesis: a server-side apply field conflict (as the README says)`,
        up.errorText,
      );
    });

    await group.scenario("with only the volumes left, the chart's reinstall guard stops the update and names the volume", async (s) => {
      const deleted = s.command(
        "kubectl delete the kept genesis record and key Secrets",
        await cluster.kubectl(["delete", "-n", ns, `configmap/${chain}-genesis`, ...nodeNamesWithKeys(await cluster.get("secrets", ns))]),
      );
      s.require(deleted.code === 0, "deleted", deleted.stderr);
      const before = await liveSnapshot(cluster, ns);
      const up = s.engine("pulumi up", await p.up(STACK, kc));
      s.check(!up.ok, "pulumi up fails");
      const message = up.errorText.split("\n").find((l) => /holds the ledger of another chain/.test(l));
      s.check(message !== undefined && /volume \S+-data/.test(message), "the message is the reinstall guard's, naming the volume", firstLines(up.errorText, 6));
      if (message) s.note(message.trim().slice(0, 400));
      s.check(!(await cluster.get("statefulsets", ns)).length && !(await cluster.get("pods", ns)).length, "no StatefulSet and no pod was created");
      const after = await liveSnapshot(cluster, ns);
      const pvcs = [...before.keys()].filter((k) => k.startsWith("PersistentVolumeClaim/"));
      const changed = pvcs.filter(
        (k) =>
          after.get(k)?.uid !== before.get(k)?.uid ||
          after.get(k)?.annotations["fisco-bcos.io/genesis-digest"] !== before.get(k)?.annotations["fisco-bcos.io/genesis-digest"],
      );
      s.check(changed.length === 0, `the ${pvcs.length} PVCs still record the old chain's genesis`, changed.join(", "));
    });
  });
}

/**
 * Differences between the offline engine and the real one that are known limits of `synth`, each pinned by a test
 * in test/offline-engine-limits.test.ts. Anything else the comparison finds fails the scenario.
 */
const KNOWN_OFFLINE_LIMITS: readonly { readonly id: string; readonly matches: (d: Divergence) => boolean; readonly text: string }[] = [
  {
    id: "chart-children-options",
    matches: (d) => d.kind === "options" && d.resource.includes(" fisco-workloads:") && d.detail.startsWith("offline: no resource options"),
    text: "Chart v4 children carry no resource options offline: the real engine applies NodeChart's transforms to them (PVCs get retainOnDelete, and protect under protect: true); the mock monitor cannot call back into the program",
  },
  {
    id: "secret-string-data",
    matches: (d) =>
      d.kind === "inputs" && / kubernetes:core\/v1:Secret /.test(` ${d.resource} `) && d.detail.split("\n").every((l) => /^\.(data|stringData):/.test(l)),
    text: "Secrets: the program sends stringData; the real Kubernetes provider records it as base64 data (its Check), the offline engine keeps stringData as sent",
  },
];

/** The offline engine (what `npm run synth` runs) on the same stack file, compared with the real engine's state. */
export async function compareOffline(ctx: Context, s: Scenario, stack: string, state: Parameters<typeof compareWithState>[0]): Promise<void> {
  const offline = await offlineRegistrations(ctx.pulumi.projectDir, stack, ctx.log("offline"));
  const divergences = compareWithState(state, offline);
  const unexplained: string[] = [];
  const seen = new Map<string, number>();
  for (const d of divergences) {
    const known = KNOWN_OFFLINE_LIMITS.find((k) => k.matches(d));
    if (known) seen.set(known.id, (seen.get(known.id) ?? 0) + 1);
    else unexplained.push(`${d.kind} ${d.resource}: ${d.detail}`);
  }
  s.note(
    `${offline.length} offline registrations compared with ${state.filter((r) => r.custom && !r.type.startsWith("pulumi:")).length} resources of the real state`,
  );
  for (const k of KNOWN_OFFLINE_LIMITS) if (seen.has(k.id)) s.limit(`synth (${seen.get(k.id)} resources): ${k.text}`);
  s.check(
    unexplained.length === 0,
    "no other difference (same objects; same rendered inputs once fresh keys are masked; same protect/retainOnDelete)",
    unexplained.join("\n"),
  );
}

/**
 * The plan of adding `node`: Chart v4 rendered (it renders nothing when one of its values is unknown, and the engine
 * then plans every chart object it does not see for deletion, pulumi/pulumi-kubernetes#3699; the program gives the
 * chart preview-time stand-ins for the new keys), so the new node's StatefulSet is planned as a create, nothing is
 * deleted or replaced, and no existing node's StatefulSet changes.
 */
export function addedNodePlan(
  s: Scenario,
  label: string,
  steps: readonly Step[],
  diagnostics: readonly Diagnostic[],
  { ns, chain, node, existing }: { ns: string; chain: string; node: string; existing: readonly string[] },
): void {
  const line = (st: Step) => `${st.op} ${st.type.split(":").pop()} ${urnName(st.urn)}`;
  const incomplete = diagnostics.find((d) => /Preview is incomplete/.test(d.message));
  s.check(incomplete === undefined, `${label}: Chart v4 rendered (no "Preview is incomplete")`, incomplete?.message);
  const gone = steps.filter((st) => st.op === "delete" || /replace/.test(st.op)).map(line);
  s.check(steps.length > 0 && gone.length === 0, `${label}: deletes and replaces nothing (${steps.length} steps)`, gone.join("\n"));
  s.check(
    steps.some((st) => st.op === "create" && urnName(st.urn) === `fisco-workloads:${ns}/${chain}-${node}` && st.type.endsWith(":StatefulSet")),
    `${label}: creates ${node}'s StatefulSet (a chart object)`,
  );
  const touched = steps
    .filter((st) => st.op !== "same" && st.type.endsWith(":StatefulSet") && existing.some((n) => urnName(st.urn) === `fisco-workloads:${ns}/${chain}-${n}`))
    .map(line);
  s.check(touched.length === 0, `${label}: no existing node's StatefulSet changes`, touched.join("\n"));
}

/** `update ConfigMap a, update ConfigMap b` → `update ConfigMap ×2 (a, b)`, grouped by operation and type. */
function summarise(lines: readonly string[]): string {
  const groups = new Map<string, string[]>();
  for (const l of lines) {
    const [op, type, ...name] = l.split(" ");
    const key = `${op} ${type}`;
    groups.set(key, [...(groups.get(key) ?? []), name.join(" ")]);
  }
  return [...groups].map(([k, names]) => `${k} ×${names.length}`).join(", ") || "nothing";
}

function nodeNamesWithKeys(secrets: any[]): string[] {
  return secrets.filter((o) => /-keys$/.test(o.metadata.name)).map((o) => `secret/${o.metadata.name}`);
}

function filter(map: ReadonlyMap<string, LiveObject>, keep: (key: string) => boolean): Map<string, LiveObject>;
function filter(map: ReadonlyMap<string, string>, keep: (key: string) => boolean): Map<string, string>;
function filter<T>(map: ReadonlyMap<string, T>, keep: (key: string) => boolean): Map<string, T> {
  return new Map([...map].filter(([k]) => keep(k)));
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);
}

/** Pod Security: the labels the program set on the namespace, and what the API server says of its pods per level. */
async function podSecurity(s: Scenario, cluster: Cluster, ns: string): Promise<void> {
  const [namespace] = await cluster.get("namespace", undefined, ns);
  const labels = Object.entries(namespace?.metadata.labels ?? {}).filter(([k]) => k.startsWith("pod-security.kubernetes.io/"));
  s.note(`namespace Pod Security labels: ${labels.map(([k, v]) => `${k.split("/")[1]}=${v}`).join(", ") || "none"}`);
  const enforce = labels.find(([k]) => k === "pod-security.kubernetes.io/enforce")?.[1];
  for (const level of ["baseline", "restricted"]) {
    const dry = await cluster.kubectl(["label", "--dry-run=server", "--overwrite", "namespace", ns, `pod-security.kubernetes.io/enforce=${level}`]);
    const violations = dry.stderr
      .split("\n")
      .filter((l) => /^Warning: /.test(l) && !/violate the new PodSecurity/.test(l))
      .map((l) => l.replace(/^Warning: /, ""));
    if (level === enforce || level === "baseline")
      s.check(violations.length === 0, `the running pods meet Pod Security "${level}" (server dry-run of enforce=${level})`, violations.join("\n"));
    else s.note(`Pod Security "${level}" (server dry-run): ${violations.length === 0 ? "no violation" : violations.join("; ")}`);
  }
}
