import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AbiCoder, Signature, Wallet, id, keccak256, recoverAddress } from "ethers";
import { addressFromNodeId, publicPoint } from "../chain/keys";
import {
  encodeTransaction,
  encodeTransactionData,
  hashPreimage,
  randomNonce,
  signHash,
  signTransaction,
  transactionHash,
  type TransactionData,
} from "../fisco/native-tx";
import { encodeBytes, encodeInt, encodeString, encodeStruct, head, TarsWriter } from "../fisco/tars";
import { precompiledCall } from "../fisco/funding";
import { addBalanceInput, BALANCE_ADDRESS, getBalanceInput, setValueByKeyInput, SYSTEM_CONFIG_ADDRESS } from "../fisco/precompiled";
import { ethersSigner } from "../fisco/native-tx";
import { fastSigner, signerBackend } from "../fisco/secp256k1";
import { decodeTransaction, hashDecoded, recoverSender } from "../doubles/fisco-rpc-double";

/*
 * The native transaction encoder, hasher and signer against the official test vectors collected in
 * ../shared/fisco-native-transactions.md §5: FISCO-BCOS bcos-sdk TransactionTest.cpp (5.1), go-sdk
 * transaction_test.go (5.2) and the study's libsecp256k1 vectors (5.3). No private key is needed or stored here:
 * the vectors' signatures are checked by recovering their (public) signer addresses from our hashes, and our
 * envelopes must equal the official bytes exactly.
 */

const V1_DEPLOY_TX =
  "1a10012606636861696e30360667726f75703041008556283133313437363639323130393434373232333136313236343339" +
  "33363134333635383636353733317d00010426608060405234801561001057600080fd5b506040518060400160405280600d" +
  "81526020017f48656c6c6f2c20576f726c642100000000000000000000000000000000000000815250600090805190602001" +
  "9061005c929190610062565b50610107565b828054600181600116156101000203166002900490600052602060002090601f" +
  "016020900481019282601f106100a357805160ff19168380011785556100d1565b828001600101855582156100d157918201" +
  "5b828111156100d05782518255916020019190600101906100b5565b5b5090506100de91906100e2565b5090565b61010491" +
  "905b808211156101005760008160009055506001016100e8565b5090565b90565b610310806101166000396000f3fe608060" +
  "405234801561001057600080fd5b50600436106100365760003560e01c80634ed3885e1461003b5780636d4ce63c146100f6" +
  "575b600080fd5b6100f46004803603602081101561005157600080fd5b810190808035906020019064010000000081111561" +
  "006e57600080fd5b82018360208201111561008057600080fd5b803590602001918460018302840111640100000000831117" +
  "156100a257600080fd5b91908080601f01602080910402602001604051908101604052809392919081815260200183838082" +
  "8437600081840152601f19601f820116905080830192505050505050509192919290505050610179565b005b6100fe610193" +
  "565b6040518080602001828103825283818151815260200191508051906020019080838360005b8381101561013e57808201" +
  "5181840152602081019050610123565b50505050905090810190601f16801561016b5780820380516001836020036101000a" +
  "031916815260200191505b509250505060405180910390f35b806000908051906020019061018f929190610235565b505056" +
  "5b606060008054600181600116156101000203166002900480601f0160208091040260200160405190810160405280929190" +
  "8181526020018280546001816001161561010002031660029004801561022b5780601f106102005761010080835404028352" +
  "916020019161022b565b820191906000526020600020905b81548152906001019060200180831161020e57829003601f1682" +
  "01915b5050505050905090565b828054600181600116156101000203166002900490600052602060002090601f0160209004" +
  "81019282601f1061027657805160ff19168380011785556102a4565b828001600101855582156102a4579182015b82811115" +
  "6102a3578251825591602001919060010190610288565b5b5090506102b191906102b5565b5090565b6102d791905b808211" +
  "156102d35760008160009055506001016102bb565b5090565b9056fea2646970667358221220b5943f43c48cc93c6d71cdcf" +
  "27aee5072566c88755ce9186e32ce83b24e8dc6c64736f6c634300060a0033b0010b2d000020f03b8fdfa96a9b2128a83c22" +
  "ddc691e6f1d9e0589b7c34088675e33cb059dbb23d000041313563c18509553f1d83747c004f29ec67f1137bb1c3104e8551" +
  "ecc4c057187609c58a9d0220f02971abcf3f9bc6ba44423de56cb435b20b1fcf5eee4587840b01";

