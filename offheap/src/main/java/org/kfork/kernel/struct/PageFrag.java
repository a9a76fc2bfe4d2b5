package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct page_frag}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A fragment of a page a task carves socket buffers from ({@code task_frag}); dup_task_struct
 * clears its page pointer so that parent and child never share one.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (include/linux/mm_types_task.h:64, BITS_PER_LONG 64) with the reference config, and ComputedLayoutTest pins
 * it to the offsets worked out by hand from there.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | page                           struct page *                           |
 * |     8 |    4 | offset                         __u32                                   |
 * |    12 |    4 | size                           __u32                                   |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 16, alignof 8
 * </pre>
 */
public final class PageFrag {
    /** The engine's layout of {@code struct page_frag}. */
    public static final StructLayout LAYOUT = Struct.named("page_frag")
        .field("page", CTypes.ptr("struct page *"))
        .field("offset", CTypes.UAPI_U32)
        .field("size", CTypes.UAPI_U32)
        .build();

    /** sizeof(struct page_frag): 16. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct page_frag): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct page * page;} at offset 0 (8 bytes). */
    public static final long PAGE = LAYOUT.offsetOf("page");

    /** {@code __u32 offset;} at offset 8 (4 bytes). */
    public static final long OFFSET = LAYOUT.offsetOf("offset");

    /** {@code __u32 size;} at offset 12 (4 bytes). */
    public static final long SIZE = LAYOUT.offsetOf("size");

    private PageFrag() {
    }
}
