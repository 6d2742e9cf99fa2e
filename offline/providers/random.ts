import { randomBytes } from "node:crypto";

type Inputs = Record<string, any>;

/** What the real `random` provider computes, for the resources this project uses. */
export const randomHandlers: Record<string, (inputs: Inputs) => Promise<Inputs>> = {
  "random:index/randomBytes:RandomBytes": async (inputs) => {
    const bytes = randomBytes(inputs.length);
    return { ...inputs, hex: bytes.toString("hex"), base64: bytes.toString("base64") };
  },
  "random:index/randomId:RandomId": async (inputs) => {
    const bytes = randomBytes(inputs.byteLength);
    const prefix = inputs.prefix ?? "";
    return {
      ...inputs,
      hex: prefix + bytes.toString("hex"),
      b64Std: prefix + bytes.toString("base64"),
      b64Url: prefix + bytes.toString("base64url"),
      dec: prefix + BigInt(`0x${bytes.toString("hex")}`).toString(10),
    };
  },
};
