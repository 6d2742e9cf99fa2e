// The GitOps examples: Pulumi Kubernetes Operator Stacks, Argo CD, Flux and their values.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, test } from "node:test";
import { load } from "js-yaml";
import { nodeConfigMapName, nodeSecretName } from "../chain/naming";
import { parseChainSpec } from "../chain/spec";
import { rawConfigFromPulumi } from "../chain/stack-config";
import { readStackConfig } from "../offline/synth/stack-file";
import { helmTemplate } from "../offline/providers/helm";
import { chartValuesOf } from "../scripts/lib/gitops-values";
import { assertRepoPath, ENVIRONMENTS, read, ROOT, spec, yamlDocs } from "./support/environments";

/** Every environment's stack namespace and chain name, for the GitOps checks. */
const envOf = (env: string) => ({ namespace: spec(env).namespace, chainName: spec(env).chainName });

describe("Pulumi Kubernetes Operator Stacks (deploy/gitops/pulumi-operator/)", () => {
  const rbac = yamlDocs("deploy/gitops/pulumi-operator/rbac.yaml");
  const serviceAccount = rbac.find((d) => d.kind === "ServiceAccount")!;

  test("rbac.yaml: a service account with the auth-delegator binding and a role for what the program creates", () => {
    assert.ok(serviceAccount);
    const bindings = rbac.filter((d) => d.kind === "ClusterRoleBinding");
    assert.ok(bindings.some((b) => b.roleRef.name === "system:auth-delegator"));
    const role = rbac.find((d) => d.kind === "ClusterRole")!;
    const resources = role.rules.flatMap((r: any) => r.resources);
    for (const r of [
      "namespaces",
      "secrets",
      "configmaps",
      "services",
      "persistentvolumeclaims",
      "statefulsets",
      "jobs",
      "poddisruptionbudgets",
      "networkpolicies",
    ]) {
      assert.ok(resources.includes(r), r);
    }
    for (const b of bindings)
      assert.deepEqual(b.subjects, [{ kind: "ServiceAccount", name: serviceAccount.metadata.name, namespace: serviceAccount.metadata.namespace }]);
  });

  for (const env of ENVIRONMENTS) {
    test(`${env}.yaml: a pulumi.com/v1 Stack for stacks/Pulumi.${env}.yaml with Secret references and runProgram`, () => {
      const docs = yamlDocs(`deploy/gitops/pulumi-operator/${env}.yaml`);
      assert.equal(docs.length, 1);
      const [stack] = docs;
      assert.equal(stack.apiVersion, "pulumi.com/v1");
      assert.equal(stack.kind, "Stack");
      assert.ok(stack.metadata.name && stack.metadata.name.length <= 42, "operator limit on Stack names");
      assert.equal(stack.metadata.namespace, serviceAccount.metadata.namespace, "the Stack runs where its service account is");
      const s = stack.spec;
      assert.equal(s.stack, env);
      assert.ok(s.projectRepo && (s.branch || s.commit), "a git source");
      assert.ok(!s.fluxSource && !s.programRef, "one source only");
      const projectDir = assertRepoPath(s.repoDir ?? ".", "repoDir");
      assert.ok(existsSync(join(projectDir, "Pulumi.yaml")), "Pulumi.yaml in the project directory");
      const project = load(readFileSync(join(projectDir, "Pulumi.yaml"), "utf8")) as { stackConfigDir?: string };
      assertRepoPath(relative(ROOT, join(projectDir, project.stackConfigDir ?? ".", `Pulumi.${env}.yaml`)), "stack file");
      assert.equal(s.serviceAccountName, serviceAccount.metadata.name);
      assert.equal(s.secretsProvider, "passphrase");
      for (const name of ["PULUMI_CONFIG_PASSPHRASE", "PULUMI_BACKEND_URL"]) {
        const ref = s.envRefs[name];
        assert.equal(ref.type, "Secret", `${name} comes from a Secret`);
        assert.ok(ref.secret.name && ref.secret.key);
        assert.ok(!ref.literal, `${name} is not inline`);
      }
      assert.ok(!s.secrets && !s.secretsRef && !s.accessTokenSecret, "no inline or deprecated secret fields");
      assert.equal(s.runProgram, true, "the operator runs the program on destroy/refresh too, so hooks run");
      assert.equal(s.destroyOnFinalize, env === "dev");
      assert.match(s.workspaceTemplate.spec.image, /^pulumi\/pulumi:\d+\.\d+\.\d+-nonroot$/);
    });
  }

  test("prod follows its own branch and passphrase Secret", () => {
    const [prod] = yamlDocs("deploy/gitops/pulumi-operator/prod.yaml");
    const [dev] = yamlDocs("deploy/gitops/pulumi-operator/dev.yaml");
    assert.equal(prod.spec.branch, "production");
    assert.notEqual(prod.spec.envRefs.PULUMI_CONFIG_PASSPHRASE.secret.name, dev.spec.envRefs.PULUMI_CONFIG_PASSPHRASE.secret.name);
  });

  test("prod in the operator uses the pod's service account: its config override turns the stack's context into inCluster", () => {
    const [prod] = yamlDocs("deploy/gitops/pulumi-operator/prod.yaml");
    const overridden = parseChainSpec(rawConfigFromPulumi({ ...readStackConfig("prod"), ...prod.spec.config }));
    assert.equal(overridden.spec.kubernetes.inCluster, true);
    assert.equal(overridden.spec.kubernetes.context, undefined);
    assert.equal(overridden.spec.protect, true);
  });
});

