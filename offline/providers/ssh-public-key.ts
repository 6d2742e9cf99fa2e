import { createHash, type KeyObject } from "node:crypto";

/** OpenSSH "ssh-rsa" public key line and fingerprints, as the tls provider reports them. */
export function sshRsaPublicKey(publicKey: KeyObject) {
  const jwk = publicKey.export({ format: "jwk" });
  const blob = Buffer.concat([sshString(Buffer.from("ssh-rsa")), sshMpint(Buffer.from(jwk.e!, "base64url")), sshMpint(Buffer.from(jwk.n!, "base64url"))]);
  const md5 = createHash("md5").update(blob).digest("hex").match(/../g)!.join(":");
  const sha256 = `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
  return { openssh: `ssh-rsa ${blob.toString("base64")}\n`, md5, sha256 };
}

function sshString(data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
}

function sshMpint(unsigned: Buffer): Buffer {
  return sshString(unsigned[0] & 0x80 ? Buffer.concat([Buffer.from([0]), unsigned]) : unsigned);
}
