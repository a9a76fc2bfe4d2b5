package org.kfork.alloc;

import org.kfork.kernel.struct.Fpu;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.ThreadStruct;

/**
 * The task_struct fields the stack allocator touches, at their offsets in the 5.12 x86_64 layout
 * (reference/layouts-5.12.csv; a test pins each one), taken from the struct layouts as ints for
 * the allocator's address arithmetic. The fpu state is the last member of struct fpu, so its size is
 * what follows its offset.
 */
public final class TaskFields {
    /** {@code volatile long state}. */
    public static final int STATE = (int) TaskStruct.STATE;
    /** {@code void *stack}: the lowest address of the thread stack. */
    public static final int STACK = (int) TaskStruct.STACK;
    /** {@code refcount_t usage}. */
    public static final int USAGE = (int) TaskStruct.USAGE;
    /** {@code unsigned int cpu} (thread_info in task). */
    public static final int CPU = (int) TaskStruct.CPU;
    /** {@code struct vm_struct *stack_vm_area} (CONFIG_VMAP_STACK). */
    public static final int STACK_VM_AREA = (int) TaskStruct.STACK_VM_AREA;
    /** {@code refcount_t stack_refcount} (CONFIG_THREAD_INFO_IN_TASK). */
    public static final int STACK_REFCOUNT = (int) TaskStruct.STACK_REFCOUNT;
    /** {@code struct thread_struct thread}: the last member. */
    public static final int THREAD = (int) TaskStruct.THREAD;
    /** Offset of {@code struct fpu fpu} in thread_struct. */
    public static final int THREAD_FPU = (int) ThreadStruct.FPU;
    /** Offset of {@code union fpregs_state state} in struct fpu. */
    public static final int FPU_STATE = (int) Fpu.STATE;
    /** sizeof(union fpregs_state) = fpu_kernel_xstate_size on the modeled CPU. */
    public static final int FPU_STATE_SIZE = (int) (Fpu.SIZEOF - Fpu.STATE);
    /** arch_task_struct_size: sizeof(task_struct) with this fpu state size. */
    public static final int ARCH_TASK_STRUCT_SIZE = (int) TaskStruct.SIZEOF;

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
