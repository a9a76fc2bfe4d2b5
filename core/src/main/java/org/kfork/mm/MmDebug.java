package org.kfork.mm;

import org.kfork.sched.Limits;

/**
 * The representation-free half of the mm's self-checks, shared by both variants: the counter
 * checks of validate_mm (mm/mmap.c, CONFIG_DEBUG_VM_RB), check_mm's reports (kernel/fork.c), and
 * the refusal of a reference count already at zero.
 */
public final class MmDebug {
    /** check_mm's names of the rss counters, by index (MM_FILEPAGES ...). */
    private static final String[] RESIDENT_PAGE_TYPES = {"MM_FILEPAGES", "MM_ANONPAGES", "MM_SWAPENTS", "MM_SHMEMPAGES"};

    static {
        if (RESIDENT_PAGE_TYPES.length != Limits.NR_MM_COUNTERS) {
            throw new AssertionError("one name per rss counter");
        }
    }

    private MmDebug() {
    }

    /** validate_mm's assertion: throws {@link IllegalStateException} naming what is wrong. */
    public static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("mm validate: " + what);
        }
    }

    /** check_mm's report of an rss counter left non-zero when the mm is freed. */
    public static void badRssCounter(KernelLog log, String mm, int type, long value) {
        log.alert("BUG: Bad rss-counter state mm:" + mm + " type:" + RESIDENT_PAGE_TYPES[type] + " val:" + value);
    }

    /** check_mm's report of page-table bytes left when the mm is freed. */
    public static void badPgtablesBytes(KernelLog log, long bytes) {
        log.alert("BUG: non-zero pgtables_bytes on freeing mm: " + bytes);
    }

    /**
     * The error for a put of a count already at {@code count} (zero or less): a caller bug, reported
     * with the count left as it was. {@code what} names the call and the count ("mmput: mm_users").
     */
    public static IllegalStateException putOfDeadCount(String what, int count) {
        return new IllegalStateException(what + " is already " + count);
    }

    /**
     * What validate_mm recomputes from the VMAs: total_vm, and data_vm, exec_vm and stack_vm as
     * vm_stat_account classifies each area, and locked_vm from VM_LOCKED.
     */
    public static final class VmCounts {
        private long total;
        private long data;
        private long exec;
        private long stack;
        private long locked;

        /** Counts an area of {@code pages} pages with {@code flags}. */
        public void add(long flags, long pages) {
            total += pages;
            if (VmRules.isExecMapping(flags)) {
                exec += pages;
            } else if (VmRules.isStackMapping(flags)) {
                stack += pages;
            } else if (VmRules.isDataMapping(flags)) {
                data += pages;
            }
            if ((flags & VmFlags.VM_LOCKED) != 0) {
                locked += pages;
            }
        }

        /** Compares the mm's counters with the recomputed ones. */
        public void check(long totalVm, long dataVm, long execVm, long stackVm, long lockedVm) {
            MmDebug.check(total == totalVm, "total_vm " + totalVm + " != " + total);
            MmDebug.check(data == dataVm, "data_vm " + dataVm + " != " + data);
            MmDebug.check(exec == execVm, "exec_vm " + execVm + " != " + exec);
            MmDebug.check(stack == stackVm, "stack_vm " + stackVm + " != " + stack);
            MmDebug.check(locked == lockedVm, "locked_vm " + lockedVm + " != " + locked);
        }
    }
}
