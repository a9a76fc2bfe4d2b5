package org.kfork.heap.fork;

import static org.kfork.mm.VmFlags.*;

import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.kfork.heap.HeapGlobals;
import org.kfork.heap.arch.HeapMmuContext;
import org.kfork.heap.ds.HeapIntervalTree;
import org.kfork.heap.events.HeapUprobes;
import org.kfork.heap.ds.HeapRbNode;
import org.kfork.heap.ds.HeapRbTree;
import org.kfork.heap.fs.HeapFile;
import org.kfork.heap.locking.HeapRwsem;
import org.kfork.heap.mm.HeapMemory;
import org.kfork.heap.mm.HeapMmap;
import org.kfork.heap.mm.HeapMmStruct;
import org.kfork.heap.mm.HeapMmSystem;
import org.kfork.heap.mm.HeapRmap;
import org.kfork.heap.mm.HeapVma;
import org.kfork.heap.mm.HeapVmOperations;
import org.kfork.heap.ptrace.HeapPtrace;
import org.kfork.mm.DupMode;
import org.kfork.mm.MmDebug;
import org.kfork.mm.MmFlags;
import org.kfork.mm.Mman;
import org.kfork.mm.Pgtable;
import org.kfork.sched.Limits;
import org.kfork.sched.TaskFlags;
import org.kfork.uapi.Errno;

/**
 * The heap twin of {@code org.kfork.kernel.fork.ForkMm}: the mm half of 5.12 kernel/fork.c
 * (vm_area_alloc/dup/free, dup_mmap, check_mm, __mmdrop and mmdrop(_async), mm_init, mm_alloc,
 * __mmput and mmput(_async), set/get_mm_exe_file and dup_mm) over {@link HeapMmStruct} and
 * {@link HeapVma}, with the same steps in the same order.
 *
 * <p>Conventions: like the kernel, {@link #dupMm} returns the new mm or an error in one value: the
 * ERR_PTR sentinel of {@link HeapMmStruct#errPtr}, which {@link org.kfork.heap.ErrPtr#isErr}
 * recognizes; {@link #mmAlloc} and the allocation helpers return null when memory runs out. The
 * entry points that take the system's big lock say so; the rest expect it held.
 *
 * <p>Invariants kept:
 * <ul>
 *   <li>A new mm (mm_init) has mm_users 1 and mm_count 1, no VMAs, an empty tree, zeroed
 *       counters and rss, a pgd of its own, a fresh mm context (init_new_context: a ctx_id of
 *       its own, tlb_gen 0) and a reference on its user_ns; its flags are the parent's
 *       MMF_INIT_MASK bits (the default dump filter without a parent) and its def_flags the
 *       parent's VM_INIT_DEF_MASK bits.</li>
 *   <li>dup_mmap copies every VMA but VM_DONTCOPY ones (whose pages leave the counters) in
 *       address order, each with its anon_vma chains (none for VM_WIPEONFORK), its file
 *       reference and i_mmap place, without VM_LOCKED/VM_LOCKONFAULT (and a private hugetlb area
 *       without its reserve), so the child's list, tree, gaps, map_count and counters obey the
 *       mm's invariants ({@link HeapMmap}). On failure the half-built mm is torn down by mmput
 *       and nothing leaks. Either way the parent's TLB generation moves (flush_tlb_mm), and
 *       MMF_HAS_UPROBES passes on (uprobe_dup_mmap).</li>
 *   <li>mm_users counts the users of the address space, mm_count the references to the
 *       mm_struct (the users together hold one): the last mmput tears the VMAs down (exit_mmap)
 *       and drops that one; the last mmdrop frees the pgd, checks the counters (check_mm), puts
 *       the user_ns and frees the mm. A put of a count already at zero is refused with the count
 *       left as it was. init_mm is never freed.</li>
 * </ul>
 */
public final class HeapForkMm {
    private HeapForkMm() {
    }

    /** vm_area_alloc: a cleared VMA of {@code mm} with an empty anon_vma_chain, or null. */
    public static HeapVma vmAreaAlloc(HeapMmSystem sys, HeapMmStruct mm) {
        if (!sys.alloc(HeapMmSystem.VM_AREA)) {
            return null;
        }
        HeapVma v = new HeapVma();
        v.vmMm = mm;
        return v;
    }

