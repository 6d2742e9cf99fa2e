import { once } from "node:events";
import type { AddressInfo } from "node:net";
import * as tls from "node:tls";

export interface TlsIdentity {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export interface HandshakeResult {
  readonly ok: boolean;
  readonly error?: string;
  readonly serverSawClientCert?: string;
  readonly clientSawServerCert?: string;
}

/**
 * A real mutual-TLS 1.2 handshake on loopback, as FISCO's RPC and P2P endpoints do it:
 * the server requires a client certificate from its CA; the client skips hostname checks (no SAN).
 */
export async function mutualTlsHandshake(server: TlsIdentity, client: TlsIdentity): Promise<HandshakeResult> {
  let serverSawClientCert: string | undefined;
  const listener = tls.createServer({ ...server, requestCert: true, rejectUnauthorized: true, minVersion: "TLSv1.2", maxVersion: "TLSv1.2" }, (socket) => {
    serverSawClientCert = socket.getPeerCertificate().fingerprint256;
    socket.end("ok");
  });
  listener.on("tlsClientError", () => undefined);
  listener.listen(0, "127.0.0.1");
  await once(listener, "listening");
  const { port } = listener.address() as AddressInfo;
  try {
    const socket = tls.connect({ host: "127.0.0.1", port, ...client, checkServerIdentity: () => undefined, minVersion: "TLSv1.2", maxVersion: "TLSv1.2" });
    const result = await new Promise<HandshakeResult>((resolve) => {
      let body = "";
      socket.on("data", (chunk) => (body += chunk));
      socket.on("end", () =>
        resolve(
          body === "ok"
            ? { ok: true, serverSawClientCert, clientSawServerCert: socket.getPeerCertificate().fingerprint256 }
            : { ok: false, error: "connection closed by server" },
        ),
      );
      socket.on("error", (error) => resolve({ ok: false, error: error.message }));
    });
    socket.destroy();
    return result;
  } finally {
    listener.close();
  }
}
