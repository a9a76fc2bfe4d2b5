package org.kfork.bench.churn;

import static org.kfork.mm.Mman.MAP_ANONYMOUS;
import static org.kfork.mm.Mman.MAP_FIXED;
import static org.kfork.mm.Mman.MAP_PRIVATE;
import static org.kfork.mm.Mman.PAGE_SIZE;
import static org.kfork.mm.Mman.PROT_EXEC;
import static org.kfork.mm.Mman.PROT_READ;
import static org.kfork.mm.Mman.PROT_WRITE;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import org.kfork.api.ExecImage;
import org.kfork.api.Kernel;
import org.kfork.uapi.Errno;

/**
 * The live set of the churn benchmark, built and churned through the {@link Kernel} API, so the
 * same steps run on both kernels.
 *
 * <p><b>Shape.</b> init (pid 1) forks one zygote per driver, as a preforking server or Android's
 * zygote: it execs an image of {@code V/2} one-page private file mappings (50 files, alternating
 * PROT_READ and PROT_READ|PROT_EXEC), then maps {@code V/2 - 1} one-page private anonymous areas
 * and gets one anon_vma on each: the area is mapped two pages long, its second page written (the
 * fault runs anon_vma_prepare and maps a page) and unmapped again (the split keeps the anon_vma on
 * the first page; the page goes back). So half the VMAs (the stack included) have an anon_vma and
 * no page is left resident but the stack's. Areas are a page apart, so none merges or shares an
 * anon_vma. The zygote then forks the driver's other processes; it is their parent and reaps them.
 *
 * <p><b>One op</b> ({@link Driver#op}): the zygote forks (dup_mm of its V VMAs, anon_vma_fork for
 * each anonymous one), a random live child exits (exit_mmap of its V VMAs) and the zygote reaps it
 * (wait4); the new child takes the dead one's place, so the live set stays at M processes.
 *
 * <p><b>Why the zygote forks, not a random process.</b> In 5.12, anon_vma_clone gives a child one
 * anon_vma_chain per chain of its parent's VMA, plus one for its own anon_vma; the reuse of
 * anon_vmas of degree below 2 bounds the anon_vmas, not the chains, and an ancestor's anon_vma
 * lives as long as a descendant links to it. A process of fork generation g thus has g + 1
 * chains per anonymous VMA, and a churn that forks random live processes (which never exec)
 * deepens the generations without end: a first version grew from 2 to 13 chains per anonymous
 * VMA in 2000 ops at M = 100, on both kernels, and slowed down with them, so it had no steady
 * state. Every child of a zygote is of generation 1: 1 anon_vma and 2 chains per anonymous VMA.
 */
public final class ChurnWorkload {
    /** Where the file-backed VMAs start (each a page, a page apart). */
    static final long FILE_BASE = 0x10000000L;
    /** Where the anonymous VMAs start. */
    static final long ANON_BASE = 0x40000000L;
    /** The files the file-backed VMAs map, round robin. */
    static final int FILES = 50;

    final Kernel kernel;
    final int vmas;
    final Driver[] drivers;

    private ChurnWorkload(Kernel kernel, int vmas, Driver[] drivers) {
        this.kernel = kernel;
        this.vmas = vmas;
        this.drivers = drivers;
    }

    /** The exec image of a template: {@code fileVmas} file mappings. */
    static ExecImage image(int fileVmas) {
        List<ExecImage.Mapping> maps = new ArrayList<>(fileVmas);
        for (int i = 0; i < fileVmas; i++) {
            maps.add(new ExecImage.Mapping(FILE_BASE + 2L * i * PAGE_SIZE, PAGE_SIZE,
                i % 2 == 0 ? PROT_READ : PROT_READ | PROT_EXEC, MAP_PRIVATE,
                "/usr/lib/libchurn" + i % FILES + ".so", i / FILES));
        }
        return new ExecImage("churn", maps);
    }

