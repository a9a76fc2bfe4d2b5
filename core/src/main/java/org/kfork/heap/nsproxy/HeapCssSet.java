package org.kfork.heap.nsproxy;

import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.locking.HeapRefcount;

/**
 * The heap twin of {@code struct css_set}, as far as the model uses it: init_css_set's refcount
 * (the cgroup namespaces and the tasks hold it) and its task list.
 */
public final class HeapCssSet {
    /** {@code refcount_t refcount}. */
    public final HeapRefcount refcount = new HeapRefcount("css_set.refcount");
    /** {@code struct css_set *dom_cset}. */
    public HeapCssSet domCset;
    /** {@code int nr_tasks}: under css_set_lock. */
    public int nrTasks;
    /** {@code struct list_head tasks}: the tasks' cg_list nodes, under css_set_lock. */
    public final HeapIntrusiveList tasks = new HeapIntrusiveList();

    /** A zeroed css_set. */
    public HeapCssSet() {
    }
}
