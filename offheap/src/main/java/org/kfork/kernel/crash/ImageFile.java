package org.kfork.kernel.crash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.kfork.kernel.struct.Structs;
import org.kfork.machine.Abi;
import org.kfork.machine.layout.StructLayout;

/**
 * A machine image opened read-only: a RAM file ({@code kfork run --ram-file}, or a kernel's
 * {@code dumpImage}: byte 0 is the first byte of the machine's RAM window, whose physical offset the
 * header gives) or an ELF core ({@code kfork vmcore}, whose PT_LOAD segments sit at
 * their kernel virtual addresses). Either way it is a list of segments (kernel virtual address,
 * file offset, length) and the VMCOREINFO text; every read names a kernel virtual address and is
 * checked against the segments before the file is touched, so an address outside the image is an
 * {@link ImageException} naming it, never a read of something else.
 *
 * <p>Opening checks what a reader relies on: the header or the ELF identification, that every
 * segment lies inside the file (else the file is truncated), that the layouts named by the text
 * are this build's (KFORK_LAYOUT_VERSION, and each SIZE and OFFSET line the text states), and that
 * the roots the readers start from are there. Reads go through the file channel, not a mapping,
 * so that a file truncated after opening gives an I/O error, not a crash.
 */
public final class ImageFile implements AutoCloseable {
    /** The kinds of image. */
    public enum Kind { RAM, ELF }

    /** One range of kernel virtual addresses present in the file. */
    public record Segment(long vaddr, long fileOffset, long size) {
        boolean holds(long addr, long len) {
            final long off = addr - vaddr;
            return Long.compareUnsigned(addr, vaddr) >= 0 && off <= size && len <= size - off;
        }
    }

    static final int ET_CORE = 4;
    static final int EM_X86_64 = 62;
    static final int PT_LOAD = 1;
    static final int PT_NOTE = 4;
    static final String VMCOREINFO_NOTE = "VMCOREINFO";

    private final Path path;
    private final FileChannel ch;
    private final Kind kind;
    private final List<Segment> segments;
    private final String vmcoreinfo;
    private final Map<String, String> info;
    private final ByteBuffer word = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

    private ImageFile(Path path, FileChannel ch, Kind kind, List<Segment> segments, String vmcoreinfo) {
        this.path = path;
        this.ch = ch;
        this.kind = kind;
        this.segments = Collections.unmodifiableList(segments);
        this.vmcoreinfo = vmcoreinfo;
        this.info = parse(path, vmcoreinfo);
    }

