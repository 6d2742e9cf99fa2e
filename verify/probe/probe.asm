; The probe contract (Probe.sol) in EVM assembly, assembled by assembler.ts into probe.ts.
; Syntax: one instruction per line; "name:" defines a label; "@name" is a label's offset in its section;
; "@init.size" / "@runtime.size" are section lengths; ";" starts a comment. Numbers are decimal or 0x-hex.
; Only pre-Shanghai opcodes (no PUSH0), so it runs on FISCO BCOS's EVM and on any Ethereum hardfork since Constantinople (SHR).

section init
        PUSH1 @runtime.size        ; size
        DUP1
        PUSH1 @init.size           ; offset of the runtime code in this creation code
        PUSH1 0                    ; memory destination
        CODECOPY                   ; memory[0..size) = runtime
        PUSH1 0
        RETURN                     ; return memory[0..size): the runtime becomes the contract's code

section runtime
        PUSH1 4
        CALLDATASIZE
        LT                         ; calldatasize < 4 → no selector
        PUSH1 @fail
        JUMPI
        CALLVALUE                  ; both functions are non-payable
        PUSH1 @fail
        JUMPI
        PUSH1 0
        CALLDATALOAD
        PUSH1 224
        SHR                        ; selector = calldata[0..4)
        DUP1
        PUSH4 0x60fe47b1           ; set(uint256)
        EQ
        PUSH1 @set
        JUMPI
        PUSH4 0x6d4ce63c           ; get()
        EQ
        PUSH1 @get
        JUMPI
fail:
        JUMPDEST
        PUSH1 0
        DUP1
        REVERT                     ; revert(0, 0)
set:
        JUMPDEST
        POP                        ; the selector
        PUSH1 36
        CALLDATASIZE
        LT                         ; calldata shorter than selector + one word
        PUSH1 @fail
        JUMPI
        PUSH1 4
        CALLDATALOAD               ; v
        DUP1
        ISZERO                     ; require(v != 0)
        PUSH1 @fail
        JUMPI
        PUSH1 0
        SSTORE                     ; slot 0 = v
        STOP
get:
        JUMPDEST
        PUSH1 0
        SLOAD
        PUSH1 0
        MSTORE                     ; memory[0..32) = slot 0
        PUSH1 32
        PUSH1 0
        RETURN                     ; return(0, 32)
