package org.kfork.proc;

import java.util.List;

import org.kfork.arch.X86_64;
import org.kfork.mm.Mman;

/**
 * fs/proc/meminfo.c (5.12), the text of /proc/meminfo: meminfo_proc_show's lines in its order,
 * with the lines the reference config adds (CONFIG_TRANSPARENT_HUGEPAGE's, hugetlb_report_meminfo's
 * and x86's arch_report_meminfo; not CONFIG_HIGHMEM, CONFIG_MEMORY_FAILURE nor CONFIG_CMA), from
 * counters each kernel reads out of its own representation into one of these. The text lives here
 * once, so that both kernels print the same bytes for the same counters.
 *
 * <p>The model keeps RAM, free pages, slab pages (reclaimable or not), kernel stacks, page tables,
 * the overcommit charge and limit, vmalloc'ed pages and the per-CPU chunk. It keeps no LRU lists,
 * page-cache statistics, swap, writeback, bounce buffers, transparent or hugetlb huge pages, so
 * those lines print 0, as an idle machine without them would; docs/proc.md lists them.
 *
 * <p>MemAvailable is si_mem_available on a machine without watermarks or reserves and with no
 * page cache on the LRU: the free pages plus the reclaimable slab pages. The direct map is not
 * built of page tables in the model; the DirectMap lines show RAM cut into the largest pages that
 * fit it, 1 GiB first (direct_gbpages), as init_memory_mapping maps an aligned range.
 */
public final class Meminfo {
    /** VMALLOC_TOTAL in kB: 32 TiB with 4-level paging (VMALLOC_SIZE_TB_L4), less the last byte. */
    public static final long VMALLOC_TOTAL_KB = ((32L << 40) - 1) >>> 10;
    /** THREAD_SIZE: a thread stack's bytes. */
    private static final long STACK_SIZE = X86_64.THREAD_SIZE;
    /** The default huge page (HPAGE_PMD_SIZE) in kB. */
    public static final long HUGEPAGESIZE_KB = 2048;

    /**
     * The fields that depend on how a kernel stores its objects, not on its history: the off-heap
     * kernel's free pages, slab pages and per-CPU chunk, which the heap twin (objects on the Java
     * heap) has not. Every other field is the same counter in both kernels.
     */
    public static final List<String> REPRESENTATION_FIELDS = List.of("MemFree", "MemAvailable", "KReclaimable",
        "Slab", "SReclaimable", "SUnreclaim", "Percpu");

    /**
     * The fields that depend on the modeled CPU each step ran on as well as on the history:
     * VmallocUsed counts the stacks kept in each CPU's cached_stacks, and which CPU's cache keeps a
     * freed stack (or whether it is full and the stack goes) depends on the CPU the freeing thread
     * was on. Two runs of one script may differ there, on one kernel or on two.
     */
    public static final List<String> PER_CPU_FIELDS = List.of("VmallocUsed");

    /** totalram_pages. */
    public long totalramPages;
    /** NR_FREE_PAGES. */
    public long freePages;
    /** NR_SLAB_RECLAIMABLE_B, in pages. */
    public long slabReclaimablePages;
    /** NR_SLAB_UNRECLAIMABLE_B, in pages. */
    public long slabUnreclaimablePages;
    /** NR_KERNEL_STACK_KB (already in kB). */
    public long kernelStackKb;
    /** NR_PAGETABLE. */
    public long pageTablePages;
    /** vm_commit_limit(). */
    public long commitLimitPages;
    /** vm_memory_committed(). */
    public long committedPages;
    /** Thread stacks in the per-CPU cached_stacks (vmalloc'ed, held by no task). */
    public long cachedStacks;
    /** pcpu_nr_pages(). */
    public long percpuPages;

