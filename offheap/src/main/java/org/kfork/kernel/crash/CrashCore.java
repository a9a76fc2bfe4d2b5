package org.kfork.kernel.crash;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.kfork.alloc.SlabInfo;
import org.kfork.kernel.Globals;
import org.kfork.kernel.proc.ProcMeminfo;
import org.kfork.proc.Meminfo;
import org.kfork.kernel.struct.Structs;
import org.kfork.machine.Abi;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.machine.layout.StructLayout;

/**
 * kernel/crash_core.c (5.12): the VMCOREINFO data, which lets a dump of the machine's memory be read
 * with nothing else. As the kernel keeps {@code vmcoreinfo_data} in a page of its own, the machine
 * keeps it in its RAM, in the block of {@link ImageFormat#NOTE_BYTES} that is the first the kernel
 * takes at boot, so it sits at the start of the machine's RAM window (physical offset 0 of the
 * first machine of a JVM, hence byte 0 of a RAM file): a header ({@link ImageFormat}), then the text
 * in the kernel's {@code NAME(...)=value} lines (SYMBOL in hex, SIZE, OFFSET, NUMBER and LENGTH in
 * decimal).
 *
 * <p>Written at boot (crash_save_vmcoreinfo_init), rewritten each time a slab cache is made (its
 * geometry joins the text) and at {@link #save} (crash_save_vmcoreinfo: CRASHTIME, and the counters
 * that change all the time, the slab caches' objects and the free pages, as they are at the time
 * of the dump).
 *
 * <p>Invariants: the text always ends in a newline and fits the block after the header; the header's
 * size field is written after the text (release), so a reader of a live file sees a whole text.
 */
public final class CrashCore implements AutoCloseable {
    /** The kernel release the image says it comes from. */
    public static final String OSRELEASE = "5.12.0-kfork";

    /** Room kept for the lines after the slab caches (free pages, totalram, meminfo's counters, CRASHTIME). */
    private static final int CLOSING_LINES = 640;

    private final Machine machine;
    /** The block: the header, then the text. */
    private final long block;
    private Globals g;
    private boolean closed;

    private CrashCore(Machine machine, long block) {
        this.machine = machine;
        this.block = block;
    }

    /**
     * Takes the VMCOREINFO block: to be the machine's first allocation, so that the block starts
     * its RAM window. On a machine that handed out pages before, the block lies elsewhere and
     * only the live kernel knows where; the image readers find no header at the window's start.
     *
     * @throws IllegalStateException when RAM cannot hold it
     */
    public static CrashCore reserve(Machine machine) {
        final long b = machine.pages().allocPages(ImageFormat.NOTE_ORDER);
        if (b == 0) {
            throw new IllegalStateException("no RAM for the VMCOREINFO block (" + machine.ramBytes() + " bytes of RAM)");
        }
        Mem.zero(b, ImageFormat.NOTE_BYTES);
        return new CrashCore(machine, b);
    }

    /** The kernel virtual address of the block (the header); the text follows it. */
    public long address() {
        return block;
    }

    /** True when the block starts the machine's RAM window, where an image reader looks for it. */
    public boolean atWindowStart() {
        return block == machine.ramStart();
    }

    /**
     * crash_save_vmcoreinfo_init: the text of a booted kernel {@code g}; from now on each new slab
     * cache rewrites it.
     */
    public void boot(Globals globals) {
        this.g = globals;
        g.kmem.slabs().onCreate(c -> update(false));
        update(false);
    }

    /**
     * crash_save_vmcoreinfo: the text as it is now, with CRASHTIME and the counters of the slab
     * caches and the free pages, for an image taken at this moment.
     */
    public void save() {
        update(true);
    }

    /** The text now in RAM. */
    public String text() {
        final int len = Mem.getIntAcquire(block + ImageFormat.H_NOTE_SIZE);
        final byte[] b = new byte[len];
        Mem.copyToArray(block + ImageFormat.HEADER_BYTES, b, 0, len);
        return new String(b, StandardCharsets.US_ASCII);
    }

    private synchronized void update(boolean crash) {
        if (closed || g == null) {
            return;
        }
        final byte[] text = text(crash).getBytes(StandardCharsets.US_ASCII);
        if (text.length > ImageFormat.NOTE_BYTES - ImageFormat.HEADER_BYTES) {
            throw new IllegalStateException("VMCOREINFO text of " + text.length + " bytes overflows its block");
        }
        Mem.copyFromArray(ImageFormat.MAGIC, 0, block + ImageFormat.H_MAGIC, ImageFormat.MAGIC.length);
        Mem.putInt(block + ImageFormat.H_VERSION, ImageFormat.VERSION);
        Mem.putLong(block + ImageFormat.H_PHYS_START, machine.ramStart() - Abi.PAGE_OFFSET);
        Mem.putLong(block + ImageFormat.H_RAM_BYTES, machine.ramBytes());
        Mem.putLong(block + ImageFormat.H_NOTE_MAX, ImageFormat.NOTE_BYTES - ImageFormat.HEADER_BYTES);
        Mem.zero(block + ImageFormat.HEADER_BYTES, ImageFormat.NOTE_BYTES - ImageFormat.HEADER_BYTES);
        Mem.copyFromArray(text, 0, block + ImageFormat.HEADER_BYTES, text.length);
        Mem.putIntRelease(block + ImageFormat.H_NOTE_SIZE, text.length);
    }

