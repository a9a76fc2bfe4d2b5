package org.kfork.exec;

import org.kfork.arch.X86_64;
import org.kfork.mm.Mman;
import org.kfork.sched.Limits;
import org.kfork.sched.TaskFlags;

/**
 * fs/exec.c (5.12), what the model's execve does the same way on both kernels: where the stack
 * goes, which task flags an exec clears, and the comm an image name gives.
 */
public final class ExecRules {
    /**
     * STACK_TOP of a 64-bit task: TASK_SIZE_LOW, the top of the user range with 4-level paging
     * (the model does not randomize it: no PF_RANDOMIZE).
     */
    public static final long STACK_TOP = X86_64.DEFAULT_MAP_WINDOW;
    /**
     * The stack VMA setup_arg_pages leaves: the argument pages (one, as the model puts no
     * arguments there) grown by stack_expand, 128 KiB.
     */
    public static final long STACK_SIZE = (128L << 10) + X86_64.PAGE_SIZE;
    /** The stack's protection: read and write (no executable stack). */
    public static final int STACK_PROT = Mman.PROT_READ | Mman.PROT_WRITE;
    /** The stack's mmap flags: private anonymous memory that grows down (VM_GROWSDOWN). */
    public static final int STACK_FLAGS = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED | Mman.MAP_GROWSDOWN;
    /** begin_new_exec's me->flags &amp;= ~(...). */
    public static final int PF_CLEARED_BY_EXEC = TaskFlags.PF_RANDOMIZE | TaskFlags.PF_FORKNOEXEC
        | TaskFlags.PF_KTHREAD | TaskFlags.PF_NOFREEZE | TaskFlags.PF_NO_SETAFFINITY;

    private ExecRules() {
    }

    /**
     * __set_task_comm(me, kbasename(filename)): the name after its last '/', cut to
     * TASK_COMM_LEN - 1 bytes (strscpy_pad).
     */
    public static String comm(String name) {
        final String base = name.substring(name.lastIndexOf('/') + 1);
        return base.length() < Limits.TASK_COMM_LEN ? base : base.substring(0, Limits.TASK_COMM_LEN - 1);
    }
}
