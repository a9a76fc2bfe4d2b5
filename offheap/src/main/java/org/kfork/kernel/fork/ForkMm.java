package org.kfork.kernel.fork;

import static org.kfork.kernel.fs.FileTable.fileInode;
import static org.kfork.kernel.fs.FileTable.fileMapping;
import static org.kfork.kernel.mm.MmTypes.gapOf;
import static org.kfork.kernel.mm.MmTypes.mapCountAdd;
import static org.kfork.kernel.mm.MmTypes.mmGet;
import static org.kfork.kernel.mm.MmTypes.pages;
import static org.kfork.kernel.mm.MmTypes.vmFile;
import static org.kfork.kernel.mm.MmTypes.vmFlags;
import static org.kfork.kernel.mm.MmTypes.vmNext;
import static org.kfork.machine.Mem.getAndAddInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.mm.VmFlags.*;

import java.util.function.LongUnaryOperator;

import org.kfork.ds.IntrusiveList;
import org.kfork.ds.RbTree;
import org.kfork.ds.VmaIntervalTree;
import org.kfork.kernel.arch.MmuContext;
import org.kfork.kernel.events.Uprobes;
import org.kfork.kernel.Globals;
import org.kfork.kernel.locking.Rwsem;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.ptrace.Ptrace;
import org.kfork.kernel.mm.Memory;
import org.kfork.kernel.mm.Mmap;
import org.kfork.kernel.mm.OffHeapMmSystem;
import org.kfork.kernel.mm.Rmap;
import org.kfork.kernel.struct.AddressSpace;
import org.kfork.kernel.struct.Inode;
import org.kfork.kernel.struct.MmRssStat;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.RwSemaphore;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.VmAreaStruct;
import org.kfork.machine.BadAccessException;
import org.kfork.machine.Mem;
import org.kfork.mm.DupMode;
import org.kfork.mm.MmDebug;
import org.kfork.mm.MmFlags;
import org.kfork.mm.Mman;
import org.kfork.mm.Overcommit;
import org.kfork.sched.Limits;
import org.kfork.sched.TaskFlags;
import org.kfork.uapi.Errno;

/**
 * The mm half of 5.12 kernel/fork.c: vm_area_alloc/dup/free, dup_mmap, check_mm, __mmdrop and
 * mmdrop(_async), mm_init, mm_alloc, __mmput and mmput(_async), set/get_mm_exe_file and dup_mm.
 * Static over modeled addresses and free of Java allocation on the fork path (dup_mm, mmput);
 * the heap twin is {@link org.kfork.heap.fork.HeapForkMm}.
 *
 * <p>Conventions: like the kernel, {@link #dupMm} returns the new mm or an error in one value (an
 * ERR_PTR: {@link Errno#isError} tells them apart, since modeled kernel addresses are negative as
 * Java longs); {@link #mmAlloc} and the allocation helpers return 0 (NULL) when memory runs out.
 * The entry points that take the system's big lock say so; the rest expect it held.
 *
 * <p>Invariants kept:
 * <ul>
 *   <li>A new mm (mm_init) has mm_users 1 and mm_count 1, no VMAs, an empty tree, a fresh
 *       mmap lock and mmlist, zeroed counters and rss, a pgd of its own, a fresh mm context
 *       (init_new_context: a ctx_id of its own, tlb_gen 0) and a reference on its user_ns; its
 *       flags are the parent's MMF_INIT_MASK bits (the default dump filter without a parent) and
 *       its def_flags the parent's VM_INIT_DEF_MASK bits.</li>
 *   <li>dup_mmap copies every VMA but VM_DONTCOPY ones (whose pages leave the counters) in
 *       address order, each with its anon_vma chains (none for VM_WIPEONFORK), its file
 *       reference and i_mmap place, without VM_LOCKED/VM_LOCKONFAULT (and a private hugetlb area
 *       without its reserve), so the child's list, tree, gaps, map_count and counters obey the
 *       mm's invariants ({@link Mmap}). On failure the half-built mm is torn down by mmput and
 *       nothing leaks. Either way the parent's TLB generation moves (flush_tlb_mm), and
 *       MMF_HAS_UPROBES passes on (uprobe_dup_mmap).</li>
 *   <li>mm_users counts the users of the address space, mm_count the references to the
 *       mm_struct (the users together hold one): the last mmput tears the VMAs down (exit_mmap)
 *       and drops that one; the last mmdrop frees the pgd, checks the counters (check_mm), puts
 *       the user_ns and frees the mm. A put of a count already at zero is refused with the count
 *       left as it was. init_mm is never freed.</li>
 * </ul>
 */