    /** vm_area_dup: {@code *new = *orig}, INIT_LIST_HEAD(anon_vma_chain), vm_next = vm_prev = NULL; or null. */
    public static HeapVma vmAreaDup(HeapMmSystem sys, HeapVma orig) {
        return sys.alloc(HeapMmSystem.VM_AREA) ? new HeapVma(orig) : null;
    }

    /** vm_area_free. */
    public static void vmAreaFree(HeapMmSystem sys, HeapVma vma) {
        sys.freed(HeapMmSystem.VM_AREA);
    }

    /**
     * dup_mmap: copy every VMA of {@code oldmm} into {@code mm}; 0, -ENOMEM or -EINTR.
     * {@link DupMode#APPEND} is the kernel's: each copy is linked at the right end of the tree
     * being built. {@link DupMode#STRUCTURAL} runs the same per-VMA loop without linking (each
     * parent VMA notes its copy in {@link HeapVma#forkCopy}), then clones the parent tree's shape
     * in O(n). mmap_write_lock_killable never contends here, so it never fails.
     */
    static int dupMmap(HeapMmSystem sys, HeapMmStruct mm, HeapMmStruct oldmm, DupMode mode) {
        HeapUprobes.uprobeDupMmap(oldmm, mm);
        mm.exeFile = getMmExeFile(sys, oldmm);
        mm.totalVm = oldmm.totalVm;
        mm.dataVm = oldmm.dataVm;
        mm.execVm = oldmm.execVm;
        mm.stackVm = oldmm.stackVm;
        boolean structural = mode == DupMode.STRUCTURAL;
        if (structural) {
            for (HeapVma m = oldmm.mmap; m != null; m = m.vmNext) {
                if ((m.vmFlags & VM_DONTCOPY) != 0) {
                    structural = false; // shapes differ: link as the kernel does
                    break;
                }
            }
        }
        HeapRbNode rbParent = null;
        HeapVma prev = null;
        int retval = 0;
        // ksm_fork and khugepaged_fork: hooks with nothing to do (no KSM, no THP scanning)
        for (HeapVma mpnt = oldmm.mmap; mpnt != null; mpnt = mpnt.vmNext) {
            if ((mpnt.vmFlags & VM_DONTCOPY) != 0) {
                HeapMmap.vmStatAccount(mm, mpnt.vmFlags, -mpnt.pages());
                continue;
            }
            long charge = 0;
            if (sys.fatalSignalPending()) {
                retval = -Errno.EINTR;
                break;
            }
            if ((mpnt.vmFlags & VM_ACCOUNT) != 0) {
                long len = mpnt.pages();
                if (sys.overcommit().vmEnoughMemory(len, oldmm.totalVm) != 0) {
                    retval = -Errno.ENOMEM;
                    break;
                }
                charge = len;
            }
            HeapVma tmp = vmAreaDup(sys, mpnt);
            if (tmp == null) {
                sys.overcommit().vmUnacctMemory(charge);
                retval = -Errno.ENOMEM;
                break;
            }
            // vma_dup_policy: no NUMA policies; dup_userfaultfd: no userfaultfd contexts
            tmp.vmMm = mm;
            if ((tmp.vmFlags & VM_WIPEONFORK) != 0) {
                tmp.anonVma = null;
            } else if (HeapRmap.anonVmaFork(sys, tmp, mpnt) != 0) {
                vmAreaFree(sys, tmp);
                sys.overcommit().vmUnacctMemory(charge);
                retval = -Errno.ENOMEM;
                break;
            }
            tmp.vmFlags &= ~(VM_LOCKED | VM_LOCKONFAULT);
            HeapFile file = tmp.vmFile;
            if (file != null) {
                sys.getFile(file);
                if ((tmp.vmFlags & VM_DENYWRITE) != 0) {
                    file.fInode.iWritecount--; // put_write_access
                }
                if ((tmp.vmFlags & VM_SHARED) != 0) {
                    file.fMapping.iMmapWritable++; // mapping_allow_writable
                }
                tmp.shared = new HeapVma.Shared(tmp);
                HeapIntervalTree.insertAfter(tmp.shared, mpnt.shared, file.fMapping.iMmap);
            }
            if ((tmp.vmFlags & (VM_HUGETLB | VM_MAYSHARE)) == VM_HUGETLB) {
                tmp.vmPrivateData = null; // reset_vma_resv_huge_pages: private only
            }
            // link into the list; into the tree by the append trick (or later, structurally)
            if (prev != null) {
                prev.vmNext = tmp;
            } else {
                mm.mmap = tmp;
            }
            tmp.vmPrev = prev;
            prev = tmp;
            if (structural) {
                mpnt.forkCopy = tmp;
            } else {
                HeapMmap.vmaLinkRb(mm, tmp, rbParent, false);
                rbParent = tmp;
            }
            mm.mapCount++;
            if ((tmp.vmFlags & VM_WIPEONFORK) == 0) {
                retval = HeapMemory.copyPageRange(sys, tmp, mpnt);
            }
            HeapVmOperations.open(tmp); // vm_ops->open
            if (retval != 0) {
                break; // the copy is linked: the child's teardown frees what it got
            }
        }
        if (structural) {
            if (retval == 0) {
                HeapRbTree.cloneStructure(oldmm.mmRb, mm.mmRb, n -> ((HeapVma) n).forkCopy, HeapMmap.GAP);
                mm.highestVmEnd = oldmm.highestVmEnd;
            }
            for (HeapVma m = oldmm.mmap; m != null; m = m.vmNext) {
                m.forkCopy = null;
            }
        }
        // arch_dup_mmap: no pkeys to copy without OSPKE, no LDT to copy (see HeapMmuContext)
        HeapMmuContext.flushTlbMm(oldmm);
        return retval;
    }

