package org.kfork.heap.cgroup;

import org.kfork.heap.HeapGlobals;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.fork.HeapKernelCloneArgs;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.nsproxy.HeapCssSet;
import org.kfork.sched.TaskFlags;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;

/** The heap twin of {@code org.kfork.kernel.cgroup.Cgroups} (kernel/cgroup/cgroup.c's fork and exit part). */
public final class HeapCgroups {
    private HeapCgroups() {
    }

    /** cgroup_init_early's and cgroup_init's part here: init_task in init_css_set, cgroup_free. */
    public static void cgroupInit(HeapGlobals g) {
        g.initTask.cgroups = g.initCssSet;
        g.cgroupFree = tsk -> cgroupFree(g, tsk);
    }

    /** get_css_set. */
    public static void getCssSet(HeapCssSet cset) {
        cset.refcount.inc();
    }

    /** put_css_set. init_css_set, the only css_set of the model, never reaches zero. */
    public static void putCssSet(HeapCssSet cset) {
        if (cset.refcount.decAndTest()) {
            throw new IllegalStateException("put_css_set: the last reference to " + cset + " was dropped");
        }
    }

    /** cgroup_fork. */
    public static void cgroupFork(HeapGlobals g, HeapTask child) {
        child.cgroups = g.initCssSet;
        HeapIntrusiveList.init(child.cgList);
    }

    /** cgroup_can_fork (see the off-heap twin): -EBADF for CLONE_INTO_CGROUP. */
    public static int cgroupCanFork(HeapGlobals g, HeapTask current, HeapTask child, HeapKernelCloneArgs kargs) {
        if ((kargs.flags & CloneFlags.CLONE_INTO_CGROUP) != 0) {
            return -Errno.EBADF;
        }
        final HeapCssSet cset = current.cgroups;
        getCssSet(cset);
        kargs.cset = cset;
        return 0;
    }

    /** cgroup_cancel_fork. */
    public static void cgroupCancelFork(HeapGlobals g, HeapTask child, HeapKernelCloneArgs kargs) {
        final HeapCssSet cset = kargs.cset;
        kargs.cset = null;
        putCssSet(cset);
    }

    /** cgroup_post_fork. */
    public static void cgroupPostFork(HeapGlobals g, HeapTask child, HeapKernelCloneArgs kargs) {
        final HeapCssSet cset = kargs.cset;
        kargs.cset = null;
        g.cssSetLock.lock();
        final boolean linked = (child.flags & TaskFlags.PF_EXITING) == 0;
        if (linked) {
            child.cgroups = cset;
            HeapIntrusiveList.listAddTail(child.cgList, cset.tasks);
            cset.nrTasks++;
        }
        g.cssSetLock.unlock();
        if (!linked) {
            putCssSet(cset);
        }
    }

    /** cgroup_exit. */
    public static void cgroupExit(HeapGlobals g, HeapTask tsk) {
        g.cssSetLock.lock();
        if (!HeapIntrusiveList.listEmpty(tsk.cgList)) {
            HeapIntrusiveList.listDelInit(tsk.cgList);
            tsk.cgroups.nrTasks--;
        }
        g.cssSetLock.unlock();
    }

    /** cgroup_free. */
    public static void cgroupFree(HeapGlobals g, HeapTask tsk) {
        putCssSet(tsk.cgroups);
    }

    /** css_set->nr_tasks. */
    public static int nrTasks(HeapCssSet cset) {
        return cset.nrTasks;
    }
}