public final class ForkMm {
    private ForkMm() {
    }

    /** vm_area_alloc: a zeroed VMA of {@code mm} with an empty anon_vma_chain, or 0. */
    public static long vmAreaAlloc(OffHeapMmSystem sys, long mm) {
        long v = sys.allocVma();
        if (v == 0) {
            return 0;
        }
        Mem.zero(v, VmAreaStruct.SIZEOF);
        putLong(v + VmAreaStruct.VM_MM, mm);
        IntrusiveList.init(v + VmAreaStruct.ANON_VMA_CHAIN);
        return v;
    }

    /** vm_area_dup: {@code *new = *orig}, INIT_LIST_HEAD(anon_vma_chain), vm_next = vm_prev = NULL; or 0. */
    public static long vmAreaDup(OffHeapMmSystem sys, long orig) {
        long n = sys.allocVma();
        if (n != 0) {
            Mem.copy(orig, n, VmAreaStruct.SIZEOF);
            IntrusiveList.init(n + VmAreaStruct.ANON_VMA_CHAIN);
            putLong(n + VmAreaStruct.VM_NEXT, 0);
            putLong(n + VmAreaStruct.VM_PREV, 0);
        }
        return n;
    }

    /** vm_area_free. */
    public static void vmAreaFree(OffHeapMmSystem sys, long vma) {
        sys.freeVma(vma);
    }

    /** What a structural dup's clone maps each parent node to (see {@link #dupMmap}). */
    private static final LongUnaryOperator STASHED_COPY = oldNode -> {
        long old = oldNode - VmAreaStruct.VM_RB;
        long tmp = getLong(old + VmAreaStruct.RB_SUBTREE_GAP);
        putLong(old + VmAreaStruct.RB_SUBTREE_GAP, getLong(tmp + VmAreaStruct.RB_SUBTREE_GAP)); // give the parent its gap back
        return tmp + VmAreaStruct.VM_RB;
    };

