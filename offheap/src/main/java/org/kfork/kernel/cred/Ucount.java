package org.kfork.kernel.cred;

import org.kfork.cred.UcountTypes;
import org.kfork.ds.HList;
import org.kfork.kernel.Globals;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.struct.Ucounts;
import org.kfork.kernel.struct.UserNamespace;
import org.kfork.machine.Mem;

/**
 * kernel/ucount.c (5.12): per-user counts of the namespaces (and inotify objects) each user has
 * made, checked against the limits of the user namespace (ucount_max, set by fork_init to
 * max_threads / 2 and by the user.max_* sysctls). A creator takes a count with
 * {@link #incUcount} (0 means over the limit: the caller answers -ENOSPC) and gives it back with
 * {@link #decUcount} when the namespace is freed.
 *
 * <p>Invariants: a {@code struct ucounts} (kzalloc'd: kmalloc-96) is in the hash table exactly
 * while its count (the number of inc_ucount holders) is above zero; each {@code ucount[type]} stays
 * within [0, ucount_max[type]] of its namespace, checked by a compare-and-swap, so racing
 * creators cannot pass the limit. ucounts_lock is a spinlock in the kernel image. With
 * CONFIG_USER_NS off the chain of namespaces is init_user_ns alone (its ucounts is NULL).
 */
public final class Ucount {
    private static final int BUCKETS = 1 << UcountTypes.UCOUNTS_HASHTABLE_BITS;

    private Ucount() {
    }

    /** The statics: the 1024-bucket ucounts_hashtable and ucounts_lock, in the kernel image. */
    static void ucountStatics(Globals g) {
        g.ucountsHashtable = g.image.alloc((long) BUCKETS * HList.SIZEOF_HEAD, HList.SIZEOF_HEAD);
        g.ucountsLock = g.image.alloc(Integer.BYTES, Integer.BYTES);
        Spinlock.init(g.ucountsLock);
    }

    /** ucounts_hashentry: hash_long(uid + ns, 10). */
    private static long ucountsHashentry(Globals g, long ns, int uid) {
        return g.ucountsHashtable
            + (long) UcountTypes.hashLong((uid & 0xffffffffL) + ns, UcountTypes.UCOUNTS_HASHTABLE_BITS)
            * HList.SIZEOF_HEAD;
    }

    /** iter->ns->ucounts: the counts of the same user one namespace up (NULL above init_user_ns). */
    private static long parentUcounts(long ucounts) {
        return Mem.getLong(Mem.getLong(ucounts + Ucounts.NS) + UserNamespace.UCOUNTS);
    }

    /** find_ucounts, under ucounts_lock. */
    private static long findUcounts(long ns, int uid, long hashent) {
        for (long n = HList.first(hashent); n != 0; n = HList.next(n)) {
            final long ucounts = n - Ucounts.NODE;
            if (Mem.getInt(ucounts + Ucounts.UID) == uid && Mem.getLong(ucounts + Ucounts.NS) == ns) {
                return ucounts;
            }
        }
        return 0;
    }

    /**
     * get_ucounts: the counts of ({@code ns}, {@code uid}), found or made, with one more holder.
     *
     * @return the ucounts, or 0 when the allocation fails or the holders are at INT_MAX
     */
    static long getUcounts(Globals g, long ns, int uid) {
        final long hashent = ucountsHashentry(g, ns, uid);
        Spinlock.lock(g.ucountsLock);
        long ucounts = findUcounts(ns, uid, hashent);
        if (ucounts == 0) {
            Spinlock.unlock(g.ucountsLock);
            final long created = g.kzalloc(Ucounts.SIZEOF);
            if (created == 0) {
                return 0;
            }
            Mem.putLong(created + Ucounts.NS, ns);
            Mem.putInt(created + Ucounts.UID, uid);
            Mem.putInt(created + Ucounts.COUNT, 0);

            Spinlock.lock(g.ucountsLock);
            ucounts = findUcounts(ns, uid, hashent);
            if (ucounts != 0) {
                g.kfree(created);
            } else {
                HList.addHead(created + Ucounts.NODE, hashent);
                ucounts = created;
            }
        }
        final int count = Mem.getInt(ucounts + Ucounts.COUNT);
        if (count == Integer.MAX_VALUE) {
            ucounts = 0;
        } else {
            Mem.putInt(ucounts + Ucounts.COUNT, count + 1);
        }
        Spinlock.unlock(g.ucountsLock);
        return ucounts;
    }

