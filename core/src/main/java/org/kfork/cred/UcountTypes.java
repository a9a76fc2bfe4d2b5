package org.kfork.cred;

import org.kfork.uapi.Errno;

/**
 * enum ucount_type (include/linux/user_namespace.h, 5.12 with CONFIG_INOTIFY_USER): what
 * inc_ucount counts per user and user namespace, each against the namespace's
 * {@code ucount_max[type]}; the sysctls of kernel/ucount.c that set those limits
 * ({@code /proc/sys/user/max_*}); and the hash of the ucounts table.
 */
public final class UcountTypes {
    /** User namespaces (create_user_ns; unreachable with CONFIG_USER_NS off). */
    public static final int UCOUNT_USER_NAMESPACES = 0;
    /** Pid namespaces (create_pid_namespace). */
    public static final int UCOUNT_PID_NAMESPACES = 1;
    /** UTS namespaces (clone_uts_ns). */
    public static final int UCOUNT_UTS_NAMESPACES = 2;
    /** IPC namespaces (create_ipc_ns). */
    public static final int UCOUNT_IPC_NAMESPACES = 3;
    /** Network namespaces (copy_net_ns). */
    public static final int UCOUNT_NET_NAMESPACES = 4;
    /** Mount namespaces (alloc_mnt_ns). */
    public static final int UCOUNT_MNT_NAMESPACES = 5;
    /** Cgroup namespaces (copy_cgroup_ns). */
    public static final int UCOUNT_CGROUP_NAMESPACES = 6;
    /** Time namespaces (clone_time_ns). */
    public static final int UCOUNT_TIME_NAMESPACES = 7;
    /** inotify instances. */
    public static final int UCOUNT_INOTIFY_INSTANCES = 8;
    /** inotify watches. */
    public static final int UCOUNT_INOTIFY_WATCHES = 9;
    /** UCOUNT_COUNTS: the length of ucount_max[] and ucounts.ucount[]. */
    public static final int UCOUNT_COUNTS = 10;

    /** UCOUNTS_HASHTABLE_BITS: the ucounts table has 1024 buckets. */
    public static final int UCOUNTS_HASHTABLE_BITS = 10;
    /** GOLDEN_RATIO_64 of include/linux/hash.h. */
    private static final long GOLDEN_RATIO_64 = 0x61C8864680B583EBL;

    private static final String[] SYSCTLS = {
        "user.max_user_namespaces", "user.max_pid_namespaces", "user.max_uts_namespaces",
        "user.max_ipc_namespaces", "user.max_net_namespaces", "user.max_mnt_namespaces",
        "user.max_cgroup_namespaces", "user.max_time_namespaces", "user.max_inotify_instances",
        "user.max_inotify_watches"};

    private UcountTypes() {
    }

    /** Whether {@code type} is a ucount_type. */
    public static boolean valid(int type) {
        return type >= 0 && type < UCOUNT_COUNTS;
    }

    /** The sysctl of a type's limit in init_user_ns ({@code "user.max_pid_namespaces"}). */
    public static String sysctlName(int type) {
        if (!valid(type)) {
            throw new IllegalArgumentException("no ucount type " + type);
        }
        return SYSCTLS[type];
    }

    /** The type whose limit the sysctl {@code name} sets, or -1. */
    public static int bySysctlName(String name) {
        for (int t = 0; t < SYSCTLS.length; t++) {
            if (SYSCTLS[t].equals(name)) {
                return t;
            }
        }
        return -1;
    }

    /**
     * The bounds of a write to a user.max_* sysctl: proc_dointvec_minmax between 0 and INT_MAX.
     *
     * @return 0, or -EINVAL for a value outside them
     */
    public static int sysctlCheck(long value) {
        return value < 0 || value > Integer.MAX_VALUE ? -Errno.EINVAL : 0;
    }

    /** hash_long on 64-bit (hash_64_generic): the top {@code bits} of {@code val * GOLDEN_RATIO_64}. */
    public static int hashLong(long val, int bits) {
        return (int) ((val * GOLDEN_RATIO_64) >>> (64 - bits));
    }
}
