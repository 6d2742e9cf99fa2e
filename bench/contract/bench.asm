; The benchmark contract (Bench.sol) in EVM assembly, assembled by fisco/evm-assembler.ts into bench-contract.ts
; (`npx tsx fisco/evm-assembler.ts bench/contract/bench.asm`). Syntax as verify/probe/probe.asm. Only pre-Shanghai
; opcodes (no PUSH0), so it runs on FISCO BCOS's EVM and on any Ethereum hardfork since Constantinople (SHR).

section init
        PUSH1 @runtime.size        ; size
        DUP1
        PUSH1 @init.size           ; offset of the runtime code in this creation code
        PUSH1 0                    ; memory destination
        CODECOPY                   ; memory[0..size) = runtime
        PUSH1 0
        RETURN                     ; the runtime becomes the contract's code

section runtime
        PUSH1 4
        CALLDATASIZE
        LT                         ; calldatasize < 4 → no selector
        PUSH1 @fail
        JUMPI
        CALLVALUE                  ; every function is non-payable
        PUSH1 @fail
        JUMPI
        PUSH1 0
        CALLDATALOAD
        PUSH1 224
        SHR                        ; selector = calldata[0..4)
        DUP1
        PUSH4 0x9c0e3f7a           ; write(uint256,uint256)
        EQ
        PUSH1 @write
        JUMPI
        DUP1
        PUSH4 0xc4b5c133           ; writes()
        EQ
        PUSH1 @writes
        JUMPI
        PUSH4 0x2ddbd13a           ; total()
        EQ
        PUSH1 @total
        JUMPI
fail:
        JUMPDEST
        PUSH1 0
        DUP1
        REVERT                     ; revert(0, 0)
write:
        JUMPDEST
        POP                        ; the selector
        PUSH1 68
        CALLDATASIZE
        LT                         ; shorter than selector + two words
        PUSH1 @fail
        JUMPI
        PUSH1 36
        CALLDATALOAD               ; value
        DUP1                       ; value value
        PUSH1 4
        CALLDATALOAD               ; key value value
        PUSH1 2
        ADD                        ; key+2 value value
        SSTORE                     ; slot[key + 2] = value
        PUSH1 1
        SLOAD
        ADD                        ; total + value
        PUSH1 1
        SSTORE                     ; slot[1] = total + value
        PUSH1 0
        SLOAD
        PUSH1 1
        ADD
        PUSH1 0
        SSTORE                     ; slot[0] = writes + 1
        STOP
writes:
        JUMPDEST
        POP                        ; the selector
        PUSH1 0
        SLOAD
        PUSH1 0
        MSTORE
        PUSH1 32
        PUSH1 0
        RETURN                     ; return slot[0]
total:
        JUMPDEST
        PUSH1 1
        SLOAD
        PUSH1 0
        MSTORE
        PUSH1 32
        PUSH1 0
        RETURN                     ; return slot[1]
