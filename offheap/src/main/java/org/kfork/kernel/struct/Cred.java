package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;
import org.kfork.machine.layout.Union;

/**
 * {@code struct cred}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A task's credentials: the uid and gid sets, the capability sets, the user it is counted against
 * and its user namespace. Shared by reference count (usage) and never changed once published;
 * copy_creds shares the parent's for CLONE_THREAD and copies it otherwise.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * defined in include/linux/cred.h:111; __randomize_layout is a no-op without RANDSTRUCT
 * (CONFIG_GCC_PLUGINS is off: no gcc plugin headers). Absent in this config: subscribers,
 * put_addr, magic (CONFIG_DEBUG_CREDENTIALS not set).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | usage                          atomic_t                                |
 * |     4 |    4 | uid                            kuid_t                                  |
 * |     8 |    4 | gid                            kgid_t                                  |
 * |    12 |    4 | suid                           kuid_t                                  |
 * |    16 |    4 | sgid                           kgid_t                                  |
 * |    20 |    4 | euid                           kuid_t                                  |
 * |    24 |    4 | egid                           kgid_t                                  |
 * |    28 |    4 | fsuid                          kuid_t                                  |
 * |    32 |    4 | fsgid                          kgid_t                                  |
 * |    36 |    4 | securebits                     unsigned int                            |
 * |    40 |    8 | cap_inheritable                kernel_cap_t                            |
 * |    48 |    8 | cap_permitted                  kernel_cap_t                            |
 * |    56 |    8 | cap_effective                  kernel_cap_t                            |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 |    8 | cap_bset                       kernel_cap_t                            |
 * |    72 |    8 | cap_ambient                    kernel_cap_t                            |
 * |    80 |    1 | jit_keyring                    unsigned char                           |
 * |    88 |    8 | session_keyring                struct key *                            |
 * |    96 |    8 | process_keyring                struct key *                            |
 * |   104 |    8 | thread_keyring                 struct key *                            |
 * |   112 |    8 | request_key_auth               struct key *                            |
 * |   120 |    8 | security                       void *                                  |
 * +=======+======+ cacheline 2 (128 bytes) ===============================================+
 * |   128 |    8 | user                           struct user_struct *                    |
 * |   136 |    8 | user_ns                        struct user_namespace *                 |
 * |   144 |    8 | group_info                     struct group_info *                     |
 * |   152 |   16 | {anon union @152}              union {anon}                            |
 * |   152 |    4 |   non_rcu                      int                                     |
 * |   152 |   16 |   rcu                          struct callback_head                    |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 168, alignof 8
 * </pre>
 */
public final class Cred {
    /** The engine's layout of {@code struct cred}. */
    public static final StructLayout LAYOUT = Struct.named("cred")
        .field("usage", CTypes.ATOMIC_T)
        .field("uid", CTypes.KUID_T)
        .field("gid", CTypes.KGID_T)
        .field("suid", CTypes.KUID_T)
        .field("sgid", CTypes.KGID_T)
        .field("euid", CTypes.KUID_T)
        .field("egid", CTypes.KGID_T)
        .field("fsuid", CTypes.KUID_T)
        .field("fsgid", CTypes.KGID_T)
        .field("securebits", CTypes.UINT)
        .field("cap_inheritable", CTypes.KERNEL_CAP_T)
        .field("cap_permitted", CTypes.KERNEL_CAP_T)
        .field("cap_effective", CTypes.KERNEL_CAP_T)
        .field("cap_bset", CTypes.KERNEL_CAP_T)
        .field("cap_ambient", CTypes.KERNEL_CAP_T)
        .field("jit_keyring", CTypes.UCHAR)
        .field("session_keyring", CTypes.ptr("struct key *"))
        .field("process_keyring", CTypes.ptr("struct key *"))
        .field("thread_keyring", CTypes.ptr("struct key *"))
        .field("request_key_auth", CTypes.ptr("struct key *"))
        .field("security", CTypes.VOID_PTR)
        .field("user", CTypes.ptr("struct user_struct *"))
        .field("user_ns", CTypes.ptr("struct user_namespace *"))
        .field("group_info", CTypes.ptr("struct group_info *"))
        .anonymous(Union.anonymous()
                .field("non_rcu", CTypes.INT)
                .field("rcu", CallbackHead.LAYOUT))
        .build();

