package org.kfork.proc;

import java.util.List;

import org.kfork.cred.UcountTypes;
import org.kfork.mm.Overcommit;
import org.kfork.sched.Limits;
import org.kfork.uapi.Errno;

/**
 * The sysctls the model has (/proc/sys, kernel/sysctl.c's tables in 5.12), by name, with the
 * bounds their handlers check on a write; shared by both kernels.
 *
 * <table>
 * <caption>The sysctls</caption>
 * <tr><th>name</th><th>handler and bounds</th></tr>
 * <tr><td>kernel.pid_max</td><td>proc_dointvec_minmax, [pid_max_min, pid_max_max] (kernel/pid.c)</td></tr>
 * <tr><td>kernel.threads-max</td><td>sysctl_max_threads, [1, MAX_THREADS] (kernel/fork.c)</td></tr>
 * <tr><td>vm.max_map_count</td><td>proc_dointvec_minmax, [0, INT_MAX]</td></tr>
 * <tr><td>vm.overcommit_memory</td><td>proc_dointvec_minmax, [0, 2]</td></tr>
 * <tr><td>vm.overcommit_ratio</td><td>overcommit_ratio_handler: proc_dointvec, any int</td></tr>
 * <tr><td>user.max_*_namespaces</td><td>proc_dointvec_minmax, [0, INT_MAX] (kernel/ucount.c)</td></tr>
 * </table>
 */
public final class Sysctls {
    /** kernel.pid_max. */
    public static final String PID_MAX = "kernel.pid_max";
    /** kernel.threads-max. */
    public static final String THREADS_MAX = "kernel.threads-max";
    /** vm.max_map_count. */
    public static final String MAX_MAP_COUNT = "vm.max_map_count";
    /** vm.overcommit_memory. */
    public static final String OVERCOMMIT_MEMORY = "vm.overcommit_memory";
    /** vm.overcommit_ratio. */
    public static final String OVERCOMMIT_RATIO = "vm.overcommit_ratio";

    private Sysctls() {
    }

    /** Where each kernel keeps the values: the rooms' own sysctl handlers, and the mm system's settings. */
    public interface Table {
        /** The pid room's handler: pid_max after the call, or -EINVAL. */
        int pidMax(boolean write, long value);

        /** fork.c's handler: max_threads after the call, or -EINVAL. */
        int threadsMax(boolean write, long value);

        /** vm.max_map_count's value. */
        int maxMapCount();

        /** Sets vm.max_map_count. */
        void setMaxMapCount(int value);

        /** The overcommit settings (vm.overcommit_memory and vm.overcommit_ratio). */
        Overcommit overcommit();

        /** ucount.c's handler of user.max_* for {@code type}: the limit after the call, or -EINVAL. */
        long ucountMax(int type, boolean write, long value);
    }

    /**
     * A read ({@code write} false) or a write of the sysctl {@code name} on a kernel's table.
     *
     * @return a read's value; 0 for a write; -EINVAL for a value out of range; -ENOENT for a name
     *         the model does not have
     */
    public static long sysctl(Table t, String name, boolean write, long value) {
        switch (name) {
            case PID_MAX:
                return written(t.pidMax(write, value), write);
            case THREADS_MAX:
                return written(t.threadsMax(write, value), write);
            case MAX_MAP_COUNT:
                if (!write) {
                    return t.maxMapCount();
                }
                if (checkMaxMapCount(value) != 0) {
                    return -Errno.EINVAL;
                }
                t.setMaxMapCount((int) value);
                return 0;
            case OVERCOMMIT_MEMORY:
                if (!write) {
                    return t.overcommit().mode();
                }
                if (checkOvercommitMemory(value) != 0) {
                    return -Errno.EINVAL;
                }
                t.overcommit().mode((int) value);
                return 0;
            case OVERCOMMIT_RATIO:
                if (!write) {
                    return t.overcommit().ratio();
                }
                if (checkOvercommitRatio(value) != 0) {
                    return -Errno.EINVAL;
                }
                t.overcommit().ratio((int) value);
                return 0;
            default: {
                final int type = UcountTypes.bySysctlName(name);
                return type < 0 ? -Errno.ENOENT : written(t.ucountMax(type, write, value), write);
            }
        }
    }

    /** A handler's result as the sysctl call gives it: an error, a read's value, or 0 for a write. */
    private static long written(long r, boolean write) {
        return r < 0 ? r : write ? 0 : r;
    }

    /** Every name a kernel answers to, the user.max_* ones included. */
    public static List<String> names() {
        List<String> n = new java.util.ArrayList<>(List.of(PID_MAX, THREADS_MAX, MAX_MAP_COUNT, OVERCOMMIT_MEMORY,
            OVERCOMMIT_RATIO));
        for (int t = 0; t < UcountTypes.UCOUNT_COUNTS; t++) {
            n.add(UcountTypes.sysctlName(t));
        }
        return n;
    }

    /** A write to kernel.threads-max: 0, or -EINVAL outside [1, MAX_THREADS]. */
    public static int checkThreadsMax(long value) {
        return value < 1 || value > Limits.MAX_THREADS ? -Errno.EINVAL : 0;
    }

    /** A write to vm.max_map_count: 0, or -EINVAL outside [0, INT_MAX]. */
    public static int checkMaxMapCount(long value) {
        return value < 0 || value > Integer.MAX_VALUE ? -Errno.EINVAL : 0;
    }

    /** A write to vm.overcommit_memory: 0, or -EINVAL outside [0, 2]. */
    public static int checkOvercommitMemory(long value) {
        return value < 0 || value > 2 ? -Errno.EINVAL : 0;
    }

    /** A write to vm.overcommit_ratio: 0, or -EINVAL for a value that is no int. */
    public static int checkOvercommitRatio(long value) {
        return value < Integer.MIN_VALUE || value > Integer.MAX_VALUE ? -Errno.EINVAL : 0;
    }
}