    /** check_mm: rss counters or page-table bytes left on a freed mm are reported, never silently. */
    static void checkMm(HeapMmSystem sys, HeapMmStruct mm) {
        for (int i = 0; i < Limits.NR_MM_COUNTERS; i++) {
            long x = mm.rssStat[i];
            if (x != 0) {
                MmDebug.badRssCounter(sys.log(), Integer.toHexString(System.identityHashCode(mm)), i, x);
            }
        }
        if (mm.pgtablesBytes != 0) {
            MmDebug.badPgtablesBytes(sys.log(), mm.pgtablesBytes);
        }
    }

    /** __mmdrop: free the pgd, check_mm, put the user_ns, free the mm. */
    static void mmdropFinal(HeapMmSystem sys, HeapMmStruct mm) {
        if (mm == sys.initMmStruct()) {
            throw new IllegalStateException("BUG: __mmdrop(&init_mm)");
        }
        if (mm.pgd != null) {
            mm.pgd = null;
            sys.freed(HeapMmSystem.PGD); // mm_free_pgd
        }
        checkMm(sys, mm);
        sys.putUserNs(mm.userNs);
        mm.userNs = null;
        sys.freed(HeapMmSystem.MM);
    }

    /** mmgrab: mm_count++ (the caller holds the big lock). */
    public static void mmgrab(HeapMmStruct mm) {
        mm.mmCount++;
    }

    /**
     * mmdrop: takes the big lock itself, as mmput does (do_exit's last context switch and exec
     * drop active_mm outside it); the last reference's __mmdrop counts the frees, which another
     * thread's dup_mm counts its allocations against under the same lock.
     */
    public static void mmdrop(HeapMmSystem sys, HeapMmStruct mm) {
        sys.bkl().lock();
        try {
            if (mm.mmCount <= 0) {
                throw MmDebug.putOfDeadCount("mmdrop: mm_count", mm.mmCount);
            }
            if (--mm.mmCount == 0) {
                mmdropFinal(sys, mm);
            }
        } finally {
            sys.bkl().unlock();
        }
    }

    /** mmdrop_async: takes the big lock itself; the last reference's __mmdrop runs on the system's work queue. */
    public static void mmdropAsync(HeapMmSystem sys, HeapMmStruct mm) {
        sys.bkl().lock();
        try {
            if (mm.mmCount <= 0) {
                throw MmDebug.putOfDeadCount("mmdrop_async: mm_count", mm.mmCount);
            }
            if (--mm.mmCount == 0) {
                sys.workQueue().schedule(() -> sys.locked(() -> mmdropFinal(sys, mm)));
            }
        } finally {
            sys.bkl().unlock();
        }
    }

