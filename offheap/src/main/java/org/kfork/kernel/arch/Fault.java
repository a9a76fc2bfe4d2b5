package org.kfork.kernel.arch;

import static org.kfork.kernel.mm.MmTypes.vmFlags;
import static org.kfork.kernel.mm.MmTypes.vmStart;
import static org.kfork.mm.Fault.*;

import org.kfork.kernel.mm.Memory;
import org.kfork.kernel.mm.Mmap;
import org.kfork.kernel.mm.OffHeapMmSystem;
import org.kfork.mm.Pgtable;
import org.kfork.mm.VmFlags;
import org.kfork.uapi.Errno;

/**
 * 5.12 arch/x86/mm/fault.c, the path of a page fault on a user address: do_user_addr_fault finds
 * the VMA, checks the access against it (access_error, in core's {@link org.kfork.mm.Fault}) and
 * lets handle_mm_fault ({@link Memory}) fill the page tables. Static over modeled addresses and
 * free of Java allocation; the caller holds the big lock (mmap_read_lock). The heap twin is
 * {@link org.kfork.heap.arch.HeapFault}.
 *
 * <p>What the kernel turns into a signal (bad_area: SIGSEGV; VM_FAULT_SIGBUS) or, for a kernel
 * access through the exception table, a failed user copy, is -EFAULT here; VM_FAULT_OOM is
 * -ENOMEM (a user fault would run the OOM killer, which the model does not have; a kernel-mode
 * fault's caller reports it as a failed copy, -EFAULT, as 5.12's fixup does). The VMAs are found by
 * a walk of the tree: the model's tasks carry no vmacache yet.
 */
public final class Fault {
    private Fault() {
    }

    /**
     * do_user_addr_fault for an access with the x86 {@code errorCode} (X86_PF_WRITE, X86_PF_USER,
     * X86_PF_PROT) to {@code address} by a task whose mm is {@code mm} (0: a kernel thread, which
     * has no user memory). Returns 0 when the access can be retried, -EFAULT or -ENOMEM.
     */
    public static int doUserAddrFault(OffHeapMmSystem sys, long mm, long address, int errorCode) {
        if (mm == 0 || Long.compareUnsigned(address, Pgtable.TASK_SIZE_MAX) >= 0) {
            return -Errno.EFAULT; // no user context, or a kernel address (do_kern_addr_fault)
        }
        int flags = FAULT_FLAG_DEFAULT;
        if ((errorCode & X86_PF_USER) != 0) {
            flags |= FAULT_FLAG_USER;
        }
        if ((errorCode & X86_PF_WRITE) != 0) {
            flags |= FAULT_FLAG_WRITE;
        }
        long vma = Mmap.findVmaRb(mm, address);
        if (vma == 0) {
            return -Errno.EFAULT; // bad_area
        }
        if (vmStart(vma) > address) {
            if ((vmFlags(vma) & VmFlags.VM_GROWSDOWN) == 0 || Mmap.expandStack(sys, vma, address) != 0) {
                return -Errno.EFAULT; // bad_area
            }
        }
        if (accessError(errorCode, vmFlags(vma))) {
            return -Errno.EFAULT; // bad_area_access_error
        }
        return userFaultErrno(Memory.handleMmFault(sys, vma, address, flags));
    }
}
