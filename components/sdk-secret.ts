import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentLabels } from "../chain/labels";
import { SDK_FILES } from "../chain/render/sdk-configs";

export interface SdkSecretArgs {
  readonly chainName: string;
  readonly namespace: pulumi.Input<string>;
  readonly secretName: string;
  readonly caCert: pulumi.Input<string>;
  readonly cert: pulumi.Input<string>;
  readonly key: pulumi.Input<string>;
  readonly javaConfig: pulumi.Input<string>;
  readonly goConfig: pulumi.Input<string>;
  readonly endpointsJson: pulumi.Input<string>;
}

/** The Secret client applications mount as their SDK conf/ directory. */
export class SdkSecret extends pulumi.ComponentResource {
  readonly secret: k8s.core.v1.Secret;

  constructor(name: string, args: SdkSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    // Renamed from SdkBundle: the alias keeps existing stacks from replacing the Secret.
    super("fisco-bcos:index:SdkSecret", name, {}, pulumi.mergeOptions(opts, { aliases: [{ type: "fisco-bcos:index:SdkBundle" }] }));
    this.secret = new k8s.core.v1.Secret(
      name,
      {
        metadata: { name: args.secretName, namespace: args.namespace, labels: componentLabels(args.chainName, "sdk") },
        type: "Opaque",
        stringData: {
          [SDK_FILES.caCert]: args.caCert,
          [SDK_FILES.cert]: args.cert,
          [SDK_FILES.key]: pulumi.secret(args.key),
          [SDK_FILES.javaConfig]: args.javaConfig,
          [SDK_FILES.goConfig]: args.goConfig,
          [SDK_FILES.endpoints]: args.endpointsJson,
        },
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
