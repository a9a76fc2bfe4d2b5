package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;
import org.kfork.sched.Limits;

/**
 * {@code struct vmacache}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A task's cache of the last VMAs it looked up, stamped with the mm's sequence number.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | seqnum                         u64                                     |
 * |     8 |   32 | vmas                           struct vm_area_struct *[4]              |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 40, alignof 8
 * </pre>
 */
public final class Vmacache {
    /** The engine's layout of {@code struct vmacache}. */
    public static final StructLayout LAYOUT = Struct.named("vmacache")
        .field("seqnum", CTypes.U64)
        .array("vmas", CTypes.ptr("struct vm_area_struct *"), Limits.VMACACHE_SIZE)
        .build();

    /** sizeof(struct vmacache): 40. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct vmacache): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code u64 seqnum;} at offset 0 (8 bytes). */
    public static final long SEQNUM = LAYOUT.offsetOf("seqnum");

    /** {@code struct vm_area_struct * vmas[4];} at offset 8 (32 bytes). */
    public static final long VMAS = LAYOUT.offsetOf("vmas");

    private Vmacache() {
    }
}
