package org.kfork.kernel.crash;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.kfork.kernel.struct.Structs;
import org.kfork.machine.Abi;
import org.kfork.machine.layout.FlatField;
import org.kfork.machine.layout.StructLayout;

/**
 * The format of a kfork machine image (docs/vmcore.md): the header that starts the VMCOREINFO block
 * at the start of the machine's RAM, the keys of the text, and the struct fields the image readers
 * walk, whose sizes and offsets the text states.
 *
 * <pre>
 *   VMCOREINFO block (NOTE_BYTES, the first block the kernel takes: physical offset 0 of a RAM file)
 *   +--------+---------+-----------+------------+-----------+----------+---------+----------------+
 *   | 0      | 8       | 12        | 16         | 24        | 32       | 40..63  | 64 ...         |
 *   | magic  | version | note size | phys start | RAM bytes | note max | zero    | VMCOREINFO text|
 *   | "KFORKRAM" (u32)  | (u32)     | (u64)      | (u64)     | (u64)    |         | NAME(x)=v lines|
 *   +--------+---------+-----------+------------+-----------+----------+---------+----------------+
 * </pre>
 * This is a file format, not a kernel struct, so its offsets live here.
 */
public final class ImageFormat {
    /** The first eight bytes of a RAM image. */
    static final byte[] MAGIC = "KFORKRAM".getBytes(StandardCharsets.US_ASCII);
    /** The header's version: a reader refuses another. */
    public static final int VERSION = 1;
    /** The block is an order-2 block of pages: room for the text of a few hundred slab caches. */
    public static final int NOTE_ORDER = 2;
    public static final int NOTE_BYTES = Abi.PAGE_SIZE << NOTE_ORDER;
    public static final int HEADER_BYTES = 64;

    static final int H_MAGIC = 0;
    static final int H_VERSION = 8;
    static final int H_NOTE_SIZE = 12;
    static final int H_PHYS_START = 16;
    static final int H_RAM_BYTES = 24;
    static final int H_NOTE_MAX = 32;

    /** The text's line that names the layouts the image was written with. */
    public static final String LAYOUT_KEY = "KFORK_LAYOUT_VERSION";

    /** The structs whose SIZE the text states: those the readers walk. */
    static final List<StructLayout> SIZED = List.of(Structs.byName("task_struct"), Structs.byName("signal_struct"),
        Structs.byName("sighand_struct"), Structs.byName("pid"), Structs.byName("upid"), Structs.byName("pid_namespace"),
        Structs.byName("cred"), Structs.byName("mm_struct"), Structs.byName("vm_area_struct"), Structs.byName("file"),
        Structs.byName("inode"), Structs.byName("list_head"), Structs.byName("k_sigaction"), Structs.byName("rlimit"));

    /** The fields the readers read, as OFFSET(struct.field) lines: {struct, field path}. */
    static final List<String[]> OFFSETS = List.of(
        f("list_head", "next"), f("list_head", "prev"),
        f("task_struct", "state"), f("task_struct", "tasks"), f("task_struct", "mm"), f("task_struct", "exit_state"),
        f("task_struct", "real_parent"), f("task_struct", "thread_pid"), f("task_struct", "thread_node"),
        f("task_struct", "cred"), f("task_struct", "comm"), f("task_struct", "fs"), f("task_struct", "files"),
        f("task_struct", "signal"), f("task_struct", "sighand"), f("task_struct", "blocked"),
        f("task_struct", "pending"), f("task_struct", "seccomp"),
        f("sigpending", "signal"), f("seccomp", "mode"),
        f("signal_struct", "nr_threads"), f("signal_struct", "thread_head"), f("signal_struct", "shared_pending"),
        f("signal_struct", "pids"), f("signal_struct", "rlim"), f("rlimit", "rlim_cur"),
        f("sighand_struct", "action"), f("k_sigaction", "sa"), f("sigaction", "sa_handler"),
        f("pid", "level"), f("pid", "numbers"), f("upid", "nr"), f("upid", "ns"), f("pid_namespace", "level"),
        f("cred", "uid"), f("cred", "gid"), f("cred", "suid"), f("cred", "sgid"), f("cred", "euid"), f("cred", "egid"),
        f("cred", "fsuid"), f("cred", "fsgid"), f("cred", "cap_inheritable"), f("cred", "cap_permitted"),
        f("cred", "cap_effective"), f("cred", "cap_bset"), f("cred", "cap_ambient"), f("cred", "user"),
        f("cred", "group_info"), f("group_info", "ngroups"), f("group_info", "gid"), f("user_struct", "sigpending"),
        f("fs_struct", "umask"), f("files_struct", "fdt"), f("fdtable", "max_fds"),
        f("mm_struct", "mmap"), f("mm_struct", "hiwater_rss"), f("mm_struct", "hiwater_vm"), f("mm_struct", "total_vm"),
        f("mm_struct", "locked_vm"), f("mm_struct", "data_vm"), f("mm_struct", "exec_vm"), f("mm_struct", "stack_vm"),
        f("mm_struct", "pgtables_bytes"), f("mm_struct", "rss_stat"), f("mm_rss_stat", "count"),
        f("vm_area_struct", "vm_start"), f("vm_area_struct", "vm_end"), f("vm_area_struct", "vm_next"),
        f("vm_area_struct", "vm_flags"), f("vm_area_struct", "vm_pgoff"), f("vm_area_struct", "vm_file"),
        f("file", "f_inode"), f("inode", "i_ino"));

    private static final String LAYOUT_VERSION = computeLayoutVersion();

    private ImageFormat() {
    }

    private static String[] f(String struct, String field) {
        return new String[] {struct, field};
    }

    /**
     * The version of the layouts this build declares: FNV-1a (64 bits) over every struct's tag,
     * size and alignment and every field's path, offset and size. An image written by a build whose
     * layouts differ in any of these has another version, and the readers refuse it.
     */
    public static String layoutVersion() {
        return LAYOUT_VERSION;
    }

    private static String computeLayoutVersion() {
        long h = 0xcbf29ce484222325L;
        final StringBuilder sb = new StringBuilder();
        for (StructLayout s : Structs.all()) {
            sb.append(s.tag()).append(':').append(s.size()).append(':').append(s.align()).append(';');
            for (FlatField ff : s.flatten()) {
                sb.append(ff.path()).append('@').append(ff.offset()).append('+').append(ff.size()).append(';');
            }
        }
        for (byte b : sb.toString().getBytes(StandardCharsets.US_ASCII)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return "5.12-" + Long.toHexString(h);
    }
}
