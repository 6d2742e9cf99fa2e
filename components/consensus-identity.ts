import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { accountFromSeed, consensusKeyFromSeed } from "../chain/keys";

/** 32 bytes of Pulumi-managed secret randomness: created once, kept in the stack state, never printed. */
function secretSeed(name: string, parent: pulumi.Resource): pulumi.Output<string> {
  return pulumi.secret(new random.RandomBytes(name, { length: 32 }, { parent, additionalSecretOutputs: ["hex", "base64"] }).hex);
}

/** A node's secp256k1 consensus key: conf/node.pem and conf/node.nodeid. */
export class NodeConsensusKey extends pulumi.ComponentResource {
  /** 128 lowercase hex (X‖Y). Public. */
  readonly nodeId: pulumi.Output<string>;
  /** PKCS#8 PEM. Secret. */
  readonly pem: pulumi.Output<string>;

  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("fisco-bcos:index:NodeConsensusKey", name, {}, opts);
    const key = secretSeed(`${name}-seed`, this).apply(consensusKeyFromSeed);
    this.nodeId = pulumi.unsecret(key.apply((k) => k.nodeId));
    this.pem = pulumi.secret(key.apply((k) => k.pem));
    this.registerOutputs({ nodeId: this.nodeId });
  }
}

/** The genesis admin (governor) account: auth_admin_account in config.genesis. */
export class AdminAccount extends pulumi.ComponentResource {
  readonly address: pulumi.Output<string>;
  /** PKCS#8 PEM. Secret. */
  readonly pem: pulumi.Output<string>;
  /** 0x-prefixed private scalar. Secret. */
  readonly privateKeyHex: pulumi.Output<string>;

  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("fisco-bcos:index:AdminAccount", name, {}, opts);
    const account = secretSeed(`${name}-seed`, this).apply(accountFromSeed);
    this.address = pulumi.unsecret(account.apply((a) => a.address));
    this.pem = pulumi.secret(account.apply((a) => a.pem));
    this.privateKeyHex = pulumi.secret(account.apply((a) => a.privateKeyHex));
    this.registerOutputs({ address: this.address });
  }
}
