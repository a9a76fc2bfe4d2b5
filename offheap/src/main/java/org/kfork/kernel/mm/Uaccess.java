package org.kfork.kernel.mm;

import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.mm.Mman.PAGE_SIZE;
import static org.kfork.mm.Fault.errorCode;
import static org.kfork.mm.Pgtable.*;

import org.kfork.kernel.Globals;
import org.kfork.kernel.arch.Fault;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Mem;
import org.kfork.machine.Ram;
import org.kfork.mm.UaccessRules;
import org.kfork.uapi.Errno;

/**
 * The kernel's access to a task's user memory (include/linux/uaccess.h, lib/usercopy.c,
 * lib/strncpy_from_user.c, x86's copy_user and get_user/put_user): copy_from_user,
 * copy_to_user, get_user, put_user, copy_struct_from_user, check_zeroed_user and
 * strncpy_from_user, over the mm the caller passes (current-&gt;mm; 0 for a kernel thread),
 * each also in the rooms' form {@code (Globals g, long current, ...)}, which reads current-&gt;mm
 * itself. The heap twin is {@link org.kfork.heap.mm.HeapUaccess}.
 *
 * <p>How an access goes: access_ok first (the range must end within TASK_SIZE_MAX, unsigned);
 * then, page by page, the CPU's walk of the mm's tables ({@link Memory#walkPte}): a pte that is
 * present, user and (for a write) writable lets the bytes through, and the CPU sets its accessed
 * and dirty bits; anything else is a page fault, which do_user_addr_fault ({@link Fault}) handles
 * as for a kernel-mode access through the exception table: a page is faulted in, or the copy
 * stops there. So a copy that runs off the caller's VMAs, or into one that does not allow the
 * access, copies the bytes before that page and reports the rest.
 *
 * <p>Return values are the kernel's: copy_from_user and copy_to_user return the bytes not
 * copied (copy_from_user zeroes the kernel buffer's uncopied tail); get_user and put_user 0 or
 * -EFAULT (get_user's variable is 0 after a fault; put_user writes nothing unless the whole value
 * fits); copy_struct_from_user 0, -E2BIG or -EFAULT; strncpy_from_user the string's length,
 * {@code count} if no NUL came first, or -EFAULT. Each call holds the mm system's big lock (the
 * fault path's mmap_lock) for the whole access, and allocates nothing on the Java heap. Kernel
 * addresses ({@code to}, {@code from} of kernel buffers, {@code x}) are modeled kernel addresses
 * the caller owns.
 */
public final class Uaccess {
    private Uaccess() {
    }

    /** A result of {@link #userAddress}: the access faults for good. */
    private static final long FAULT = 0;