describe("Argo CD Applications (deploy/gitops/argocd/application.yaml)", () => {
  const apps = yamlDocs("deploy/gitops/argocd/application.yaml");

  test("one Application per environment", () => {
    assert.deepEqual(
      apps.map((a) => a.metadata.name),
      ENVIRONMENTS.map((e) => `fisco-bcos-${e}`),
    );
  });

  for (const [i, env] of ENVIRONMENTS.entries()) {
    test(`${env}: the chart from git, values from deploy/gitops/values/${env}.yaml, into the stack's namespace`, () => {
      const app = apps[i];
      assert.equal(app.apiVersion, "argoproj.io/v1alpha1");
      assert.equal(app.kind, "Application");
      assert.ok(app.metadata.namespace);
      const s = app.spec;
      assert.ok(s.project);
      assert.ok(s.source.repoURL && s.source.targetRevision);
      const chartDir = assertRepoPath(s.source.path, "source.path");
      assert.equal(relative(ROOT, chartDir), join("charts", "fisco-bcos"));
      assert.ok(existsSync(join(chartDir, "Chart.yaml")));
      assert.equal(s.source.helm.valueFiles.length, 1);
      const values = assertRepoPath(relative(ROOT, resolve(chartDir, s.source.helm.valueFiles[0])), "helm.valueFiles (relative to the chart)");
      assert.equal(relative(ROOT, values), join("deploy", "gitops", "values", `${env}.yaml`));
      const { namespace, chainName } = envOf(env);
      assert.equal(s.destination.namespace, namespace);
      assert.ok(s.destination.server || s.destination.name);
      assert.equal(s.source.helm.releaseName, chainName);
      assert.ok(!(s.syncPolicy?.syncOptions ?? []).includes("CreateNamespace=true"), "the Pulumi stack owns the namespace");
      assert.ok(!(app.metadata.finalizers ?? []).length, "deleting the Application leaves the chain running");
      if (env === "prod") assert.ok(!s.syncPolicy?.automated, "production syncs by hand");
      else assert.ok(s.syncPolicy.automated);
    });
  }
});