    /** put_ucounts: one holder fewer; the last one unhashes and frees the ucounts. */
    static void putUcounts(Globals g, long ucounts) {
        Spinlock.lock(g.ucountsLock);
        final int count = Mem.getInt(ucounts + Ucounts.COUNT) - 1;
        if (count < 0) {
            Spinlock.unlock(g.ucountsLock);
            throw new IllegalStateException("put_ucounts: no holder left on 0x" + Long.toHexString(ucounts));
        }
        Mem.putInt(ucounts + Ucounts.COUNT, count);
        final boolean last = count == 0;
        if (last) {
            HList.delInit(ucounts + Ucounts.NODE);
        }
        Spinlock.unlock(g.ucountsLock);
        if (last) {
            g.kfree(ucounts);
        }
    }

    private static long ucountSlot(long ucounts, int type) {
        return ucounts + Ucounts.UCOUNT + (long) type * Integer.BYTES;
    }

    /** atomic_inc_below: increments unless the count has reached {@code u}. */
    private static boolean atomicIncBelow(long v, int u) {
        int c = Mem.getIntVolatile(v);
        for (;;) {
            if (c >= u) {
                return false;
            }
            final int old = Mem.compareAndExchangeInt(v, c, c + 1);
            if (old == c) {
                return true;
            }
            c = old;
        }
    }

    /**
     * inc_ucount: counts one more object of {@code type} for ({@code ns}, {@code uid}) and every
     * ancestor namespace, each against its own ucount_max[type]. On a limit, the counts already
     * taken are given back.
     *
     * @return the ucounts the caller keeps for {@link #decUcount}, or 0: over a limit, or no
     *         memory for a new ucounts (callers answer -ENOSPC either way, as 5.12's do)
     */
    public static long incUcount(Globals g, long ns, int uid, int type) {
        checkType(type);
        final long ucounts = getUcounts(g, ns, uid);
        long iter = ucounts;
        while (iter != 0) {
            final long tns = Mem.getLong(iter + Ucounts.NS);
            final int max = Mem.getIntVolatile(tns + UserNamespace.UCOUNT_MAX + (long) type * Integer.BYTES);
            if (!atomicIncBelow(ucountSlot(iter, type), max)) {
                final long bad = iter;
                for (iter = ucounts; iter != bad; iter = parentUcounts(iter)) {
                    Mem.getAndAddInt(ucountSlot(iter, type), -1);
                }
                putUcounts(g, ucounts);
                return 0;
            }
            iter = Mem.getLong(tns + UserNamespace.UCOUNTS);
        }
        return ucounts;
    }

    /** dec_ucount: gives back what inc_ucount counted, up the chain, and drops the holder. */
    public static void decUcount(Globals g, long ucounts, int type) {
        checkType(type);
        for (long iter = ucounts; iter != 0; iter = parentUcounts(iter)) {
            // atomic_dec_if_positive: a count already at zero is a bug the kernel warns about once
            final long slot = ucountSlot(iter, type);
            for (;;) {
                final int c = Mem.getIntVolatile(slot);
                if (c <= 0) {
                    g.log.warn("WARNING: dec_ucount: ucount[" + type + "] of 0x" + Long.toHexString(iter) + " is " + c);
                    break;
                }
                if (Mem.compareAndSetInt(slot, c, c - 1)) {
                    break;
                }
            }
        }
        putUcounts(g, ucounts);
    }

    /** ucounts->ucount[type]: how many objects of {@code type} these ucounts hold now. */
    public static int ucount(long ucounts, int type) {
        checkType(type);
        return Mem.getIntVolatile(ucountSlot(ucounts, type));
    }

    /**
     * sysctl user.max_*: reads or writes init_user_ns.ucount_max[type] (proc_dointvec_minmax,
     * 0 to INT_MAX).
     *
     * @return the limit after the call, or -EINVAL for a value outside the bounds
     */
    public static long sysctlUcountMax(Globals g, int type, boolean write, long value) {
        checkType(type);
        final long slot = g.initUserNs + UserNamespace.UCOUNT_MAX + (long) type * Integer.BYTES;
        if (write) {
            final int err = UcountTypes.sysctlCheck(value);
            if (err != 0) {
                return err;
            }
            Mem.putIntVolatile(slot, (int) value);
        }
        return Mem.getIntVolatile(slot);
    }

    private static void checkType(int type) {
        if (!UcountTypes.valid(type)) {
            throw new IllegalArgumentException("no ucount type " + type);
        }
    }

    /** The ucounts of ({@code ns}, {@code uid}) if some holder has them, else 0 (for /proc views and tests). */
    public static long lookupUcounts(Globals g, long ns, int uid) {
        Spinlock.lock(g.ucountsLock);
        final long u = findUcounts(ns, uid, ucountsHashentry(g, ns, uid));
        Spinlock.unlock(g.ucountsLock);
        return u;
    }
}
