/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The branch thunks Xen's code generation calls (-mindirect-branch=
 * thunk-extern, -mfunction-return=thunk-extern), for the Xen-flags build of
 * the auditor in bench-audit-xen.  Xen 4.17 patches each indirect thunk at
 * boot into one of three forms (xen/arch/x86/indirect-thunk.S, chosen in
 * spec_ctrl.c); this file assembles the one BENCH_THUNK selects:
 *
 *   BENCH_THUNK_RETPOLINE (default)  call; mov %reg,(%rsp); ret: Xen's
 *                         default where retpoline is safe (AMD, older Intel)
 *   BENCH_THUNK_LFENCE    lfence; jmp *%reg
 *   BENCH_THUNK_JMP       jmp *%reg: Xen with IBRS or CET in use
 *
 * The return thunk is Xen's: a plain ret.
 */
        .text

.macro BENCH_THUNK reg:req
        .balign 64
        .globl __x86_indirect_thunk_\reg
        .type __x86_indirect_thunk_\reg, @function
__x86_indirect_thunk_\reg:
#if defined(BENCH_THUNK_JMP)
        jmp *%\reg
#elif defined(BENCH_THUNK_LFENCE)
        lfence
        jmp *%\reg
#else
        call 1f
        int3
1:
        mov %\reg, (%rsp)
        ret
#endif
        int3
        .size __x86_indirect_thunk_\reg, . - __x86_indirect_thunk_\reg
.endm

.irp reg, rax, rcx, rdx, rbx, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15
        BENCH_THUNK \reg
.endr

        .balign 64
        .globl __x86_return_thunk
        .type __x86_return_thunk, @function
__x86_return_thunk:
        ret
        int3
        .size __x86_return_thunk, . - __x86_return_thunk

        .section .note.GNU-stack, "", @progbits