    /** sizeof(struct cred): 168. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct cred): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code atomic_t usage;} at offset 0 (4 bytes). */
    public static final long USAGE = LAYOUT.offsetOf("usage");

    /** {@code kuid_t uid;} at offset 4 (4 bytes). */
    public static final long UID = LAYOUT.offsetOf("uid");

    /** {@code kgid_t gid;} at offset 8 (4 bytes). */
    public static final long GID = LAYOUT.offsetOf("gid");

    /** {@code kuid_t suid;} at offset 12 (4 bytes). */
    public static final long SUID = LAYOUT.offsetOf("suid");

    /** {@code kgid_t sgid;} at offset 16 (4 bytes). */
    public static final long SGID = LAYOUT.offsetOf("sgid");

    /** {@code kuid_t euid;} at offset 20 (4 bytes). */
    public static final long EUID = LAYOUT.offsetOf("euid");

    /** {@code kgid_t egid;} at offset 24 (4 bytes). */
    public static final long EGID = LAYOUT.offsetOf("egid");

    /** {@code kuid_t fsuid;} at offset 28 (4 bytes). */
    public static final long FSUID = LAYOUT.offsetOf("fsuid");

    /** {@code kgid_t fsgid;} at offset 32 (4 bytes). */
    public static final long FSGID = LAYOUT.offsetOf("fsgid");

    /** {@code unsigned int securebits;} at offset 36 (4 bytes). */
    public static final long SECUREBITS = LAYOUT.offsetOf("securebits");

    /** {@code kernel_cap_t cap_inheritable;} at offset 40 (8 bytes). */
    public static final long CAP_INHERITABLE = LAYOUT.offsetOf("cap_inheritable");

    /** {@code kernel_cap_t cap_permitted;} at offset 48 (8 bytes). */
    public static final long CAP_PERMITTED = LAYOUT.offsetOf("cap_permitted");

    /** {@code kernel_cap_t cap_effective;} at offset 56 (8 bytes). */
    public static final long CAP_EFFECTIVE = LAYOUT.offsetOf("cap_effective");

    /** {@code kernel_cap_t cap_bset;} at offset 64 (8 bytes). */
    public static final long CAP_BSET = LAYOUT.offsetOf("cap_bset");

    /** {@code kernel_cap_t cap_ambient;} at offset 72 (8 bytes). */
    public static final long CAP_AMBIENT = LAYOUT.offsetOf("cap_ambient");

    /** {@code unsigned char jit_keyring;} at offset 80 (1 bytes). */
    public static final long JIT_KEYRING = LAYOUT.offsetOf("jit_keyring");

    /** {@code struct key * session_keyring;} at offset 88 (8 bytes). */
    public static final long SESSION_KEYRING = LAYOUT.offsetOf("session_keyring");

    /** {@code struct key * process_keyring;} at offset 96 (8 bytes). */
    public static final long PROCESS_KEYRING = LAYOUT.offsetOf("process_keyring");

    /** {@code struct key * thread_keyring;} at offset 104 (8 bytes). */
    public static final long THREAD_KEYRING = LAYOUT.offsetOf("thread_keyring");

    /** {@code struct key * request_key_auth;} at offset 112 (8 bytes). */
    public static final long REQUEST_KEY_AUTH = LAYOUT.offsetOf("request_key_auth");

    /** {@code void * security;} at offset 120 (8 bytes). */
    public static final long SECURITY = LAYOUT.offsetOf("security");

    /** {@code struct user_struct * user;} at offset 128 (8 bytes). */
    public static final long USER = LAYOUT.offsetOf("user");

    /** {@code struct user_namespace * user_ns;} at offset 136 (8 bytes). */
    public static final long USER_NS = LAYOUT.offsetOf("user_ns");

    /** {@code struct group_info * group_info;} at offset 144 (8 bytes). */
    public static final long GROUP_INFO = LAYOUT.offsetOf("group_info");

    /** {@code int non_rcu;} at offset 152 (4 bytes). */
    public static final long NON_RCU = LAYOUT.offsetOf("non_rcu");

    /** {@code struct callback_head rcu;} at offset 152 (16 bytes). */
    public static final long RCU = LAYOUT.offsetOf("rcu");

    private Cred() {
    }
}
