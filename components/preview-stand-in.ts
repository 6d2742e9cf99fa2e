import * as pulumi from "@pulumi/pulumi";

/**
 * During a preview: `value` where it is known, else `standIn`. Outside a preview: `value` itself.
 *
 * What an update is about to make (a new node's keys and certificate, a re-issued certificate) is unknown during its
 * preview. Chart v4 renders nothing when any of its values is unknown ("Input properties have unknown values. Preview
 * is incomplete.") and the engine then plans every object of the chart for deletion (pulumi/pulumi-kubernetes#3699):
 * adding a node previewed its StatefulSets and volumes as deleted, and under `protect: true` that preview failed
 * (docs/e2e.md). The values the chart gets therefore take a stand-in where a preview cannot know them; the update
 * computes the real ones.
 *
 * `isKnown` belongs to @pulumi/pulumi's Output implementation (it is not in the typings); if it is ever missing, the
 * value passes through unchanged, as before.
 */
export function knownInPreview<T, S>(value: pulumi.Output<T>, standIn: S): pulumi.Output<T | S> {
  if (!pulumi.runtime.isDryRun()) return value;
  const isKnown = (value as unknown as { isKnown?: unknown }).isKnown;
  if (!(isKnown instanceof Promise)) return value;
  return pulumi.output((isKnown as Promise<boolean>).then((known) => (known ? value : standIn))) as pulumi.Output<T | S>;
}

/** The ids a preview knows, from a map where knownInPreview left a new node's id undefined (made by the update). */
export function knownIds(ids: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(Object.entries(ids).filter((e): e is [string, string] => e[1] !== undefined));
}
