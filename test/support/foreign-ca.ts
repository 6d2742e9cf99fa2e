import { generateRsaKey } from "../../offline/providers/rsa-keygen";
import { certificateRequest, locallySignedCertificate, selfSignedCertificate } from "../../offline/providers/x509";
import type { TlsIdentity } from "./tls-handshake";

/** A CA that is not the chain's, with one leaf certificate laid out like FISCO's: for refusal tests. */
export async function foreignIdentity(): Promise<TlsIdentity> {
  const [caKey, leafKey] = await Promise.all([generateRsaKey(), generateRsaKey()]);
  const pem = (k: Awaited<ReturnType<typeof generateRsaKey>>) => k.export({ type: "pkcs8", format: "pem" }).toString();
  const ca = await selfSignedCertificate(
    pem(caKey),
    { commonName: "FISCO-BCOS-foreign", organization: "FISCO-BCOS-foreign", organizationalUnit: "chain" },
    { validityPeriodHours: 24, isCaCertificate: true, allowedUses: ["cert_signing"], setSubjectKeyId: true },
  );
  const csr = await certificateRequest(pem(leafKey), { commonName: "FISCO-BCOS-foreign", organization: "fisco-bcos", organizationalUnit: "agency" });
  const leaf = await locallySignedCertificate(csr, ca.certPem, pem(caKey), { validityPeriodHours: 24 });
  return { ca: ca.certPem, cert: leaf.certPem, key: pem(leafKey) };
}
