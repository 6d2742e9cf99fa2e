import { createPublicKey } from "node:crypto";
import { takeRsaKey } from "./key-pool";
import { sshRsaPublicKey } from "./ssh-public-key";
import { certificateRequest, locallySignedCertificate, selfSignedCertificate, type CertificateOptions } from "./x509";

type Inputs = Record<string, any>;
type Handler = (inputs: Inputs) => Promise<Inputs>;

/**
 * What the real `tls` provider computes for each resource, done here with node:crypto and @peculiar/x509
 * so that offline runs and tests produce real keys and certificates. RSA keys only: that is all this project asks for.
 */
export const tlsHandlers: Record<string, Handler> = {
  "tls:index/privateKey:PrivateKey": async (inputs) => {
    if (inputs.algorithm !== "RSA") throw new Error(`offline tls provider: algorithm ${inputs.algorithm} is not supported (RSA only)`);
    const rsaBits = inputs.rsaBits ?? 2048;
    const key = await takeRsaKey(rsaBits);
    const publicKey = createPublicKey(key);
    const ssh = sshRsaPublicKey(publicKey);
    return {
      ...inputs,
      rsaBits,
      ecdsaCurve: "P224",
      privateKeyPem: key.export({ type: "pkcs1", format: "pem" }).toString(),
      privateKeyPemPkcs8: key.export({ type: "pkcs8", format: "pem" }).toString(),
      privateKeyOpenssh: "",
      publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
      publicKeyOpenssh: ssh.openssh,
      publicKeyFingerprintMd5: ssh.md5,
      publicKeyFingerprintSha256: ssh.sha256,
    };
  },
  "tls:index/selfSignedCert:SelfSignedCert": async (inputs) => ({
    ...inputs,
    ...(await selfSignedCertificate(inputs.privateKeyPem, inputs.subject ?? {}, certificateOptions(inputs))),
    keyAlgorithm: "RSA",
    readyForRenewal: false,
  }),
  "tls:index/certRequest:CertRequest": async (inputs) => ({
    ...inputs,
    keyAlgorithm: "RSA",
    certRequestPem: await certificateRequest(inputs.privateKeyPem, inputs.subject ?? {}),
  }),
  "tls:index/locallySignedCert:LocallySignedCert": async (inputs) => ({
    ...inputs,
    ...(await locallySignedCertificate(inputs.certRequestPem, inputs.caCertPem, inputs.caPrivateKeyPem, certificateOptions(inputs))),
    caKeyAlgorithm: "RSA",
    readyForRenewal: false,
  }),
};

function certificateOptions(inputs: Inputs): CertificateOptions {
  return {
    validityPeriodHours: inputs.validityPeriodHours,
    isCaCertificate: inputs.isCaCertificate,
    allowedUses: inputs.allowedUses,
    setSubjectKeyId: inputs.setSubjectKeyId,
    setAuthorityKeyId: inputs.setAuthorityKeyId,
  };
}
