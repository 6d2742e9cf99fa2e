import { firstLines, makeStack, readyNodePods, waitFor, withCluster, type Context } from "../harness/context";
import { urnName } from "../harness/pulumi";
import { changedKeys, identityOf, liveSnapshot, stateObjects } from "../harness/snapshot";
import { addedNodePlan, compareOffline } from "./main";

const STACK = "e2e-protect";

/**
 * `protect: true` as prod sets it: the chain's provider on a named kubeconfig context, identity protected, config
 * objects updated in place. This cluster has no StorageClass (claims with storageClass "" bind to class-less PVs).
 */
export async function protectScenarios(ctx: Context): Promise<void> {
  const p = ctx.pulumi;
  await withCluster(ctx, "protect", { stages: true }, async (group, cluster) => {
    const kc = cluster.kubeconfig;
    makeStack(ctx, STACK, { protect: true });
    const ns: string = p.readConfig(STACK).namespace;
    const chain: string = p.readConfig(STACK).chainName ?? "fisco";

    await group.scenario("protect: true without kubernetes.context is refused before anything is registered", async (s) => {
      s.require(s.command("pulumi stack init", await p.init(STACK, kc)).code === 0, "stack created");
      const preview = s.engine("pulumi preview", await p.preview(STACK, kc));
      s.check(!preview.ok && /kubernetes\.context/.test(preview.errorText), "preview fails naming kubernetes.context", preview.errorText);
      s.check(
        preview.steps.every((st) => st.type === "pulumi:pulumi:Stack"),
        "no resource in the plan",
      );
    });

    await group.scenario(`pulumi up with protect: true on context ${cluster.context}: identity protected, config objects not`, async (s) => {
      p.editConfig(STACK, (c) => (c.kubernetes = { context: cluster.context }));
      const up = s.engine("pulumi up", await p.up(STACK, kc));
      s.require(up.ok, "pulumi up succeeds", up.errorText);
      const state = await p.exportState(STACK, kc);
      const provider = state.find((r) => r.type === "pulumi:providers:kubernetes");
      s.check(
        provider?.inputs?.context === cluster.context,
        `the chain's Kubernetes provider uses context ${cluster.context}`,
        JSON.stringify(provider?.inputs ?? {}),
      );
      s.check(
        String(provider?.inputs?.enableConfigMapMutable) === "true" && String(provider?.inputs?.enableSecretMutable) === "true",
        "ConfigMaps and Secrets mutable on that provider",
      );
      const isIdentity = (r: (typeof state)[number]) =>
        r.type.startsWith("tls:") ||
        r.type.startsWith("random:") ||
        r.type.endsWith(":PersistentVolumeClaim") ||
        (r.type.endsWith(":ConfigMap") && r.outputs?.metadata?.name === `${chain}-genesis`);
      const identity = state.filter((r) => r.custom && isIdentity(r));
      const unprotected = identity.filter((r) => !r.protect).map((r) => urnName(r.urn));
      s.check(
        unprotected.length === 0,
        `all ${identity.length} identity resources protected (keys, certificates, seeds, genesis record, PVCs)`,
        unprotected.join(", "),
      );
      const config = state.filter((r) => r.custom && !isIdentity(r) && /:(ConfigMap|Secret|StatefulSet|Service)$/.test(r.type));
      const protectedConfig = config.filter((r) => r.protect).map((r) => urnName(r.urn));
      s.check(
        protectedConfig.length === 0,
        `none of the ${config.length} ConfigMaps, Secrets, StatefulSets and Services protected`,
        protectedConfig.join(", "),
      );
      s.check(await waitFor(async () => (await readyNodePods(cluster, ns)).length === 4, 60), "4 node pods Ready");
    });

    await group.scenario("synth's offline engine registers what the real engine did under protect", async (s) => {
      await compareOffline(ctx, s, STACK, await p.exportState(STACK, kc));
    });

    await group.scenario("under protect, a config change (minSealTime) updates in place and succeeds", async (s) => {
      const before = await liveSnapshot(cluster, ns);
      p.editConfig(STACK, (c) => (c.consensus = { minSealTime: 700 }));
      const up = s.engine("pulumi up", await p.up(STACK, kc));
      s.require(up.ok, "pulumi up succeeds", up.errorText);
      const after = await liveSnapshot(cluster, ns);
      const replaced = changedKeys(before, after, (a, b) => a.uid === b.uid);
      s.check(replaced.length === 0, "no object replaced", replaced.join(", "));
      const updated = [0, 1, 2, 3].filter((i) =>
        /min_seal_time\s*=\s*700/.test(after.get(`ConfigMap/${chain}-node${i}-config`)?.object.data?.["config.ini"] ?? ""),
      );
      s.check(updated.length === 4, "the 4 node ConfigMaps carry min_seal_time=700");
    });

    await group.scenario(
      "under protect, adding node4 with a plain pulumi up (its preview plans no delete): Secrets and ConfigMaps update in place, identity kept",
      async (s) => {
        const before = await liveSnapshot(cluster, ns);
        const idBefore = identityOf(await p.exportState(STACK, kc));
        p.editConfig(STACK, (c) => c.nodes.push({ name: "node4" }));
        const existing = (p.readConfig(STACK).nodes as { name: string }[]).map((n) => n.name).filter((n) => n !== "node4");
        // A preview that planned deletes would fail here: the chart's PVCs are protected.
        const preview = s.engine("pulumi preview", await p.preview(STACK, kc));
        s.check(preview.ok, "the preview succeeds", firstLines(preview.errorText, 6));
        addedNodePlan(s, "the preview", preview.steps, preview.diagnostics, { ns, chain, node: "node4", existing });
        // A plain `pulumi up`, no --skip-preview: it previews first and would stop on a protected delete.
        const up = s.engine("pulumi up", await p.up(STACK, kc, [], { preview: true }));
        s.require(up.ok, "pulumi up (with its preview) succeeds", up.errorText);
        addedNodePlan(s, "pulumi up's own preview", up.plan ?? [], up.diagnostics, { ns, chain, node: "node4", existing });
        const after = await liveSnapshot(cluster, ns);
        const replaced = changedKeys(before, after, (a, b) => a.uid === b.uid);
        s.check(replaced.length === 0, `no existing object replaced (${before.size})`, replaced.join(", "));
        s.check(after.get(`Secret/${chain}-sdk`)?.digest !== before.get(`Secret/${chain}-sdk`)?.digest, "the SDK Secret was updated in place (new endpoints)");
        const idChanged = changedKeys(idBefore, identityOf(await p.exportState(STACK, kc)), (a, b) => a === b);
        s.check(idChanged.length === 0, "identity unchanged in the state", idChanged.join(", "));
        const protectedNew = (await p.exportState(STACK, kc)).filter(
          (r) => urnName(r.urn).includes("node4") && (r.type.startsWith("tls:") || r.type.startsWith("random:")),
        );
        s.check(protectedNew.length > 0 && protectedNew.every((r) => r.protect), `node4's ${protectedNew.length} new identity resources are protected`);
      },
    );

    await group.scenario("under protect, removing node1 is refused at preview; its identity (keys, certificates, volume) is never deleted", async (s) => {
      const before = await liveSnapshot(cluster, ns);
      const idBefore = identityOf(await p.exportState(STACK, kc));
      p.editConfig(STACK, (c) => (c.nodes = c.nodes.filter((n: { name: string }) => n.name !== "node1")));
      const preview = s.engine("pulumi preview", await p.preview(STACK, kc));
      s.check(
        !preview.ok && /protect/i.test(preview.errorText),
        "preview fails on a protected resource (a plain `pulumi up` stops here, having changed nothing)",
        preview.errorText,
      );
      s.note(firstLines(preview.errorText, 3));
      const up = s.engine("pulumi up --skip-preview", await p.up(STACK, kc));
      s.check(!up.ok, "pulumi up --skip-preview fails too");
      const deleted = up.steps.filter((st) => st.op === "delete" && !st.planned).map((st) => `${st.type.split(":").pop()} ${urnName(st.urn)}`);
      s.note(`without the preview, the engine first deleted what is not protected: ${deleted.length === 0 ? "nothing" : deleted.join(", ")}`);
      const after = await liveSnapshot(cluster, ns);
      const kept = [`PersistentVolumeClaim/${chain}-node1-data`, `Secret/${chain}-node1-keys`];
      const lost = kept.filter((k) => after.get(k)?.uid !== before.get(k)?.uid);
      s.check(lost.length === 0, "node1's volume and key Secret are still there", lost.join(", "));
      const idNode1 = [...idBefore.keys()].filter((k) => k.includes("node1"));
      const idAfter = identityOf(await p.exportState(STACK, kc));
      const idLost = idNode1.filter((k) => idAfter.get(k) !== idBefore.get(k));
      s.check(
        idNode1.length > 0 && idLost.length === 0,
        `node1's ${idNode1.length} keys, certificates and seeds are still in the state, unchanged`,
        idLost.join(", "),
      );
      p.editConfig(STACK, (c) => c.nodes.splice(1, 0, { name: "node1" }));
      const back = s.engine("pulumi up (node1 back in the stack)", await p.up(STACK, kc));
      s.check(back.ok, "the stack converges again with node1 declared", back.errorText);
    });

    await group.scenario("under protect, a change that replaces certificates (certificates.validityDays) is refused", async (s) => {
      const before = await liveSnapshot(cluster, ns);
      p.editConfig(STACK, (c) => (c.certificates = { validityDays: 3650 }));
      const preview = s.engine("pulumi preview", await p.preview(STACK, kc));
      s.check(!preview.ok && /protect/i.test(preview.errorText), "preview fails: the certificates are protected and would be replaced", preview.errorText);
      s.note(firstLines(preview.errorText, 2));
      s.limit("the tls provider is our stand-in (every input forces replacement, as validity_period_hours does in the real tls provider's schema)");
      const after = await liveSnapshot(cluster, ns);
      s.check(changedKeys(before, after, (a, b) => a.uid === b.uid && a.digest === b.digest).length === 0, "nothing in the cluster changed");
      p.editConfig(STACK, (c) => delete c.certificates);
    });

    await group.scenario("under protect, pulumi destroy is refused and deletes nothing", async (s) => {
      const before = await liveSnapshot(cluster, ns);
      const inState = stateObjects(await p.exportState(STACK, kc));
      const destroy = s.engine("pulumi destroy", await p.destroy(STACK, kc));
      s.check(!destroy.ok && /protect/i.test(destroy.errorText), "destroy fails on protected resources", destroy.errorText);
      s.note(firstLines(destroy.errorText, 3));
      const after = await liveSnapshot(cluster, ns);
      const gone = [...inState.keys()].filter((k) => before.has(k) && !after.has(k));
      s.check(gone.length === 0, `all ${inState.size} objects of the stack are still in the cluster`, gone.join(", "));
    });
  });
}
