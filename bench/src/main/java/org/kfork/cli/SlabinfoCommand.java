package org.kfork.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.kfork.api.KernelView;
import org.kfork.alloc.Kmem;
import org.kfork.alloc.KmemCache;
import org.kfork.alloc.SlabFlags;
import org.kfork.alloc.SlabInfo;
import org.kfork.kernel.fork.ForkInit;
import org.kfork.kernel.fork.ThreadStacks;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Abi;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.mm.Mman;
import org.kfork.sched.TaskState;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * {@code kfork slabinfo}: /proc/slabinfo of a kernel (mm/slab_common.c's slabinfo_show), a view
 * like the others. With {@code --demo} it boots fork.c's caches alone on a modeled machine, runs
 * a small demo (tasks with stacks, their signal/sighand/files/fs/mm structs and some VMAs; then
 * some of them exit), and prints /proc/slabinfo, followed by the flags and usercopy windows of
 * each cache and the stack allocator's counters.
 *
 * <p>The demo asks for no more tasks than max_threads allows (copy_process would fail with
 * -EAGAIN past it), and when RAM runs out before all tasks exist it says which allocation failed
 * and exits 1 after printing the table.
 */
@Command(name = "slabinfo",
    description = {"Print /proc/slabinfo of a kernel booted with init only (the heap twin shows live objects only).",
        "With --demo: boot fork.c's slab caches alone, run a demo of tasks forking and exiting, print the caches."},
    defaultValueProvider = RunCommand.Defaults.class)
public final class SlabinfoCommand extends ViewCommand {
    @Option(names = "--demo", description = "run the demo of fork.c's caches instead (off-heap), with --tasks and --vmas")
    private boolean demo;

    @Option(names = "--tasks", paramLabel = "N", defaultValue = "40",
        description = "tasks the demo creates, at most max_threads (default: ${DEFAULT-VALUE}); half of them exit again")
    private int tasks;

    @Option(names = "--vmas", paramLabel = "N", defaultValue = "8",
        description = "vm_area_structs per task, at most max_map_count " + Mman.DEFAULT_MAX_MAP_COUNT
            + " (default: ${DEFAULT-VALUE})")
    private int vmas;

    @Override
    void show(KernelView view, PrintWriter out) {
        out.print(view.slabinfo());
    }

    @Override
    public Integer call() {
        ParseResult parsed = spec.commandLine().getParseResult();
        if (!demo) {
            for (String o : new String[] {"--tasks", "--vmas"}) {
                if (parsed != null && parsed.hasMatchedOption(o)) {
                    throw usage(o + " sets up the demo: it needs --demo");
                }
            }
            return super.call();
        }
        if (parsed != null && parsed.hasMatchedOption("--impl")) {
            throw usage("--demo runs fork.c's off-heap caches alone: it takes no --impl");
        }
        return demo();
    }

    private Integer demo() {
        if (tasks < 0) {
            throw usage("--tasks must be 0 or more, not " + tasks);
        }
        if (vmas < 0 || vmas > Mman.DEFAULT_MAX_MAP_COUNT) {
            throw usage("--vmas must be 0 to max_map_count (" + Mman.DEFAULT_MAX_MAP_COUNT + "), not " + vmas);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Machine m = machine.boot()) {
            ForkInit fork;
            try {
                fork = ForkInit.boot(Kmem.of(m));
            } catch (IllegalStateException e) {
                throw machine.tooSmall(e);
            }
            try {
                checkMaxThreads(fork.maxThreads());
                Demo demo = new Demo(fork);
                int made = demo.spawn(tasks, vmas);
                demo.exitHalf();
                out.print(fork.kmem().slabs().slabinfo());
                out.println();
                out.println("# name            flags                               align  stride  useroffset usersize");
                for (SlabInfo i : fork.kmem().slabs().infos()) {
                    out.printf("%-17s %-35s %5d %7d %11d %8d%n", i.name(), SlabFlags.describe(i.flags()), i.align(),
                        i.stride(), i.useroffset(), i.usersize());
                }
                ThreadStacks st = fork.stacks();
                out.println();
                out.printf("demo: %d tasks created, %d exited; max_threads %d; NR_KERNEL_STACK_KB %d; vmalloc areas %d;"
                        + " stacks cached per CPU %s%n", made, made - demo.live(), fork.maxThreads(),
                    st.nrKernelStackKb(), st.vmalloc().nrAreas(), demo.cachedPerCpu());
                out.flush();
                demo.exitAll();
                if (made < tasks) {
                    spec.commandLine().getErr().printf("kfork slabinfo: only %d of the %d tasks were created: RAM ran"
                        + " out (-ENOMEM) allocating task %d's %s in %s; a larger --ram gives them room%n",
                        made, tasks, made + 1, demo.failed(), SizeConverter.format(machine.ramBytes()));
                    return ExitCode.SOFTWARE;
                }
            } finally {
                fork.close();
            }
        }
        return ExitCode.OK;
    }

    /**
     * copy_process refuses a task past max_threads (-EAGAIN), and fork_init sizes max_threads to
     * RAM (set_max_threads): the thread structures, THREAD_SIZE each, may take at most 1/8 of it.
     */
    private void checkMaxThreads(int maxThreads) {
        if (tasks <= maxThreads) {
            return;
        }
        long perThread = 8L * Abi.THREAD_SIZE;
        long needed = Abi.alignUp(tasks * perThread, 1L << 20);
        throw usage("--tasks " + tasks + " is more than max_threads, " + maxThreads + " for "
            + SizeConverter.format(machine.ramBytes()) + " of RAM (fork_init lets thread structures take at most 1/8 of"
            + " RAM: one thread per " + SizeConverter.format(perThread) + "; a fork past it fails with -EAGAIN);"
            + " ask for fewer tasks, or --ram " + SizeConverter.asArgument(needed) + " or more");
    }

    /** What a fork allocates, without the rest of copy_process. */
    private static final class Demo {
        /** What objs[k] of a task holds, for k below 6; every later slot is a vm_area_struct. */
        private static final String[] OBJECTS = {"task_struct", "signal_struct", "sighand_struct", "files_struct",
            "fs_struct", "mm_struct"};

        private final ForkInit fork;
        private final List<long[]> live = new ArrayList<>();
        private String failed = "";

        Demo(ForkInit fork) {
            this.fork = fork;
        }

        /** Creates up to {@code tasks} tasks; stops at the first that RAM has no room for. */
        int spawn(int tasks, int vmas) {
            for (int i = 0; i < tasks; i++) {
                int cpu = i % fork.kmem().cpus().nrCpus();
                long[] objs = forkOne(cpu, vmas);
                if (objs == null) {
                    return i;
                }
                live.add(objs);
                fork.processCounts().inc(cpu);
            }
            return tasks;
        }

        /**
         * One task's objects, or null when an allocation failed: then {@link #failed()} names it
         * and whatever the task had got is freed again, as copy_process unwinds.
         */
        private long[] forkOne(int cpu, int vmas) {
            long tsk = fork.taskStructCachep().zalloc(cpu);
            if (tsk == Abi.NULL) {
                failed = OBJECTS[0];
                return null;
            }
            if (fork.stacks().allocThreadStackNode(tsk, KmemCache.NUMA_NO_NODE, cpu) == Abi.NULL) {
                fork.taskStructCachep().free(cpu, tsk);
                failed = "thread stack";
                return null;
            }
            fork.stacks().accountKernelStack(tsk, 1, cpu);
            fork.stacks().setTaskStackEndMagic(tsk);
            Mem.putInt(tsk + TaskStruct.STACK_REFCOUNT, 1);
            long[] objs = new long[OBJECTS.length + vmas];
            objs[0] = tsk;
            objs[1] = fork.signalCachep().zalloc(cpu);
            objs[2] = fork.sighandCachep().alloc(cpu);
            objs[3] = fork.filesCachep().zalloc(cpu);
            objs[4] = fork.fsCachep().zalloc(cpu);
            objs[5] = fork.mmCachep().zalloc(cpu);
            for (int v = 0; v < vmas; v++) {
                objs[OBJECTS.length + v] = fork.vmAreaCachep().zalloc(cpu);
            }
            for (int k = 1; k < objs.length; k++) {
                if (objs[k] == Abi.NULL) {
                    failed = k < OBJECTS.length ? OBJECTS[k] : "vm_area_struct " + (k - OBJECTS.length + 1) + " of " + vmas;
                    release(objs, cpu);
                    return null;
                }
            }
            return objs;
        }

        /** What the failed allocation was for. */
        String failed() {
            return failed;
        }

        void exitHalf() {
            int n = live.size() / 2;
            for (int i = 0; i < n; i++) {
                exit(live.remove(live.size() - 1), i % fork.kmem().cpus().nrCpus());
            }
        }

        void exitAll() {
            while (!live.isEmpty()) {
                exit(live.remove(live.size() - 1), 0);
            }
        }

        private void exit(long[] objs, int cpu) {
            release(objs, cpu);
            fork.processCounts().dec(cpu);
        }

        /** Frees a task's objects (those it got, when its fork failed half way), its stack last. */
        private void release(long[] objs, int cpu) {
            long tsk = objs[0];
            fork.stacks().checkStackEnd(tsk);
            for (int v = OBJECTS.length; v < objs.length; v++) {
                free(fork.vmAreaCachep(), objs[v], cpu);
            }
            free(fork.mmCachep(), objs[5], cpu);
            free(fork.fsCachep(), objs[4], cpu);
            free(fork.filesCachep(), objs[3], cpu);
            free(fork.sighandCachep(), objs[2], cpu);
            free(fork.signalCachep(), objs[1], cpu);
            Mem.putLong(tsk + TaskStruct.STATE, TaskState.TASK_DEAD);
            fork.stacks().putTaskStack(tsk, cpu);
            fork.taskStructCachep().free(cpu, tsk);
        }

        private static void free(KmemCache cache, long obj, int cpu) {
            if (obj != Abi.NULL) {
                cache.free(cpu, obj);
            }
        }

        int live() {
            return live.size();
        }

        String cachedPerCpu() {
            StringBuilder sb = new StringBuilder("[");
            for (int c = 0; c < fork.kmem().cpus().nrCpus(); c++) {
                sb.append(c == 0 ? "" : ", ").append(fork.stacks().cachedCount(c));
            }
            return sb.append(']').toString();
        }
    }
}