    /**
     * dup_mmap: copy every VMA of {@code oldmm} into {@code mm}; 0, -ENOMEM or -EINTR.
     * {@link DupMode#APPEND} is the kernel's: each copy is linked at the right end of the tree
     * being built. {@link DupMode#STRUCTURAL} runs the same per-VMA loop without linking, then
     * clones the parent tree's shape in O(n): during the loop each parent VMA's rb_subtree_gap
     * word (the copy already holds the value) carries the address of its copy, which the clone
     * reads and restores; the old mm's mmap lock is held for write, so nobody reads the gaps
     * meanwhile. mmap_write_lock_killable never contends here, so it never fails.
     */
    static int dupMmap(OffHeapMmSystem sys, long mm, long oldmm, DupMode mode) {
        Uprobes.uprobeDupMmap(oldmm, mm);
        putLong(mm + MmStruct.EXE_FILE, getMmExeFile(sys, oldmm));
        putLong(mm + MmStruct.TOTAL_VM, mmGet(oldmm, MmStruct.TOTAL_VM));
        putLong(mm + MmStruct.DATA_VM, mmGet(oldmm, MmStruct.DATA_VM));
        putLong(mm + MmStruct.EXEC_VM, mmGet(oldmm, MmStruct.EXEC_VM));
        putLong(mm + MmStruct.STACK_VM, mmGet(oldmm, MmStruct.STACK_VM));
        boolean structural = mode == DupMode.STRUCTURAL;
        if (structural) {
            for (long m = getLong(oldmm + MmStruct.MMAP); m != 0; m = vmNext(m)) {
                if ((vmFlags(m) & VM_DONTCOPY) != 0) {
                    structural = false; // shapes differ: link as the kernel does
                    break;
                }
            }
        }
        long rbLink = mm + MmStruct.MM_RB;
        long rbParent = 0;
        long pprevSlot = mm + MmStruct.MMAP;
        long prev = 0;
        int retval = 0;
        Overcommit oc = sys.overcommit();
        // ksm_fork and khugepaged_fork: hooks with nothing to do (no KSM, no THP scanning)
        for (long mpnt = getLong(oldmm + MmStruct.MMAP); mpnt != 0; mpnt = vmNext(mpnt)) {
            long flags = vmFlags(mpnt);
            if ((flags & VM_DONTCOPY) != 0) {
                Mmap.vmStatAccount(mm, flags, -pages(mpnt));
                continue;
            }
            long charge = 0;
            if (sys.fatalSignalPending()) {
                retval = -Errno.EINTR;
                break;
            }
            if ((flags & VM_ACCOUNT) != 0) {
                long len = pages(mpnt);
                if (oc.vmEnoughMemory(len, mmGet(oldmm, MmStruct.TOTAL_VM)) != 0) {
                    retval = -Errno.ENOMEM;
                    break;
                }
                charge = len;
            }
            long tmp = vmAreaDup(sys, mpnt);
            if (tmp == 0) {
                oc.vmUnacctMemory(charge);
                retval = -Errno.ENOMEM;
                break;
            }
            // vma_dup_policy: no NUMA policies; dup_userfaultfd: no userfaultfd contexts
            putLong(tmp + VmAreaStruct.VM_MM, mm);
            if ((flags & VM_WIPEONFORK) != 0) {
                putLong(tmp + VmAreaStruct.ANON_VMA, 0);
            } else if (Rmap.anonVmaFork(sys, tmp, mpnt) != 0) {
                vmAreaFree(sys, tmp);
                oc.vmUnacctMemory(charge);
                retval = -Errno.ENOMEM;
                break;
            }
            long tflags = flags & ~(VM_LOCKED | VM_LOCKONFAULT);
            putLong(tmp + VmAreaStruct.VM_FLAGS, tflags);
            long file = vmFile(tmp);
            if (file != 0) {
                sys.getFile(file);
                if ((tflags & VM_DENYWRITE) != 0) {
                    getAndAddInt(fileInode(file) + Inode.I_WRITECOUNT, -1); // put_write_access
                }
                if ((tflags & VM_SHARED) != 0) {
                    getAndAddInt(fileMapping(file) + AddressSpace.I_MMAP_WRITABLE, 1); // mapping_allow_writable
                }
                VmaIntervalTree.insertAfter(tmp, mpnt, fileMapping(file) + AddressSpace.I_MMAP);
            }
            if ((tflags & (VM_HUGETLB | VM_MAYSHARE)) == VM_HUGETLB) {
                putLong(tmp + VmAreaStruct.VM_PRIVATE_DATA, 0); // reset_vma_resv_huge_pages: private only
            }
            // link into the list; into the tree by the append trick (or later, structurally)
            putLong(pprevSlot, tmp);
            pprevSlot = tmp + VmAreaStruct.VM_NEXT;
            putLong(tmp + VmAreaStruct.VM_PREV, prev);
            prev = tmp;
            if (structural) {
                putLong(mpnt + VmAreaStruct.RB_SUBTREE_GAP, tmp); // the stash the clone reads back
            } else {
                Mmap.vmaLinkRb(mm, tmp, rbParent, rbLink);
                rbLink = tmp + VmAreaStruct.VM_RB + RbTree.RB_RIGHT;
                rbParent = tmp + VmAreaStruct.VM_RB;
            }
            mapCountAdd(mm, 1);
            if ((tflags & VM_WIPEONFORK) == 0) {
                retval = Memory.copyPageRange(sys, tmp, mpnt);
            }
            sys.vmOpsOpen(tmp); // vm_ops->open
            if (retval != 0) {
                break; // the copy is linked: the child's teardown frees what it got
            }
        }
        if (structural) {
            if (retval == 0) {
                RbTree.cloneStructure(oldmm + MmStruct.MM_RB, mm + MmStruct.MM_RB, false, STASHED_COPY);
                putLong(mm + MmStruct.HIGHEST_VM_END, mmGet(oldmm, MmStruct.HIGHEST_VM_END));
            } else {
                // unwind the stash of the VMAs copied so far (copy i belongs to parent i)
                long c = getLong(mm + MmStruct.MMAP);
                for (long m = getLong(oldmm + MmStruct.MMAP); c != 0; m = vmNext(m), c = vmNext(c)) {
                    putLong(m + VmAreaStruct.RB_SUBTREE_GAP, gapOf(c));
                }
            }
        }
        // arch_dup_mmap: no pkeys to copy without OSPKE, no LDT to copy (see MmuContext)
        MmuContext.flushTlbMm(oldmm);
        return retval;
    }

