package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * The head of {@code struct net} (include/net/net_namespace.h:56, 5.12): its fields up to and
 * including the embedded {@code ns_common}, which is all the namespace code touches. The kernel's
 * struct goes on for some kilobytes of per-protocol state (devices, sockets, sysctl tables, ipv4
 * and ipv6...); reference/layouts-5.12.csv has no row for it, and the model does not keep that
 * state, so a network namespace is an opaque refcounted object: this head, computed from the
 * header with the reference config (CONFIG_KEYS on) and pinned by ComputedLayoutTest, is the whole
 * object the model allocates from the net_namespace cache (so its sizeof is the head's, 144).
 * passive counts the references that keep the memory (net_drop_ns frees at zero), ns.count those
 * that keep the namespace alive; key_domain stays NULL (no keys in the model).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | passive                        refcount_t                              |
 * |     4 |    4 | rules_mod_lock                 spinlock_t                              |
 * |     8 |    4 | dev_unreg_count                unsigned int                            |
 * |    12 |    4 | dev_base_seq                   unsigned int                            |
 * |    16 |    4 | ifindex                        int                                     |
 * |    20 |    4 | nsid_lock                      spinlock_t                              |
 * |    24 |    4 | fnhe_genid                     atomic_t                                |
 * |    32 |   16 | list                           struct list_head                        |
 * |    48 |   16 | exit_list                      struct list_head                        |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 |    8 | cleanup_list                   struct llist_node                       |
 * |    72 |    8 | key_domain                     struct key_tag *                        |
 * |    80 |    8 | user_ns                        struct user_namespace *                 |
 * |    88 |    8 | ucounts                        struct ucounts *                        |
 * |    96 |   24 | netns_ids                      struct idr                              |
 * |   120 |   24 | ns                             struct ns_common                        |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 144, alignof 8
 * </pre>
 */
public final class Net {
    /** The engine's layout of the head of {@code struct net}. */
    public static final StructLayout LAYOUT = Struct.named("net")
        .field("passive", CTypes.REFCOUNT_T)
        .field("rules_mod_lock", CTypes.SPINLOCK_T)
        .field("dev_unreg_count", CTypes.UINT)
        .field("dev_base_seq", CTypes.UINT)
        .field("ifindex", CTypes.INT)
        .field("nsid_lock", CTypes.SPINLOCK_T)
        .field("fnhe_genid", CTypes.ATOMIC_T)
        .field("list", ListHead.LAYOUT)
        .field("exit_list", ListHead.LAYOUT)
        .field("cleanup_list", OpaqueTypes.LLIST_NODE)
        .field("key_domain", CTypes.ptr("struct key_tag *"))
        .field("user_ns", CTypes.ptr("struct user_namespace *"))
        .field("ucounts", CTypes.ptr("struct ucounts *"))
        .field("netns_ids", Idr.LAYOUT)
        .field("ns", NsCommon.LAYOUT)
        .build();

    /** sizeof(struct net): 144. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct net): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code refcount_t passive;} at offset 0 (4 bytes). */
    public static final long PASSIVE = LAYOUT.offsetOf("passive");

    /** {@code unsigned int dev_base_seq;} at offset 12 (4 bytes). */
    public static final long DEV_BASE_SEQ = LAYOUT.offsetOf("dev_base_seq");

    /** {@code struct key_tag * key_domain;} at offset 72 (8 bytes). */
    public static final long KEY_DOMAIN = LAYOUT.offsetOf("key_domain");

    /** {@code struct user_namespace * user_ns;} at offset 80 (8 bytes). */
    public static final long USER_NS = LAYOUT.offsetOf("user_ns");

    /** {@code struct ucounts * ucounts;} at offset 88 (8 bytes). */
    public static final long UCOUNTS = LAYOUT.offsetOf("ucounts");

    /** {@code struct ns_common ns;} at offset 120 (24 bytes). */
    public static final long NS = LAYOUT.offsetOf("ns");

    private Net() {
    }
}
