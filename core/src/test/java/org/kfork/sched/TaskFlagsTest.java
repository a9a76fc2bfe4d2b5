package org.kfork.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.kfork.sched.TaskFlags.*;

import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;
import org.kfork.mm.MmFlags;
import org.kfork.uapi.Futex;

class TaskFlagsTest {
    @Test
    void describeNamesEveryFlagIncludingTheSignBit() throws Exception {
        for (Field f : TaskFlags.class.getFields()) {
            assertEquals(f.getName(), describe(f.getInt(null)));
        }
        assertEquals("PF_FORKNOEXEC|PF_RANDOMIZE|PF_SUSPEND_TASK",
            describe(PF_RANDOMIZE | PF_SUSPEND_TASK | PF_FORKNOEXEC));
        assertEquals("PF_VCPU|0x8", describe(PF_VCPU | 0x8));
        assertEquals("0", describe(0));
    }

    @Test
    void forkKeepsAndClearsTheRightFlags() {
        // copy_process: clear SUPERPRIV, WQ_WORKER, IDLE (and NPROC_EXCEEDED), set FORKNOEXEC.
        int parent = PF_SUPERPRIV | PF_WQ_WORKER | PF_IDLE | PF_RANDOMIZE | PF_NPROC_EXCEEDED | PF_SUSPEND_TASK;
        int child = (parent & ~(PF_SUPERPRIV | PF_WQ_WORKER | PF_IDLE | PF_NPROC_EXCEEDED)) | PF_FORKNOEXEC;
        assertEquals("PF_FORKNOEXEC|PF_RANDOMIZE|PF_SUSPEND_TASK", describe(child));
    }

    @Test
    void derivedLimitsAndMasks() {
        assertEquals(Futex.FUTEX_TID_MASK, Limits.MAX_THREADS);
        assertEquals(0x57ac6e9dL, Limits.STACK_END_MAGIC);
        assertEquals(TaskState.EXIT_ZOMBIE | TaskState.EXIT_DEAD, TaskState.EXIT_TRACE);
        // mm_init: a child mm keeps dumpable mode, dump filter and THP-disable, nothing else.
        long parentFlags = 1L | MmFlags.MMF_DUMP_FILTER_DEFAULT | (1L << MmFlags.MMF_DISABLE_THP)
            | (1L << MmFlags.MMF_OOM_SKIP) | (1L << MmFlags.MMF_HAS_UPROBES);
        assertEquals(1L | MmFlags.MMF_DUMP_FILTER_DEFAULT | MmFlags.MMF_DISABLE_THP_MASK,
            parentFlags & MmFlags.MMF_INIT_MASK);
    }
}
