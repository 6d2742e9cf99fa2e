import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { createPrivateKey, createPublicKey, randomBytes, webcrypto } from "node:crypto";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const RSA_SHA256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

/** Subject fields as @pulumi/tls names them. */
export interface Subject {
  commonName?: string;
  organization?: string;
  organizationalUnit?: string;
  country?: string;
  province?: string;
  locality?: string;
}

export interface CertificateOptions {
  readonly validityPeriodHours: number;
  readonly isCaCertificate?: boolean;
  readonly allowedUses?: readonly string[];
  readonly setSubjectKeyId?: boolean;
  readonly setAuthorityKeyId?: boolean;
  readonly now?: Date;
}

export interface IssuedCertificate {
  readonly certPem: string;
  readonly validityStartTime: string;
  readonly validityEndTime: string;
}

/** RDN order of Go's pkix.Name (what the real terraform-provider-tls writes): C, ST, L, O, OU, CN. */
function distinguishedName(subject: Subject = {}): x509.JsonName {
  const pairs: [string, string | undefined][] = [
    ["C", subject.country],
    ["ST", subject.province],
    ["L", subject.locality],
    ["O", subject.organization],
    ["OU", subject.organizationalUnit],
    ["CN", subject.commonName],
  ];
  return pairs.filter(([, value]) => value).map(([type, value]) => ({ [type]: [value as string] }));
}

/** Imported keys by PEM: the CA key signs every leaf, and importing it is not free. */
const importedKeys = new Map<string, Promise<CryptoKeyPair>>();

function keyPair(privateKeyPem: string): Promise<CryptoKeyPair> {
  let pair = importedKeys.get(privateKeyPem);
  if (!pair) importedKeys.set(privateKeyPem, (pair = importKeyPair(privateKeyPem)));
  return pair;
}

async function importKeyPair(privateKeyPem: string): Promise<CryptoKeyPair> {
  const privateKey = createPrivateKey(privateKeyPem);
  if (privateKey.asymmetricKeyType !== "rsa") throw new Error(`offline tls supports RSA keys only (got ${privateKey.asymmetricKeyType})`);
  const subtle = webcrypto.subtle;
  return {
    privateKey: await subtle.importKey("pkcs8", privateKey.export({ type: "pkcs8", format: "der" }), RSA_SHA256, false, ["sign"]),
    publicKey: await subtle.importKey("spki", createPublicKey(privateKey).export({ type: "spki", format: "der" }), RSA_SHA256, true, ["verify"]),
  } as CryptoKeyPair;
}

/** A positive 128-bit serial, as the tls provider draws it. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return bytes.toString("hex");
}

const KEY_USAGES: Record<string, x509.KeyUsageFlags> = {
  digital_signature: x509.KeyUsageFlags.digitalSignature,
  content_commitment: x509.KeyUsageFlags.nonRepudiation,
  key_encipherment: x509.KeyUsageFlags.keyEncipherment,
  data_encipherment: x509.KeyUsageFlags.dataEncipherment,
  key_agreement: x509.KeyUsageFlags.keyAgreement,
  cert_signing: x509.KeyUsageFlags.keyCertSign,
  crl_signing: x509.KeyUsageFlags.cRLSign,
  encipher_only: x509.KeyUsageFlags.encipherOnly,
  decipher_only: x509.KeyUsageFlags.decipherOnly,
};
const EXT_KEY_USAGES: Record<string, string> = {
  server_auth: x509.ExtendedKeyUsage.serverAuth,
  client_auth: x509.ExtendedKeyUsage.clientAuth,
  code_signing: x509.ExtendedKeyUsage.codeSigning,
  email_protection: x509.ExtendedKeyUsage.emailProtection,
  timestamping: x509.ExtendedKeyUsage.timeStamping,
  ocsp_signing: x509.ExtendedKeyUsage.ocspSigning,
};

async function extensionsFor(options: CertificateOptions, publicKey: CryptoKey, issuer?: x509.X509Certificate): Promise<x509.Extension[]> {
  const uses = options.allowedUses ?? [];
  const unknown = uses.filter((u) => !(u in KEY_USAGES) && !(u in EXT_KEY_USAGES));
  if (unknown.length) throw new Error(`unsupported allowed_uses: ${unknown.join(", ")}`);
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(Boolean(options.isCaCertificate), undefined, true)];
  const keyUsage = uses.reduce((flags, u) => flags | (KEY_USAGES[u] ?? 0), 0);
  if (keyUsage) extensions.push(new x509.KeyUsagesExtension(keyUsage, true));
  const extUsages = uses.filter((u) => u in EXT_KEY_USAGES).map((u) => EXT_KEY_USAGES[u]);
  if (extUsages.length) extensions.push(new x509.ExtendedKeyUsageExtension(extUsages));
  if (options.setSubjectKeyId) extensions.push(await x509.SubjectKeyIdentifierExtension.create(publicKey));
  const issuerKeyId = issuer?.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  if (issuerKeyId) extensions.push(new x509.AuthorityKeyIdentifierExtension(issuerKeyId));
  else if (!issuer && options.setAuthorityKeyId) extensions.push(await x509.AuthorityKeyIdentifierExtension.create(publicKey));
  return extensions;
}

function validity(options: CertificateOptions) {
  const start = new Date(Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000);
  const end = new Date(start.getTime() + options.validityPeriodHours * 3600_000);
  return { start, end };
}

export async function selfSignedCertificate(privateKeyPem: string, subject: Subject, options: CertificateOptions): Promise<IssuedCertificate> {
  const keys = await keyPair(privateKeyPem);
  const { start, end } = validity(options);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: distinguishedName(subject),
    notBefore: start,
    notAfter: end,
    signingAlgorithm: RSA_SHA256,
    keys,
    extensions: await extensionsFor(options, keys.publicKey),
  });
  return { certPem: `${cert.toString("pem")}\n`, validityStartTime: start.toISOString(), validityEndTime: end.toISOString() };
}

export async function certificateRequest(privateKeyPem: string, subject: Subject): Promise<string> {
  const keys = await keyPair(privateKeyPem);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: distinguishedName(subject), keys, signingAlgorithm: RSA_SHA256 });
  return `${csr.toString("pem")}\n`;
}

export async function locallySignedCertificate(
  certRequestPem: string,
  caCertPem: string,
  caPrivateKeyPem: string,
  options: CertificateOptions,
): Promise<IssuedCertificate> {
  const csr = new x509.Pkcs10CertificateRequest(certRequestPem);
  if (!(await csr.verify())) throw new Error("certificate request signature does not verify");
  const ca = new x509.X509Certificate(caCertPem);
  const caKeys = await keyPair(caPrivateKeyPem);
  const publicKey = await csr.publicKey.export(RSA_SHA256, ["verify"]);
  const { start, end } = validity(options);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: csr.subjectName,
    issuer: ca.subjectName,
    notBefore: start,
    notAfter: end,
    signingAlgorithm: RSA_SHA256,
    publicKey: csr.publicKey,
    signingKey: caKeys.privateKey,
    extensions: await extensionsFor(options, publicKey, ca),
  });
  return { certPem: `${cert.toString("pem")}\n`, validityStartTime: start.toISOString(), validityEndTime: end.toISOString() };
}
