import { urnName, type EngineRun, type PulumiCli, type Step } from "./pulumi";
import type { Scenario } from "./scenario";

/**
 * Reads, which change nothing and which `--expect-no-changes` does not count: the program's StackReference to its own
 * last outputs ("read"), and the verification report, which the program reads only during an update, so a preview
 * drops the read it recorded ("discard").
 */
const READ_OPS = new Set(["read", "discard"]);
const stepLine = (s: Step) => `${s.op} ${s.type.split(":").pop()} ${urnName(s.urn)}`;
/** Steps other than "same" and reads, as `op name` lines. */
export const changedSteps = (run: EngineRun) => run.steps.filter((s) => s.op !== "same" && !READ_OPS.has(s.op)).map(stepLine);
/** The reads among the steps, as `op name` lines. */
export const readSteps = (run: EngineRun) => run.steps.filter((s) => READ_OPS.has(s.op)).map(stepLine);

/** `pulumi preview --expect-no-changes` (and `flags`): it exits 0 and every step but the reads is "same". */
export async function checkNoChanges(s: Scenario, p: PulumiCli, stack: string, kubeconfig: string, flags: readonly string[] = []): Promise<EngineRun> {
  const label = ["pulumi preview", ...flags, "--expect-no-changes"].join(" ");
  const preview = s.engine(label, await p.preview(stack, kubeconfig, [...flags, "--expect-no-changes"]));
  s.check(preview.ok, "exit 0", preview.errorText || changedSteps(preview).join("\n"));
  const changed = changedSteps(preview);
  const reads = readSteps(preview);
  s.check(
    changed.length === 0,
    `every one of ${preview.steps.length - reads.length} steps is "same" (besides ${reads.length} read(s): ${reads.join(", ")})`,
    changed.join("\n"),
  );
  return preview;
}