const HELLOWORLD_SET_TX =
  "1a1c2606636861696e30360667726f75703041020a5627313631323535363132383938363638363332373235383639303430" +
  "3732333238373635373533336628613663646334666564393662626638633963303133636331393230306233633862613935" +
  "633933657d0000644ed3885e0000000000000000000000000000000000000000000000000000000000000020000000000000" +
  "000000000000000000000000000000000000000000000000000c68656c6c6f2c20776f726c64000000000000000000000000" +
  "00000000000000000b2d000020b1e82e9052f066250532968bf9ad3a05f19dba10291089a27cea931ddfc8e9b53d000041aa" +
  "923c250f2e8b64f401766b9348b27234858ee7cceefedda8c72cefc94d4142723d0b2584e753629a69404b8bfb33748747ec" +
  "6b5a286488f9bebce79b2ef27101";

const VECTOR_A_TX =
  "1a2606636861696e30360667726f7570304101f5560931323334353637383966283030303030303030303030303030303030" +
  "30303030303030303030303030303030303030313030307d000100c4bd291aef000000000000000000000000000000000000" +
  "0000000000000000000000000040000000000000000000000000000000000000000000000000000000000000008000000000" +
  "0000000000000000000000000000000000000000000000000000000f666561747572655f62616c616e636500000000000000" +
  "0000000000000000000000000000000000000000000000000000000000000000000000000000000000013100000000000000" +
  "0000000000000000000000000000000000000000000000000b2d000020f94bdcbc2fc407ab1eabfa8e01f98e5b22fa55fbc2" +
  "3ab2c07716cfaba0f4b79e3d000041d82f8b5e0a0832f2358c830eb55415127215895e9c61f729ed075b9db5ce928d1ccf30" +
  "9a50fba213b796f838bd3baec82bc5268fffb4995990970471bb100f6e00";

const VECTOR_B_TX =
  "1a2606636861696e30360667726f7570304101f5560931323334353637393066283030303030303030303030303030303030" +
  "30303030303030303030303030303030303030313031317d00004421e5383a00000000000000000000000070997970c51812" +
  "dc3a010c7d01b50e0d17dc79c80000000000000000000000000000000000000000000000000de0b6b3a76400000b2d000020" +
  "23a8c6ad8a28eb6b5258c38fd0a2f5d5d113584654bd84caadfd43bceb24c78e3d0000419242e982e7debe527f3d2783973b" +
  "99ad7e5354c3a3b333641971a92ccde71e6e1736deccfddf5e9b747d51cb7ef925a28a3995779268d24f03fc0da470eaf5b8" +
  "015001";

/** Signer of the §5.3 vectors: the address of the widely published development key (the key itself is not needed). */
const DEV_ADDRESS = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
const SECP256K1_HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const bytes = (h: string) => Buffer.from(h.replace(/^0x/, ""), "hex");
const abi = AbiCoder.defaultAbiCoder();

/** The address whose key made a 65-byte r‖s‖v (v = 0/1) signature over `hash`. */
function signer(hash: string | Uint8Array, signature: string): string {
  const sig = bytes(signature);
  return recoverAddress(
    typeof hash === "string" ? `0x${hash.replace(/^0x/, "")}` : `0x${hex(hash)}`,
    Signature.from({ r: `0x${hex(sig.subarray(0, 32))}`, s: `0x${hex(sig.subarray(32, 64))}`, yParity: sig[64] as 0 | 1 }),
  ).toLowerCase();
}

