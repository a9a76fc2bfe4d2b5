package org.kfork.uapi;

/**
 * POSIX capabilities of Linux 5.12 (include/uapi/linux/capability.h) and the kernel's set type
 * (include/linux/capability.h).
 *
 * <p>A {@code kernel_cap_t} is {@code __u32 cap[2]}: capability n is bit {@code n & 31} of
 * {@code cap[n >> 5]}. Stored little-endian, the two words read as one {@code long} in which
 * capability n is bit n, so both kernels hold a set as a {@code long} (the off-heap one reads the
 * 8 bytes of the struct field). Only bits 0 to {@link #CAP_LAST_CAP} can be set.
 */
public final class Capabilities {
    /** Override chown's restrictions. */
    public static final int CAP_CHOWN = 0;
    /** Override discretionary access control (read, write, execute). */
    public static final int CAP_DAC_OVERRIDE = 1;
    /** Override read and search permission checks. */
    public static final int CAP_DAC_READ_SEARCH = 2;
    /** Override checks that the file's owner is the caller. */
    public static final int CAP_FOWNER = 3;
    /** Keep set-user-ID and set-group-ID bits when a file is modified. */
    public static final int CAP_FSETID = 4;
    /** Send signals to any process (kill_ok_by_cred). */
    public static final int CAP_KILL = 5;
    /** Change group ids (setgid and friends). */
    public static final int CAP_SETGID = 6;
    /** Change user ids (setuid and friends). */
    public static final int CAP_SETUID = 7;
    /** Grant or remove capabilities of the bounding set. */
    public static final int CAP_SETPCAP = 8;
    /** Set immutable and append-only file attributes. */
    public static final int CAP_LINUX_IMMUTABLE = 9;
    /** Bind ports below 1024. */
    public static final int CAP_NET_BIND_SERVICE = 10;
    /** Broadcast and multicast (unused). */
    public static final int CAP_NET_BROADCAST = 11;
    /** Network administration. */
    public static final int CAP_NET_ADMIN = 12;
    /** Raw and packet sockets. */
    public static final int CAP_NET_RAW = 13;
    /** Lock memory (mlock, mlockall, SHM_LOCK). */
    public static final int CAP_IPC_LOCK = 14;
    /** Override IPC ownership checks. */
    public static final int CAP_IPC_OWNER = 15;
    /** Load and unload kernel modules. */
    public static final int CAP_SYS_MODULE = 16;
    /** Raw I/O; also mmap below mmap_min_addr (cap_mmap_addr). */
    public static final int CAP_SYS_RAWIO = 17;
    /** chroot. */
    public static final int CAP_SYS_CHROOT = 18;
    /** Trace any process (ptrace_may_access, mm_access). */
    public static final int CAP_SYS_PTRACE = 19;
    /** Process accounting. */
    public static final int CAP_SYS_PACCT = 20;
    /** System administration: new namespaces (copy_namespaces, unshare), set_tid, ... */
    public static final int CAP_SYS_ADMIN = 21;
    /** reboot. */
    public static final int CAP_SYS_BOOT = 22;
    /** Raise priorities, set other processes' priorities and affinities. */
    public static final int CAP_SYS_NICE = 23;
    /** Override resource limits (RLIMIT_NPROC in copy_process). */
    public static final int CAP_SYS_RESOURCE = 24;
    /** Set the system clock. */
    public static final int CAP_SYS_TIME = 25;
    /** Configure tty devices. */
    public static final int CAP_SYS_TTY_CONFIG = 26;
    /** mknod of special files. */
    public static final int CAP_MKNOD = 27;
    /** File leases. */
    public static final int CAP_LEASE = 28;
    /** Write the audit log. */
    public static final int CAP_AUDIT_WRITE = 29;
    /** Configure auditing. */
    public static final int CAP_AUDIT_CONTROL = 30;
    /** Set file capabilities. */
    public static final int CAP_SETFCAP = 31;
    /** Override the mandatory access control policy. */
    public static final int CAP_MAC_OVERRIDE = 32;
    /** Configure mandatory access control. */
    public static final int CAP_MAC_ADMIN = 33;
    /** Privileged syslog operations. */
    public static final int CAP_SYSLOG = 34;
    /** Wake the system with alarms. */
    public static final int CAP_WAKE_ALARM = 35;
    /** Block system suspend. */
    public static final int CAP_BLOCK_SUSPEND = 36;
    /** Read the audit log. */
    public static final int CAP_AUDIT_READ = 37;
    /** Performance monitoring. */
    public static final int CAP_PERFMON = 38;
    /** BPF operations. */
    public static final int CAP_BPF = 39;
    /** Checkpoint and restore: set_tid in clone3 without CAP_SYS_ADMIN (alloc_pid). */
    public static final int CAP_CHECKPOINT_RESTORE = 40;
    /** The highest capability of 5.12. */
    public static final int CAP_LAST_CAP = CAP_CHECKPOINT_RESTORE;

