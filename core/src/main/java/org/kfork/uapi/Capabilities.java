package org.kfork.uapi;

/**
 * The POSIX capabilities of Linux 5.12 (include/uapi/linux/capability.h): each constant is a bit
 * number of a capability set, as in C; {@link #mask} turns it into the set that holds it.
 */
public final class Capabilities {
    /** Change file ownership. */
    public static final int CAP_CHOWN = 0;
    /** Bypass file permission checks. */
    public static final int CAP_DAC_OVERRIDE = 1;
    /** Bypass read and search permission checks. */
    public static final int CAP_DAC_READ_SEARCH = 2;
    /** Bypass checks that need the file's owner. */
    public static final int CAP_FOWNER = 3;
    /** Keep set-user-ID bits on modification. */
    public static final int CAP_FSETID = 4;
    /** Send signals to any process. */
    public static final int CAP_KILL = 5;
    /** Change gids. */
    public static final int CAP_SETGID = 6;
    /** Change uids. */
    public static final int CAP_SETUID = 7;
    /** Change capability sets. */
    public static final int CAP_SETPCAP = 8;
    /** Set immutable and append-only file attributes. */
    public static final int CAP_LINUX_IMMUTABLE = 9;
    /** Bind ports below 1024. */
    public static final int CAP_NET_BIND_SERVICE = 10;
    /** Broadcast and multicast. */
    public static final int CAP_NET_BROADCAST = 11;
    /** Network administration. */
    public static final int CAP_NET_ADMIN = 12;
    /** Raw and packet sockets. */
    public static final int CAP_NET_RAW = 13;
    /** Lock memory. */
    public static final int CAP_IPC_LOCK = 14;
    /** Bypass IPC permission checks. */
    public static final int CAP_IPC_OWNER = 15;
    /** Load kernel modules. */
    public static final int CAP_SYS_MODULE = 16;
    /** Raw I/O; also mmap below mmap_min_addr. */
    public static final int CAP_SYS_RAWIO = 17;
    /** chroot. */
    public static final int CAP_SYS_CHROOT = 18;
    /** Trace any process; mm_access without matching uids. */
    public static final int CAP_SYS_PTRACE = 19;
    /** Process accounting. */
    public static final int CAP_SYS_PACCT = 20;
    /** System administration: new namespaces, and past RLIMIT_NPROC. */
    public static final int CAP_SYS_ADMIN = 21;
    /** reboot. */
    public static final int CAP_SYS_BOOT = 22;
    /** Raise priorities. */
    public static final int CAP_SYS_NICE = 23;
    /** Override resource limits: past RLIMIT_NPROC in copy_process. */
    public static final int CAP_SYS_RESOURCE = 24;
    /** Set the clocks. */
    public static final int CAP_SYS_TIME = 25;
    /** Configure terminals. */
    public static final int CAP_SYS_TTY_CONFIG = 26;
    /** mknod. */
    public static final int CAP_MKNOD = 27;
    /** File leases. */
    public static final int CAP_LEASE = 28;
    /** Write the audit log. */
    public static final int CAP_AUDIT_WRITE = 29;
    /** Configure auditing. */
    public static final int CAP_AUDIT_CONTROL = 30;
    /** Set file capabilities. */
    public static final int CAP_SETFCAP = 31;
    /** Override the MAC policy. */
    public static final int CAP_MAC_OVERRIDE = 32;
    /** Configure the MAC policy. */
    public static final int CAP_MAC_ADMIN = 33;
    /** syslog. */
    public static final int CAP_SYSLOG = 34;
    /** Wake alarms. */
    public static final int CAP_WAKE_ALARM = 35;
    /** Block system suspend. */
    public static final int CAP_BLOCK_SUSPEND = 36;
    /** Read the audit log. */
    public static final int CAP_AUDIT_READ = 37;
    /** Performance monitoring (5.8). */
    public static final int CAP_PERFMON = 38;
    /** BPF (5.8). */
    public static final int CAP_BPF = 39;
    /** Checkpoint and restore (5.9): alloc_pid accepts set_tid with it. */
    public static final int CAP_CHECKPOINT_RESTORE = 40;
    /** The highest capability of 5.12. */
    public static final int CAP_LAST_CAP = CAP_CHECKPOINT_RESTORE;
    /** CAP_FULL_SET: every capability of 5.12, what init and root hold. */
    public static final long CAP_FULL_SET = (1L << (CAP_LAST_CAP + 1)) - 1;

    private static final String[] NAMES = {
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
        "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    };

    private Capabilities() {
    }

    /**
     * CAP_TO_MASK over the whole 64-bit set: the set holding only {@code cap}.
     *
     * @param cap a capability, 0 to {@link #CAP_LAST_CAP}
     * @return {@code 1L << cap}
     */
    public static long mask(int cap) {
        if (cap < 0 || cap > CAP_LAST_CAP) {
            throw new IllegalArgumentException("not a capability: " + cap);
        }
        return 1L << cap;
    }

    /**
     * The name of a capability: {@code "CAP_SYS_ADMIN"} for 21; null past {@link #CAP_LAST_CAP}.
     *
     * @param cap a bit number
     * @return its name, or null
     */
    public static String name(int cap) {
        return cap >= 0 && cap < NAMES.length ? NAMES[cap] : null;
    }

    /**
     * A capability set as names: {@code "CAP_SYS_ADMIN|CAP_SYS_RESOURCE"}; {@code "none"} for the
     * empty set, {@code "all"} for {@link #CAP_FULL_SET}; bits past CAP_LAST_CAP as one hex number.
     *
     * @param set a capability set
     * @return its description, never empty
     */
    public static String describe(long set) {
        if (set == 0) {
            return "none";
        }
        if (set == CAP_FULL_SET) {
            return "all";
        }
        StringBuilder out = new StringBuilder();
        for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
            if ((set & (1L << cap)) != 0) {
                (out.length() == 0 ? out : out.append('|')).append(NAMES[cap]);
            }
        }
        FlagNames.appendLeftover(set & ~CAP_FULL_SET, out);
        return out.toString();
    }
}