    /** check_mm: rss counters or page-table bytes left on a freed mm are reported, never silently. */
    static void checkMm(OffHeapMmSystem sys, long mm) {
        for (int i = 0; i < Limits.NR_MM_COUNTERS; i++) {
            long x = Memory.getMmCounter(mm, i);
            if (x != 0) {
                MmDebug.badRssCounter(sys.log(), Long.toHexString(mm), i, x);
            }
        }
        long pt = getLong(mm + MmStruct.PGTABLES_BYTES);
        if (pt != 0) {
            MmDebug.badPgtablesBytes(sys.log(), pt);
        }
    }

    /** __mmdrop: free the pgd, check_mm, put the user_ns, free the mm. */
    static void mmdropFinal(OffHeapMmSystem sys, long mm) {
        if (mm == sys.initMmAddress()) {
            throw new IllegalStateException("BUG: __mmdrop(&init_mm)");
        }
        long pgd = mmGet(mm, MmStruct.PGD);
        if (pgd != 0) {
            sys.freePgd(pgd); // mm_free_pgd
        }
        checkMm(sys, mm);
        sys.putUserNs(mmGet(mm, MmStruct.USER_NS));
        sys.freeMm(mm);
    }

    /** mmgrab: atomic_inc(&mm->mm_count); an atomic needs no lock. */
    public static void mmgrab(long mm) {
        getAndAddInt(mm + MmStruct.MM_COUNT, 1);
    }

    /** mmdrop (the caller holds the big lock). */
    public static void mmdrop(OffHeapMmSystem sys, long mm) {
        if (refDec(mm + MmStruct.MM_COUNT, "mmdrop: mm_count") == 1) {
            mmdropFinal(sys, mm);
        }
    }

    /** mmdrop_async: the last reference's __mmdrop runs on the system's work queue (the caller holds the big lock). */
    public static void mmdropAsync(OffHeapMmSystem sys, long mm) {
        if (refDec(mm + MmStruct.MM_COUNT, "mmdrop_async: mm_count") == 1) {
            sys.workQueue().schedule(() -> sys.locked(() -> mmdropFinal(sys, mm)));
        }
    }

