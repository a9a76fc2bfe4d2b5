package org.kfork.heap.events;

import org.kfork.heap.mm.HeapMmStruct;
import org.kfork.mm.MmFlags;

/**
 * The heap twin of {@code org.kfork.kernel.events.Uprobes}: uprobe_dup_mmap of 5.12
 * kernel/events/uprobes.c over {@link HeapMmStruct}, with the same step.
 *
 * <p>Invariant kept: a copy of an mm with MMF_HAS_UPROBES has MMF_HAS_UPROBES and
 * MMF_RECALC_UPROBES.
 */
public final class HeapUprobes {
    private HeapUprobes() {
    }

    /** uprobe_dup_mmap (the caller holds the big lock). */
    public static void uprobeDupMmap(HeapMmStruct oldmm, HeapMmStruct newmm) {
        if ((oldmm.flags & 1L << MmFlags.MMF_HAS_UPROBES) != 0) {
            newmm.flags |= 1L << MmFlags.MMF_HAS_UPROBES | 1L << MmFlags.MMF_RECALC_UPROBES;
        }
    }
}
