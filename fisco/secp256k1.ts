import { accountFromPrivateKeyHex } from "../chain/keys";
import { ethersSigner, type HashSigner } from "./native-tx";

/**
 * The fast secp256k1 signer: libsecp256k1 through the `secp256k1` package's prebuilt binding (about ten times ethers'
 * JavaScript signer; RFC 6979 and low s as FISCO's C++ SDK signs, so the bytes are the same). Where the binding does
 * not load (e.g. a bundled script run from a ConfigMap), ethers' signer stands in: `signerBackend` says which.
 */

type Secp256k1Binding = typeof import("secp256k1");

let binding: Secp256k1Binding | null | undefined;

/** The libsecp256k1 binding, or null when it does not load here. */
function loadBinding(): Secp256k1Binding | null {
  if (binding === undefined) {
    try {
      binding = require("secp256k1/bindings") as Secp256k1Binding;
    } catch {
      binding = null;
    }
  }
  return binding;
}

/** Which implementation `fastSigner` uses in this process. */
export function signerBackend(): "libsecp256k1" | "ethers" {
  return loadBinding() ? "libsecp256k1" : "ethers";
}

/** A HashSigner for a 0x-hex private key, on libsecp256k1 when it loads (r ‖ s ‖ recovery id, 65 bytes). */
export function fastSigner(privateKeyHex: string): HashSigner {
  const lib = loadBinding();
  if (!lib) return ethersSigner(privateKeyHex);
  const key = Buffer.from(privateKeyHex.replace(/^0x/, ""), "hex");
  const address = accountFromPrivateKeyHex(privateKeyHex).address;
  return {
    address,
    sign(hash: Uint8Array): Uint8Array {
      const { signature, recid } = lib.ecdsaSign(hash, key);
      const out = new Uint8Array(65);
      out.set(signature);
      out[64] = recid;
      return out;
    },
  };
}
