// The GitHub Actions templates in deploy/github-actions/.
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { load } from "js-yaml";
import { assertRepoPath, read, ROOT } from "./support/environments";

describe("GitHub Actions templates (deploy/github-actions/)", () => {
  const workflow = (name: string) => load(read(`deploy/github-actions/${name}`)) as Record<string, any>;
  const jobs = (wf: Record<string, any>) => Object.values(wf.jobs) as Array<Record<string, any>>;
  const pulumiSteps = (job: Record<string, any>) => (job.steps as any[]).filter((s) => /^pulumi\/actions@v\d+$/.test(s.uses ?? ""));

  test("templates live outside .github (this repository's CI is .ci/run)", () => {
    assert.ok(!existsSync(join(ROOT, ".github", "workflows", "preview.yml")));
    assert.deepEqual(
      readdirSync(join(ROOT, "deploy", "github-actions"))
        .filter((f) => f.endsWith(".yml"))
        .sort(),
      ["deploy-dev.yml", "deploy-prod.yml", "preview.yml"],
    );
  });

  for (const file of ["preview.yml", "deploy-dev.yml", "deploy-prod.yml"]) {
    test(`${file}: every job uses Node 20 and npm ci; secrets reach scripts only through env`, () => {
      const wf = workflow(file);
      assert.ok(wf.name && wf.on && wf.jobs);
      for (const job of jobs(wf)) {
        const steps = job.steps as any[];
        assert.ok(steps.some((s) => s.uses?.startsWith("actions/setup-node@") && String(s.with?.["node-version"]) === "20"));
        assert.ok(steps.some((s) => /^npm ci\b/.test(s.run ?? "")));
        for (const step of steps.filter((s) => s.run)) {
          assert.doesNotMatch(step.run, /\$\{\{/, `no expression interpolated into a script: ${step.name ?? step.run}`);
          assert.doesNotMatch(step.run, /set -x|echo "?\$PULUMI_CONFIG_PASSPHRASE|echo "?\$KUBECONFIG_CONTENT/);
        }
        for (const step of pulumiSteps(job)) {
          assert.equal(step.with["suppress-outputs"], true, "stack outputs include a secret; never display them");
          assert.match(step.with["cloud-url"], /secrets\.PULUMI_BACKEND_URL/);
        }
        assert.match(String(job.env?.PULUMI_CONFIG_PASSPHRASE), /^\$\{\{ secrets\.PULUMI_CONFIG_PASSPHRASE \}\}$/);
        assert.match(String(job.env?.PULUMI_ACCESS_TOKEN), /^\$\{\{ secrets\.PULUMI_ACCESS_TOKEN \}\}$/);
      }
    });
  }

  test("preview.yml: on pull requests, a preview per stack (dev, staging, prod) commented on the PR", () => {
    const wf = workflow("preview.yml");
    assert.ok(wf.on.pull_request);
    assert.ok(!wf.on.push && !wf.on.workflow_dispatch);
    assert.equal(wf.permissions["pull-requests"], "write");
    const job = wf.jobs.preview;
    assert.deepEqual(
      job.strategy.matrix.include.map((m: any) => m.stack),
      ["dev", "staging", "prod"],
    );
    for (const m of job.strategy.matrix.include) assertRepoPath(`stacks/Pulumi.${m.stack}.yaml`, "matrix stack");
    const [step] = pulumiSteps(job);
    assert.equal(step.with.command, "preview");
    assert.equal(step.with["comment-on-pr"], true);
    assert.equal(step.with.diff, true);
  });

  test("deploy-dev.yml: on push to main, pulumi up dev, verification output to the step summary", () => {
    const wf = workflow("deploy-dev.yml");
    assert.deepEqual(wf.on.push.branches, ["main"]);
    const job = wf.jobs.up;
    const [step] = pulumiSteps(job);
    assert.equal(step.with.command, "up");
    assert.match(job.env.STACK_NAME, /'dev'/);
    const summary = (job.steps as any[]).find((s) => /GITHUB_STEP_SUMMARY/.test(s.run ?? ""));
    assert.ok(summary, "a step writes the step summary");
    assert.match(summary.run, /pulumi stack output -s "\$STACK_NAME" verification --json/);
    assert.doesNotMatch(summary.run, /--show-secrets/);
    assert.equal(wf.concurrency["cancel-in-progress"], false);
  });

  test("deploy-prod.yml: manual only, previewed, then gated by the production environment", () => {
    const wf = workflow("deploy-prod.yml");
    assert.deepEqual(Object.keys(wf.on), ["workflow_dispatch"]);
    const up = wf.jobs.up;
    assert.equal(up.environment, "production");
    assert.equal(up.needs, "preview");
    assert.equal(pulumiSteps(up)[0].with.command, "up");
    assert.equal(pulumiSteps(wf.jobs.preview)[0].with.command, "preview");
    assert.match(wf.jobs.preview.if, /github\.ref == 'refs\/heads\/main'/);
    assert.match(wf.env.STACK_NAME, /'prod'/);
    assert.ok((up.steps as any[]).some((s) => /verification --json/.test(s.run ?? "") && /GITHUB_STEP_SUMMARY/.test(s.run)));
  });
});