    /**
     * mm_init: reset what a new mm must not inherit (see the class comment) and give it a pgd and
     * a reference on {@code userNs}. Returns {@code mm}, or null after freeing it when the pgd
     * cannot be allocated.
     */
    static HeapMmStruct mmInit(HeapMmSystem sys, HeapMmStruct mm, Object owner, Object userNs, HeapMmStruct current) {
        mm.mmap = null; // mm_rb: this twin's root object is fresh and empty
        mm.vmacacheSeqnum = 0;
        mm.mmUsers = 1;
        mm.writeProtectSeq = 0;
        mm.mmCount = 1;
        mm.pgtablesBytes = 0;
        mm.mapCount = 0;
        mm.lockedVm = 0;
        mm.pinnedVm = 0;
        java.util.Arrays.fill(mm.rssStat, 0);
        mm.owner = owner;
        mm.exeFile = null;
        if (current != null) {
            mm.flags = current.flags & MmFlags.MMF_INIT_MASK;
            mm.defFlags = current.defFlags & VM_INIT_DEF_MASK;
        } else {
            mm.flags = MmFlags.MMF_DUMP_FILTER_DEFAULT;
            mm.defFlags = 0;
        }
        if (!sys.alloc(HeapMmSystem.PGD)) { // mm_alloc_pgd
            sys.freed(HeapMmSystem.MM);
            return null;
        }
        mm.pgd = new long[2 * Pgtable.PTRS_PER_TABLE]; // the kernel and user pgd of PAGE_TABLE_ISOLATION
        HeapMmuContext.initNewContext(sys, mm);
        mm.userNs = sys.getUserNs(userNs);
        return mm;
    }

    /**
     * mm_alloc: a cleared, initialised mm on init_user_ns, or null without memory. Unlike 5.12's,
     * it also sets the task size and the mmap bases, which exec's setup_new_exec would (docs/mm.md
     * lists the deviation). Takes the big lock itself.
     */
    public static HeapMmStruct mmAlloc(HeapMmSystem sys) {
        sys.bkl().lock(); // the counts of the mm and its pgd (exec calls this outside the lock)
        try {
            if (!sys.alloc(HeapMmSystem.MM)) {
                return null;
            }
            HeapMmStruct mm = new HeapMmStruct();
            if (mmInit(sys, mm, null, HeapMmSystem.INIT_USER_NS, null) == null) {
                return null;
            }
            mm.taskSize = Mman.TASK_SIZE;
            mm.mmapBase = Mman.MMAP_BASE;
            mm.mmapLegacyBase = Mman.TASK_UNMAPPED_BASE;
            return mm;
        } finally {
            sys.bkl().unlock();
        }
    }

    /** __mmput: exit_mmap, the exe_file and binfmt references go, then mmdrop. */
    static void mmputFinal(HeapMmSystem sys, HeapMmStruct mm) {
        HeapMmap.exitMmap(sys, mm);
        setMmExeFile(sys, mm, null);
        mm.binfmt = null; // module_put: no binfmt modules
        mmdrop(sys, mm);
    }

    /** mmget: mm_users++ (the caller holds the big lock). */
    public static void mmget(HeapMmStruct mm) {
        mm.mmUsers++;
    }

    /** mmput: takes the big lock itself. The last user tears the address space down (__mmput). */
    public static void mmput(HeapMmSystem sys, HeapMmStruct mm) {
        sys.bkl().lock();
        try {
            if (mm.mmUsers <= 0) {
                throw MmDebug.putOfDeadCount("mmput: mm_users", mm.mmUsers);
            }
            if (--mm.mmUsers == 0) {
                mmputFinal(sys, mm);
            }
        } finally {
            sys.bkl().unlock();
        }
    }

    /** mmput_async: the last user's __mmput runs on the system's work queue (the caller holds the big lock). */
    public static void mmputAsync(HeapMmSystem sys, HeapMmStruct mm) {
        if (mm.mmUsers <= 0) {
            throw MmDebug.putOfDeadCount("mmput_async: mm_users", mm.mmUsers);
        }
        if (--mm.mmUsers == 0) {
            sys.workQueue().schedule(() -> sys.locked(() -> mmputFinal(sys, mm)));
        }
    }