    /**
     * The direct-map address of user byte {@code uaddr} for a read or a {@code write}, after
     * the page fault that the CPU's walk may need; {@link #FAULT} when the fault cannot be
     * resolved. The caller has checked access_ok.
     */
    static long userAddress(OffHeapMmSystem sys, long mm, long uaddr, boolean write) {
        for (int faults = 0; ; faults++) {
            boolean present = false;
            if (mm != 0) {
                long pte = PageTables.walkPte(mm, uaddr);
                if (pte != 0) {
                    long v = getLong(pte);
                    if (pteAllows(v, write)) {
                        long young = v | _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0);
                        if (young != v) {
                            putLong(pte, young); // the CPU's accessed and dirty bits
                        }
                        return Ram.physToVirt(ptePhys(v)) + pageOffset(uaddr);
                    }
                    present = (v & _PAGE_PRESENT) != 0;
                }
            }
            if (faults == 2) {
                throw new IllegalStateException("page fault at 0x" + Long.toHexString(uaddr) + " not resolved");
            }
            int err = Fault.doUserAddrFault(sys, mm, uaddr, errorCode(write, false, present));
            if (err != 0) {
                return FAULT;
            }
        }
    }

    /**
     * raw_copy_from_user / raw_copy_to_user: {@code n} bytes between user {@code uaddr} and the
     * kernel buffer {@code kaddr}, page by page; the bytes not copied.
     */
    private static long copyUser(OffHeapMmSystem sys, long mm, long uaddr, long kaddr, long n, boolean write) {
        long done = 0;
        while (done < n) {
            long at = uaddr + done;
            long chunk = Math.min(n - done, PAGE_SIZE - pageOffset(at));
            long p = userAddress(sys, mm, at, write);
            if (p == FAULT) {
                break;
            }
            if (write) {
                Mem.copy(kaddr + done, p, chunk);
            } else {
                Mem.copy(p, kaddr + done, chunk);
            }
            done += chunk;
        }
        return n - done;
    }

    /**
     * copy_from_user: {@code n} bytes from user {@code from} to kernel {@code to}. Returns the
     * bytes not copied; those at the end of {@code to} are zeroed.
     */
    public static long copyFromUser(OffHeapMmSystem sys, long mm, long to, long from, long n) {
        long res = n;
        sys.bkl().lock();
        final int cpu = sys.enterCpu();
        try {
            if (UaccessRules.accessOk(from, n)) {
                res = copyUser(sys, mm, from, to, n, false);
            }
        } finally {
            sys.exitCpu(cpu);
            sys.bkl().unlock();
        }
        if (res != 0) {
            Mem.zero(to + (n - res), res);
        }
        return res;
    }

    /** copy_to_user: {@code n} bytes from kernel {@code from} to user {@code to}; the bytes not copied. */
    public static long copyToUser(OffHeapMmSystem sys, long mm, long to, long from, long n) {
        if (!UaccessRules.accessOk(to, n)) {
            return n;
        }
        sys.bkl().lock();
        final int cpu = sys.enterCpu();
        try {
            return copyUser(sys, mm, to, from, n, true);
        } finally {
            sys.exitCpu(cpu);
            sys.bkl().unlock();
        }
    }

    private static void checkSize(int size) {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new IllegalArgumentException("get_user/put_user of " + size + " bytes");
        }
    }

    /**
     * The user pages of one instruction's {@code size}-byte access at {@code ptr}: the first
     * byte's direct-map address, once the second page (if the access spans two) is in too, or
     * {@link #FAULT} (the instruction faults before it moves a byte).
     */
    private static long valuePage(OffHeapMmSystem sys, long mm, long ptr, int size, boolean write) {
        long p = userAddress(sys, mm, ptr, write);
        long split = PAGE_SIZE - pageOffset(ptr);
        if (p != FAULT && split < size && userAddress(sys, mm, ptr + split, write) == FAULT) {
            return FAULT;
        }
        return p;
    }

    /** User byte {@code i} of the value at {@code ptr} whose first byte is at {@code p}. */
    private static long valueByte(OffHeapMmSystem sys, long mm, long ptr, long p, int i, boolean write) {
        return i < PAGE_SIZE - pageOffset(ptr) ? p + i : userAddress(sys, mm, ptr + i, write);
    }

    /**
     * get_user: {@code size} (1, 2, 4 or 8) bytes of user {@code ptr} into the kernel variable
     * at {@code x}; 0, or -EFAULT with {@code x} zeroed.
     */
    public static int getUser(OffHeapMmSystem sys, long mm, long x, long ptr, int size) {
        checkSize(size);
        sys.bkl().lock();
        final int cpu = sys.enterCpu();
        try {
            long p = UaccessRules.accessOk(ptr, size) ? valuePage(sys, mm, ptr, size, false) : FAULT;
            if (p != FAULT) {
                for (int i = 0; i < size; i++) {
                    Mem.putByte(x + i, Mem.getByte(valueByte(sys, mm, ptr, p, i, false)));
                }
                return 0;
            }
        } finally {
            sys.exitCpu(cpu);
            sys.bkl().unlock();
        }
        Mem.zero(x, size);
        return -Errno.EFAULT;
    }

    /** put_user: the low {@code size} (1, 2, 4 or 8) bytes of {@code x} to user {@code ptr}; 0 or -EFAULT (nothing written). */
    public static int putUser(OffHeapMmSystem sys, long mm, long x, long ptr, int size) {
        checkSize(size);
        sys.bkl().lock();
        final int cpu = sys.enterCpu();
        try {
            long p = UaccessRules.accessOk(ptr, size) ? valuePage(sys, mm, ptr, size, true) : FAULT;
            if (p == FAULT) {
                return -Errno.EFAULT;
            }
            for (int i = 0; i < size; i++) {
                Mem.putByte(valueByte(sys, mm, ptr, p, i, true), (byte) (x >>> (8 * i)));
            }
            return 0;
        } finally {
            sys.exitCpu(cpu);
            sys.bkl().unlock();
        }
    }

    /**
     * check_zeroed_user: 1 when the {@code size} bytes at user {@code from} are all zero, 0 when
     * one is not, -EFAULT when a word that must be read faults. It reads whole aligned words
     * (never across a page), stopping at the first one with a non-zero byte of the range.
     */
    public static int checkZeroedUser(OffHeapMmSystem sys, long mm, long from, long size) {
        sys.bkl().lock();
        final int cpu = sys.enterCpu();
        try {
            return checkZeroedUserLocked(sys, mm, from, size);
        } finally {
            sys.exitCpu(cpu);
            sys.bkl().unlock();
        }
    }

    private static int checkZeroedUserLocked(OffHeapMmSystem sys, long mm, long from, long size) {
        if (size == 0) {
            return 1;
        }
        long align = from & (Long.BYTES - 1);
        from -= align;
        size += align;
        if (!UaccessRules.accessOk(from, size)) {
            return -Errno.EFAULT;
        }
        long p = userAddress(sys, mm, from, false);
        if (p == FAULT) {
            return -Errno.EFAULT;
        }
        long val = getLong(p);
        if (align != 0) {
            val &= ~UaccessRules.alignedByteMask(align);
        }
        while (Long.compareUnsigned(size, Long.BYTES) > 0) {
            if (val != 0) {
                return 0;
            }
            from += Long.BYTES;
            size -= Long.BYTES;
            p = userAddress(sys, mm, from, false);
            if (p == FAULT) {
                return -Errno.EFAULT;
            }
            val = getLong(p);
        }
        if (size < Long.BYTES) {
            val &= UaccessRules.alignedByteMask(size);
        }
        return val == 0 ? 1 : 0;
    }

    /**
     * copy_struct_from_user: a user struct of {@code usize} bytes at {@code src} into the kernel
     * struct of {@code ksize} bytes at {@code dst}. A shorter user struct is zero-extended; a
     * longer one must hold only zeros past ksize (else -E2BIG); -EFAULT when the bytes cannot be
     * read.
     */
    public static int copyStructFromUser(OffHeapMmSystem sys, long mm, long dst, long ksize, long src, long usize) {
        long size = UaccessRules.structCommonSize(ksize, usize);
        long rest = UaccessRules.structRestSize(ksize, usize);
        if (Long.compareUnsigned(usize, ksize) < 0) {
            Mem.zero(dst + size, rest);
        } else if (Long.compareUnsigned(usize, ksize) > 0) {
            int ret = checkZeroedUser(sys, mm, src + size, rest);
            if (ret <= 0) {
                return ret == 0 ? -Errno.E2BIG : ret;
            }
        }
        return copyFromUser(sys, mm, dst, src, size) != 0 ? -Errno.EFAULT : 0;
    }

    /**
     * strncpy_from_user: the NUL-terminated string at user {@code src} into {@code dst}, at most
     * {@code count} bytes. Returns its length (the NUL copied too), {@code count} when no NUL
     * came first, or -EFAULT when a byte before either cannot be read. Whole words are copied
     * while they can be (the bytes after the NUL in the last word are cleared), then bytes.
     */
    public static long strncpyFromUser(OffHeapMmSystem sys, long mm, long dst, long src, long count) {
        if (count <= 0) {
            return 0;
        }
        if (Long.compareUnsigned(src, TASK_SIZE_MAX) >= 0) {
            return -Errno.EFAULT;
        }
        long max = TASK_SIZE_MAX - src;
        if (Long.compareUnsigned(max, count) > 0) {
            max = count;
        }
        if (!UaccessRules.accessOk(src, max)) {
            return -Errno.EFAULT;
        }
        sys.bkl().lock();
        final int cpu = sys.enterCpu();
        try {
            return doStrncpyFromUser(sys, mm, dst, src, count, max);
        } finally {
            sys.exitCpu(cpu);
            sys.bkl().unlock();
        }
    }

    /** do_strncpy_from_user: words while they read without a fault, then bytes. */
    private static long doStrncpyFromUser(OffHeapMmSystem sys, long mm, long dst, long src, long count, long max) {
        long res = 0;
        while (max >= Long.BYTES) {
            long p = valuePage(sys, mm, src + res, Long.BYTES, false);
            if (p == FAULT) {
                break; // byte_at_a_time
            }
            long c = 0;
            for (int i = Long.BYTES - 1; i >= 0; i--) {
                c = (c << 8) | (Mem.getByte(valueByte(sys, mm, src + res, p, i, false)) & 0xff);
            }
            long data = UaccessRules.hasZero(c);
            if (data != 0) {
                long mask = UaccessRules.createZeroMask(data);
                putLong(dst + res, c & mask);
                return res + UaccessRules.findZero(mask);
            }
            putLong(dst + res, c);
            res += Long.BYTES;
            max -= Long.BYTES;
        }
        while (max != 0) {
            long p = userAddress(sys, mm, src + res, false);
            if (p == FAULT) {
                return -Errno.EFAULT;
            }
            byte c = Mem.getByte(p);
            Mem.putByte(dst + res, c);
            if (c == 0) {
                return res;
            }
            res++;
            max--;
        }
        return res >= count ? res : -Errno.EFAULT;
    }
    // =========================================================================================
    // The system calls' form: the calling task's mm
    // =========================================================================================
    //
    // What a system call of the task half uses (clone3's copy_struct_from_user, wait4's put_user
    // of the status...): the same calls over current->mm and the kernel's mm system, with the
    // rooms' signature (Globals g, long current, ...). A task without an mm (a kernel thread)
    // faults on every user address.

    /** current-&gt;mm; a clear exception when there is no current task (a Java-API misuse). */
    private static long currentMm(long current) {
        if (current == 0) {
            throw new IllegalArgumentException("a user access without a current task");
        }
        return getLong(current + TaskStruct.MM);
    }

    /** copy_from_user for {@code current}: the bytes not copied (zeroed at the end of {@code to}). */
    public static long copyFromUser(Globals g, long current, long to, long from, long n) {
        return copyFromUser(g.mm, currentMm(current), to, from, n);
    }

    /** copy_to_user for {@code current}: the bytes not copied. */
    public static long copyToUser(Globals g, long current, long to, long from, long n) {
        return copyToUser(g.mm, currentMm(current), to, from, n);
    }

    /** get_user for {@code current} into the kernel variable at {@code x}: 0, or -EFAULT with it zeroed. */
    public static int getUser(Globals g, long current, long x, long ptr, int size) {
        return getUser(g.mm, currentMm(current), x, ptr, size);
    }

    /** put_user for {@code current}: the low {@code size} bytes of {@code x}; 0 or -EFAULT. */
    public static int putUser(Globals g, long current, long x, long ptr, int size) {
        return putUser(g.mm, currentMm(current), x, ptr, size);
    }

    /** check_zeroed_user for {@code current}: 1, 0 or -EFAULT. */
    public static int checkZeroedUser(Globals g, long current, long from, long size) {
        return checkZeroedUser(g.mm, currentMm(current), from, size);
    }

    /** copy_struct_from_user for {@code current}: 0, -E2BIG or -EFAULT. */
    public static int copyStructFromUser(Globals g, long current, long dst, long ksize, long src, long usize) {
        return copyStructFromUser(g.mm, currentMm(current), dst, ksize, src, usize);
    }

    /** strncpy_from_user for {@code current}: the length, {@code count}, or -EFAULT. */
    public static long strncpyFromUser(Globals g, long current, long dst, long src, long count) {
        return strncpyFromUser(g.mm, currentMm(current), dst, src, count);
    }
}