    /**
     * mm_init: reset what a new mm must not inherit (see the class comment) and give it a pgd and
     * a reference on {@code userNs}. Returns {@code mm}, or 0 after freeing it when the pgd cannot
     * be allocated.
     */
    static long mmInit(OffHeapMmSystem sys, long mm, long owner, long userNs, long current) {
        putLong(mm + MmStruct.MMAP, 0);
        putLong(mm + MmStruct.MM_RB, 0);
        putLong(mm + MmStruct.VMACACHE_SEQNUM, 0);
        putInt(mm + MmStruct.MM_USERS, 1);
        putInt(mm + MmStruct.MM_COUNT, 1);
        putInt(mm + MmStruct.WRITE_PROTECT_SEQ, 0);
        Mem.zero(mm + MmStruct.MMAP_LOCK, RwSemaphore.SIZEOF); // mmap_init_lock
        IntrusiveList.init(mm + MmStruct.MMAP_LOCK + RwSemaphore.WAIT_LIST);
        IntrusiveList.init(mm + MmStruct.MMLIST);
        putLong(mm + MmStruct.CORE_STATE, 0);
        putLong(mm + MmStruct.PGTABLES_BYTES, 0);
        putInt(mm + MmStruct.MAP_COUNT, 0);
        putLong(mm + MmStruct.LOCKED_VM, 0);
        putInt(mm + MmStruct.HAS_PINNED, 0);
        putLong(mm + MmStruct.PINNED_VM, 0);
        Mem.zero(mm + MmStruct.RSS_STAT, MmRssStat.SIZEOF);
        putInt(mm + MmStruct.PAGE_TABLE_LOCK, 0);
        putInt(mm + MmStruct.ARG_LOCK, 0);
        putLong(mm + MmStruct.CPU_BITMAP, 0); // mm_init_cpumask
        putInt(mm + MmStruct.IOCTX_LOCK, 0); // mm_init_aio
        putLong(mm + MmStruct.IOCTX_TABLE, 0);
        putLong(mm + MmStruct.OWNER, owner);
        putLong(mm + MmStruct.EXE_FILE, 0);
        putLong(mm + MmStruct.NOTIFIER_SUBSCRIPTIONS, 0);
        putInt(mm + MmStruct.TLB_FLUSH_PENDING, 0);
        putLong(mm + MmStruct.UPROBES_STATE, 0);
        if (current != 0) {
            putLong(mm + MmStruct.FLAGS, mmGet(current, MmStruct.FLAGS) & MmFlags.MMF_INIT_MASK);
            putLong(mm + MmStruct.DEF_FLAGS, mmGet(current, MmStruct.DEF_FLAGS) & VM_INIT_DEF_MASK);
        } else {
            putLong(mm + MmStruct.FLAGS, MmFlags.MMF_DUMP_FILTER_DEFAULT);
            putLong(mm + MmStruct.DEF_FLAGS, 0);
        }
        long pgd = sys.allocPgd(); // mm_alloc_pgd
        if (pgd == 0) {
            sys.freeMm(mm);
            return 0;
        }
        putLong(mm + MmStruct.PGD, pgd);
        MmuContext.initNewContext(sys, mm);
        putLong(mm + MmStruct.USER_NS, sys.getUserNs(userNs));
        return mm;
    }

    /**
     * mm_alloc: a zeroed, initialised mm on init_user_ns, or 0 (NULL) without memory. Unlike
     * 5.12's, it also sets the task size and the mmap bases, which exec's setup_new_exec would
     * (docs/mm.md lists the deviation).
     */
    public static long mmAlloc(OffHeapMmSystem sys) {
        long mm = sys.allocMm();
        if (mm == 0) {
            return 0;
        }
        Mem.zero(mm, MmStruct.SIZEOF + Limits.NR_CPUS / Byte.SIZE); // and the cpu_bitmap after it
        if (mmInit(sys, mm, 0, sys.initUserNs(), 0) == 0) {
            return 0;
        }
        putLong(mm + MmStruct.TASK_SIZE, Mman.TASK_SIZE);
        putLong(mm + MmStruct.MMAP_BASE, Mman.MMAP_BASE);
        putLong(mm + MmStruct.MMAP_LEGACY_BASE, Mman.TASK_UNMAPPED_BASE);
        return mm;
    }

