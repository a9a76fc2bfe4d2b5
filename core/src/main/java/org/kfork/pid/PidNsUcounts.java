package org.kfork.pid;

import java.util.HashMap;
import java.util.Map;

/**
 * A stand-in for kernel/ucount.c as pid_namespace.c uses it (inc_ucount and dec_ucount of
 * UCOUNT_PID_NAMESPACES), until the cred room's ucounts are on main: a dependency, listed in
 * docs/tasks.md. It keeps 5.12's rule: each (user namespace, uid) may own at most {@link #max()}
 * pid namespaces at once, the limit being init_user_ns.ucount_max[UCOUNT_PID_NAMESPACES], which
 * fork_init sets to max_threads / 2; past it create_pid_namespace gets -ENOSPC. With
 * CONFIG_USER_NS off (the reference config) every user namespace is init_user_ns, so the count is
 * per euid.
 *
 * <p>{@link Ucounts} stands for {@code struct ucounts}: one per uid while it owns a namespace,
 * what inc_ucount returns and dec_ucount takes. Deviations, to go with the real ucounts: it lives
 * on the Java heap (5.12's get_ucounts kzallocs one per new (namespace, uid), an allocation
 * failslab could hit), so the off-heap pid_namespace.ucounts stays NULL and the off-heap kernel
 * remembers each namespace's charge here ({@link #setNsUcounts}). Both kernels keep one of these,
 * so they agree.
 *
 * <p>Thread-safe (a monitor: namespace creation is rare).
 */
public final class PidNsUcounts {
    /** The twin of {@code struct ucounts} for one uid: its count of pid namespaces. */
    public static final class Ucounts {
        private final int uid;
        private int pidNamespaces;

        private Ucounts(int uid) {
            this.uid = uid;
        }

        /** {@code ucounts->uid}. */
        public int uid() {
            return uid;
        }

        @Override
        public String toString() {
            return "ucounts{uid=" + uid + ", pid_namespaces=" + pidNamespaces + "}";
        }
    }

    private final int max;
    private final Map<Integer, Ucounts> byUid = new HashMap<>();
    private final Map<Long, Ucounts> byNamespace = new HashMap<>();

    /** A counter with the limit {@code max} (ucount_max[UCOUNT_PID_NAMESPACES]). */
    public PidNsUcounts(int max) {
        this.max = max;
    }

    /**
     * inc_pid_namespaces: one more pid namespace for {@code euid}, if that stays within the limit
     * (atomic_inc_below).
     *
     * @return the uid's ucounts, or null at the limit (create_pid_namespace's -ENOSPC)
     */
    public synchronized Ucounts incPidNamespaces(int euid) {
        Ucounts u = byUid.get(euid);
        if (u == null) {
            if (max <= 0) {
                return null;
            }
            u = new Ucounts(euid);
            byUid.put(euid, u);
        } else if (u.pidNamespaces >= max) {
            return null;
        }
        u.pidNamespaces++;
        return u;
    }

    /** dec_pid_namespaces: gives back one pid namespace of {@code ucounts}' uid. */
    public synchronized void decPidNamespaces(Ucounts ucounts) {
        if (ucounts.pidNamespaces <= 0 || byUid.get(ucounts.uid) != ucounts) {
            throw new IllegalStateException("dec_ucount: " + ucounts + " holds no pid namespace");
        }
        if (--ucounts.pidNamespaces == 0) {
            byUid.remove(ucounts.uid);
        }
    }

    /** The off-heap kernel's {@code ns->ucounts = ucounts}, for the namespace at address {@code ns}. */
    public synchronized void setNsUcounts(long ns, Ucounts ucounts) {
        if (byNamespace.putIfAbsent(ns, ucounts) != null) {
            throw new IllegalStateException("pid namespace 0x" + Long.toHexString(ns) + " is charged twice");
        }
    }

    /** The off-heap kernel's {@code ns->ucounts}, forgotten as the namespace is freed. */
    public synchronized Ucounts takeNsUcounts(long ns) {
        final Ucounts u = byNamespace.remove(ns);
        if (u == null) {
            throw new IllegalStateException("pid namespace 0x" + Long.toHexString(ns) + " holds no ucounts");
        }
        return u;
    }

    /** The pid namespaces {@code euid} owns now. */
    public synchronized int count(int euid) {
        final Ucounts u = byUid.get(euid);
        return u == null ? 0 : u.pidNamespaces;
    }

    /** init_user_ns.ucount_max[UCOUNT_PID_NAMESPACES]. */
    public int max() {
        return max;
    }
}
