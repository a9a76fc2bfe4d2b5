package org.kfork.alloc;

/**
 * The task_struct fields the stack allocator touches, at their offsets in the 5.12 x86_64 layout
 * (reference/layouts-5.12.csv; a test pins each one). The full layout class of task_struct comes
 * with the struct declarations; these named constants keep the allocator independent of it.
 */
public final class TaskFields {
    /** {@code volatile long state}. */
    public static final int STATE = 24;
    /** {@code void *stack}: the lowest address of the thread stack. */
    public static final int STACK = 32;
    /** {@code refcount_t usage}. */
    public static final int USAGE = 40;
    /** {@code unsigned int cpu} (thread_info in task). */
    public static final int CPU = 72;
    /** {@code struct vm_struct *stack_vm_area} (CONFIG_VMAP_STACK). */
    public static final int STACK_VM_AREA = 2592;
    /** {@code refcount_t stack_refcount} (CONFIG_THREAD_INFO_IN_TASK). */
    public static final int STACK_REFCOUNT = 2600;
    /** {@code struct thread_struct thread}: the last member. */
    public static final int THREAD = 2688;
    /** Offset of {@code struct fpu fpu} in thread_struct. */
    public static final int THREAD_FPU = 192;
    /** Offset of {@code union fpregs_state state} in struct fpu. */
    public static final int FPU_STATE = 64;
    /** sizeof(union fpregs_state) = fpu_kernel_xstate_size on the modeled CPU. */
    public static final int FPU_STATE_SIZE = 4096;
    /** arch_task_struct_size: sizeof(task_struct) with this fpu state size. */
    public static final int ARCH_TASK_STRUCT_SIZE = 7040;

    /**
     * task_struct_whitelist: arch_thread_struct_whitelist gives the fpu register state inside
     * thread_struct, moved to its place in task_struct.
     */
    public static final int USEROFFSET = THREAD + THREAD_FPU + FPU_STATE;
    /** The usercopy size: fpu_kernel_xstate_size. */
    public static final int USERSIZE = FPU_STATE_SIZE;

    private TaskFields() {
    }
}