    /** set_mm_exe_file: the mm takes a reference on {@code newExe} (null: none) and drops the old one. */
    public static void setMmExeFile(HeapMmSystem sys, HeapMmStruct mm, HeapFile newExe) {
        HeapFile old = mm.exeFile;
        if (newExe != null) {
            sys.getFile(newExe);
        }
        mm.exeFile = newExe;
        if (old != null) {
            sys.fput(old);
        }
    }

    /** get_mm_exe_file: a counted reference on the mm's exe_file, or null. */
    public static HeapFile getMmExeFile(HeapMmSystem sys, HeapMmStruct mm) {
        HeapFile f = mm.exeFile;
        if (f != null) {
            sys.getFile(f);
        }
        return f;
    }

    /** get_task_exe_file (see the off-heap twin): a counted reference, or null. */
    public static HeapFile getTaskExeFile(HeapMmSystem sys, HeapTask task) {
        HeapFile exeFile = null;
        task.allocLock.lock();
        final HeapMmStruct mm = task.mm;
        if (mm != null && (task.flags & TaskFlags.PF_KTHREAD) == 0) {
            exeFile = getMmExeFile(sys, mm);
        }
        task.allocLock.unlock();
        return exeFile;
    }

    /** get_task_mm (see the off-heap twin): the mm with an mm_users reference, or null. */
    public static HeapMmStruct getTaskMm(HeapTask task) {
        task.allocLock.lock();
        HeapMmStruct mm = task.mm;
        if (mm != null) {
            if ((task.flags & TaskFlags.PF_KTHREAD) != 0) {
                mm = null;
            } else {
                mmget(mm);
            }
        }
        task.allocLock.unlock();
        return mm;
    }

    /**
     * mm_access (see the off-heap twin): the mm with a reference, null, or
     * {@link HeapMmStruct#errPtr} of -EACCES or -EINTR.
     */
    public static HeapMmStruct mmAccess(HeapGlobals g, HeapTask current, HeapTask task, int mode) {
        final ReentrantReadWriteLock lock = task.signal.execUpdateLock;
        final int err = HeapRwsem.downReadKillable(lock, current);
        if (err != 0) {
            return HeapMmStruct.errPtr(err);
        }
        HeapMmStruct mm = getTaskMm(task);
        try {
            if (mm != null && mm != current.mm && !HeapPtrace.ptraceMayAccess(g, current, task, mode)) {
                mmput(g.mm, mm);
                mm = HeapMmStruct.errPtr(-Errno.EACCES);
            }
        } finally {
            lock.readLock().unlock();
        }
        return mm;
    }

    /**
     * dup_mm: a new mm that copies {@code oldmm} (memcpy, mm_init, dup_mmap, hiwater marks), owned
     * by {@code task}. Returns the new mm or, like the kernel's ERR_PTR, the sentinel of a negative
     * errno (-ENOMEM, -EINTR) from {@link HeapMmStruct#errPtr}; a half-built mm is torn down with
     * mmput. Takes the big lock itself.
     */
    public static HeapMmStruct dupMm(HeapMmSystem sys, HeapMmStruct oldmm, Object task, DupMode mode) {
        sys.bkl().lock();
        try {
            return dupMmLocked(sys, oldmm, task, mode);
        } finally {
            sys.bkl().unlock();
        }
    }

    /** copy_init_mm (see the off-heap twin). */
    public static HeapMmStruct copyInitMm(HeapMmSystem sys) {
        return dupMm(sys, sys.initMmStruct(), null, DupMode.APPEND);
    }

    private static HeapMmStruct dupMmLocked(HeapMmSystem sys, HeapMmStruct oldmm, Object task, DupMode mode) {
        if (!sys.alloc(HeapMmSystem.MM)) {
            return HeapMmStruct.errPtr(-Errno.ENOMEM);
        }
        HeapMmStruct mm = new HeapMmStruct(oldmm);
        if (mmInit(sys, mm, task, mm.userNs, oldmm) == null) {
            return HeapMmStruct.errPtr(-Errno.ENOMEM);
        }
        int err = dupMmap(sys, mm, oldmm, mode);
        if (err != 0) {
            mm.binfmt = null;
            mm.owner = null; // mm_init_owner(mm, NULL)
            mmput(sys, mm);
            return HeapMmStruct.errPtr(err);
        }
        mm.hiwaterRss = HeapMemory.getMmRss(mm);
        mm.hiwaterVm = mm.totalVm;
        return mm;
    }
}