const SYSTEM_CONFIG = "0000000000000000000000000000000000001000";
const base = { chainId: "chain0", groupId: "group0", blockLimit: 501, abi: "" };
// The input of vector A is the ABI encoding of setValueByKey("feature_balance", "1"). (The hex written out on its own
// in §5.3 carries two stray zero digits; the official envelope and the ABI encoding agree, and the test checks both.)
const vectorAInput = Buffer.concat([bytes("bd291aef"), bytes(AbiCoder.defaultAbiCoder().encode(["string", "string"], ["feature_balance", "1"]))]);
const vectorA: TransactionData = { ...base, version: 0, nonce: "123456789", to: SYSTEM_CONFIG, input: vectorAInput };
const v1Fields = { value: "0x0", gasPrice: "0x0", gasLimit: 3_000_000, maxFeePerGas: "0x0", maxPriorityFeePerGas: "0x0" };

describe("tars encoding (TarsCpp Tars.h, as FISCO's generated C++ writes it)", () => {
  test("heads: (tag << 4) | type below tag 15, a second tag byte from 15", () => {
    assert.equal(hex(head(1, 10)), "1a");
    assert.equal(hex(head(0, 11)), "0b");
    assert.equal(hex(head(14, 13)), "ed");
    assert.equal(hex(head(15, 6)), "f60f");
    assert.equal(hex(head(200, 2)), "f2c8");
    assert.throws(() => head(256, 0), /0..255/);
  });

  test("integers are compacted by value, big-endian, two's complement", () => {
    const cases: [number | bigint, string][] = [
      [0, "4c"],
      [1, "4001"],
      [127, "407f"],
      [-1, "40ff"],
      [-128, "4080"],
      [128, "410080"],
      [501, "4101f5"],
      [-129, "41ff7f"],
      [32767, "417fff"],
      [32768, "4200008000"],
      [3_000_000, "42002dc6c0"],
      [2 ** 31 - 1, "427fffffff"],
      [-(2 ** 31), "4280000000"],
      [2 ** 31, "430000000080000000"],
      [-(2n ** 63n), "438000000000000000"],
    ];
    for (const [value, expected] of cases) assert.equal(hex(encodeInt(4, value)), expected, `encodeInt(4, ${value})`);
    assert.throws(() => encodeInt(4, 2n ** 63n), /int64/);
  });

  test("strings: String1 up to 255 bytes, String4 above", () => {
    assert.equal(hex(encodeString(2, "chain0")), "2606636861696e30");
    assert.equal(hex(encodeString(2, "x".repeat(255))).slice(0, 4), "26ff");
    assert.equal(hex(encodeString(8, "y".repeat(629))).slice(0, 10), "8700000275");
    assert.equal(encodeString(8, "y".repeat(629)).length, 1 + 4 + 629);
  });

  test("vector<byte>: SimpleList head, inner 00, the length as a tag-0 integer, the bytes", () => {
    assert.equal(hex(encodeBytes(7, bytes("60006000f3"))), "7d00000560006000f3");
    assert.equal(hex(encodeBytes(7, Buffer.alloc(196))).slice(0, 10), "7d000100c4");
    assert.equal(hex(encodeBytes(7, Buffer.alloc(1062))).slice(0, 10), "7d00010426");
    assert.equal(hex(encodeBytes(2, Buffer.alloc(32))).slice(0, 8), "2d000020");
    assert.equal(hex(encodeBytes(3, Buffer.alloc(65))).slice(0, 8), "3d000041");
    assert.equal(hex(encodeBytes(3, Buffer.alloc(128))).slice(0, 10), "3d00010080");
    assert.equal(hex(encodeBytes(7, Buffer.alloc(0))), "7d000c");
  });

  test("a nested struct ends with 0b", () => {
    assert.equal(hex(encodeStruct(1, encodeInt(1, 1))), "1a10010b");
  });
});

