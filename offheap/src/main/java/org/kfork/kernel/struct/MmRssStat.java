package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct mm_rss_stat}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The resident-set counters of an mm, one per kind of page (file, anon, swap entries, shmem).
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |   32 | count                          atomic_long_t[4]                        |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 32, alignof 8
 * </pre>
 */
public final class MmRssStat {
    /** The engine's layout of {@code struct mm_rss_stat}. */
    public static final StructLayout LAYOUT = Struct.named("mm_rss_stat")
        .array("count", CTypes.ATOMIC_LONG_T, 4)
        .build();

    /** sizeof(struct mm_rss_stat): 32. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct mm_rss_stat): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code atomic_long_t count[4];} at offset 0 (32 bytes). */
    public static final long COUNT = LAYOUT.offsetOf("count");

    private MmRssStat() {
    }
}
