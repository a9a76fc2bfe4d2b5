package org.kfork.heap.block;

import org.kfork.heap.HeapGlobals;
import org.kfork.heap.fork.HeapTask;
import org.kfork.sched.TaskFlags;
import org.kfork.uapi.Errno;

/** The heap twin of org.kfork.kernel.block.BlkIoc (block/blk-ioc.c): the same steps, refusals and errnos. */
public final class HeapBlkIoc {
    /** IOPRIO_CLASS_SHIFT. */
    public static final int IOPRIO_CLASS_SHIFT = 13;
    /** IOPRIO_CLASS_NONE. */
    public static final int IOPRIO_CLASS_NONE = 0;

    private HeapBlkIoc() {
    }

    /** ioprio_valid. */
    public static boolean ioprioValid(int ioprio) {
        return ((ioprio & 0xffff) >>> IOPRIO_CLASS_SHIFT) != IOPRIO_CLASS_NONE;
    }

    /** get_io_context. */
    public static void getIoContext(HeapIoContext ioc) {
        if (ioc.refcount.get() <= 0) {
            throw new IllegalStateException("BUG: get_io_context of a context with no reference");
        }
        ioc.refcount.incrementAndGet();
    }

    /** ioc_task_link. */
    public static void iocTaskLink(HeapIoContext ioc) {
        getIoContext(ioc);
        if (ioc.nrTasks.get() <= 0) {
            throw new IllegalStateException("WARN: ioc_task_link on a context with no task");
        }
        ioc.activeRef.incrementAndGet();
        ioc.nrTasks.incrementAndGet();
    }

    /** put_io_context. */
    public static void putIoContext(HeapGlobals g, HeapIoContext ioc) {
        if (ioc == null) {
            return;
        }
        long c;
        do {
            c = ioc.refcount.get();
            if (c <= 0) {
                throw new IllegalStateException("BUG: put_io_context of a freed context");
            }
        } while (!ioc.refcount.compareAndSet(c, c - 1));
        if (c == 1) {
            g.free(g.iocontextCache);
        }
    }

    /** put_io_context_active. */
    public static void putIoContextActive(HeapGlobals g, HeapIoContext ioc) {
        ioc.activeRef.decrementAndGet();
        putIoContext(g, ioc);
    }

    /** exit_io_context. */
    public static void exitIoContext(HeapGlobals g, HeapTask task) {
        task.allocLock.lock();
        final HeapIoContext ioc = task.ioContext;
        task.ioContext = null;
        task.allocLock.unlock();
        ioc.nrTasks.decrementAndGet();
        putIoContextActive(g, ioc);
    }

    /** create_task_io_context: 0, -ENOMEM or -EBUSY. */
    public static int createTaskIoContext(HeapGlobals g, HeapTask current, HeapTask task) {
        if (!g.alloc(g.iocontextCache)) {
            return -Errno.ENOMEM;
        }
        final HeapIoContext ioc = new HeapIoContext();
        ioc.refcount.set(1);
        ioc.nrTasks.set(1);
        ioc.activeRef.set(1);
        task.allocLock.lock();
        if (task.ioContext == null && (task == current || (task.flags & TaskFlags.PF_EXITING) == 0)) {
            task.ioContext = ioc;
        } else {
            g.free(g.iocontextCache);
        }
        final int ret = task.ioContext != null ? 0 : -Errno.EBUSY;
        task.allocLock.unlock();
        return ret;
    }

    /** get_task_io_context: a reference, or null. */
    public static HeapIoContext getTaskIoContext(HeapGlobals g, HeapTask current, HeapTask task) {
        do {
            task.allocLock.lock();
            final HeapIoContext ioc = task.ioContext;
            if (ioc != null) {
                getIoContext(ioc);
                task.allocLock.unlock();
                return ioc;
            }
            task.allocLock.unlock();
        } while (createTaskIoContext(g, current, task) == 0);
        return null;
    }
}