describe("official vectors, byte for byte", () => {
  test("5.1(a) FISCO TransactionTest test_transaction: v0 hash, and its signature recovers the documented sender", () => {
    const input = Buffer.concat([bytes("2fe99bdc"), bytes(abi.encode(["string", "string", "string"], ["test1", "test2", "test3"]))]);
    const tx: TransactionData = {
      ...base,
      version: 0,
      to: "0x6849f21d1e455e9f0712b1e99fa4fcd23758e8f1",
      nonce: "82456994196425209985513938878262806289094428076435270713862099506789849517246",
      input,
    };
    const hash = transactionHash(tx);
    assert.equal(hex(hash), "0359a5588c5e9c9dcfd2f4ece850d6f4c41bc88e2c27cc051890f26ef0ef118f");
    const sig = "d752fbe3218d6f0d4bdcbaf45875bba4a52f9af263badabc0ef93fa31f28d79b0779728b594c1212613a38daea8bdd36670777100b159ac537dfbd83e700d20901";
    assert.equal(signer(hash, sig), "0x3d20a4e26f41b57c2061e520c825fbfa5f321f22");
    // "to" is hashed verbatim: without the 0x the hash changes.
    assert.notEqual(hex(transactionHash({ ...tx, to: tx.to.slice(2) })), hex(hash));
  });

  test("5.1(b) FISCO TransactionTest test_transaction_v1: the whole v1 deploy envelope re-encodes to the same 1239 bytes", () => {
    const start = V1_DEPLOY_TX.indexOf("7d00010426") + 10;
    const input = bytes(V1_DEPLOY_TX.slice(start, start + 1062 * 2));
    const tx: TransactionData = { ...base, version: 1, blockLimit: 133, nonce: "1314766921094472231612643936143658665731", to: "", input, gasLimit: 1 };
    const hash = transactionHash(tx);
    assert.equal(hex(hash), "f03b8fdfa96a9b2128a83c22ddc691e6f1d9e0589b7c34088675e33cb059dbb2");
    const signature = "313563c18509553f1d83747c004f29ec67f1137bb1c3104e8551ecc4c057187609c58a9d0220f02971abcf3f9bc6ba44423de56cb435b20b1fcf5eee4587840b01";
    assert.equal(hex(encodeTransaction({ data: tx, dataHash: hash, signature: bytes(signature) })), V1_DEPLOY_TX);
    assert.equal(signer(hash, signature), "0x893eb651dd51cd73a8a4e149c41b110bd8610c19");
  });

  test("5.2 go-sdk HELLOWORLD_SET_TX: identical with go-sdk's explicit version 0 (1c), and C++ style only drops that byte", () => {
    const input = Buffer.concat([bytes(id("set(string)").slice(2, 10)), bytes(abi.encode(["string"], ["hello, world"]))]);
    const tx: TransactionData = {
      ...base,
      version: 0,
      blockLimit: 522,
      nonce: "161255612898668632725869040723287657533",
      to: "a6cdc4fed96bbf8c9c013cc19200b3c8ba95c93e",
      input,
    };
    const hash = transactionHash(tx);
    assert.equal(hex(hash), "b1e82e9052f066250532968bf9ad3a05f19dba10291089a27cea931ddfc8e9b5");
    const signature = HELLOWORLD_SET_TX.slice(-130);
    assert.equal(hex(encodeTransaction({ data: tx, dataHash: hash, signature: bytes(signature) }, { writeZeroVersion: true })), HELLOWORLD_SET_TX);
    assert.equal(hex(encodeTransaction({ data: tx, dataHash: hash, signature: bytes(signature) })), `1a${HELLOWORLD_SET_TX.slice(4)}`);
    assert.equal(signer(hash, signature), "0xfbb18d54e9ee57529cda8c7c52242efe879f064f");
  });

  test("5.3 A: v0 setValueByKey(feature_balance, 1): input, preimage, hash, envelope; the signature recovers the dev address", () => {
    assert.equal(id("setValueByKey(string,string)").slice(0, 10), "0xbd291aef");
    assert.equal(vectorAInput.length, 196);
    assert.ok(VECTOR_A_TX.includes(`7d000100c4${hex(vectorAInput)}0b`), "the official envelope carries exactly this input");
    const preimage = hex(hashPreimage(vectorA));
    assert.ok(
      preimage.startsWith(`00000000${hex(Buffer.from("chain0group0"))}00000000000001f5${hex(Buffer.from("123456789"))}${hex(Buffer.from(SYSTEM_CONFIG))}`),
      preimage.slice(0, 120),
    );
    assert.ok(preimage.endsWith(hex(vectorAInput)));
    const hash = transactionHash(vectorA);
    assert.equal(hex(hash), "f94bdcbc2fc407ab1eabfa8e01f98e5b22fa55fbc23ab2c07716cfaba0f4b79e");
    const signature = "d82f8b5e0a0832f2358c830eb55415127215895e9c61f729ed075b9db5ce928d1ccf309a50fba213b796f838bd3baec82bc5268fffb4995990970471bb100f6e00";
    assert.equal(hex(encodeTransaction({ data: vectorA, dataHash: hash, signature: bytes(signature) })), VECTOR_A_TX);
    assert.equal(signer(hash, signature), DEV_ADDRESS);
  });

  test("5.3 B: v0 addBalance with attribute 1: the envelope ends with 5001", () => {
    const input = bytes(
      "21e5383a00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c80000000000000000000000000000000000000000000000000de0b6b3a7640000",
    );
    const tx: TransactionData = { ...base, version: 0, nonce: "123456790", to: "0000000000000000000000000000000000001011", input };
    const hash = transactionHash(tx);
    assert.equal(hex(hash), "23a8c6ad8a28eb6b5258c38fd0a2f5d5d113584654bd84caadfd43bceb24c78e");
    const signature = "9242e982e7debe527f3d2783973b99ad7e5354c3a3b333641971a92ccde71e6e1736deccfddf5e9b747d51cb7ef925a28a3995779268d24f03fc0da470eaf5b801";
    const encoded = hex(encodeTransaction({ data: tx, dataHash: hash, signature: bytes(signature), attribute: 1 }));
    assert.equal(encoded, VECTOR_B_TX);
    assert.ok(encoded.endsWith("5001"));
    assert.equal(signer(hash, signature), DEV_ADDRESS);
  });

  test("5.3 C: v1 adds value, gasPrice, gasLimit and fees to the wire (tags 9–13) and to the hash", () => {
    const tx: TransactionData = { ...vectorA, version: 1, nonce: "123456791", ...v1Fields };
    const data = hex(encodeTransactionData(tx));
    assert.ok(data.startsWith("1001"), data.slice(0, 8));
    assert.ok(data.endsWith("9603307830a603307830b2002dc6c0c603307830d603307830"), data.slice(-60));
    assert.ok(hex(hashPreimage(tx)).endsWith(`${hex(vectorAInput)}30783030783000000000002dc6c0307830307830`));
    const hash = transactionHash(tx);
    assert.equal(hex(hash), "417cac18a227f1243abbb248db1088eb1707f81c5dc57dfbee751e08122a33e3");
    assert.equal(
      signer(hash, "66dfd193122f510fbe7e2294d9f209cee3ac931ec592cbf4d9df0e4971aa1f0e1a8e23488f17d48dc36ec84a5d4c9c8b60405dd247c390a6a0730d9547188b4f00"),
      DEV_ADDRESS,
    );
  });

  test("5.3 D: v2 adds the extension (tag 14)", () => {
    const tx: TransactionData = { ...vectorA, version: 2, nonce: "123456792", ...v1Fields, extension: Buffer.from("hello") };
    assert.ok(hex(encodeTransactionData(tx)).endsWith("ed00000568656c6c6f"));
    const hash = transactionHash(tx);
    assert.equal(hex(hash), "e905d0134d2bf57bd700d18c38932b7ce891c95a12183deefd31f82f86306d57");
    assert.equal(
      signer(hash, "828291ce7d58b5545c0a362790c3e66e3be9fe14373628acfbd6e3a7f9bfb31420c2dd7dbe09f508f096a7d977cb7c8593cde64dfb4bdc5ad07ec938117fb7fc00"),
      DEV_ADDRESS,
    );
    // The same fields as v1 hash differently: the version decides what is covered.
    assert.notEqual(hex(transactionHash({ ...tx, version: 1 })), hex(hash));
  });

  test("5.3 E: a v0 deploy leaves to and abi off the wire and out of the preimage", () => {
    const tx: TransactionData = { ...base, version: 0, nonce: "123456793", to: "", input: bytes("60006000f3") };
    assert.equal(hex(encodeTransactionData(tx)), "2606636861696e30360667726f7570304101f556093132333435363739337d00000560006000f3");
    assert.equal(hex(hashPreimage(tx)), "00000000636861696e3067726f75703000000000000001f531323334353637393360006000f3");
    const hash = transactionHash(tx);
    assert.equal(hex(hash), "d3b320c6fa8a5907dd4bc1e7d0baee99aac0dc1ad87a8e52215d02d075e4a025");
    assert.equal(
      signer(hash, "6dce55a4576114cd85c5dbe71ec64a207b221f5ff640c770c0fae1e0ee6a60cb3d6f1e0dcf02e76b6369aad754a0fa0072eee98fb7ce1bb135e59170e6cac3f800"),
      DEV_ADDRESS,
    );
  });
});

