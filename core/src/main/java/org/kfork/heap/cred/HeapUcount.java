package org.kfork.heap.cred;

import org.kfork.cred.UcountTypes;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.ds.HeapHList;

/**
 * The heap twin of org.kfork.kernel.cred.Ucount (kernel/ucount.c, 5.12): the same hash table of
 * per-user counts (1024 buckets; the bucket is chosen from the uid and the namespace's identity
 * hash, as 5.12 mixes in the namespace's address), the same lock protocol and limits.
 */
public final class HeapUcount {
    private static final int BUCKETS = 1 << UcountTypes.UCOUNTS_HASHTABLE_BITS;

    private HeapUcount() {
    }

    /** The statics: the empty ucounts_hashtable. */
    static void ucountStatics(HeapGlobals g) {
        g.ucountsHashtable = new HeapHList.Head[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            g.ucountsHashtable[i] = new HeapHList.Head();
        }
    }

    private static HeapHList.Head ucountsHashentry(HeapGlobals g, HeapUserNamespace ns, int uid) {
        return g.ucountsHashtable[UcountTypes.hashLong((uid & 0xffffffffL) + System.identityHashCode(ns),
            UcountTypes.UCOUNTS_HASHTABLE_BITS)];
    }

    private static HeapUcounts findUcounts(HeapUserNamespace ns, int uid, HeapHList.Head hashent) {
        for (HeapHList.Node n = hashent.first(); n != null; n = n.next()) {
            final HeapUcounts ucounts = (HeapUcounts) n;
            if (ucounts.uid == uid && ucounts.ns == ns) {
                return ucounts;
            }
        }
        return null;
    }

    /** get_ucounts: null when the allocation fails or the holders are at INT_MAX. */
    static HeapUcounts getUcounts(HeapGlobals g, HeapUserNamespace ns, int uid) {
        final HeapHList.Head hashent = ucountsHashentry(g, ns, uid);
        g.ucountsLock.lock();
        HeapUcounts ucounts = findUcounts(ns, uid, hashent);
        if (ucounts == null) {
            g.ucountsLock.unlock();
            if (!g.kmalloc(HeapUcounts.KMALLOC_CACHE)) {
                return null;
            }
            final HeapUcounts created = new HeapUcounts();
            created.ns = ns;
            created.uid = uid;
            created.count = 0;

            g.ucountsLock.lock();
            ucounts = findUcounts(ns, uid, hashent);
            if (ucounts != null) {
                g.kfree(HeapUcounts.KMALLOC_CACHE);
            } else {
                HeapHList.addHead(created, hashent);
                ucounts = created;
            }
        }
        if (ucounts.count == Integer.MAX_VALUE) {
            ucounts = null;
        } else {
            ucounts.count++;
        }
        g.ucountsLock.unlock();
        return ucounts;
    }

    /** put_ucounts. */
    static void putUcounts(HeapGlobals g, HeapUcounts ucounts) {
        g.ucountsLock.lock();
        final int count = ucounts.count - 1;
        if (count < 0) {
            g.ucountsLock.unlock();
            throw new IllegalStateException("put_ucounts: no holder left on " + ucounts);
        }
        ucounts.count = count;
        final boolean last = count == 0;
        if (last) {
            HeapHList.delInit(ucounts);
        }
        g.ucountsLock.unlock();
        if (last) {
            g.kfree(HeapUcounts.KMALLOC_CACHE);
        }
    }

    private static boolean atomicIncBelow(HeapUcounts ucounts, int type, int u) {
        int c = ucounts.ucount.get(type);
        for (;;) {
            if (c >= u) {
                return false;
            }
            final int old = ucounts.ucount.compareAndExchange(type, c, c + 1);
            if (old == c) {
                return true;
            }
            c = old;
        }
    }

    /** inc_ucount: null over a limit or without memory (callers answer -ENOSPC). */
    public static HeapUcounts incUcount(HeapGlobals g, HeapUserNamespace ns, int uid, int type) {
        checkType(type);
        final HeapUcounts ucounts = getUcounts(g, ns, uid);
        HeapUcounts iter = ucounts;
        while (iter != null) {
            final HeapUserNamespace tns = iter.ns;
            final int max = tns.ucountMax.get(type);
            if (!atomicIncBelow(iter, type, max)) {
                final HeapUcounts bad = iter;
                for (iter = ucounts; iter != bad; iter = iter.ns.ucounts) {
                    iter.ucount.decrementAndGet(type);
                }
                putUcounts(g, ucounts);
                return null;
            }
            iter = tns.ucounts;
        }
        return ucounts;
    }

    /** dec_ucount. */
    public static void decUcount(HeapGlobals g, HeapUcounts ucounts, int type) {
        checkType(type);
        for (HeapUcounts iter = ucounts; iter != null; iter = iter.ns.ucounts) {
            for (;;) {
                final int c = iter.ucount.get(type);
                if (c <= 0) {
                    g.log.warn("WARNING: dec_ucount: ucount[" + type + "] of " + iter + " is " + c);
                    break;
                }
                if (iter.ucount.compareAndSet(type, c, c - 1)) {
                    break;
                }
            }
        }
        putUcounts(g, ucounts);
    }

    /** ucounts->ucount[type]. */
    public static int ucount(HeapUcounts ucounts, int type) {
        checkType(type);
        return ucounts.ucount.get(type);
    }

    /** sysctl user.max_*: the limit after the call, or -EINVAL. */
    public static long sysctlUcountMax(HeapGlobals g, int type, boolean write, long value) {
        checkType(type);
        if (write) {
            final int err = UcountTypes.sysctlCheck(value);
            if (err != 0) {
                return err;
            }
            g.initUserNs.ucountMax.set(type, (int) value);
        }
        return g.initUserNs.ucountMax.get(type);
    }

    private static void checkType(int type) {
        if (!UcountTypes.valid(type)) {
            throw new IllegalArgumentException("no ucount type " + type);
        }
    }

    /** The ucounts of ({@code ns}, {@code uid}) if some holder has them, else null. */
    public static HeapUcounts lookupUcounts(HeapGlobals g, HeapUserNamespace ns, int uid) {
        g.ucountsLock.lock();
        final HeapUcounts u = findUcounts(ns, uid, ucountsHashentry(g, ns, uid));
        g.ucountsLock.unlock();
        return u;
    }
}
