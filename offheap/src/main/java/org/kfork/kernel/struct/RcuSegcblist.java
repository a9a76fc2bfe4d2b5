package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;
import org.kfork.rcu.Segcblist;

/**
 * {@code struct rcu_segcblist}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A CPU's RCU callbacks (include/linux/rcu_segcblist.h), one singly linked list through each
 * callback_head's {@code next}, cut into the four segments of {@link Segcblist} by {@code tails}. A
 * tail is the address of the {@code next} word ending its segment, or of {@code head} when every
 * segment up to it is empty.
 *
 * <p>reference/layouts-5.12.csv has no row for it: the layout is computed from the 5.12 header
 * (CONFIG_RCU_NOCB_CPU is off, so {@code len} is a plain long; 5.12 keeps {@code enabled} and
 * {@code offloaded} as bits of {@code flags}), and pinned by a test.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | head                           struct callback_head *                  |
 * |     8 |   32 | tails                          struct callback_head * *[4]             |
 * |    40 |   32 | gp_seq                         long unsigned int[4]                    |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    72 |    8 | len                            long int                                |
 * |    80 |   32 | seglen                         long int[4]                             |
 * |   112 |    1 | flags                          u8                                      |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 120, alignof 8
 * </pre>
 */
public final class RcuSegcblist {
    /** The engine's layout of {@code struct rcu_segcblist}. */
    public static final StructLayout LAYOUT = Struct.named("rcu_segcblist")
        .field("head", CTypes.ptr("struct callback_head *"))
        .array("tails", CTypes.ptr("struct callback_head * *"), Segcblist.RCU_CBLIST_NSEGS)
        .array("gp_seq", CTypes.ULONG, Segcblist.RCU_CBLIST_NSEGS)
        .field("len", CTypes.LONG)
        .array("seglen", CTypes.LONG, Segcblist.RCU_CBLIST_NSEGS)
        .field("flags", CTypes.U8)
        .build();

    /** sizeof(struct rcu_segcblist): 120. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct rcu_segcblist): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct rcu_head * head;} at offset 0 (8 bytes): the first callback, or NULL. */
    public static final long HEAD = LAYOUT.offsetOf("head");

    /** {@code struct rcu_head ** tails[RCU_CBLIST_NSEGS];} at offset 8 (32 bytes). */
    public static final long TAILS = LAYOUT.offsetOf("tails");

    /** {@code unsigned long gp_seq[RCU_CBLIST_NSEGS];} at offset 40 (32 bytes). */
    public static final long GP_SEQ = LAYOUT.offsetOf("gp_seq");

    /** {@code long len;} at offset 72 (8 bytes): callbacks in all segments. */
    public static final long LEN = LAYOUT.offsetOf("len");

    /** {@code long seglen[RCU_CBLIST_NSEGS];} at offset 80 (32 bytes): callbacks per segment. */
    public static final long SEGLEN = LAYOUT.offsetOf("seglen");

    /** {@code u8 flags;} at offset 112 (1 byte): SEGCBLIST_ENABLED and the nocb bits. */
    public static final long FLAGS = LAYOUT.offsetOf("flags");

    private RcuSegcblist() {
    }
}