describe("signing (secp256k1, r ‖ s ‖ recovery id)", () => {
  const key = () => Wallet.createRandom().privateKey;

  test("65 bytes, v is 0 or 1 (never 27/28), s is low, deterministic, and it recovers the key's FISCO address", () => {
    const seen = new Set<number>();
    for (let i = 0; i < 24; i++) {
      const k = key();
      const address = addressFromNodeId(hex(publicPoint(bytes(k))));
      const hash = bytes(keccak256(Buffer.from(`message ${i}`)));
      const sig = signHash(hash, k);
      assert.equal(sig.length, 65);
      assert.ok(sig[64] === 0 || sig[64] === 1, `v = ${sig[64]}`);
      seen.add(sig[64]);
      assert.ok(BigInt(`0x${hex(sig.subarray(32, 64))}`) <= SECP256K1_HALF_N, "low s");
      assert.deepEqual(signHash(hash, k), sig, "RFC 6979: same key and hash, same signature");
      assert.equal(signer(hash, hex(sig)), address);
    }
    assert.deepEqual([...seen].sort(), [0, 1], "both recovery ids occur over 24 signatures");
  });

  test("signTransaction: the double's independent decoder reads back every field, the same hash and the signer", () => {
    const k = key();
    const data: TransactionData = {
      ...base,
      version: 0,
      blockLimit: 1234,
      nonce: randomNonce((n) => Buffer.alloc(n, 7)),
      to: "0xabcdef0000000000000000000000000000000001",
      input: bytes("60fe47b1" + "00".repeat(31) + "2a"),
      abi: "[]",
    };
    const signed = signTransaction(data, k, { attribute: 1, extraData: "probe" });
    const decoded = decodeTransaction(bytes(signed.hex));
    assert.equal(decoded.version, 0);
    assert.equal(decoded.chainId, "chain0");
    assert.equal(decoded.groupId, "group0");
    assert.equal(decoded.blockLimit, 1234n);
    assert.equal(decoded.nonce.toString(), data.nonce);
    assert.equal(decoded.to, data.to);
    assert.equal(hex(decoded.input), hex(data.input));
    assert.equal(decoded.abi.toString(), "[]");
    assert.equal(decoded.attribute, 1);
    assert.equal(decoded.extraData, "probe");
    assert.equal(hashDecoded(decoded), signed.hash);
    assert.equal(`0x${hex(decoded.dataHash)}`, signed.hash);
    assert.equal(recoverSender(signed.hash, decoded.signature), signed.sender);
    assert.equal(signed.sender, addressFromNodeId(hex(publicPoint(bytes(k)))));
    assert.equal(
      randomNonce((n) => Buffer.alloc(n, 7)),
      `${0x0707070707070707n}${0x0707070707070707n}`,
    );
  });

  test("v1 money fields must be empty or 0x-hex, as the node requires", () => {
    assert.throws(() => encodeTransactionData({ ...vectorA, version: 1, value: "10" }), /value must be empty or 0x-hex/);
    assert.throws(() => hashPreimage({ ...vectorA, version: 1, gasPrice: "0xzz" }), /gasPrice/);
    assert.doesNotThrow(() => encodeTransactionData({ ...vectorA, version: 0, value: "10" }), "v0 ignores the v1 fields");
  });
});

