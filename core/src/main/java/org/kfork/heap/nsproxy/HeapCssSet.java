package org.kfork.heap.nsproxy;

import org.kfork.heap.locking.HeapRefcount;

/**
 * The heap twin of {@code struct css_set}, as far as the model uses it: init_css_set's refcount
 * (the cgroup namespaces and, later, the tasks hold it).
 */
public final class HeapCssSet {
    /** {@code refcount_t refcount}. */
    public final HeapRefcount refcount = new HeapRefcount("css_set.refcount");
    /** {@code struct css_set *dom_cset}. */
    public HeapCssSet domCset;

    /** A zeroed css_set. */
    public HeapCssSet() {
    }
}
