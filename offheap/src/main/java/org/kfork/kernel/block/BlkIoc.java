package org.kfork.kernel.block;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;

import org.kfork.alloc.KmemCache;
import org.kfork.alloc.SlabFlags;
import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.Globals;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.struct.IoContext;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.WorkStruct;
import org.kfork.machine.Mem;
import org.kfork.sched.TaskFlags;
import org.kfork.uapi.Errno;

/**
 * block/blk-ioc.c (5.12): a task's I/O context. blk_ioc_init (the io_context cache),
 * get_io_context, put_io_context, put_io_context_active, exit_io_context, create_task_io_context
 * and get_task_io_context, and iocontext.h's ioc_task_link. The heap twin is
 * {@link org.kfork.heap.block.HeapBlkIoc}.
 *
 * <p>Invariants: {@code refcount} counts the references (tasks and get_io_context users);
 * {@code active_ref} the active users; {@code nr_tasks} the tasks sharing the context (CLONE_IO).
 * A context is freed when refcount reaches 0; none of the three goes below 0 (a put at 0 is
 * refused and reported). A task's io_context pointer is set and cleared under task_lock.
 *
 * <p>The model has no request queues, so no io_cq is ever linked to a context: icq_tree and
 * icq_list stay empty, and the release work (ioc_release_fn, which would free the queues' icqs
 * on a workqueue) is initialized but never queued: the last put frees the context at once, as
 * 5.12 does for a context without icqs.
 */
public final class BlkIoc {
    /** IOPRIO_CLASS_SHIFT: the class is the top bits of a 16-bit ioprio. */
    public static final int IOPRIO_CLASS_SHIFT = 13;
    /** IOPRIO_CLASS_NONE: no priority set. */
    public static final int IOPRIO_CLASS_NONE = 0;
    /** WORK_STRUCT_NO_POOL: what INIT_WORK puts in data ((2^31 - 1) << WORK_OFFQ_POOL_SHIFT, which is 5). */
    static final long WORK_STRUCT_NO_POOL = ((1L << 31) - 1) << 5;

    /** {@code work_func_t}: {@code void (*)(struct work_struct *)}, in the kernel text. */
    @FunctionalInterface
    public interface WorkFunc {
        /** Runs the work at {@code work}. */
        void run(long work);
    }

    private BlkIoc() {
    }

    /** blk_ioc_init: the io_context cache (KMEM_CACHE(io_context, SLAB_PANIC)). */
    public static KmemCache blkIocInit(Globals g) {
        return g.kmem.slabs().create("io_context", (int) IoContext.SIZEOF, (int) IoContext.ALIGNOF, SlabFlags.SLAB_PANIC,
            null);
    }

    /** ioprio_valid: the class of {@code ioprio} is not IOPRIO_CLASS_NONE. */
    public static boolean ioprioValid(int ioprio) {
        return ((ioprio & 0xffff) >>> IOPRIO_CLASS_SHIFT) != IOPRIO_CLASS_NONE;
    }

    /** get_io_context: another reference on a context someone holds. */
    public static void getIoContext(long ioc) {
        if (getLong(ioc + IoContext.REFCOUNT) <= 0) {
            throw new IllegalStateException("BUG: get_io_context of a context with no reference");
        }
        Mem.getAndAddLong(ioc + IoContext.REFCOUNT, 1);
    }

    /** ioc_task_link: one more task shares the context (CLONE_IO): a reference, an active user, a task. */
    public static void iocTaskLink(long ioc) {
        getIoContext(ioc);
        if (getInt(ioc + IoContext.NR_TASKS) <= 0) {
            throw new IllegalStateException("WARN: ioc_task_link on a context with no task");
        }
        Mem.getAndAddInt(ioc + IoContext.ACTIVE_REF, 1);
        Mem.getAndAddInt(ioc + IoContext.NR_TASKS, 1);
    }