describe("the double's decoder (doubles/fisco-rpc-double.ts) on the official envelopes", () => {
  test("it decodes the v1 deploy and go-sdk's explicit-zero encoding, and re-derives the embedded hashes and signers", () => {
    const v1 = decodeTransaction(bytes(V1_DEPLOY_TX));
    assert.equal(v1.version, 1);
    assert.equal(v1.blockLimit, 133n);
    assert.equal(v1.gasLimit, 1n);
    assert.equal(v1.input.length, 1062);
    assert.equal(v1.to, "");
    assert.equal(hashDecoded(v1), `0x${hex(v1.dataHash)}`);
    assert.equal(recoverSender(hashDecoded(v1), v1.signature), "0x893eb651dd51cd73a8a4e149c41b110bd8610c19");
    const go = decodeTransaction(bytes(HELLOWORLD_SET_TX));
    assert.equal(go.version, 0);
    assert.equal(hashDecoded(go), `0x${hex(go.dataHash)}`);
    const b = decodeTransaction(bytes(VECTOR_B_TX));
    assert.equal(b.attribute, 1);
    assert.equal(recoverSender(hashDecoded(b), b.signature), DEV_ADDRESS);
  });

  test("it rejects what the node's reader rejects: descending tags, truncation, v = 27", () => {
    assert.throws(() => decodeTransaction(bytes("1a36066772" + "6f7570302606636861696e300b")), /truncated|tags must ascend|tag/);
    assert.throws(() => decodeTransaction(bytes(VECTOR_A_TX.slice(0, 100))), /truncated/);
    const a = decodeTransaction(bytes(VECTOR_A_TX));
    const bad = Buffer.from(a.signature);
    bad[64] = 27;
    assert.equal(recoverSender(hashDecoded(a), bad), null);
    assert.equal(recoverSender(hashDecoded(a), a.signature), DEV_ADDRESS);
  });
});