    /**
     * Builds {@code processes} live processes of {@code vmas} VMAs each, shared among
     * {@code drivers} drivers (each a zygote and at least one child), reporting progress to
     * {@code progress}.
     */
    public static ChurnWorkload build(Kernel k, int processes, int drivers, int vmas, long seed,
                                      Consumer<String> progress) {
        if (vmas < 4) {
            throw new IllegalArgumentException("at least 4 VMAs per process: " + vmas);
        }
        if (drivers < 1 || processes < 2 * drivers) {
            throw new IllegalArgumentException("each of " + drivers + " drivers needs 2 processes (a zygote and a child): "
                + processes);
        }
        int fileVmas = vmas / 2;
        int anonVmas = vmas - fileVmas - 1; // the stack is the last
        ExecImage image = image(fileVmas);
        Driver[] ds = new Driver[drivers];
        long start = System.nanoTime();
        int made = 0;
        int step = Math.max(1, processes / 10);
        for (int d = 0; d < drivers; d++) {
            int zygote = (int) check("fork zygote", k.fork(1));
            check("execve", k.execve(zygote, image));
            byte[] one = {1};
            for (int j = 0; j < anonVmas; j++) {
                long a = ANON_BASE + 2L * j * PAGE_SIZE;
                check("mmap", k.mmap(zygote, a, 2L * PAGE_SIZE, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
                check("write", k.writeUser(zygote, a + PAGE_SIZE, one, 0, 1));
                check("munmap", k.munmap(zygote, a + PAGE_SIZE, PAGE_SIZE));
            }
            made++;
            int[] live = new int[processes / drivers + (d < processes % drivers ? 1 : 0) - 1];
            for (int i = 0; i < live.length; i++) {
                live[i] = (int) check("fork", k.fork(zygote));
                if (++made % step == 0) {
                    progress.accept(String.format("setup: %d of %d processes, %.1f s", made, processes,
                        (System.nanoTime() - start) / 1e9));
                }
            }
            ds[d] = new Driver(k, zygote, live, new SplittableRandom(seed + d));
        }
        ChurnWorkload w = new ChurnWorkload(k, vmas, ds);
        int maps = w.mapCount(ds[0].live[0]);
        int zygoteMaps = w.mapCount(ds[0].zygote);
        if (zygoteMaps != vmas) {
            throw new IllegalStateException("a zygote has " + zygoteMaps + " VMAs, not " + vmas);
        }
        if (maps != vmas) {
            throw new IllegalStateException("a process has " + maps + " VMAs, not " + vmas);
        }
        return w;
    }

    /** The VMAs of process {@code pid} (the lines of its /proc/PID/maps). */
    int mapCount(int pid) {
        String maps = kernel.procMaps(pid);
        int n = 0;
        for (int i = 0; i < maps.length(); i++) {
            if (maps.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    /** The live processes of the churn, over all drivers: the zygotes and their children. */
    public int processes() {
        int n = 0;
        for (Driver d : drivers) {
            n += 1 + d.live.length;
        }
        return n;
    }

    /** The live VMAs of the churn's processes. */
    public long liveVmas() {
        return (long) processes() * vmas;
    }

    /** The drivers, each with its own reaper and processes. */
    public Driver[] drivers() {
        return drivers.clone();
    }

    private static long check(String what, long r) {
        if (r < 0) {
            throw new IllegalStateException(what + ": " + (r == Kernel.KILLED ? "killed" : Errno.name((int) -r)));
        }
        return r;
    }

    /**
     * One driver's share of the live set: its zygote and the zygote's live children. A driver is
     * used by one Java thread at a time.
     */
    public static final class Driver {
        private final Kernel k;
        private final int zygote;
        private final int[] live;
        private final SplittableRandom rnd;

        Driver(Kernel k, int zygote, int[] live, SplittableRandom rnd) {
            this.k = k;
            this.zygote = zygote;
            this.live = live;
            this.rnd = rnd;
        }

        /**
         * One churn op: the zygote forks, a random live child exits and the zygote reaps it; the
         * new child takes the dead one's place.
         */
        public void op() {
            long child = check("fork", k.fork(zygote));
            int c = rnd.nextInt(live.length);
            int victim = live[c];
            check("exit", k.exit(victim, 0));
            if (check("wait4", k.wait4(zygote, victim, 0, 0, 0)) != victim) {
                throw new IllegalStateException("wait4 reaped another child than " + victim);
            }
            live[c] = (int) child;
        }
    }
}
