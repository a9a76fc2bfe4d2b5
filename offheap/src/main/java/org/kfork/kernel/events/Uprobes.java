package org.kfork.kernel.events;

import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;

import org.kfork.kernel.struct.MmStruct;
import org.kfork.mm.MmFlags;

/**
 * The part of 5.12 kernel/events/uprobes.c that a fork runs: uprobe_dup_mmap. No probes are
 * registered in the model (no xol area, no breakpoints to copy), but the mm flags that say
 * "this mm may hold some" are kept as 5.12 keeps them. The heap twin is
 * {@link org.kfork.heap.events.HeapUprobes}.
 *
 * <p>Invariant kept: a copy of an mm with MMF_HAS_UPROBES has MMF_HAS_UPROBES and
 * MMF_RECALC_UPROBES (mm_init masked both off; the recalculation is asked for because dup_mmap
 * skips VM_DONTCOPY areas, which may have held the probes).
 */
public final class Uprobes {
    private Uprobes() {
    }

    /** uprobe_dup_mmap: set_bit under the old and new mms' mmap locks (the big lock here). */
    public static void uprobeDupMmap(long oldmm, long newmm) {
        if ((getLong(oldmm + MmStruct.FLAGS) & 1L << MmFlags.MMF_HAS_UPROBES) != 0) {
            putLong(newmm + MmStruct.FLAGS, getLong(newmm + MmStruct.FLAGS)
                | 1L << MmFlags.MMF_HAS_UPROBES | 1L << MmFlags.MMF_RECALC_UPROBES);
        }
    }
}