describe("the load generator's funding transactions (fisco/funding.ts, fisco/precompiled.ts) are the §5.3 vectors", () => {
  const chain = { chainId: "chain0", groupId: "group0" };

  test("A: setValueByKey(feature_balance, 1) to SystemConfigPrecompiled: same fields, hash and envelope", () => {
    const tx = precompiledCall(chain, SYSTEM_CONFIG_ADDRESS, setValueByKeyInput("feature_balance", "1"), 501, "123456789");
    const hash = transactionHash(tx);
    assert.equal(hex(hash), "f94bdcbc2fc407ab1eabfa8e01f98e5b22fa55fbc23ab2c07716cfaba0f4b79e");
    const signature = bytes(VECTOR_A_TX.slice(-130));
    assert.equal(hex(encodeTransaction({ data: tx, dataHash: hash, signature })), VECTOR_A_TX);
    // What the funding step sends: the same transaction with attribute 1 (EVM ABI), which is neither hashed nor signed.
    assert.equal(hex(encodeTransaction({ data: tx, dataHash: hash, signature, attribute: 1 })), `${VECTOR_A_TX}5001`);
  });

  test("B: addBalance(0x7099…79c8, 10^18) to BalancePrecompiled with attribute 1: the envelope byte for byte", () => {
    const tx = precompiledCall(chain, BALANCE_ADDRESS, addBalanceInput("0x70997970c51812dc3a010c7d01b50e0d17dc79c8", 10n ** 18n), 501, "123456790");
    const hash = transactionHash(tx);
    assert.equal(hex(hash), "23a8c6ad8a28eb6b5258c38fd0a2f5d5d113584654bd84caadfd43bceb24c78e");
    const signature = bytes(VECTOR_B_TX.slice(-134, -4));
    assert.equal(hex(encodeTransaction({ data: tx, dataHash: hash, signature, attribute: 1 })), VECTOR_B_TX);
    assert.equal(signer(hash, hex(signature)), DEV_ADDRESS);
  });

  test("getBalance(address) and feature_balance_precompiled's input as §7.3 writes them", () => {
    assert.equal(getBalanceInput("0x70997970c51812dc3a010c7d01b50e0d17dc79c8"), "0xf8b2cb4f00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8");
    assert.equal(
      hex(setValueByKeyInput("feature_balance_precompiled", "1")),
      "bd291aef00000000000000000000000000000000000000000000000000000000000000400000000000000000000000000000000000000000000000000000000000000080000000000000000000000000000000000000000000000000000000000000001b666561747572655f62616c616e63655f707265636f6d70696c6564000000000000000000000000000000000000000000000000000000000000000000000000013100000000000000000000000000000000000000000000000000000000000000",
    );
  });
});