    /** put_io_context: the last reference frees the context (no icqs: no release work to queue). */
    public static void putIoContext(Globals g, long ioc) {
        if (ioc == 0) {
            return;
        }
        final long p = ioc + IoContext.REFCOUNT;
        long c;
        do {
            c = getLong(p);
            if (c <= 0) {
                throw new IllegalStateException("BUG: put_io_context of a freed context 0x" + Long.toHexString(ioc));
            }
        } while (!Mem.compareAndSetLong(p, c, c - 1));
        if (c == 1) {
            Spinlock.lock(ioc + IoContext.LOCK);
            final boolean icqs = getLong(ioc + IoContext.ICQ_LIST) != 0;
            Spinlock.unlock(ioc + IoContext.LOCK);
            if (icqs) {
                throw new IllegalStateException("put_io_context: an icq, which the model never makes");
            }
            g.free(g.iocontextCachep, ioc);
        }
    }

    /** put_io_context_active: one active user fewer (the last exits the icqs, of which there are none), then a put. */
    public static void putIoContextActive(Globals g, long ioc) {
        Mem.getAndAddInt(ioc + IoContext.ACTIVE_REF, -1);
        putIoContext(g, ioc);
    }

    /** exit_io_context: the exiting task lets go of its context (cleared under task_lock). */
    public static void exitIoContext(Globals g, long task) {
        Spinlock.lock(task + TaskStruct.ALLOC_LOCK);
        final long ioc = getLong(task + TaskStruct.IO_CONTEXT);
        putLong(task + TaskStruct.IO_CONTEXT, 0);
        Spinlock.unlock(task + TaskStruct.ALLOC_LOCK);
        Mem.getAndAddInt(ioc + IoContext.NR_TASKS, -1);
        putIoContextActive(g, ioc);
    }

    /**
     * create_task_io_context: a new context (refcount, nr_tasks and active_ref 1, empty icq tree
     * and list, the release work initialized) installed in {@code task} unless it has one already
     * or is exiting (and is not current), in which case it is freed again.
     *
     * @return 0, -ENOMEM, or -EBUSY when the task could not take it
     */
    public static int createTaskIoContext(Globals g, long current, long task) {
        final long ioc = g.zalloc(g.iocontextCachep);
        if (ioc == 0) {
            return -Errno.ENOMEM;
        }
        putLong(ioc + IoContext.REFCOUNT, 1);
        putInt(ioc + IoContext.NR_TASKS, 1);
        putInt(ioc + IoContext.ACTIVE_REF, 1);
        Spinlock.init(ioc + IoContext.LOCK);
        // INIT_RADIX_TREE and INIT_HLIST_HEAD: zero; INIT_WORK(&release_work, ioc_release_fn)
        final long work = ioc + IoContext.RELEASE_WORK;
        putLong(work + WorkStruct.DATA, WORK_STRUCT_NO_POOL);
        IntrusiveList.init(work + WorkStruct.ENTRY);
        putLong(work + WorkStruct.FUNC, g.iocReleaseFn);
        Spinlock.lock(task + TaskStruct.ALLOC_LOCK);
        final boolean take = getLong(task + TaskStruct.IO_CONTEXT) == 0
            && (task == current || (getInt(task + TaskStruct.FLAGS) & TaskFlags.PF_EXITING) == 0);
        if (take) {
            putLong(task + TaskStruct.IO_CONTEXT, ioc);
        } else {
            g.free(g.iocontextCachep, ioc);
        }
        final int ret = getLong(task + TaskStruct.IO_CONTEXT) != 0 ? 0 : -Errno.EBUSY;
        Spinlock.unlock(task + TaskStruct.ALLOC_LOCK);
        return ret;
    }

    /**
     * get_task_io_context: a reference on {@code task}'s context, made for it when it has none.
     *
     * @return the context, or 0 when none could be made
     */
    public static long getTaskIoContext(Globals g, long current, long task) {
        do {
            Spinlock.lock(task + TaskStruct.ALLOC_LOCK);
            final long ioc = getLong(task + TaskStruct.IO_CONTEXT);
            if (ioc != 0) {
                getIoContext(ioc);
                Spinlock.unlock(task + TaskStruct.ALLOC_LOCK);
                return ioc;
            }
            Spinlock.unlock(task + TaskStruct.ALLOC_LOCK);
        } while (createTaskIoContext(g, current, task) == 0);
        return 0;
    }

    /** ioc_release_fn: the release work of a context with icqs; the model never queues it. */
    public static void iocReleaseFn(long work) {
        throw new IllegalStateException("ioc_release_fn: queued for 0x" + Long.toHexString(work)
            + ", but the model's contexts have no icqs to release");
    }
}
