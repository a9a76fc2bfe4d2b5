package org.kfork.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
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
import org.kfork.sched.TaskState;

/**
 * {@code kfork slabinfo}: boots fork.c's caches on a modeled machine, runs a small demo (tasks with
 * stacks, their signal/sighand/files/fs/mm structs and some VMAs; then some of them exit), and
 * prints /proc/slabinfo, followed by the flags and usercopy windows of each cache and the stack
 * allocator's counters.
 */
public final class SlabinfoCommand implements Command {
    @Override
    public String name() {
        return "slabinfo";
    }

    @Override
    public String summary() {
        return "boot fork.c's slab caches, run a demo, print /proc/slabinfo";
    }

    @Override
    public String usage() {
        return "usage: kfork slabinfo [--tasks N] [--vmas N] [--ram SIZE] [--cpus N]\n"
            + "  --tasks N   tasks created by the demo (default 40); half of them exit again\n"
            + "  --vmas N    vm_area_structs per task (default 8)\n"
            + "  --ram SIZE  the machine's RAM, e.g. 256m (default 256m)\n"
            + "  --cpus N    modeled CPUs (default 2)\n";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        int tasks = 40;
        int vmas = 8;
        long ram = 256L << 20;
        int nrCpus = 2;
        try {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                String v = i + 1 < args.size() ? args.get(i + 1) : null;
                switch (a) {
                    case "--tasks": tasks = Integer.parseInt(need(a, v)); i++; break;
                    case "--vmas": vmas = Integer.parseInt(need(a, v)); i++; break;
                    case "--ram": ram = org.kfork.machine.Ram.parseSize(need(a, v)); i++; break;
                    case "--cpus": nrCpus = Integer.parseInt(need(a, v)); i++; break;
                    default:
                        err.println("kfork slabinfo: unknown option '" + a + "'");
                        err.print(usage());
                        return USAGE;
                }
            }
            if (tasks < 0 || vmas < 0 || nrCpus < 1 || nrCpus > Abi.NR_CPUS) {
                throw new IllegalArgumentException("counts must be >= 0 and cpus 1.." + Abi.NR_CPUS);
            }
        } catch (IllegalArgumentException e) {
            err.println("kfork slabinfo: " + e.getMessage());
            err.print(usage());
            return USAGE;
        }
        try (Machine m = Machine.builder().ram(ram).cpus(nrCpus).build()) {
            ForkInit fork = ForkInit.boot(Kmem.of(m));
            try {
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
                demo.exitAll();
            } finally {
                fork.close();
            }
        }
        return OK;
    }

    private static String need(String opt, String v) {
        if (v == null) {
            throw new IllegalArgumentException(opt + " needs a value");
        }
        return v;
    }

    /** What a fork allocates, without the rest of copy_process. */
    private static final class Demo {
        private final ForkInit fork;
        private final List<long[]> live = new ArrayList<>();

        Demo(ForkInit fork) {
            this.fork = fork;
        }

        int spawn(int tasks, int vmas) {
            int made = 0;
            for (int i = 0; i < tasks; i++) {
                int cpu = i % fork.kmem().cpus().nrCpus();
                long tsk = fork.taskStructCachep().zalloc(cpu);
                if (tsk == Abi.NULL) {
                    break;
                }
                if (fork.stacks().allocThreadStackNode(tsk, KmemCache.NUMA_NO_NODE, cpu) == Abi.NULL) {
                    fork.taskStructCachep().free(cpu, tsk);
                    break;
                }
                fork.stacks().accountKernelStack(tsk, 1, cpu);
                fork.stacks().setTaskStackEndMagic(tsk);
                Mem.putInt(tsk + TaskStruct.STACK_REFCOUNT, 1);
                long[] objs = new long[6 + vmas];
                objs[0] = tsk;
                objs[1] = fork.signalCachep().zalloc(cpu);
                objs[2] = fork.sighandCachep().alloc(cpu);
                objs[3] = fork.filesCachep().zalloc(cpu);
                objs[4] = fork.fsCachep().zalloc(cpu);
                objs[5] = fork.mmCachep().zalloc(cpu);
                for (int v = 0; v < vmas; v++) {
                    objs[6 + v] = fork.vmAreaCachep().zalloc(cpu);
                }
                live.add(objs);
                fork.processCounts().inc(cpu);
                made++;
            }
            return made;
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
            long tsk = objs[0];
            fork.stacks().checkStackEnd(tsk);
            for (int v = 6; v < objs.length; v++) {
                fork.vmAreaCachep().free(cpu, objs[v]);
            }
            fork.mmCachep().free(cpu, objs[5]);
            fork.fsCachep().free(cpu, objs[4]);
            fork.filesCachep().free(cpu, objs[3]);
            fork.sighandCachep().free(cpu, objs[2]);
            fork.signalCachep().free(cpu, objs[1]);
            Mem.putLong(tsk + TaskStruct.STATE, TaskState.TASK_DEAD);
            fork.stacks().putTaskStack(tsk, cpu);
            fork.taskStructCachep().free(cpu, tsk);
            fork.processCounts().dec(cpu);
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