    /** __mmput: exit_mmap, the exe_file and binfmt references go, then mmdrop. */
    static void mmputFinal(OffHeapMmSystem sys, long mm) {
        Mmap.exitMmap(sys, mm);
        setMmExeFile(sys, mm, 0);
        putLong(mm + MmStruct.BINFMT, 0); // module_put: no binfmt modules
        mmdrop(sys, mm);
    }

    /** mmget: atomic_inc(&mm->mm_users); an atomic needs no lock. */
    public static void mmget(long mm) {
        getAndAddInt(mm + MmStruct.MM_USERS, 1);
    }

    /** mmput: takes the big lock itself. The last user tears the address space down (__mmput). */
    public static void mmput(OffHeapMmSystem sys, long mm) {
        sys.bkl().lock();
        final int cpu = sys.enterCpu();
        try {
            if (refDec(mm + MmStruct.MM_USERS, "mmput: mm_users") == 1) {
                mmputFinal(sys, mm);
            }
        } finally {
            sys.exitCpu(cpu);
            sys.bkl().unlock();
        }
    }

    /** mmput_async: the last user's __mmput runs on the system's work queue (the caller holds the big lock). */
    public static void mmputAsync(OffHeapMmSystem sys, long mm) {
        if (refDec(mm + MmStruct.MM_USERS, "mmput_async: mm_users") == 1) {
            sys.workQueue().schedule(() -> sys.locked(() -> mmputFinal(sys, mm)));
        }
    }

    /** set_mm_exe_file: the mm takes a reference on {@code newExe} (0: none) and drops the old one. */
    public static void setMmExeFile(OffHeapMmSystem sys, long mm, long newExe) {
        long old = getLong(mm + MmStruct.EXE_FILE);
        if (newExe != 0) {
            sys.getFile(newExe);
        }
        putLong(mm + MmStruct.EXE_FILE, newExe);
        if (old != 0) {
            sys.fput(old);
        }
    }

    /** get_mm_exe_file: a counted reference on the mm's exe_file, or 0. */
    public static long getMmExeFile(OffHeapMmSystem sys, long mm) {
        long f = getLong(mm + MmStruct.EXE_FILE);
        if (f != 0) {
            sys.getFile(f);
        }
        return f;
    }

    /**
     * get_task_exe_file: a counted reference on the exe_file of {@code task}'s mm, or 0 when it has
     * no mm or is a kernel thread (whose mm, if any, is borrowed). The caller fputs it. task_lock
     * keeps the mm from going while get_mm_exe_file takes the reference.
     */
    public static long getTaskExeFile(OffHeapMmSystem sys, long task) {
        long exeFile = 0;
        Spinlock.lock(task + TaskStruct.ALLOC_LOCK);
        final long mm = Mem.getLongVolatile(task + TaskStruct.MM);
        if (mm != 0 && (Mem.getInt(task + TaskStruct.FLAGS) & TaskFlags.PF_KTHREAD) == 0) {
            exeFile = getMmExeFile(sys, mm);
        }
        Spinlock.unlock(task + TaskStruct.ALLOC_LOCK);
        return exeFile;
    }

    /**
     * get_task_mm: {@code task}'s mm with an mm_users reference (mmget), or 0 when it has none or
     * is a kernel thread. The caller mmputs it. Under task_lock, as exit_mm clears task->mm under it.
     */
    public static long getTaskMm(long task) {
        Spinlock.lock(task + TaskStruct.ALLOC_LOCK);
        long mm = Mem.getLongVolatile(task + TaskStruct.MM);
        if (mm != 0) {
            if ((Mem.getInt(task + TaskStruct.FLAGS) & TaskFlags.PF_KTHREAD) != 0) {
                mm = 0;
            } else {
                mmget(mm);
            }
        }
        Spinlock.unlock(task + TaskStruct.ALLOC_LOCK);
        return mm;
    }

