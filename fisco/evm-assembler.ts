/**
 * A tiny two-pass EVM assembler for hand-written contracts (e.g. verify/probe/probe.asm): enough opcodes
 * for them, labels, and section sizes. It exists because no solc can be downloaded where this project is
 * built: the committed bytecode constants can be regenerated and checked (test/verify-web3.test.ts).
 */
const OPCODES: Readonly<Record<string, number>> = {
  STOP: 0x00,
  ADD: 0x01,
  LT: 0x10,
  GT: 0x11,
  EQ: 0x14,
  ISZERO: 0x15,
  SHR: 0x1c,
  CALLVALUE: 0x34,
  CALLDATALOAD: 0x35,
  CALLDATASIZE: 0x36,
  CODECOPY: 0x39,
  POP: 0x50,
  MLOAD: 0x51,
  MSTORE: 0x52,
  SLOAD: 0x54,
  SSTORE: 0x55,
  JUMP: 0x56,
  JUMPI: 0x57,
  JUMPDEST: 0x5b,
  DUP1: 0x80,
  DUP2: 0x81,
  SWAP1: 0x90,
  RETURN: 0xf3,
  REVERT: 0xfd,
};

interface Instruction {
  readonly op: string;
  readonly arg?: string;
  readonly line: number;
}

interface Section {
  readonly name: string;
  readonly items: (Instruction | { readonly label: string })[];
}

export interface Assembled {
  /** Creation code: init section followed by the runtime section, 0x-hex. */
  readonly creation: string;
  /** The runtime section alone, 0x-hex: what the chain stores as the contract's code. */
  readonly runtime: string;
}

function parse(source: string): Section[] {
  const sections: Section[] = [];
  source.split("\n").forEach((raw, index) => {
    const text = raw.replace(/;.*$/, "").trim();
    if (!text) return;
    const sectionMatch = /^section\s+(\w+)$/.exec(text);
    if (sectionMatch) return void sections.push({ name: sectionMatch[1], items: [] });
    const current = sections.at(-1);
    if (!current) throw new Error(`line ${index + 1}: instruction before any "section"`);
    const labelMatch = /^(\w+):$/.exec(text);
    if (labelMatch) return void current.items.push({ label: labelMatch[1] });
    const [op, arg, extra] = text.split(/\s+/);
    if (extra !== undefined) throw new Error(`line ${index + 1}: too many operands`);
    current.items.push({ op: op.toUpperCase(), arg, line: index + 1 });
  });
  return sections;
}

function pushWidth(op: string): number {
  const m = /^PUSH(\d+)$/.exec(op);
  return m ? Number(m[1]) : 0;
}

function sizeOf(item: Section["items"][number]): number {
  if ("label" in item) return 0;
  return 1 + pushWidth(item.op);
}

function encode(item: Instruction, symbols: ReadonlyMap<string, number>): number[] {
  const width = pushWidth(item.op);
  if (width > 0) {
    if (width > 32 || item.arg === undefined) throw new Error(`line ${item.line}: ${item.op} needs an operand (PUSH1..PUSH32)`);
    const value = item.arg.startsWith("@") ? symbols.get(item.arg.slice(1)) : Number(item.arg);
    if (value === undefined || !Number.isSafeInteger(value) || value < 0) throw new Error(`line ${item.line}: bad operand ${item.arg}`);
    const hex = value.toString(16).padStart(width * 2, "0");
    if (hex.length > width * 2) throw new Error(`line ${item.line}: ${item.arg} does not fit ${item.op}`);
    return [0x5f + width, ...Buffer.from(hex, "hex")];
  }
  const code = OPCODES[item.op];
  if (code === undefined) throw new Error(`line ${item.line}: unknown opcode ${item.op}`);
  if (item.arg !== undefined) throw new Error(`line ${item.line}: ${item.op} takes no operand`);
  return [code];
}

/** Assemble a source with sections "init" and "runtime". Labels resolve to offsets within their own section. */
export function assemble(source: string): Assembled {
  const sections = parse(source);
  const symbols = new Map<string, number>();
  for (const section of sections) {
    let offset = 0;
    for (const item of section.items) {
      if ("label" in item) {
        if (symbols.has(item.label)) throw new Error(`label ${item.label} defined twice`);
        symbols.set(item.label, offset);
      }
      offset += sizeOf(item);
    }
    symbols.set(`${section.name}.size`, offset);
  }
  const bytes = (name: string) => {
    const section = sections.find((s) => s.name === name);
    if (!section) throw new Error(`missing section ${name}`);
    return Buffer.from(section.items.flatMap((item) => ("label" in item ? [] : encode(item, symbols))));
  };
  const init = bytes("init");
  const runtime = bytes("runtime");
  return { creation: `0x${Buffer.concat([init, runtime]).toString("hex")}`, runtime: `0x${runtime.toString("hex")}` };
}

// `npx tsx fisco/evm-assembler.ts <file.asm>` prints the assembled code (e.g. verify/probe/probe.asm).
if (require.main === module) {
  const { readFileSync } = require("node:fs") as typeof import("node:fs");
  const file = process.argv[2];
  if (!file) throw new Error("usage: npx tsx fisco/evm-assembler.ts <file.asm>");
  console.log(JSON.stringify(assemble(readFileSync(file, "utf8")), null, 2));
}
