package org.kfork.bench.harness;

import java.util.List;
import java.util.stream.Collectors;

import org.kfork.kernel.struct.Cred;
import org.kfork.kernel.struct.FilesStruct;
import org.kfork.kernel.struct.FsStruct;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.Pid;
import org.kfork.kernel.struct.SighandStruct;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.VmAreaStruct;
import org.kfork.machine.Abi;

/**
 * The sizes of what a fork copies, from kfork's own layouts, for the native copy anchor
 * (bench/native/forkcopy.c): the C program takes them on its command line, so no size is written
 * twice and none can drift from the layout classes.
 *
 * <p>{@code java -cp benchmarks.jar org.kfork.bench.harness.ForkCopySizes} prints the
 * {@code --sizes} argument, {@code name=size:align,...}, in the order copy_process touches the
 * objects: the cached thread stack it zeroes (alloc_thread_stack_node), then task_struct
 * (arch_dup_task_struct), cred (prepare_creds), files_struct with its embedded fdtable (dup_fd),
 * fs_struct, sighand_struct, signal_struct, mm_struct (dup_mm copies {@code sizeof(*mm)}; the
 * cpu_bitmap after it is cleared, not copied), one vm_area_struct per VMA (dup_mmap) and the pid
 * of the initial namespace (alloc_pid). The alignment is the slab object's: the cache line for the
 * caches created with SLAB_HWCACHE_ALIGN (every one here is larger than half a line, so
 * calculate_alignment keeps the whole line), the struct's own for vm_area_struct, a page for the
 * stack.
 */
public final class ForkCopySizes {
    /** One object kind: its name in the spec, its size in bytes, and the alignment of its slab objects. */
    public record Item(String name, long size, long align) {
        String spec() {
            return name + "=" + size + ":" + align;
        }
    }

    /** The name forkcopy.c memsets instead of copying. */
    public static final String THREAD_STACK = "thread_stack";

    private ForkCopySizes() {
    }

    /** What one fork copies (and the stack it zeroes), in copy_process's order. */
    public static List<Item> items() {
        final long line = Abi.L1_CACHE_BYTES;
        return List.of(
            new Item(THREAD_STACK, Abi.THREAD_SIZE, Abi.PAGE_SIZE),
            new Item("task_struct", TaskStruct.SIZEOF, Math.max(line, TaskStruct.ALIGNOF)),
            new Item("cred", Cred.SIZEOF, line),
            new Item("files_struct", FilesStruct.SIZEOF, line),
            new Item("fs_struct", FsStruct.SIZEOF, line),
            new Item("sighand_struct", SighandStruct.SIZEOF, line),
            new Item("signal_struct", SignalStruct.SIZEOF, line),
            new Item("mm_struct", MmStruct.SIZEOF, line),
            new Item("vm_area_struct", VmAreaStruct.SIZEOF, VmAreaStruct.ALIGNOF),
            new Item("pid", Pid.sizeofAtLevel(0), line));
    }

    /** The {@code --sizes} argument of forkcopy. */
    public static String spec() {
        return items().stream().map(Item::spec).collect(Collectors.joining(","));
    }

    /** Prints {@link #spec()}: what bench/native/run.sh passes to forkcopy. */
    public static void main(String[] args) {
        System.out.println(spec());
    }
}