    /**
     * mm_access: {@code task}'s mm with an mm_users reference (the caller mmputs it), for
     * {@code current} to look into in ptrace {@code mode}: 0 (NULL) for a kernel thread or a task
     * without an mm; -EACCES when it is another task's mm that ptrace_may_access refuses; -EINTR
     * when a fatal signal ends the wait for the target's exec_update_lock, taken for read so that
     * the mm and the creds checked are those of one side of an exec.
     */
    public static long mmAccess(Globals g, long current, long task, int mode) {
        final long lock = getLong(task + TaskStruct.SIGNAL) + SignalStruct.EXEC_UPDATE_LOCK;
        final int err = Rwsem.downReadKillable(lock, current);
        if (err != 0) {
            return err;
        }
        long mm = getTaskMm(task);
        try {
            if (mm != 0 && mm != getLong(current + TaskStruct.MM) && !Ptrace.ptraceMayAccess(g, current, task, mode)) {
                mmput(g.mm, mm);
                mm = -Errno.EACCES;
            }
        } finally {
            Rwsem.upRead(lock);
        }
        return mm;
    }

    /**
     * dup_mm: a new mm that copies {@code oldmm} (memcpy, mm_init, dup_mmap, hiwater marks), owned
     * by {@code task}. Returns the new mm's address or, like the kernel's ERR_PTR, a negative errno
     * (-ENOMEM, -EINTR) that {@link Errno#isError} recognizes; a half-built mm is torn down with
     * mmput. Takes the big lock itself and allocates nothing on the Java heap.
     */
    public static long dupMm(OffHeapMmSystem sys, long oldmm, long task, DupMode mode) {
        sys.bkl().lock();
        final int cpu = sys.enterCpu();
        try {
            return dupMmLocked(sys, oldmm, task, mode);
        } finally {
            sys.exitCpu(cpu);
            sys.bkl().unlock();
        }
    }

    /**
     * copy_init_mm: a private copy of init_mm for the kernel's own use (5.12's callers are the EFI
     * runtime and x86's text poking), owned by no task. It is an mm like any other: mmput frees it.
     */
    public static long copyInitMm(OffHeapMmSystem sys) {
        return dupMm(sys, sys.initMmAddress(), 0, DupMode.APPEND);
    }

    private static long dupMmLocked(OffHeapMmSystem sys, long oldmm, long task, DupMode mode) {
        long mm = sys.allocMm();
        if (mm == 0) {
            return -Errno.ENOMEM;
        }
        try {
            Mem.copy(oldmm, mm, MmStruct.SIZEOF);
        } catch (BadAccessException kasanReport) {
            sys.freeMm(mm); // checked mode found oldmm freed: nothing was written, give the copy back
            throw kasanReport;
        }
        if (mmInit(sys, mm, task, mmGet(mm, MmStruct.USER_NS), oldmm) == 0) {
            return -Errno.ENOMEM;
        }
        int err = dupMmap(sys, mm, oldmm, mode);
        if (err != 0) {
            putLong(mm + MmStruct.BINFMT, 0);
            putLong(mm + MmStruct.OWNER, 0); // mm_init_owner(mm, NULL)
            mmput(sys, mm);
            return err;
        }
        putLong(mm + MmStruct.HIWATER_RSS, Memory.getMmRss(mm));
        putLong(mm + MmStruct.HIWATER_VM, mmGet(mm, MmStruct.TOTAL_VM));
        return mm;
    }

    /**
     * atomic_dec_and_test of a reference count, refusing to go below zero: a put of a count already
     * at zero is a caller bug, reported with the count left as it was. Returns the old value.
     */
    private static int refDec(long addr, String what) {
        for (;;) {
            final int old = Mem.getIntVolatile(addr);
            if (old <= 0) {
                throw MmDebug.putOfDeadCount(what, old);
            }
            if (Mem.compareAndSetInt(addr, old, old - 1)) {
                return old;
            }
        }
    }
}
