import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { componentLabels } from "../chain/labels";
import { genesisRecordName } from "../chain/naming";

export interface GenesisRecordArgs {
  readonly chainName: string;
  readonly namespace: pulumi.Input<string>;
  /** The genesis the current config would write. Used only when the record is first created. */
  readonly genesis: pulumi.Input<string>;
}

/**
 * The chain's genesis, written once. A ConfigMap whose data the engine never updates (`ignoreChanges`), so a
 * node added later starts with the original genesis (as FISCO requires) and no config change can fork the chain.
 */
export class GenesisRecord extends pulumi.ComponentResource {
  /** The recorded config.genesis: what every node gets. */
  readonly genesis: pulumi.Output<string>;

  constructor(name: string, args: GenesisRecordArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fisco-bcos:index:GenesisRecord", name, {}, opts);
    const record = new k8s.core.v1.ConfigMap(
      name,
      {
        metadata: { name: genesisRecordName(args), namespace: args.namespace, labels: componentLabels(args.chainName, "genesis") },
        data: { "config.genesis": args.genesis },
      },
      { parent: this, ignoreChanges: ["data"], retainOnDelete: true },
    );
    this.genesis = record.data.apply((data) => data["config.genesis"]);
    this.registerOutputs({ genesis: this.genesis });
  }
}
