import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { nodeLabels } from "../chain/labels";

export interface NodeConfigObjectsArgs {
  readonly chainName: string;
  readonly namespace: pulumi.Input<string>;
  readonly nodeName: string;
  readonly secretName: string;
  readonly configMapName: string;
  /** Only this node's key material: conf/ files. The CA key is never here. */
  readonly conf: {
    readonly caCert: pulumi.Input<string>;
    readonly sslCert: pulumi.Input<string>;
    readonly sslKey: pulumi.Input<string>;
    readonly nodePem: pulumi.Input<string>;
    readonly nodeId: pulumi.Input<string>;
  };
  readonly files: { readonly configIni: string; readonly genesis: pulumi.Input<string>; readonly nodesJson: string };
}

/** A node's Secret (its conf/ directory) and ConfigMap (config.ini, config.genesis, nodes.json). */
export class NodeConfigObjects extends pulumi.ComponentResource {
  readonly secret: k8s.core.v1.Secret;
  readonly configMap: k8s.core.v1.ConfigMap;

  constructor(name: string, args: NodeConfigObjectsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fisco-bcos:index:NodeConfigObjects", name, {}, opts);
    const labels = nodeLabels(args.chainName, args.nodeName);
    this.secret = new k8s.core.v1.Secret(
      `${name}-keys`,
      {
        metadata: { name: args.secretName, namespace: args.namespace, labels },
        type: "Opaque",
        stringData: {
          "ca.crt": args.conf.caCert,
          "ssl.crt": args.conf.sslCert,
          "ssl.key": pulumi.secret(args.conf.sslKey),
          "node.pem": pulumi.secret(args.conf.nodePem),
          "node.nodeid": pulumi.interpolate`${args.conf.nodeId}\n`,
        },
      },
      // The node's identity outlives its removal from the stack (or the stack): kept in the cluster, as its volume is.
      { parent: this, retainOnDelete: true },
    );
    this.configMap = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      {
        metadata: { name: args.configMapName, namespace: args.namespace, labels },
        data: { "config.ini": args.files.configIni, "config.genesis": args.files.genesis, "nodes.json": args.files.nodesJson },
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