    private String text(boolean crash) {
        final StringBuilder sb = new StringBuilder(4096);
        sb.append("OSRELEASE=").append(OSRELEASE).append('\n');
        sb.append(ImageFormat.LAYOUT_KEY).append('=').append(ImageFormat.layoutVersion()).append('\n');
        sb.append("PAGESIZE=").append(Abi.PAGE_SIZE).append('\n');
        number(sb, "PAGE_OFFSET", Abi.PAGE_OFFSET);
        number(sb, "phys_ram_start", machine.ramStart() - Abi.PAGE_OFFSET);
        number(sb, "ram_bytes", machine.ramBytes());
        number(sb, "nr_cpu_ids", machine.nrCpus());
        symbol(sb, "vmcoreinfo_data", block + ImageFormat.HEADER_BYTES);
        symbol(sb, "init_task", g.initTask);
        symbol(sb, "init_mm", g.mm.initMmAddress());
        symbol(sb, "init_pid_ns", g.initPidNs);
        for (StructLayout s : ImageFormat.SIZED) {
            sb.append("SIZE(").append(s.tag()).append(")=").append(s.size()).append('\n');
        }
        for (String[] f : ImageFormat.OFFSETS) {
            final StructLayout s = Structs.byName(f[0]);
            sb.append("OFFSET(").append(f[0]).append('.').append(f[1]).append(")=").append(s.offsetOf(f[1])).append('\n');
        }
        // The slab caches (slab_caches): name, then the numbers of a /proc/slabinfo line. The object
        // counts are those of the moment of the last rewrite; save() brings them up to date.
        final List<SlabInfo> infos = g.kmem.slabs().infos();
        sb.append("LENGTH(slab_caches)=").append(infos.size()).append('\n');
        // A cache line that would not leave room for the closing lines is left out, and counted:
        // the block has room for a few hundred caches, the model makes a few dozen.
        final int room = ImageFormat.NOTE_BYTES - ImageFormat.HEADER_BYTES - CLOSING_LINES;
        int omitted = 0;
        for (SlabInfo i : infos) {
            final String line = "KMEM_CACHE(" + i.name() + ")=" + i.activeObjs() + ' ' + i.numObjs() + ' ' + i.objSize() + ' '
                + i.objPerSlab() + ' ' + i.pagesPerSlab() + ' ' + i.limit() + ' ' + i.batch() + ' ' + i.numSlabs() + '\n';
            if (sb.length() + line.length() > room) {
                omitted++;
            } else {
                sb.append(line);
            }
        }
        if (omitted > 0) {
            number(sb, "slab_caches_omitted", omitted);
        }
        number(sb, "nr_free_pages", machine.pages().nrFreePages());
        number(sb, "totalram_pages", machine.pages().totalramPages());
        if (crash) {
            // what /proc/meminfo prints, so that an image's meminfo is the live one's at this moment
            final Meminfo mi = ProcMeminfo.counters(g);
            number(sb, "meminfo_slab_reclaimable_pages", mi.slabReclaimablePages);
            number(sb, "meminfo_slab_unreclaimable_pages", mi.slabUnreclaimablePages);
            number(sb, "meminfo_kernel_stack_kb", mi.kernelStackKb);
            number(sb, "meminfo_page_table_pages", mi.pageTablePages);
            number(sb, "meminfo_commit_limit_pages", mi.commitLimitPages);
            number(sb, "meminfo_committed_pages", mi.committedPages);
            number(sb, "meminfo_cached_stacks", mi.cachedStacks);
            number(sb, "meminfo_percpu_pages", mi.percpuPages);
            sb.append("CRASHTIME=").append(System.currentTimeMillis() / 1000).append('\n');
        }
        return sb.toString();
    }

    private static void number(StringBuilder sb, String name, long v) {
        sb.append("NUMBER(").append(name).append(")=").append(v).append('\n');
    }

    private static void symbol(StringBuilder sb, String name, long addr) {
        sb.append("SYMBOL(").append(name).append(")=").append(Long.toHexString(addr)).append('\n');
    }

    /**
     * Writes the machine's RAM window to {@code out} as a RAM image (byte 0 is the window's first
     * byte), leaving all-zero pages as holes: what a kdump kernel's copy of /proc/vmcore is to a
     * crashed kernel, for a machine whose RAM is not a file. The caller has run {@link #save} and
     * keeps the machine still while it copies.
     *
     * @throws IllegalStateException when the block does not start the window (no reader could find it)
     */
    public void dump(java.nio.file.Path out) {
        if (!atWindowStart()) {
            throw new IllegalStateException("the VMCOREINFO block is at 0x" + Long.toHexString(block)
                + ", not at the start of RAM (0x" + Long.toHexString(machine.ramStart()) + "): no image reader would find it");
        }
        final byte[] page = new byte[Abi.PAGE_SIZE];
        final java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(page);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(out, java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long off = 0; off < machine.ramBytes(); off += Abi.PAGE_SIZE) {
                Mem.copyToArrayNofault(machine.ramStart() + off, page, 0, Abi.PAGE_SIZE);
                if (!zero(page)) {
                    buf.clear();
                    while (buf.hasRemaining()) {
                        ch.write(buf, off + buf.position());
                    }
                }
            }
            // the length says how much RAM there was, even when its last pages are holes
            if (ch.size() < machine.ramBytes()) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[1]), machine.ramBytes() - 1);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write the RAM image " + out, e);
        }
    }

    private static boolean zero(byte[] page) {
        for (byte b : page) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** Gives the block back, when the kernel is torn down. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            machine.pages().freePages(block, ImageFormat.NOTE_ORDER);
        }
    }
}
