package org.kfork.heap.cred;

import java.util.concurrent.atomic.AtomicIntegerArray;

import org.kfork.cred.UcountTypes;
import org.kfork.heap.ds.HeapHList;

/**
 * The heap twin of {@code struct ucounts}: the counts of one user in one user namespace, hashed
 * (the object is its own {@code node}).
 */
public final class HeapUcounts extends HeapHList.Node {
    /** The kmalloc cache of a 72-byte struct ucounts (kzalloc), pinned to the layout by a test. */
    public static final String KMALLOC_CACHE = "kmalloc-96";

    /** {@code struct user_namespace *ns}. */
    public HeapUserNamespace ns;
    /** {@code kuid_t uid}. */
    public int uid;
    /** {@code int count}: holders, under ucounts_lock. */
    public int count;
    /** {@code atomic_t ucount[UCOUNT_COUNTS]}. */
    public final AtomicIntegerArray ucount = new AtomicIntegerArray(UcountTypes.UCOUNT_COUNTS);

    /** A zeroed ucounts (kzalloc). */
    public HeapUcounts() {
    }
}