    /**
     * Opens {@code path} read-only and checks it.
     *
     * @throws ImageException when it is no readable image of this build's layouts
     */
    public static ImageFile open(Path path) {
        final FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ImageException(path + ": no such file");
        } catch (IOException e) {
            throw new ImageException(path + ": cannot open: " + e.getMessage(), e);
        }
        try {
            final ImageFile f = detect(path, ch);
            f.checkLayouts();
            return f;
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static ImageFile detect(Path path, FileChannel ch) {
        final long size = size(path, ch);
        final byte[] ident = new byte[8];
        readFully(path, ch, 0, ident, Math.min(8, (int) Math.min(size, 8)));
        if (size >= 4 && ident[0] == 0x7f && ident[1] == 'E' && ident[2] == 'L' && ident[3] == 'F') {
            return elf(path, ch, size);
        }
        if (size >= ImageFormat.HEADER_BYTES && java.util.Arrays.equals(ident, ImageFormat.MAGIC)) {
            return ram(path, ch, size);
        }
        throw new ImageException(path + ": not a kfork machine image (neither the " + new String(ImageFormat.MAGIC,
            StandardCharsets.US_ASCII) + " header of a RAM file at offset 0 nor an ELF core)");
    }

    private static ImageFile ram(Path path, FileChannel ch, long size) {
        final ByteBuffer h = ByteBuffer.allocate(ImageFormat.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        readFully(path, ch, 0, h.array(), ImageFormat.HEADER_BYTES);
        final int version = h.getInt(ImageFormat.H_VERSION);
        if (version != ImageFormat.VERSION) {
            throw new ImageException(path + ": RAM image header version " + version + ", this kfork reads " + ImageFormat.VERSION);
        }
        final int noteSize = h.getInt(ImageFormat.H_NOTE_SIZE);
        final long physStart = h.getLong(ImageFormat.H_PHYS_START);
        final long ramBytes = h.getLong(ImageFormat.H_RAM_BYTES);
        if (noteSize <= 0 || noteSize > ImageFormat.NOTE_BYTES - ImageFormat.HEADER_BYTES || physStart < 0
            || (physStart & (Abi.PAGE_SIZE - 1)) != 0 || ramBytes < ImageFormat.NOTE_BYTES
            || (ramBytes & (Abi.PAGE_SIZE - 1)) != 0) {
            throw new ImageException(path + ": corrupt RAM image header (VMCOREINFO of " + noteSize + " bytes, RAM of "
                + ramBytes + " bytes at physical 0x" + Long.toHexString(physStart) + ")");
        }
        if (size < ramBytes) {
            throw new ImageException(path + ": truncated: its RAM of " + ramBytes + " bytes needs a file of at least that"
                + " size, the file has " + size + " (RAM from 0x" + Long.toHexString(Abi.PAGE_OFFSET + physStart + size)
                + " is missing)");
        }
        final byte[] note = new byte[noteSize];
        readFully(path, ch, ImageFormat.HEADER_BYTES, note, noteSize);
        return new ImageFile(path, ch, Kind.RAM, List.of(new Segment(Abi.PAGE_OFFSET + physStart, 0, ramBytes)),
            new String(note, StandardCharsets.US_ASCII));
    }

    private static ImageFile elf(Path path, FileChannel ch, long size) {
        if (size < 64) {
            throw new ImageException(path + ": truncated: " + size + " bytes, shorter than an ELF64 header");
        }
        final ByteBuffer e = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        readFully(path, ch, 0, e.array(), 64);
        if (e.get(4) != 2 || e.get(5) != 1 || e.getShort(16) != ET_CORE || e.getShort(18) != EM_X86_64) {
            throw new ImageException(path + ": an ELF file, but no x86_64 ELF64 little-endian core (class " + e.get(4)
                + ", data " + e.get(5) + ", type " + e.getShort(16) + ", machine " + e.getShort(18) + ")");
        }
        final long phoff = e.getLong(32);
        final int phentsize = e.getShort(54) & 0xffff;
        final int phnum = e.getShort(56) & 0xffff;
        if (phentsize != 56 || phoff < 64 || phoff + (long) phnum * 56 > size) {
            throw new ImageException(path + ": truncated or corrupt ELF core: " + phnum + " program headers at offset " + phoff
                + " in a file of " + size + " bytes");
        }
        final ByteBuffer ph = ByteBuffer.allocate(phnum * 56).order(ByteOrder.LITTLE_ENDIAN);
        readFully(path, ch, phoff, ph.array(), phnum * 56);
        final List<Segment> segs = new ArrayList<>();
        String note = null;
        for (int i = 0; i < phnum; i++) {
            final int b = i * 56;
            final int type = ph.getInt(b);
            final long off = ph.getLong(b + 8);
            final long vaddr = ph.getLong(b + 16);
            final long filesz = ph.getLong(b + 32);
            if (type != PT_LOAD && type != PT_NOTE) {
                continue;
            }
            if (off < 0 || filesz < 0 || off > size || filesz > size - off) {
                throw new ImageException(path + ": truncated: segment " + i + " at 0x" + Long.toHexString(vaddr) + " needs bytes "
                    + off + ".." + (off + filesz) + " of the file, which has " + size);
            }
            if (type == PT_LOAD) {
                segs.add(new Segment(vaddr, off, filesz));
            } else if (note == null) {
                note = vmcoreinfoNote(path, ch, off, filesz);
            }
        }
        if (note == null) {
            throw new ImageException(path + ": an ELF core without a VMCOREINFO note: not a kfork machine image");
        }
        return new ImageFile(path, ch, Kind.ELF, segs, note);
    }

    /** The desc of the note named VMCOREINFO in the PT_NOTE at {@code off}, or null. */
    private static String vmcoreinfoNote(Path path, FileChannel ch, long off, long len) {
        if (len > ImageFormat.NOTE_BYTES * 4L) {
            throw new ImageException(path + ": PT_NOTE of " + len + " bytes: not a kfork core");
        }
        final ByteBuffer n = ByteBuffer.allocate((int) len).order(ByteOrder.LITTLE_ENDIAN);
        readFully(path, ch, off, n.array(), (int) len);
        int at = 0;
        while (at + 12 <= len) {
            final int namesz = n.getInt(at);
            final int descsz = n.getInt(at + 4);
            final int nameAt = at + 12;
            final int descAt = nameAt + align4(namesz);
            if (namesz < 0 || descsz < 0 || descAt + (long) descsz > len) {
                throw new ImageException(path + ": corrupt PT_NOTE at file offset " + (off + at));
            }
            final String name = new String(n.array(), nameAt, Math.max(0, namesz - 1), StandardCharsets.US_ASCII);
            if (name.equals(VMCOREINFO_NOTE)) {
                return new String(n.array(), descAt, descsz, StandardCharsets.US_ASCII);
            }
            at = descAt + align4(descsz);
        }
        return null;
    }

    static int align4(int n) {
        return (n + 3) & ~3;
    }

    private static Map<String, String> parse(Path path, String text) {
        final Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            final int eq = line.indexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        if (!m.containsKey(ImageFormat.LAYOUT_KEY)) {
            throw new ImageException(path + ": VMCOREINFO has no " + ImageFormat.LAYOUT_KEY + " line: not a kfork image");
        }
        return m;
    }

    /** The layouts of the image must be this build's: the version line, then each SIZE and OFFSET line. */
    private void checkLayouts() {
        final String v = info.get(ImageFormat.LAYOUT_KEY);
        if (!v.equals(ImageFormat.layoutVersion())) {
            throw new ImageException(path + ": written with layout version " + v + ", this kfork has "
                + ImageFormat.layoutVersion() + "; read it with the kfork that wrote it");
        }
        for (Map.Entry<String, String> e : info.entrySet()) {
            final String k = e.getKey();
            if (k.startsWith("SIZE(") || k.startsWith("OFFSET(")) {
                final String name = k.substring(k.indexOf('(') + 1, k.length() - 1);
                final int dot = name.indexOf('.');
                final StructLayout s = Structs.byName(dot < 0 ? name : name.substring(0, dot));
                final long mine = s == null ? -1 : dot < 0 ? s.size() : s.offsetOf(name.substring(dot + 1));
                if (mine != parseLong(k, e.getValue(), 10)) {
                    throw new ImageException(path + ": " + k + "=" + e.getValue() + " in the image, " + mine
                        + " in this kfork: another layout version");
                }
            }
        }
        symbol("init_task");
        symbol("init_pid_ns");
    }

    /** The image's path. */
    public Path path() {
        return path;
    }

    /** RAM file or ELF core. */
    public Kind kind() {
        return kind;
    }

    /** The ranges of kernel virtual addresses the file holds. */
    public List<Segment> segments() {
        return segments;
    }

    /** The VMCOREINFO text, as the machine wrote it. */
    public String vmcoreinfo() {
        return vmcoreinfo;
    }

    /** The value of a VMCOREINFO line ({@code SYMBOL(init_task)}...), or null. */
    public String info(String key) {
        return info.get(key);
    }

    /** Every VMCOREINFO line, in order. */
    public Map<String, String> infoLines() {
        return Collections.unmodifiableMap(info);
    }

    /** The address a SYMBOL(name) line gives. */
    public long symbol(String name) {
        final String v = info.get("SYMBOL(" + name + ")");
        if (v == null) {
            throw new ImageException(path + ": VMCOREINFO has no SYMBOL(" + name + ")");
        }
        return parseLong("SYMBOL(" + name + ")", v, 16);
    }

    /** The value a NUMBER(name) line gives, or {@code dflt}. */
    public long number(String name, long dflt) {
        final String v = info.get("NUMBER(" + name + ")");
        return v == null ? dflt : parseLong("NUMBER(" + name + ")", v, 10);
    }

    private long parseLong(String key, String v, int radix) {
        try {
            return radix == 16 ? Long.parseUnsignedLong(v.trim(), 16) : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new ImageException(path + ": VMCOREINFO line " + key + "=" + v + " is no number");
        }
    }

    /**
     * True when {@code len} bytes at {@code addr} lie in the image: in its segments, or, in an ELF
     * core, in the machine's RAM (NUMBER(phys_ram_start), NUMBER(ram_bytes)), whose pages the core
     * leaves out when they are all zero.
     */
    public boolean holds(long addr, long len) {
        if (len <= 0) {
            return true;
        }
        for (long at = addr, left = len; left > 0; ) {
            final long chunk = Math.min(left, Abi.PAGE_SIZE - (at & (Abi.PAGE_SIZE - 1)));
            if (segmentOf(at, chunk) == null && !leftOut(at, chunk)) {
                return false;
            }
            at += chunk;
            left -= chunk;
        }
        return true;
    }

    private Segment segmentOf(long addr, long len) {
        for (Segment s : segments) {
            if (s.holds(addr, len)) {
                return s;
            }
        }
        return null;
    }

    /** A page of RAM that an ELF core left out because it was all zero. */
    private boolean leftOut(long addr, long len) {
        if (kind != Kind.ELF) {
            return false;
        }
        final long ramStart = Abi.PAGE_OFFSET + number("phys_ram_start", 0);
        final long off = addr - ramStart;
        return Long.compareUnsigned(addr, ramStart) >= 0 && off <= number("ram_bytes", 0)
            && len <= number("ram_bytes", 0) - off;
    }

    /** The 8 bytes at {@code addr}. */
    public synchronized long getLong(long addr) {
        return load(addr, 8).getLong(0);
    }

    /** The 4 bytes at {@code addr}. */
    public synchronized int getInt(long addr) {
        return load(addr, 4).getInt(0);
    }

    /** The byte at {@code addr}. */
    public synchronized byte getByte(long addr) {
        return load(addr, 1).get(0);
    }

    /** {@code len} bytes at {@code addr}. */
    public synchronized byte[] bytes(long addr, int len) {
        final byte[] b = new byte[len];
        read(addr, ByteBuffer.wrap(b));
        return b;
    }

    private ByteBuffer load(long addr, int len) {
        word.clear().limit(len);
        read(addr, word);
        word.clear();
        return word;
    }

    /**
     * Fills {@code dst} from {@code addr} on, a page at a time: each piece from the segment that
     * holds it, or zeros for a page an ELF core left out; anything else is outside the image, and
     * nothing of the file is read for it.
     */
    private void read(long addr, ByteBuffer dst) {
        if (!holds(addr, dst.remaining())) {
            throw new ImageException(path + ": address 0x" + Long.toHexString(addr) + " (" + dst.remaining()
                + " bytes) is outside the image" + (addr == 0 ? " (a NULL pointer)" : ""));
        }
        long at = addr;
        try {
            while (dst.hasRemaining()) {
                final int chunk = (int) Math.min(dst.remaining(), Abi.PAGE_SIZE - (at & (Abi.PAGE_SIZE - 1)));
                final Segment s = segmentOf(at, chunk);
                final int end = dst.position() + chunk;
                if (s == null) {
                    while (dst.position() < end) {
                        dst.put((byte) 0);
                    }
                } else {
                    final int lim = dst.limit();
                    dst.limit(end);
                    final long off = s.fileOffset() + (at - s.vaddr());
                    final int from = dst.position();
                    while (dst.hasRemaining()) {
                        if (ch.read(dst, off + dst.position() - from) < 0) {
                            throw new ImageException(path + ": truncated while reading 0x" + Long.toHexString(at));
                        }
                    }
                    dst.limit(lim);
                }
                at += chunk;
            }
        } catch (IOException e) {
            throw new ImageException(path + ": cannot read 0x" + Long.toHexString(addr) + ": " + e.getMessage(), e);
        }
    }

    /** The channel, for copying segments out (ElfCore). */
    FileChannel channel() {
        return ch;
    }

    private static long size(Path path, FileChannel ch) {
        try {
            return ch.size();
        } catch (IOException e) {
            throw new ImageException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    static void readFully(Path path, FileChannel ch, long off, byte[] dst, int len) {
        final ByteBuffer b = ByteBuffer.wrap(dst, 0, len);
        try {
            while (b.hasRemaining()) {
                if (ch.read(b, off + b.position()) < 0) {
                    throw new ImageException(path + ": truncated: ends before byte " + (off + len));
                }
            }
        } catch (IOException e) {
            throw new ImageException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing was read from it
        }
    }

    @Override
    public void close() {
        closeQuietly(ch);
    }
}
