package org.kfork.heap.arch;

import static org.kfork.mm.Fault.*;

import org.kfork.heap.mm.HeapMemory;
import org.kfork.heap.mm.HeapMmStruct;
import org.kfork.heap.mm.HeapMmSystem;
import org.kfork.heap.mm.HeapMmap;
import org.kfork.heap.mm.HeapVma;
import org.kfork.mm.Pgtable;
import org.kfork.mm.VmFlags;
import org.kfork.uapi.Errno;

/**
 * The heap twin of {@code org.kfork.kernel.arch.Fault}: 5.12 arch/x86/mm/fault.c's
 * do_user_addr_fault, with the same steps and the same results (0, -EFAULT, -ENOMEM).
 */
public final class HeapFault {
    private HeapFault() {
    }

    /** do_user_addr_fault for an access with the x86 {@code errorCode} to {@code address} by a task whose mm is {@code mm}. */
    public static int doUserAddrFault(HeapMmSystem sys, HeapMmStruct mm, long address, int errorCode) {
        if (mm == null || Long.compareUnsigned(address, Pgtable.TASK_SIZE_MAX) >= 0) {
            return -Errno.EFAULT;
        }
        int flags = FAULT_FLAG_DEFAULT;
        if ((errorCode & X86_PF_USER) != 0) {
            flags |= FAULT_FLAG_USER;
        }
        if ((errorCode & X86_PF_WRITE) != 0) {
            flags |= FAULT_FLAG_WRITE;
        }
        HeapVma vma = HeapMmap.findVmaRb(mm, address);
        if (vma == null) {
            return -Errno.EFAULT;
        }
        if (vma.vmStart > address) {
            if ((vma.vmFlags & VmFlags.VM_GROWSDOWN) == 0 || HeapMmap.expandStack(sys, vma, address) != 0) {
                return -Errno.EFAULT;
            }
        }
        if (accessError(errorCode, vma.vmFlags)) {
            return -Errno.EFAULT;
        }
        return userFaultErrno(HeapMemory.handleMmFault(sys, vma, address, flags));
    }
}
