package org.kfork.kernel.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.kernel.block.BlkIoc;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;

/**
 * block/blk-ioc.c and copy_io on both kernels (the suite sits with the fs room's, whose variants
 * it shares): no context, CLONE_IO sharing (ioc_task_link), a context of its own for a child whose
 * parent set an I/O priority, exit_io_context, create_task_io_context's -EBUSY, failslab.
 */
class BlkIocTest {
    /** IOPRIO_CLASS_BE, level 4. */
    static final int IOPRIO_BE_4 = (2 << BlkIoc.IOPRIO_CLASS_SHIFT) | 4;

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void withoutAContextTheChildHasNone(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            long parent = k.newTask();
            long child = k.newTask();
            assertEquals(0, k.copyIo(parent, CloneFlags.CLONE_IO, child));
            assertEquals(0, k.copyIo(parent, 0, child));
            assertEquals(0, k.taskIoContext(child));
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void cloneIoSharesTheContext(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            Map<String, Long> before = k.counts();
            long parent = k.newTask();
            assertEquals(0, k.createTaskIoContext(parent, parent));
            long ioc = k.taskIoContext(parent);
            assertArrayEquals(new long[] {1, 1, 1, 0}, k.ioc(ioc), "refcount, active_ref, nr_tasks, ioprio");
            long child = k.newTask();
            assertEquals(0, k.copyIo(parent, CloneFlags.CLONE_IO, child));
            assertEquals(ioc, k.taskIoContext(child));
            assertArrayEquals(new long[] {2, 2, 2, 0}, k.ioc(ioc));
            long plain = k.newTask();
            assertEquals(0, k.copyIo(parent, 0, plain));
            assertEquals(0, k.taskIoContext(plain), "no I/O priority set: the child starts with none");
            k.exitIoContext(child);
            assertEquals(0, k.taskIoContext(child));
            assertArrayEquals(new long[] {1, 1, 1, 0}, k.ioc(ioc));
            k.exitIoContext(parent);
            assertEquals(before, k.counts(), "the last put freed it");
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void aParentsIoPriorityGivesTheChildAContextOfItsOwn(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            Map<String, Long> before = k.counts();
            long parent = k.newTask();
            assertEquals(0, k.createTaskIoContext(parent, parent));
            long ioc = k.taskIoContext(parent);
            k.setIoprio(ioc, IOPRIO_BE_4);
            long child = k.newTask();
            k.failNth(1);
            assertEquals(-Errno.ENOMEM, k.copyIo(parent, 0, child));
            k.disarm();
            assertEquals(0, k.taskIoContext(child));
            assertEquals(before.get("io_context") + 1, k.counts().get("io_context"));
            assertEquals(0, k.copyIo(parent, 0, child));
            long own = k.taskIoContext(child);
            assertTrue(own != 0 && own != ioc);
            assertArrayEquals(new long[] {1, 1, 1, IOPRIO_BE_4}, k.ioc(own), "get_task_io_context's reference put back");
            assertArrayEquals(new long[] {1, 1, 1, IOPRIO_BE_4}, k.ioc(ioc), "the parent's untouched");
            k.exitIoContext(child);
            k.exitIoContext(parent);
            assertEquals(before, k.counts());
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void aTaskThatHasOneOrIsExitingTakesNoNewContext(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            Map<String, Long> before = k.counts();
            long current = k.newTask();
            long task = k.newTask();
            assertEquals(0, k.createTaskIoContext(current, task));
            long ioc = k.taskIoContext(task);
            assertEquals(0, k.createTaskIoContext(current, task), "it has one: the new one is freed, 0 returned");
            assertEquals(ioc, k.taskIoContext(task));
            assertEquals(before.get("io_context") + 1, k.counts().get("io_context"));
            long exiting = k.newTask();
            k.setTaskExiting(exiting);
            assertEquals(-Errno.EBUSY, k.createTaskIoContext(current, exiting), "PF_EXITING and not current");
            assertEquals(0, k.createTaskIoContext(exiting, exiting), "current itself may, even exiting");
            k.exitIoContext(exiting);
            k.exitIoContext(task);
            assertEquals(before, k.counts());
            assertThrows(RuntimeException.class, () -> k.putIoContext(ioc), "a put of a freed context");
        }
    }
}
