import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { sha256Hex } from "../chain/digest";
import { componentLabels } from "../chain/labels";

export interface ScriptBundleArgs {
  readonly chainName: string;
  readonly namespace: pulumi.Input<string>;
  readonly configMapName: string;
  /** File name → bundled JavaScript. */
  readonly files: Promise<Record<string, string>>;
}

/** A ConfigMap holding bundled scripts that a chart Job runs with plain node (the verifier, the load generator). */
export class ScriptBundle extends pulumi.ComponentResource {
  /** sha256 of the files: part of the Job's run id, so new code re-runs the Job. */
  readonly digest: pulumi.Output<string>;

  constructor(name: string, args: ScriptBundleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fisco-bcos:index:ScriptBundle", name, {}, opts);
    const files = pulumi.output(args.files);
    this.digest = files.apply((f) => sha256Hex(JSON.stringify(Object.entries(f).sort())));
    new k8s.core.v1.ConfigMap(
      name,
      {
        metadata: { name: args.configMapName, namespace: args.namespace, labels: componentLabels(args.chainName, "scripts") },
        data: files,
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
