package org.kfork.mm;

import org.kfork.uapi.Errno;

/**
 * The vocabulary and the representation-free rules of a page fault, the same for both kernels:
 * vm_fault_t's VM_FAULT_* codes (include/linux/mm_types.h), the FAULT_FLAG_* bits
 * (include/linux/mm.h), x86's page-fault error code (arch/x86/include/asm/trap_pf.h), and
 * arch/x86/mm/fault.c's access_error, which only reads vm_flags.
 */
public final class Fault {
    private Fault() {
    }

    /** VM_FAULT_OOM: no memory for a page or a page table. */
    public static final int VM_FAULT_OOM = 0x000001;
    /** VM_FAULT_SIGBUS. */
    public static final int VM_FAULT_SIGBUS = 0x000002;
    /** VM_FAULT_MAJOR. */
    public static final int VM_FAULT_MAJOR = 0x000004;
    /** VM_FAULT_WRITE: a write fault broke COW (reused or copied the page). */
    public static final int VM_FAULT_WRITE = 0x000008;
    /** VM_FAULT_HWPOISON. */
    public static final int VM_FAULT_HWPOISON = 0x000010;
    /** VM_FAULT_HWPOISON_LARGE. */
    public static final int VM_FAULT_HWPOISON_LARGE = 0x000020;
    /** VM_FAULT_SIGSEGV. */
    public static final int VM_FAULT_SIGSEGV = 0x000040;
    /** VM_FAULT_NOPAGE. */
    public static final int VM_FAULT_NOPAGE = 0x000100;
    /** VM_FAULT_LOCKED: ->fault returned the page locked. */
    public static final int VM_FAULT_LOCKED = 0x000200;
    /** VM_FAULT_RETRY. */
    public static final int VM_FAULT_RETRY = 0x000400;
    /** VM_FAULT_FALLBACK. */
    public static final int VM_FAULT_FALLBACK = 0x000800;
    /** VM_FAULT_ERROR: the codes that end a fault in failure. */
    public static final int VM_FAULT_ERROR = VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | VM_FAULT_HWPOISON
        | VM_FAULT_HWPOISON_LARGE | VM_FAULT_FALLBACK;

    /** FAULT_FLAG_WRITE. */
    public static final int FAULT_FLAG_WRITE = 0x01;
    /** FAULT_FLAG_ALLOW_RETRY. */
    public static final int FAULT_FLAG_ALLOW_RETRY = 0x04;
    /** FAULT_FLAG_KILLABLE. */
    public static final int FAULT_FLAG_KILLABLE = 0x10;
    /** FAULT_FLAG_USER: the access came from user mode. */
    public static final int FAULT_FLAG_USER = 0x40;
    /** FAULT_FLAG_INTERRUPTIBLE. */
    public static final int FAULT_FLAG_INTERRUPTIBLE = 0x200;
    /** FAULT_FLAG_DEFAULT. */
    public static final int FAULT_FLAG_DEFAULT = FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE | FAULT_FLAG_INTERRUPTIBLE;

    /** X86_PF_PROT: the page was present (a protection fault). */
    public static final int X86_PF_PROT = 1;
    /** X86_PF_WRITE. */
    public static final int X86_PF_WRITE = 1 << 1;
    /** X86_PF_USER: the access came from user mode. */
    public static final int X86_PF_USER = 1 << 2;
    /** X86_PF_INSTR: an instruction fetch. */
    public static final int X86_PF_INSTR = 1 << 4;
    /** X86_PF_PK: blocked by a protection key (never here: no OSPKE). */
    public static final int X86_PF_PK = 1 << 5;

    /**
     * The error code the CPU reports for a {@code write} (or read) from user or kernel mode that
     * missed a pte present to the CPU ({@code present}: a protection fault).
     */
    public static int errorCode(boolean write, boolean user, boolean present) {
        return (write ? X86_PF_WRITE : 0) | (user ? X86_PF_USER : 0) | (present ? X86_PF_PROT : 0);
    }

    /**
     * access_error: true when the VMA's vm_flags do not allow the access. A write needs VM_WRITE;
     * a read of a present page is a protection error (x86 cannot have a readable page it
     * refuses); a read of a missing page needs VM_READ, VM_WRITE or VM_EXEC (vma_is_accessible).
     * Without protection keys, arch_vma_access_permitted allows everything.
     */
    public static boolean accessError(int errorCode, long vmFlags) {
        if ((errorCode & X86_PF_PK) != 0) {
            return true;
        }
        if ((errorCode & X86_PF_WRITE) != 0) {
            return (vmFlags & VmFlags.VM_WRITE) == 0;
        }
        if ((errorCode & X86_PF_PROT) != 0) {
            return true;
        }
        return !VmRules.vmaIsAccessible(vmFlags);
    }

    /**
     * What a user-mode fault ends in, as the model's {@code touch} reports it: 0 when the access
     * can go on, -ENOMEM for VM_FAULT_OOM (5.12 would run the OOM killer: the model has none), and
     * -EFAULT for the faults that send SIGSEGV or SIGBUS.
     */
    public static int userFaultErrno(int fault) {
        if ((fault & VM_FAULT_OOM) != 0) {
            return -Errno.ENOMEM;
        }
        return (fault & VM_FAULT_ERROR) != 0 ? -Errno.EFAULT : 0;
    }
}
