package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct file_operations}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A file's methods: a table of function pointers that the file's f_op points to. The model
 * calls mmap (call_mmap) and release (__fput); the other slots of the model's tables are NULL.
 * Each non-NULL slot holds a kernel-text address (org.kfork.kernel.KernelText).
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (include/linux/fs.h:1888; mmap_capabilities is absent with CONFIG_MMU) with the reference config, and ComputedLayoutTest pins it
 * to the offsets worked out by hand from there.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | owner                          struct module *                         |
 * |     8 |    8 | llseek                         fnptr                                   |
 * |    16 |    8 | read                           fnptr                                   |
 * |    24 |    8 | write                          fnptr                                   |
 * |    32 |    8 | read_iter                      fnptr                                   |
 * |    40 |    8 | write_iter                     fnptr                                   |
 * |    48 |    8 | iopoll                         fnptr                                   |
 * |    56 |    8 | iterate                        fnptr                                   |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 |    8 | iterate_shared                 fnptr                                   |
 * |    72 |    8 | poll                           fnptr                                   |
 * |    80 |    8 | unlocked_ioctl                 fnptr                                   |
 * |    88 |    8 | compat_ioctl                   fnptr                                   |
 * |    96 |    8 | mmap                           fnptr                                   |
 * |   104 |    8 | mmap_supported_flags           long unsigned int                       |
 * |   112 |    8 | open                           fnptr                                   |
 * |   120 |    8 | flush                          fnptr                                   |
 * +=======+======+ cacheline 2 (128 bytes) ===============================================+
 * |   128 |    8 | release                        fnptr                                   |
 * |   136 |    8 | fsync                          fnptr                                   |
 * |   144 |    8 | fasync                         fnptr                                   |
 * |   152 |    8 | lock                           fnptr                                   |
 * |   160 |    8 | sendpage                       fnptr                                   |
 * |   168 |    8 | get_unmapped_area              fnptr                                   |
 * |   176 |    8 | check_flags                    fnptr                                   |
 * |   184 |    8 | flock                          fnptr                                   |
 * +=======+======+ cacheline 3 (192 bytes) ===============================================+
 * |   192 |    8 | splice_write                   fnptr                                   |
 * |   200 |    8 | splice_read                    fnptr                                   |
 * |   208 |    8 | setlease                       fnptr                                   |
 * |   216 |    8 | fallocate                      fnptr                                   |
 * |   224 |    8 | show_fdinfo                    fnptr                                   |
 * |   232 |    8 | copy_file_range                fnptr                                   |
 * |   240 |    8 | remap_file_range               fnptr                                   |
 * |   248 |    8 | fadvise                        fnptr                                   |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 256, alignof 8
 * </pre>
 */
public final class FileOperations {
    /** The engine's layout of {@code struct file_operations}. */
    public static final StructLayout LAYOUT = Struct.named("file_operations")
        .field("owner", CTypes.ptr("struct module *"))
        .field("llseek", CTypes.FNPTR)
        .field("read", CTypes.FNPTR)
        .field("write", CTypes.FNPTR)
        .field("read_iter", CTypes.FNPTR)
        .field("write_iter", CTypes.FNPTR)
        .field("iopoll", CTypes.FNPTR)
        .field("iterate", CTypes.FNPTR)
        .field("iterate_shared", CTypes.FNPTR)
        .field("poll", CTypes.FNPTR)
        .field("unlocked_ioctl", CTypes.FNPTR)
        .field("compat_ioctl", CTypes.FNPTR)
        .field("mmap", CTypes.FNPTR)
        .field("mmap_supported_flags", CTypes.ULONG)
        .field("open", CTypes.FNPTR)
        .field("flush", CTypes.FNPTR)
        .field("release", CTypes.FNPTR)
        .field("fsync", CTypes.FNPTR)
        .field("fasync", CTypes.FNPTR)
        .field("lock", CTypes.FNPTR)
        .field("sendpage", CTypes.FNPTR)
        .field("get_unmapped_area", CTypes.FNPTR)
        .field("check_flags", CTypes.FNPTR)
        .field("flock", CTypes.FNPTR)
        .field("splice_write", CTypes.FNPTR)
        .field("splice_read", CTypes.FNPTR)
        .field("setlease", CTypes.FNPTR)
        .field("fallocate", CTypes.FNPTR)
        .field("show_fdinfo", CTypes.FNPTR)
        .field("copy_file_range", CTypes.FNPTR)
        .field("remap_file_range", CTypes.FNPTR)
        .field("fadvise", CTypes.FNPTR)
        .build();

    /** sizeof(struct file_operations): 256. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct file_operations): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct module * owner;} at offset 0 (8 bytes). */
    public static final long OWNER = LAYOUT.offsetOf("owner");

    /** {@code fnptr llseek;} at offset 8 (8 bytes). */
    public static final long LLSEEK = LAYOUT.offsetOf("llseek");