    /** The text of /proc/meminfo. */
    public String format() {
        final StringBuilder m = new StringBuilder(1500);
        final long available = freePages + slabReclaimablePages;
        kb(m, "MemTotal:       ", totalramPages);
        kb(m, "MemFree:        ", freePages);
        kb(m, "MemAvailable:   ", available);
        for (String zero : new String[] {"Buffers:        ", "Cached:         ", "SwapCached:     ",
            "Active:         ", "Inactive:       ", "Active(anon):   ", "Inactive(anon): ", "Active(file):   ",
            "Inactive(file): ", "Unevictable:    ", "Mlocked:        ", "SwapTotal:      ", "SwapFree:       ",
            "Dirty:          ", "Writeback:      ", "AnonPages:      ", "Mapped:         ", "Shmem:          "}) {
            kb(m, zero, 0);
        }
        kb(m, "KReclaimable:   ", slabReclaimablePages);
        kb(m, "Slab:           ", slabReclaimablePages + slabUnreclaimablePages);
        kb(m, "SReclaimable:   ", slabReclaimablePages);
        kb(m, "SUnreclaim:     ", slabUnreclaimablePages);
        width(m, "KernelStack:    ", kernelStackKb, 8).append(" kB\n");
        kb(m, "PageTables:     ", pageTablePages);
        kb(m, "NFS_Unstable:   ", 0);
        kb(m, "Bounce:         ", 0);
        kb(m, "WritebackTmp:   ", 0);
        kb(m, "CommitLimit:    ", commitLimitPages);
        kb(m, "Committed_AS:   ", Math.max(committedPages, 0)); // percpu_counter_read_positive
        width(m, "VmallocTotal:   ", VMALLOC_TOTAL_KB, 8).append(" kB\n");
        kb(m, "VmallocUsed:    ", vmallocPages());
        kb(m, "VmallocChunk:   ", 0);
        kb(m, "Percpu:         ", percpuPages);
        for (String zero : new String[] {"AnonHugePages:  ", "ShmemHugePages: ", "ShmemPmdMapped: ",
            "FileHugePages:  ", "FilePmdMapped:  "}) {
            kb(m, zero, 0);
        }
        width(m, "HugePages_Total:   ", 0, 5).append('\n');
        width(m, "HugePages_Free:    ", 0, 5).append('\n');
        width(m, "HugePages_Rsvd:    ", 0, 5).append('\n');
        width(m, "HugePages_Surp:    ", 0, 5).append('\n');
        width(m, "Hugepagesize:   ", HUGEPAGESIZE_KB, 8).append(" kB\n");
        width(m, "Hugetlb:        ", 0, 8).append(" kB\n");
        directMap(m);
        return m.toString();
    }

    /**
     * vmalloc_nr_pages: thread stacks are the model's only vmalloc'ed memory, so its pages are
     * those of the stacks tasks hold (NR_KERNEL_STACK_KB) and of the stacks cached per CPU. A stack
     * queued for vfree_atomic is not counted (5.12 counts it until the worker has freed it), so
     * that the figure does not depend on when the worker ran.
     */
    public long vmallocPages() {
        return (kernelStackKb >> (Mman.PAGE_SHIFT - 10)) + cachedStacks * (STACK_SIZE >> Mman.PAGE_SHIFT);
    }

    /** arch_report_meminfo: DirectMap4k, 2M and 1G, RAM in the largest pages that fit. */
    private void directMap(StringBuilder m) {
        final long bytes = totalramPages << Mman.PAGE_SHIFT;
        final long gb = bytes >>> 30;
        final long mb2 = (bytes - (gb << 30)) >>> 21;
        final long k4 = (bytes - (gb << 30) - (mb2 << 21)) >>> 12;
        width(m, "DirectMap4k:    ", k4 << 2, 8).append(" kB\n");
        width(m, "DirectMap2M:    ", mb2 << 11, 8).append(" kB\n");
        width(m, "DirectMap1G:    ", gb << 20, 8).append(" kB\n");
    }

    /** show_val_kb: pages shown in kB, right-aligned in 8 columns. */
    private static void kb(StringBuilder m, String label, long pages) {
        width(m, label, pages << (Mman.PAGE_SHIFT - 10), 8).append(" kB\n");
    }

    /** seq_put_decimal_ull_width (and printf's %Nlu): the label, then the value right-aligned. */
    private static StringBuilder width(StringBuilder m, String label, long v, int w) {
        m.append(label);
        final String s = Long.toUnsignedString(v);
        for (int i = s.length(); i < w; i++) {
            m.append(' ');
        }
        return m.append(s);
    }

    /**
     * The value of field {@code name} in a meminfo text, in kB (or a count for HugePages_*);
     * -1 when the text has no such line.
     */
    public static long field(String text, String name) {
        for (String line : text.split("\n")) {
            final int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equals(name)) {
                final String v = line.substring(colon + 1).trim();
                return Long.parseLong(v.endsWith(" kB") ? v.substring(0, v.length() - 3).trim() : v);
            }
        }
        return -1;
    }
}
