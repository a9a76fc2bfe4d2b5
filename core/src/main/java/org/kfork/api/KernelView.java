package org.kfork.api;

import java.util.List;
import java.util.Map;

/**
 * What /proc shows of a kernel, read-only: the task list, a task's status and maps, the slab
 * caches, memory, and live objects by kind. A running {@link Kernel} is one; so is a machine image opened
 * after its run ended (the vmcore reader), so the commands that print these views print both
 * with the same code.
 */
public interface KernelView {
    /** Every task alive or zombie, in the order of the tasks list (pids in the initial namespace). */
    List<TaskView> tasks();

    /** /proc/PID/status of task {@code pid} (initial namespace), as fs/proc/array.c prints it; null if none. */
    String procStatus(int pid);

    /** /proc/PID/maps, as fs/proc/task_mmu.c prints it; null if no such task. */
    String procMaps(int pid);

    /** /proc/slabinfo. */
    String slabinfo();

    /**
     * /proc/meminfo, as fs/proc/meminfo.c prints it, from the model's counters (docs/proc.md says
     * which lines the model keeps and which it leaves at 0).
     */
    String meminfo();

    /** Live kernel objects by kind (cache name: task_struct, pid, mm_struct, vm_area_struct, filp...). */
    Map<String, Long> objectCounts();
}