describe("the fast signer (fisco/secp256k1.ts) and the tars writer", () => {
  test("libsecp256k1 signs byte for byte as ethers does (RFC 6979, low s, v = recovery id) and recovers the same address", () => {
    assert.equal(signerBackend(), "libsecp256k1", "the prebuilt binding loads here");
    const key = keccak256(Buffer.from("fast-signer"));
    const fast = fastSigner(key);
    const slow = ethersSigner(key);
    assert.equal(fast.address, slow.address);
    for (let i = 0; i < 20; i++) {
      const hash = bytes(keccak256(Buffer.from(`message ${i}`)));
      const signature = fast.sign(hash);
      assert.equal(hex(signature), hex(slow.sign(hash)));
      assert.ok(signature[64] === 0 || signature[64] === 1);
      assert.equal(signer(hash, hex(signature)), fast.address);
    }
    const tx = { ...vectorA, nonce: "42" };
    assert.deepEqual(signTransaction(tx, fast), signTransaction(tx, key));
  });

  test("one writer gives the same bytes as the field functions, and grows past its first buffer", () => {
    const w = new TarsWriter()
      .int(1, 0)
      .int(2, -129)
      .int(3, 70000)
      .int(4, 2n ** 40n)
      .string(5, "x".repeat(300))
      .bytes(6, Buffer.alloc(1062, 7));
    const fields = [
      encodeInt(1, 0),
      encodeInt(2, -129),
      encodeInt(3, 70000),
      encodeInt(4, 2n ** 40n),
      encodeString(5, "x".repeat(300)),
      encodeBytes(6, Buffer.alloc(1062, 7)),
    ];
    assert.equal(w.toHex(), hex(Buffer.concat(fields)));
    assert.equal(hex(encodeInt(0, 2n ** 40n)), "030000010000000000");
    assert.throws(() => encodeInt(0, 2n ** 63n), /int64 range/);
  });
});