    /** CAP_EMPTY_SET: no capability. */
    public static final long CAP_EMPTY_SET = 0L;
    /**
     * CAP_FULL_SET: {@code {~0, CAP_LAST_U32_VALID_MASK}}, every capability up to
     * {@link #CAP_LAST_CAP} (0x1ff_ffffffff).
     */
    public static final long CAP_FULL_SET = (1L << (CAP_LAST_CAP + 1)) - 1;

    /** include/uapi/linux/securebits.h: no securebit set. */
    public static final int SECUREBITS_DEFAULT = 0;

    private static final String[] NAMES = {
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
        "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
        "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE"};

    private static final FlagNames SET_NAMES;

    static {
        long[] masks = new long[NAMES.length];
        for (int cap = 0; cap < masks.length; cap++) {
            masks[cap] = capToMask(cap);
        }
        SET_NAMES = new FlagNames(masks, NAMES);
    }

    private Capabilities() {
    }

    /** cap_valid: a capability number 5.12 knows. */
    public static boolean capValid(int cap) {
        return cap >= 0 && cap <= CAP_LAST_CAP;
    }

    /** The set holding only {@code cap} (CAP_TO_MASK at its word). */
    public static long capToMask(int cap) {
        if (!capValid(cap)) {
            throw new IllegalArgumentException("no capability " + cap);
        }
        return 1L << cap;
    }

    /** cap_raised: whether {@code set} holds {@code cap}. */
    public static boolean capRaised(long set, int cap) {
        return (set & capToMask(cap)) != 0;
    }

    /** cap_issubset: whether every capability of {@code a} is in {@code set}. */
    public static boolean capIssubset(long a, long set) {
        return (a & ~set) == 0;
    }

    /** The name of a capability ({@code "CAP_SYS_ADMIN"} for 21). */
    public static String name(int cap) {
        if (!capValid(cap)) {
            throw new IllegalArgumentException("no capability " + cap);
        }
        return NAMES[cap];
    }

    /** The capability of a name ({@code "CAP_SYS_ADMIN"}), or -1 when 5.12 has none of that name. */
    public static int byName(String name) {
        for (int cap = 0; cap < NAMES.length; cap++) {
            if (NAMES[cap].equals(name)) {
                return cap;
            }
        }
        return -1;
    }

    /**
     * A capability set as names: {@code "CAP_SYS_ADMIN|CAP_SYS_RESOURCE"}; {@code "none"} for the
     * empty set and {@code "all"} for {@link #CAP_FULL_SET} (the forms the {@code cred} script
     * command reads); bits past CAP_LAST_CAP as one hex number.
     */
    public static String describe(long set) {
        if (set == 0) {
            return "none";
        }
        if (set == CAP_FULL_SET) {
            return "all";
        }
        return SET_NAMES.describe(set);
    }
}
