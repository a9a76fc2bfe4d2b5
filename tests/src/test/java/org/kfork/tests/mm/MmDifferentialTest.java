package org.kfork.tests.mm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.kfork.mm.Mman.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.DupMode;
import org.kfork.mm.MappedFile;
import org.kfork.mm.Pgtable;
import org.kfork.sched.Limits;
import org.kfork.uapi.KernelException;

/**
 * Differential test: random histories of mmap, munmap, mprotect, madvise, mlock/munlock, faults,
 * user copies (copy_to_user, copy_from_user), dup_mm in both modes and mmput, applied in lockstep
 * to the heap twin and the off-heap port, must give the same return values, the same bytes read,
 * the same pte bits, the same maps views and VMA lists (anon_vma presence included), the same
 * counters (rss, hiwater_rss and pgtables_bytes included), the same files' page caches, the same
 * object counts per cache (pages and tables included), and pass the validators after every
 * step. Seeded; a failure names its seed and step.
 */
class MmDifferentialTest {
    static final long P = PAGE_SIZE;
    static final long WINDOW = 0x10000000L;
    static final int WINDOW_PAGES = 192;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 42, 4242, 0xC0FFEE, 20260528})
    void heapTwinAndOffHeapAgree(long seed) {
        try (MmVariant.Instance heap = MmVariant.HEAP.create(); MmVariant.Instance off = MmVariant.OFFHEAP.create()) {
            run(seed, 400, new Side(heap), new Side(off));
        }
    }

    /** One variant's state: its mms and files. */
    static final class Side {
        final MmVariant.Instance inst;
        final List<AddressSpace> mms = new ArrayList<>();
        final List<MappedFile> files = new ArrayList<>();

        Side(MmVariant.Instance inst) {
            this.inst = inst;
            mms.add(inst.sys().mmAlloc());
            files.add(inst.sys().openFile("/usr/lib/libx.so", false, false));
            files.add(inst.sys().openFile("/srv/data.bin", true, false));
            files.add(inst.sys().openFile("/dev/dri/card0", true, true));
        }
    }

    private static void run(long seed, int steps, Side a, Side b) {
        SplittableRandom rnd = new SplittableRandom(seed);
        java.util.Map<String, int[]> stats = new java.util.TreeMap<>();
        int maxVmas = 0;
        int step = 0;
        try {
            for (step = 0; step < steps; step++) {
                int which = rnd.nextInt(a.mms.size());
                int op = rnd.nextInt(100);
                long start = WINDOW + P * rnd.nextInt(WINDOW_PAGES);
                long len = P * (1 + rnd.nextInt(12));
                List<org.kfork.mm.VmaInfo> vl = a.mms.get(which).vmas();
                if (op >= 30 && !vl.isEmpty() && rnd.nextInt(10) < 8) {
                    // aim at an existing area: a piece of it, often running into its neighbours
                    org.kfork.mm.VmaInfo v = vl.get(rnd.nextInt(vl.size()));
                    start = v.start() + P * rnd.nextLong(v.pages());
                    long room = (v.end() - start) / P;
                    len = P * (rnd.nextInt(4) == 0 ? 1 + rnd.nextLong(room + 4) : 1 + rnd.nextLong(room));
                }
                String what;
                long ra;
                long rb;
                if (op < 30) {
                    int prot = new int[] {PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC, PROT_NONE}[rnd.nextInt(4)];
                    int kind = rnd.nextInt(10);
                    int flags;
                    int file = -1;
                    if (kind < 6) {
                        flags = MAP_PRIVATE | MAP_ANONYMOUS;
                    } else if (kind < 7) {
                        flags = MAP_SHARED | MAP_ANONYMOUS;
                    } else {
                        file = rnd.nextInt(3);
                        flags = rnd.nextBoolean() ? MAP_PRIVATE : MAP_SHARED;
                        if (rnd.nextInt(4) == 0) {
                            flags |= MAP_DENYWRITE;
                        }
                    }
                    if (rnd.nextBoolean()) {
                        flags |= rnd.nextInt(3) == 0 ? MAP_FIXED_NOREPLACE : MAP_FIXED;
                    }
                    if (rnd.nextInt(10) == 0 && file < 0) {
                        flags |= MAP_GROWSDOWN;
                    }
                    if (rnd.nextInt(10) == 0) {
                        flags |= MAP_LOCKED;
                    }
                    if (rnd.nextInt(10) == 0) {
                        flags |= MAP_NORESERVE;
                    }
                    long pgoff = file < 0 ? 0 : rnd.nextInt(16);
                    long hint = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0 || rnd.nextBoolean() ? start : 0;
                    what = "mmap(" + Long.toHexString(hint) + ", " + len + ", " + prot + ", 0x" + Integer.toHexString(flags)
                        + ", file " + file + ", " + pgoff + ")";
                    ra = a.mms.get(which).mmap(hint, len, prot, flags, file < 0 ? null : a.files.get(file), pgoff);
                    rb = b.mms.get(which).mmap(hint, len, prot, flags, file < 0 ? null : b.files.get(file), pgoff);
                } else if (op < 45) {
                    what = "munmap(" + Long.toHexString(start) + ", " + len + ")";
                    ra = a.mms.get(which).munmap(start, len);
                    rb = b.mms.get(which).munmap(start, len);
                } else if (op < 62) {
                    int prot = rnd.nextInt(8);
                    what = "mprotect(" + Long.toHexString(start) + ", " + len + ", " + prot + ")";
                    ra = a.mms.get(which).mprotect(start, len, prot);
                    rb = b.mms.get(which).mprotect(start, len, prot);
                } else if (op < 74) {
                    int adv = new int[] {MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK, MADV_KEEPONFORK}[rnd.nextInt(4)];
                    what = "madvise(" + Long.toHexString(start) + ", " + len + ", " + adv + ")";
                    ra = a.mms.get(which).madvise(start, len, adv);
                    rb = b.mms.get(which).madvise(start, len, adv);
                } else if (op < 80) {
                    boolean lock = rnd.nextBoolean();
                    what = (lock ? "mlock(" : "munlock(") + Long.toHexString(start) + ", " + len + ")";
                    ra = lock ? a.mms.get(which).mlock(start, len) : a.mms.get(which).munlock(start, len);
                    rb = lock ? b.mms.get(which).mlock(start, len) : b.mms.get(which).munlock(start, len);
                } else if (op < 84) {
                    boolean write = rnd.nextBoolean();
                    what = "touch(" + Long.toHexString(start) + (write ? ", write)" : ", read)");
                    ra = a.mms.get(which).touch(start, write);
                    rb = b.mms.get(which).touch(start, write);
                } else if (op < 90) {
                    // a user copy at any byte, often running off its area: the same bytes and partial counts
                    long from = start + rnd.nextInt((int) P);
                    int n = 1 + rnd.nextInt(rnd.nextBoolean() ? 64 : 3 * (int) P);
                    if (op < 87) {
                        byte[] data = new byte[n];
                        rnd.nextBytes(data);
                        what = "copy_to_user(" + Long.toHexString(from) + ", " + n + ")";
                        ra = a.mms.get(which).copyToUser(from, data, 0, n);
                        rb = b.mms.get(which).copyToUser(from, data, 0, n);
                    } else {
                        byte[] xa = new byte[n];
                        byte[] xb = new byte[n];
                        what = "copy_from_user(" + Long.toHexString(from) + ", " + n + ")";
                        ra = a.mms.get(which).copyFromUser(xa, 0, from, n);
                        rb = b.mms.get(which).copyFromUser(xb, 0, from, n);
                        assertArrayEquals(xa, xb, "seed " + seed + " step " + step + " " + what + ": bytes read");
                    }
                    assertEquals(a.mms.get(which).pte(from) & ~Pgtable.PTE_PFN_MASK,
                        b.mms.get(which).pte(from) & ~Pgtable.PTE_PFN_MASK, "seed " + seed + " step " + step + " " + what + ": pte bits");
                } else if (op < 96 && a.mms.size() < 6) {
                    DupMode mode = rnd.nextBoolean() ? DupMode.APPEND : DupMode.STRUCTURAL;
                    what = "dup(" + mode + ")";
                    ra = dup(a, which, mode);
                    rb = dup(b, which, mode);
                } else if (a.mms.size() > 1) {
                    int victim = 1 + rnd.nextInt(a.mms.size() - 1);
                    what = "mmput(#" + victim + ")";
                    a.mms.remove(victim).mmput();
                    b.mms.remove(victim).mmput();
                    ra = 0;
                    rb = 0;
                } else {
                    continue;
                }
                int[] st = stats.computeIfAbsent(what.substring(0, what.indexOf('(')), k -> new int[2]);
                st[(what.startsWith("copy_") ? ra == 0 : ra >= 0) ? 0 : 1]++; // a copy fails when it stops short
                maxVmas = Math.max(maxVmas, a.mms.get(0).mapCount());
                String ctx = "seed " + seed + " step " + step + " mm#" + which + " " + what;
                assertEquals(ra, rb, ctx + ": return values differ");
                for (int i = 0; i < a.mms.size(); i++) {
                    AddressSpace x = a.mms.get(i);
                    AddressSpace y = b.mms.get(i);
                    x.validate();
                    y.validate();
                    assertEquals(x.maps(), y.maps(), ctx + ": maps of mm#" + i);
                    assertEquals(x.vmas(), y.vmas(), ctx + ": VMAs of mm#" + i);
                    assertEquals(counters(x), counters(y), ctx + ": counters of mm#" + i);
                }
                assertEquals(a.inst.sys().objectCounts(), b.inst.sys().objectCounts(), ctx + ": object counts");
                assertEquals(a.inst.sys().overcommit().committedPages(), b.inst.sys().overcommit().committedPages(), ctx);
                for (int f = 0; f < 3; f++) {
                    MappedFile fa = a.files.get(f);
                    MappedFile fb = b.files.get(f);
                    assertEquals(List.of(fa.refcount(), fa.iWritecount(), fa.iMmapWritable(), fa.iMmapCount(), fa.vmOpenCount(),
                            fa.nrpages()),
                        List.of(fb.refcount(), fb.iWritecount(), fb.iMmapWritable(), fb.iMmapCount(), fb.vmOpenCount(),
                            fb.nrpages()),
                        ctx + ": file " + fa.path());
                }
            }
        } catch (RuntimeException | AssertionError e) {
            System.err.println("MmDifferentialTest failed: seed " + seed + " at step " + step);
            throw e;
        }
        StringBuilder sum = new StringBuilder("seed " + seed + ": ok/failed");
        stats.forEach((k, v) -> sum.append(' ').append(k).append('=').append(v[0]).append('/').append(v[1]));
        System.out.println(sum.append(", max VMAs ").append(maxVmas).append(", mms ").append(a.mms.size()));
        // the history must exercise the model, not just fail
        assertEquals(true, stats.get("mmap")[0] > 40 && stats.get("munmap")[0] > 20 && stats.get("mprotect")[0] > 20 && stats.get("madvise")[0] > 10
            && maxVmas >= 8 && stats.get("copy_to_user")[0] + stats.get("copy_from_user")[0] > 1, sum.toString());
        for (Side s : new Side[] {a, b}) {
            for (AddressSpace mm : s.mms) {
                mm.mmput();
            }
            for (MappedFile f : s.files) {
                f.fput();
            }
        }
    }

    private static long dup(Side s, int which, DupMode mode) {
        try {
            s.mms.add(s.mms.get(which).dup(mode));
            return s.mms.size() - 1;
        } catch (KernelException e) {
            return -e.errno();
        }
    }

    private static List<Long> counters(AddressSpace m) {
        return List.of((long) m.mapCount(), m.totalVm(), m.dataVm(), m.execVm(), m.stackVm(), m.lockedVm(),
            m.highestVmEnd(), m.vmacacheSeqnum(), m.hiwaterVm(), (long) m.mmUsers(), (long) m.mmCount(), m.flags(),
            m.rss(Limits.MM_FILEPAGES), m.rss(Limits.MM_ANONPAGES), m.rss(Limits.MM_SHMEMPAGES), m.hiwaterRss(),
            m.pgtablesBytes());
    }
}
