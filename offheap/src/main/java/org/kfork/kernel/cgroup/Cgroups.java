package org.kfork.kernel.cgroup;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;

import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.Globals;
import org.kfork.kernel.Refcount;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.struct.CssSet;
import org.kfork.kernel.struct.KernelCloneArgs;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Mem;
import org.kfork.sched.TaskFlags;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;

/**
 * kernel/cgroup/cgroup.c (5.12), the part fork and exit go through: a task's css_set reference
 * and its place on the css_set's task list (cgroup_fork, cgroup_can_fork, cgroup_cancel_fork,
 * cgroup_post_fork, cgroup_exit, cgroup_free), with css_set_lock. The model has one css_set,
 * init_css_set (a static of the nsproxy room), no hierarchy and no controllers, so no
 * controller's can_fork refuses a fork, and CLONE_INTO_CGROUP has no cgroup to move into.
 *
 * <p>Invariants kept: every task that copy_process made visible, and has not passed
 * cgroup_exit, is on its css_set's tasks list, counted in nr_tasks, and holds one reference on
 * it (dropped by cgroup_free, from __put_task_struct); init_css_set's refcount never reaches 0.
 */
public final class Cgroups {
    private Cgroups() {
    }

    /**
     * cgroup_init_early's and cgroup_init's part here: init_task in init_css_set, css_set_lock,
     * and cgroup_free for __put_task_struct.
     */
    public static void cgroupInit(Globals g) {
        Mem.putLongRelease(g.initTask + TaskStruct.CGROUPS, g.initCssSet);
        IntrusiveList.init(g.initTask + TaskStruct.CG_LIST);
        g.cssSetLock = g.image.alloc(org.kfork.kernel.struct.Spinlock.SIZEOF, Long.BYTES);
        Spinlock.init(g.cssSetLock);
        g.cgroupFree = tsk -> cgroupFree(g, tsk);
    }

    /** get_css_set. */
    public static void getCssSet(long cset) {
        Refcount.inc(cset + CssSet.REFCOUNT, "css_set.refcount");
    }

    /** put_css_set. init_css_set, the only css_set of the model, never reaches zero. */
    public static void putCssSet(long cset) {
        if (Refcount.decAndTest(cset + CssSet.REFCOUNT, "css_set.refcount")) {
            throw new IllegalStateException("put_css_set: the last reference to the css_set at 0x"
                + Long.toHexString(cset) + " was dropped");
        }
    }

    /** cgroup_fork: the child points at init_css_set (no reference yet) and is on no list. */
    public static void cgroupFork(Globals g, long child) {
        Mem.putLongRelease(child + TaskStruct.CGROUPS, g.initCssSet);
        IntrusiveList.init(child + TaskStruct.CG_LIST);
    }

    /**
     * cgroup_can_fork: takes a reference on current's css_set for the child (kargs->cset).
     * CLONE_INTO_CGROUP names a cgroup by file descriptor; the model has no cgroup files, so
     * every such descriptor is bad (-EBADF, as cgroup_css_set_fork's fdget).
     *
     * @return 0 or -EBADF
     */
    public static int cgroupCanFork(Globals g, long current, long child, long kargs) {
        if ((getLong(kargs + KernelCloneArgs.FLAGS) & CloneFlags.CLONE_INTO_CGROUP) != 0) {
            return -Errno.EBADF;
        }
        final long cset = Mem.getLongAcquire(current + TaskStruct.CGROUPS);
        getCssSet(cset);
        Mem.putLong(kargs + KernelCloneArgs.CSET, cset);
        return 0;
    }

    /** cgroup_cancel_fork: copy_process failed after cgroup_can_fork; the reference goes. */
    public static void cgroupCancelFork(Globals g, long child, long kargs) {
        final long cset = getLong(kargs + KernelCloneArgs.CSET);
        Mem.putLong(kargs + KernelCloneArgs.CSET, 0);
        putCssSet(cset);
    }

    /**
     * cgroup_post_fork: the child, visible now, moves onto its css_set's task list with the
     * reference cgroup_can_fork took (unless it is already exiting: then the reference goes).
     */
    public static void cgroupPostFork(Globals g, long child, long kargs) {
        final long cset = getLong(kargs + KernelCloneArgs.CSET);
        Mem.putLong(kargs + KernelCloneArgs.CSET, 0);
        Spinlock.lock(g.cssSetLock);
        final boolean linked = (getInt(child + TaskStruct.FLAGS) & TaskFlags.PF_EXITING) == 0;
        if (linked) {
            Mem.putLongRelease(child + TaskStruct.CGROUPS, cset);
            IntrusiveList.addTail(child + TaskStruct.CG_LIST, cset + CssSet.TASKS);
            putInt(cset + CssSet.NR_TASKS, getInt(cset + CssSet.NR_TASKS) + 1);
        }
        Spinlock.unlock(g.cssSetLock);
        if (!linked) {
            putCssSet(cset);
        }
    }

    /** cgroup_exit: the task leaves its css_set's task list (it keeps the reference until cgroup_free). */
    public static void cgroupExit(Globals g, long tsk) {
        Spinlock.lock(g.cssSetLock);
        if (!IntrusiveList.empty(tsk + TaskStruct.CG_LIST)) {
            final long cset = getLong(tsk + TaskStruct.CGROUPS);
            IntrusiveList.delInit(tsk + TaskStruct.CG_LIST);
            putInt(cset + CssSet.NR_TASKS, getInt(cset + CssSet.NR_TASKS) - 1);
        }
        Spinlock.unlock(g.cssSetLock);
    }

    /**
     * cgroup_free: the last reference to the task drops its css_set reference. A task that
     * copy_process abandoned before cgroup_post_fork holds none (its pointer is init_css_set's,
     * unreferenced), and free_task frees it without __put_task_struct.
     */
    public static void cgroupFree(Globals g, long tsk) {
        putCssSet(getLong(tsk + TaskStruct.CGROUPS));
    }

    /** css_set->nr_tasks. */
    public static int nrTasks(long cset) {
        return getInt(cset + CssSet.NR_TASKS);
    }
}