    /** {@code fnptr read;} at offset 16 (8 bytes). */
    public static final long READ = LAYOUT.offsetOf("read");

    /** {@code fnptr write;} at offset 24 (8 bytes). */
    public static final long WRITE = LAYOUT.offsetOf("write");

    /** {@code fnptr read_iter;} at offset 32 (8 bytes). */
    public static final long READ_ITER = LAYOUT.offsetOf("read_iter");

    /** {@code fnptr write_iter;} at offset 40 (8 bytes). */
    public static final long WRITE_ITER = LAYOUT.offsetOf("write_iter");

    /** {@code fnptr iopoll;} at offset 48 (8 bytes). */
    public static final long IOPOLL = LAYOUT.offsetOf("iopoll");

    /** {@code fnptr iterate;} at offset 56 (8 bytes). */
    public static final long ITERATE = LAYOUT.offsetOf("iterate");

    /** {@code fnptr iterate_shared;} at offset 64 (8 bytes). */
    public static final long ITERATE_SHARED = LAYOUT.offsetOf("iterate_shared");

    /** {@code fnptr poll;} at offset 72 (8 bytes). */
    public static final long POLL = LAYOUT.offsetOf("poll");

    /** {@code fnptr unlocked_ioctl;} at offset 80 (8 bytes). */
    public static final long UNLOCKED_IOCTL = LAYOUT.offsetOf("unlocked_ioctl");

    /** {@code fnptr compat_ioctl;} at offset 88 (8 bytes). */
    public static final long COMPAT_IOCTL = LAYOUT.offsetOf("compat_ioctl");

    /** {@code fnptr mmap;} at offset 96 (8 bytes). */
    public static final long MMAP = LAYOUT.offsetOf("mmap");

    /** {@code long unsigned int mmap_supported_flags;} at offset 104 (8 bytes). */
    public static final long MMAP_SUPPORTED_FLAGS = LAYOUT.offsetOf("mmap_supported_flags");

    /** {@code fnptr open;} at offset 112 (8 bytes). */
    public static final long OPEN = LAYOUT.offsetOf("open");

    /** {@code fnptr flush;} at offset 120 (8 bytes). */
    public static final long FLUSH = LAYOUT.offsetOf("flush");

    /** {@code fnptr release;} at offset 128 (8 bytes). */
    public static final long RELEASE = LAYOUT.offsetOf("release");

    /** {@code fnptr fsync;} at offset 136 (8 bytes). */
    public static final long FSYNC = LAYOUT.offsetOf("fsync");

    /** {@code fnptr fasync;} at offset 144 (8 bytes). */
    public static final long FASYNC = LAYOUT.offsetOf("fasync");

    /** {@code fnptr lock;} at offset 152 (8 bytes). */
    public static final long LOCK = LAYOUT.offsetOf("lock");

    /** {@code fnptr sendpage;} at offset 160 (8 bytes). */
    public static final long SENDPAGE = LAYOUT.offsetOf("sendpage");

    /** {@code fnptr get_unmapped_area;} at offset 168 (8 bytes). */
    public static final long GET_UNMAPPED_AREA = LAYOUT.offsetOf("get_unmapped_area");

    /** {@code fnptr check_flags;} at offset 176 (8 bytes). */
    public static final long CHECK_FLAGS = LAYOUT.offsetOf("check_flags");

    /** {@code fnptr flock;} at offset 184 (8 bytes). */
    public static final long FLOCK = LAYOUT.offsetOf("flock");

    /** {@code fnptr splice_write;} at offset 192 (8 bytes). */
    public static final long SPLICE_WRITE = LAYOUT.offsetOf("splice_write");

    /** {@code fnptr splice_read;} at offset 200 (8 bytes). */
    public static final long SPLICE_READ = LAYOUT.offsetOf("splice_read");

    /** {@code fnptr setlease;} at offset 208 (8 bytes). */
    public static final long SETLEASE = LAYOUT.offsetOf("setlease");

    /** {@code fnptr fallocate;} at offset 216 (8 bytes). */
    public static final long FALLOCATE = LAYOUT.offsetOf("fallocate");

    /** {@code fnptr show_fdinfo;} at offset 224 (8 bytes). */
    public static final long SHOW_FDINFO = LAYOUT.offsetOf("show_fdinfo");

    /** {@code fnptr copy_file_range;} at offset 232 (8 bytes). */
    public static final long COPY_FILE_RANGE = LAYOUT.offsetOf("copy_file_range");

    /** {@code fnptr remap_file_range;} at offset 240 (8 bytes). */
    public static final long REMAP_FILE_RANGE = LAYOUT.offsetOf("remap_file_range");

    /** {@code fnptr fadvise;} at offset 248 (8 bytes). */
    public static final long FADVISE = LAYOUT.offsetOf("fadvise");

    private FileOperations() {
    }
}
