import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";

export interface ChainPkiArgs {
  /** One TLS identity is issued per name (the nodes), plus the SDK client certificate. */
  readonly nodeNames: readonly string[];
  readonly validityDays: pulumi.Input<number>;
}

export interface IssuedIdentity {
  readonly certPem: pulumi.Output<string>;
  /** PKCS#8 PEM, as build_chain writes ssl.key and sdk.key. Secret. */
  readonly keyPem: pulumi.Output<string>;
  /** When the certificate expires (RFC 3339). */
  readonly expires: pulumi.Output<string>;
}

/**
 * The chain CA and every certificate it signs, laid out as build_chain does it:
 * CA "CN=FISCO-BCOS-<tag>, O=FISCO-BCOS-<tag>, OU=chain"; leaves "CN=FISCO-BCOS-<tag>, O=fisco-bcos, OU=agency",
 * RSA-2048, CA:FALSE, no SAN (FISCO identifies peers by key, not by name).
 */
export class ChainPki extends pulumi.ComponentResource {
  readonly caCertPem: pulumi.Output<string>;
  readonly caKeyPem: pulumi.Output<string>;
  /** When the chain CA expires (RFC 3339). */
  readonly caExpires: pulumi.Output<string>;
  readonly nodes: Record<string, IssuedIdentity>;
  readonly sdk: IssuedIdentity;

  constructor(name: string, args: ChainPkiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fisco-bcos:index:ChainPki", name, {}, opts);
    const parent = { parent: this };
    const tag = new random.RandomId(`${name}-tag`, { byteLength: 4 }, parent).hex;
    const validityPeriodHours = pulumi.output(args.validityDays).apply((days) => days * 24);

    const caKey = rsaKey(`${name}-ca`, this);
    const ca = new tls.SelfSignedCert(
      `${name}-ca`,
      {
        privateKeyPem: caKey.privateKeyPem,
        subject: { commonName: pulumi.interpolate`FISCO-BCOS-${tag}`, organization: pulumi.interpolate`FISCO-BCOS-${tag}`, organizationalUnit: "chain" },
        isCaCertificate: true,
        allowedUses: ["cert_signing", "crl_signing"],
        setSubjectKeyId: true,
        validityPeriodHours,
      },
      parent,
    );
    this.caCertPem = ca.certPem;
    this.caExpires = ca.validityEndTime;
    this.caKeyPem = pulumi.secret(caKey.privateKeyPem);

    const issue = (leaf: string): IssuedIdentity => {
      const key = rsaKey(leaf, this);
      const csr = new tls.CertRequest(
        leaf,
        {
          privateKeyPem: key.privateKeyPem,
          subject: { commonName: pulumi.interpolate`FISCO-BCOS-${tag}`, organization: "fisco-bcos", organizationalUnit: "agency" },
        },
        parent,
      );
      const cert = new tls.LocallySignedCert(
        leaf,
        {
          certRequestPem: csr.certRequestPem,
          caCertPem: ca.certPem,
          caPrivateKeyPem: caKey.privateKeyPem,
          allowedUses: [],
          validityPeriodHours,
        },
        parent,
      );
      return { certPem: cert.certPem, keyPem: pulumi.secret(key.privateKeyPemPkcs8), expires: cert.validityEndTime };
    };

    this.nodes = Object.fromEntries(args.nodeNames.map((node) => [node, issue(`${name}-${node}`)]));
    this.sdk = issue(`${name}-sdk`);
    this.registerOutputs({ caCertPem: this.caCertPem });
  }
}

function rsaKey(name: string, parent: pulumi.Resource): tls.PrivateKey {
  return new tls.PrivateKey(name, { algorithm: "RSA", rsaBits: 2048 }, { parent, additionalSecretOutputs: ["privateKeyPem", "privateKeyPemPkcs8"] });
}
