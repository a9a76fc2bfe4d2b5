package org.kfork.kernel.crash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.kfork.machine.Abi;

/**
 * The ELF64 core of a machine image, as kdump's /proc/vmcore presents a crashed kernel (fs/proc/
 * vmcore.c, with the note that kernel/crash_core.c's crash_update_vmcoreinfo_safecopy and
 * append_elf_note make): an ET_CORE file for x86_64 with one PT_NOTE holding the "VMCOREINFO"
 * note, then one PT_LOAD per run of populated pages of RAM, at its kernel virtual address (the
 * direct map) with its physical address in p_paddr. Pages that are all zero (never touched: holes
 * of the sparse RAM file) are left out, so the core holds what the run wrote and gdb reads the rest
 * as absent.
 *
 * <p>The core has no CPU registers (no NT_PRSTATUS): the machine was not stopped on a CPU, and gdb
 * says so and reads memory all the same.
 */
public final class ElfCore {
    private static final int EHDR = 64;
    private static final int PHDR = 56;
    private static final int SCAN_CHUNK = 1 << 20;

    private ElfCore() {
    }

    /** What {@link #write} wrote. */
    public record Written(int loads, long bytesOfRam, long fileBytes) {
    }

    /**
     * Writes the core of the RAM image {@code ram} to {@code out} (replacing it).
     *
     * @throws ImageException when {@code ram} is not a RAM file, or on an I/O error
     */
    public static Written write(ImageFile ram, Path out) {
        if (ram.kind() != ImageFile.Kind.RAM) {
            throw new ImageException(ram.path() + ": already an ELF core; kfork vmcore reads a RAM file (kfork run --ram-file)");
        }
        final ImageFile.Segment seg = ram.segments().get(0);
        final List<long[]> runs = populatedRuns(ram, seg);
        final byte[] desc = ram.vmcoreinfo().getBytes(StandardCharsets.US_ASCII);
        final byte[] name = (ImageFile.VMCOREINFO_NOTE + "\0").getBytes(StandardCharsets.US_ASCII);
        final int noteBytes = 12 + ImageFile.align4(name.length) + ImageFile.align4(desc.length);
        final int phnum = 1 + runs.size();
        final long noteOff = EHDR + (long) PHDR * phnum;
        long dataOff = Abi.alignUp(noteOff + noteBytes, Abi.PAGE_SIZE);

        final ByteBuffer head = ByteBuffer.allocate((int) (noteOff + noteBytes)).order(ByteOrder.LITTLE_ENDIAN);
        // Elf64_Ehdr
        head.put(new byte[] {0x7f, 'E', 'L', 'F', 2 /* ELFCLASS64 */, 1 /* ELFDATA2LSB */, 1 /* EV_CURRENT */, 0});
        head.position(16);
        head.putShort((short) ImageFile.ET_CORE).putShort((short) ImageFile.EM_X86_64).putInt(1);
        head.putLong(0).putLong(EHDR).putLong(0).putInt(0); // e_entry, e_phoff, e_shoff, e_flags
        head.putShort((short) EHDR).putShort((short) PHDR).putShort((short) phnum).putShort((short) 64).putShort((short) 0)
            .putShort((short) 0);
        // PT_NOTE
        phdr(head, ImageFile.PT_NOTE, 0, noteOff, 0, noteBytes, 0);
        long ramBytes = 0;
        final long[] offs = new long[runs.size()];
        for (int i = 0; i < runs.size(); i++) {
            final long phys = runs.get(i)[0]; // a file offset of the RAM image
            final long len = runs.get(i)[1];
            offs[i] = dataOff;
            phdr(head, ImageFile.PT_LOAD, 7 /* PF_R | PF_W | PF_X */, dataOff, seg.vaddr() + phys - seg.fileOffset(), len,
                seg.vaddr() - Abi.PAGE_OFFSET + phys - seg.fileOffset());
            dataOff += len;
            ramBytes += len;
        }
        // the note: Elf64_Nhdr, "VMCOREINFO\0" padded to 4, the text padded to 4
        head.putInt(name.length).putInt(desc.length).putInt(0);
        head.put(name).position(head.position() + ImageFile.align4(name.length) - name.length);
        head.put(desc);
        try (FileChannel o = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            head.clear();
            while (head.hasRemaining()) {
                o.write(head);
            }
            for (int i = 0; i < runs.size(); i++) {
                long from = runs.get(i)[0];
                long left = runs.get(i)[1];
                long to = offs[i];
                while (left > 0) {
                    final long n = ram.channel().transferTo(from, left, o.position(to));
                    if (n <= 0) {
                        throw new ImageException(ram.path() + ": truncated while copying physical 0x" + Long.toHexString(from));
                    }
                    from += n;
                    to += n;
                    left -= n;
                }
            }
            return new Written(runs.size(), ramBytes, o.size());
        } catch (IOException e) {
            throw new ImageException(out + ": cannot write the core: " + e.getMessage(), e);
        }
    }

    private static void phdr(ByteBuffer b, int type, int flags, long off, long vaddr, long size, long paddr) {
        b.putInt(type).putInt(flags).putLong(off).putLong(vaddr).putLong(paddr).putLong(size).putLong(size)
            .putLong(type == ImageFile.PT_LOAD ? Abi.PAGE_SIZE : 4);
    }

    /** The runs of pages of the segment that hold a non-zero byte: {file offset, length}. */
    static List<long[]> populatedRuns(ImageFile ram, ImageFile.Segment seg) {
        final List<long[]> runs = new ArrayList<>();
        final ByteBuffer buf = ByteBuffer.allocateDirect(SCAN_CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        long runStart = -1;
        for (long at = seg.fileOffset(); at < seg.fileOffset() + seg.size(); at += SCAN_CHUNK) {
            final int n = (int) Math.min(SCAN_CHUNK, seg.fileOffset() + seg.size() - at);
            buf.clear().limit(n);
            try {
                while (buf.hasRemaining()) {
                    if (ram.channel().read(buf, at + buf.position()) < 0) {
                        throw new ImageException(ram.path() + ": truncated at file offset " + (at + buf.position()));
                    }
                }
            } catch (IOException e) {
                throw new ImageException(ram.path() + ": cannot read: " + e.getMessage(), e);
            }
            for (int p = 0; p < n; p += Abi.PAGE_SIZE) {
                final boolean used = !zeroPage(buf, p);
                if (used && runStart < 0) {
                    runStart = at + p;
                } else if (!used && runStart >= 0) {
                    runs.add(new long[] {runStart, at + p - runStart});
                    runStart = -1;
                }
            }
        }
        if (runStart >= 0) {
            runs.add(new long[] {runStart, seg.fileOffset() + seg.size() - runStart});
        }
        return runs;
    }

    private static boolean zeroPage(ByteBuffer b, int from) {
        for (int i = from; i < from + Abi.PAGE_SIZE; i += 8) {
            if (b.getLong(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