describe("Flux HelmReleases (deploy/gitops/flux/)", () => {
  const sources = yamlDocs("deploy/gitops/flux/gitrepository.yaml");
  const releases = yamlDocs("deploy/gitops/flux/helmrelease.yaml");

  test("GitRepository sources", () => {
    assert.ok(sources.length >= 1);
    for (const src of sources) {
      assert.equal(src.apiVersion, "source.toolkit.fluxcd.io/v1");
      assert.equal(src.kind, "GitRepository");
      assert.ok(src.metadata.name && src.metadata.namespace);
      assert.ok(src.spec.url && src.spec.interval && src.spec.ref?.branch);
    }
  });

  for (const [i, env] of ENVIRONMENTS.entries()) {
    test(`${env}: a helm.toolkit.fluxcd.io/v2 HelmRelease of charts/fisco-bcos with deploy/gitops/values/${env}.yaml`, () => {
      const hr = releases[i];
      assert.equal(hr.apiVersion, "helm.toolkit.fluxcd.io/v2");
      assert.equal(hr.kind, "HelmRelease");
      assert.ok(hr.metadata.name);
      const { namespace, chainName } = envOf(env);
      assert.equal(hr.metadata.namespace, namespace);
      assert.equal(hr.spec.releaseName, chainName);
      assert.ok(hr.spec.interval);
      const chart = hr.spec.chart.spec;
      assert.ok(existsSync(join(assertRepoPath(chart.chart, "chart.spec.chart"), "Chart.yaml")));
      assert.equal(chart.reconcileStrategy, "Revision", "a new chart artifact on every commit");
      const ref = chart.sourceRef;
      assert.equal(ref.kind, "GitRepository");
      const src = sources.find((s) => s.metadata.name === ref.name && s.metadata.namespace === ref.namespace);
      assert.ok(src, `sourceRef ${ref.namespace}/${ref.name} is defined in gitrepository.yaml`);
      assert.equal(src.spec.ref.branch, env === "prod" ? "production" : "main");
      for (const file of chart.valuesFiles) assertRepoPath(file, "chart.spec.valuesFiles (relative to the source root)");
      assert.equal(chart.valuesFiles.at(-1), `deploy/gitops/values/${env}.yaml`);
    });
  }
});

describe("GitOps values (deploy/gitops/values/<env>.yaml)", () => {
  for (const env of ENVIRONMENTS) {
    test(`${env}.yaml: the stack's chartValues, and the chart renders with it (verification as a post-install,post-upgrade hook)`, async () => {
      const values = load(read(`deploy/gitops/values/${env}.yaml`)) as Record<string, any>;
      const s = spec(env);
      assert.equal(values.chainName, s.chainName);
      assert.deepEqual(
        values.nodes.map((n: any) => n.name),
        s.nodes.map((n) => n.name),
      );
      for (const [i, node] of s.nodes.entries()) {
        assert.equal(values.nodes[i].secretName, nodeSecretName(s, node));
        assert.equal(values.nodes[i].configMapName, nodeConfigMapName(s, node));
        assert.equal(values.nodes[i].role, node.role);
      }
      assert.equal(values.scheduling.sealerSpread, s.scheduling.sealerSpread);
      assert.equal(values.web3.enabled, s.web3.enabled);
      let objects: Record<string, any>[];
      try {
        objects = await helmTemplate(join(ROOT, "charts", "fisco-bcos"), values, { namespace: s.namespace, releaseName: s.chainName });
      } catch (error) {
        assert.fail(`${(error as Error).message}\nRegenerate: npx tsx scripts/lib/gitops-values.ts ${env} --offline`);
      }
      assert.equal(objects.filter((o) => o.kind === "StatefulSet").length, s.nodes.length);
      const job = objects.find((o) => o.kind === "Job");
      if (values.verification?.enabled) {
        assert.ok(job, "the verification Job renders");
        assert.equal(job.metadata.annotations["helm.sh/hook"], "post-install,post-upgrade", "Argo CD runs it as PostSync");
      }
    });
  }

  test("each file is what the generator writes now, but for digests, ids and run ids (a throwaway identity's)", async () => {
    // Hex of 16+ characters is key- or content-derived (checksums, node ids, run ids, bundle digests): it differs on
    // every offline render. Everything else (waves, readiness, budgets, CIDRs, names) must be what the chart is given now.
    const masked = (value: unknown): unknown =>
      typeof value === "string" && /^(0x)?[0-9a-f]{16,}$/.test(value)
        ? "<hex>"
        : Array.isArray(value)
          ? value.map(masked)
          : value && typeof value === "object"
            ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(v)]))
            : value;
    for (const env of ENVIRONMENTS) {
      const committed = load(read(`deploy/gitops/values/${env}.yaml`));
      assert.deepEqual(masked(committed), masked(await chartValuesOf(env, true)), `Regenerate: npx tsx scripts/lib/gitops-values.ts ${env} --offline`);
    }
  });

  test("no key material in any GitOps or pipeline file", () => {
    const files = ["deploy/gitops", "deploy/github-actions", "deploy/kind"].flatMap(function walk(dir: string): string[] {
      return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(`${dir}/${e.name}`) : [`${dir}/${e.name}`]));
    });
    for (const file of files) assert.doesNotMatch(read(file), /-----BEGIN [A-Z ]*PRIVATE KEY-----|"secure":|\bsecure: v1:/, file);
  });
});
