package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct user_namespace}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A user namespace: the uid, gid and project-id maps, the owner, and the per-namespace limits
 * (ucount_max). With CONFIG_USER_NS off, as in the reference config, only init_user_ns exists.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * defined in include/linux/user_namespace.h:56; __randomize_layout is a no-op without RANDSTRUCT
 * (CONFIG_GCC_PLUGINS is off: no gcc plugin headers). CONFIG_USER_NS is NOT set in this config;
 * the struct is still fully defined (init_user_ns in kernel/user.c; kernel/user_namespace.o is
 * only built with CONFIG_USER_NS). Absent in this config: persistent_keyring_register
 * (CONFIG_PERSISTENT_KEYRINGS not set).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |   72 | uid_map                        struct uid_gid_map                      |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    72 |   72 | gid_map                        struct uid_gid_map                      |
 * +=======+======+ cacheline 2 (128 bytes) ===============================================+
 * |   144 |   72 | projid_map                     struct uid_gid_map                      |
 * +=======+======+ cacheline 3 (192 bytes) ===============================================+
 * |   216 |    8 | parent                         struct user_namespace *                 |
 * |   224 |    4 | level                          int                                     |
 * |   228 |    4 | owner                          kuid_t                                  |
 * |   232 |    4 | group                          kgid_t                                  |
 * |   240 |   24 | ns                             struct ns_common                        |
 * +=======+======+ cacheline 4 (256 bytes) ===============================================+
 * |   264 |    8 | flags                          long unsigned int                       |
 * |   272 |    1 | parent_could_setfcap           bool                                    |
 * |   280 |   16 | keyring_name_list              struct list_head                        |
 * |   296 |    8 | user_keyring_register          struct key *                            |
 * |   304 |   40 | keyring_sem                    struct rw_semaphore                     |
 * +=======+======+ cacheline 5 (320 bytes) ===============================================+
 * |   344 |   32 | work                           struct work_struct                      |
 * |   376 |   96 | set                            struct ctl_table_set                    |
 * +=======+======+ cacheline 7 (448 bytes) ===============================================+
 * |   472 |    8 | sysctls                        struct ctl_table_header *               |
 * |   480 |    8 | ucounts                        struct ucounts *                        |
 * |   488 |   40 | ucount_max                     int[10]                                 |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 528, alignof 8
 * </pre>
 */
public final class UserNamespace {
    /** The engine's layout of {@code struct user_namespace}. */
    public static final StructLayout LAYOUT = Struct.named("user_namespace")
        .field("uid_map", UidGidMap.LAYOUT)
        .field("gid_map", UidGidMap.LAYOUT)
        .field("projid_map", UidGidMap.LAYOUT)
        .field("parent", CTypes.ptr("struct user_namespace *"))
        .field("level", CTypes.INT)
        .field("owner", CTypes.KUID_T)
        .field("group", CTypes.KGID_T)
        .field("ns", NsCommon.LAYOUT)
        .field("flags", CTypes.ULONG)
        .field("parent_could_setfcap", CTypes.BOOL)
        .field("keyring_name_list", ListHead.LAYOUT)
        .field("user_keyring_register", CTypes.ptr("struct key *"))
        .field("keyring_sem", RwSemaphore.LAYOUT)
        .field("work", WorkStruct.LAYOUT)
        .field("set", OpaqueTypes.CTL_TABLE_SET)
        .field("sysctls", CTypes.ptr("struct ctl_table_header *"))
        .field("ucounts", CTypes.ptr("struct ucounts *"))
        .array("ucount_max", CTypes.INT, 10)
        .build();

    /** sizeof(struct user_namespace): 528. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct user_namespace): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct uid_gid_map uid_map;} at offset 0 (72 bytes). */
    public static final long UID_MAP = LAYOUT.offsetOf("uid_map");

    /** {@code struct uid_gid_map gid_map;} at offset 72 (72 bytes). */
    public static final long GID_MAP = LAYOUT.offsetOf("gid_map");

    /** {@code struct uid_gid_map projid_map;} at offset 144 (72 bytes). */
    public static final long PROJID_MAP = LAYOUT.offsetOf("projid_map");

    /** {@code struct user_namespace * parent;} at offset 216 (8 bytes). */
    public static final long PARENT = LAYOUT.offsetOf("parent");

    /** {@code int level;} at offset 224 (4 bytes). */
    public static final long LEVEL = LAYOUT.offsetOf("level");

    /** {@code kuid_t owner;} at offset 228 (4 bytes). */
    public static final long OWNER = LAYOUT.offsetOf("owner");

    /** {@code kgid_t group;} at offset 232 (4 bytes). */
    public static final long GROUP = LAYOUT.offsetOf("group");

    /** {@code struct ns_common ns;} at offset 240 (24 bytes). */
    public static final long NS = LAYOUT.offsetOf("ns");

    /** {@code long unsigned int flags;} at offset 264 (8 bytes). */
    public static final long FLAGS = LAYOUT.offsetOf("flags");

    /** {@code bool parent_could_setfcap;} at offset 272 (1 bytes). */
    public static final long PARENT_COULD_SETFCAP = LAYOUT.offsetOf("parent_could_setfcap");

    /** {@code struct list_head keyring_name_list;} at offset 280 (16 bytes). */
    public static final long KEYRING_NAME_LIST = LAYOUT.offsetOf("keyring_name_list");

    /** {@code struct key * user_keyring_register;} at offset 296 (8 bytes). */
    public static final long USER_KEYRING_REGISTER = LAYOUT.offsetOf("user_keyring_register");

    /** {@code struct rw_semaphore keyring_sem;} at offset 304 (40 bytes). */
    public static final long KEYRING_SEM = LAYOUT.offsetOf("keyring_sem");

    /** {@code struct work_struct work;} at offset 344 (32 bytes). */
    public static final long WORK = LAYOUT.offsetOf("work");

    /** {@code struct ctl_table_set set;} at offset 376 (96 bytes). */
    public static final long SET = LAYOUT.offsetOf("set");

    /** {@code struct ctl_table_header * sysctls;} at offset 472 (8 bytes). */
    public static final long SYSCTLS = LAYOUT.offsetOf("sysctls");

    /** {@code struct ucounts * ucounts;} at offset 480 (8 bytes). */
    public static final long UCOUNTS = LAYOUT.offsetOf("ucounts");

    /** {@code int ucount_max[10];} at offset 488 (40 bytes). */
    public static final long UCOUNT_MAX = LAYOUT.offsetOf("ucount_max");

    private UserNamespace() {
    }
}
