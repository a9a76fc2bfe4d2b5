package org.kfork.heap.mm;

import static org.kfork.mm.Fault.errorCode;
import static org.kfork.mm.Mman.PAGE_SIZE;
import static org.kfork.mm.Pgtable.*;

import java.util.Objects;

import org.kfork.heap.HeapGlobals;
import org.kfork.heap.arch.HeapFault;
import org.kfork.heap.fork.HeapTask;
import org.kfork.mm.UaccessRules;
import org.kfork.uapi.Errno;

/**
 * The heap twin of {@code org.kfork.kernel.mm.Uaccess}: copy_from_user, copy_to_user,
 * get_user, put_user, check_zeroed_user, copy_struct_from_user and strncpy_from_user over a
 * {@link HeapMmStruct}, with the same walk, faults, partial copies and return values. The
 * kernel side of a copy is a Java array (the heap kernel's memory); a value moved by get_user is
 * a {@code long} ({@code x[0]}, zero-extended). Each call holds the mm system's big lock. As
 * off-heap, each call also has the rooms' form {@code (HeapGlobals g, HeapTask current, ...)}
 * over {@code current.mm}.
 */
public final class HeapUaccess {
    private HeapUaccess() {
    }

    /** A result of {@link #userAddress}: the access faults for good (no byte has physical address 0). */
    private static final long FAULT = 0;

    /**
     * The physical address (pfn &lt;&lt; PAGE_SHIFT + offset) of user byte {@code uaddr} for a
     * read or a {@code write}, after the page fault the walk may need; {@link #FAULT} when it
     * cannot be resolved.
     */
    static long userAddress(HeapMmSystem sys, HeapMmStruct mm, long uaddr, boolean write) {
        for (int faults = 0; ; faults++) {
            boolean present = false;
            if (mm != null) {
                long[] pte = HeapPageTables.walkPte(sys, mm, uaddr);
                if (pte != null) {
                    int i = pteIndex(uaddr);
                    long v = pte[i];
                    if (pteAllows(v, write)) {
                        pte[i] = v | _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0);
                        return ptePhys(v) + pageOffset(uaddr);
                    }
                    present = (v & _PAGE_PRESENT) != 0;
                }
            }
            if (faults == 2) {
                throw new IllegalStateException("page fault at 0x" + Long.toHexString(uaddr) + " not resolved");
            }
            if (HeapFault.doUserAddrFault(sys, mm, uaddr, errorCode(write, false, present)) != 0) {
                return FAULT;
            }
        }
    }

    /** The user page holding physical address {@code p}. */
    private static byte[] pageOf(HeapMmSystem sys, long p) {
        return sys.pages.page(p & ~(PAGE_SIZE - 1));
    }

    /** raw_copy_from_user / raw_copy_to_user between user {@code uaddr} and {@code k[koff..]}: the bytes not copied. */
    private static long copyUser(HeapMmSystem sys, HeapMmStruct mm, long uaddr, byte[] k, int koff, long n,
                                 boolean write) {
        long done = 0;
        while (done < n) {
            long at = uaddr + done;
            long chunk = Math.min(n - done, PAGE_SIZE - pageOffset(at));
            long p = userAddress(sys, mm, at, write);
            if (p == FAULT) {
                break;
            }
            byte[] page = pageOf(sys, p);
            if (write) {
                System.arraycopy(k, koff + (int) done, page, (int) pageOffset(p), (int) chunk);
            } else {
                System.arraycopy(page, (int) pageOffset(p), k, koff + (int) done, (int) chunk);
            }
            done += chunk;
        }
        return n - done;
    }

    private static void checkBuffer(byte[] k, int off, long n) {
        if (off < 0 || n < 0 || n > k.length - off) {
            throw new IndexOutOfBoundsException("a user copy of " + n + " bytes with a buffer of " + (k.length - off));
        }
    }

    /** copy_from_user into {@code to[toOff, toOff + n)}: the bytes not copied, zeroed in {@code to}. */
    public static long copyFromUser(HeapMmSystem sys, HeapMmStruct mm, byte[] to, int toOff, long from, long n) {
        checkBuffer(to, toOff, n);
        long res = n;
        sys.bkl.lock();
        try {
            if (UaccessRules.accessOk(from, n)) {
                res = copyUser(sys, mm, from, to, toOff, n, false);
            }
        } finally {
            sys.bkl.unlock();
        }
        if (res != 0) {
            java.util.Arrays.fill(to, toOff + (int) (n - res), toOff + (int) n, (byte) 0);
        }
        return res;
    }

    /** copy_to_user of {@code from[fromOff, fromOff + n)}: the bytes not copied. */
    public static long copyToUser(HeapMmSystem sys, HeapMmStruct mm, long to, byte[] from, int fromOff, long n) {
        if (!UaccessRules.accessOk(to, n)) {
            return n;
        }
        checkBuffer(from, fromOff, n);
        sys.bkl.lock();
        try {
            return copyUser(sys, mm, to, from, fromOff, n, true);
        } finally {
            sys.bkl.unlock();
        }
    }

    private static void checkSize(int size) {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new IllegalArgumentException("get_user/put_user of " + size + " bytes");
        }
    }

    /** The first byte of one instruction's access, once the second page it may span is in too; or {@link #FAULT}. */
    private static long valuePage(HeapMmSystem sys, HeapMmStruct mm, long ptr, int size, boolean write) {
        long p = userAddress(sys, mm, ptr, write);
        long split = PAGE_SIZE - pageOffset(ptr);
        if (p != FAULT && split < size && userAddress(sys, mm, ptr + split, write) == FAULT) {
            return FAULT;
        }
        return p;
    }

    /** User byte {@code i} of the value at {@code ptr} whose first byte is at {@code p}. */
    private static long valueByte(HeapMmSystem sys, HeapMmStruct mm, long ptr, long p, int i, boolean write) {
        return i < PAGE_SIZE - pageOffset(ptr) ? p + i : userAddress(sys, mm, ptr + i, write);
    }

    /** get_user: 0 with the value in {@code x[0]} (zero-extended), or -EFAULT with {@code x[0]} 0. */
    public static int getUser(HeapMmSystem sys, HeapMmStruct mm, long[] x, long ptr, int size) {
        checkSize(size);
        sys.bkl.lock();
        try {
            long p = UaccessRules.accessOk(ptr, size) ? valuePage(sys, mm, ptr, size, false) : FAULT;
            if (p != FAULT) {
                long v = 0;
                for (int i = size - 1; i >= 0; i--) {
                    long b = valueByte(sys, mm, ptr, p, i, false);
                    v = (v << 8) | (pageOf(sys, b)[(int) pageOffset(b)] & 0xff);
                }
                x[0] = v;
                return 0;
            }
        } finally {
            sys.bkl.unlock();
        }
        x[0] = 0;
        return -Errno.EFAULT;
    }

    /** put_user of the low {@code size} bytes of {@code x}: 0, or -EFAULT with nothing written. */
    public static int putUser(HeapMmSystem sys, HeapMmStruct mm, long x, long ptr, int size) {
        checkSize(size);
        sys.bkl.lock();
        try {
            long p = UaccessRules.accessOk(ptr, size) ? valuePage(sys, mm, ptr, size, true) : FAULT;
            if (p == FAULT) {
                return -Errno.EFAULT;
            }
            for (int i = 0; i < size; i++) {
                long b = valueByte(sys, mm, ptr, p, i, true);
                pageOf(sys, b)[(int) pageOffset(b)] = (byte) (x >>> (8 * i));
            }
            return 0;
        } finally {
            sys.bkl.unlock();
        }
    }

    /** An aligned user word at physical address {@code p} (little-endian). */
    private static long word(HeapMmSystem sys, long p) {
        byte[] page = pageOf(sys, p);
        int o = (int) pageOffset(p);
        long v = 0;
        for (int i = Long.BYTES - 1; i >= 0; i--) {
            v = (v << 8) | (page[o + i] & 0xff);
        }
        return v;
    }

    /** check_zeroed_user: 1, 0, or -EFAULT. */
    public static int checkZeroedUser(HeapMmSystem sys, HeapMmStruct mm, long from, long size) {
        sys.bkl.lock();
        try {
            return checkZeroedUserLocked(sys, mm, from, size);
        } finally {
            sys.bkl.unlock();
        }
    }

    private static int checkZeroedUserLocked(HeapMmSystem sys, HeapMmStruct mm, long from, long size) {
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
        long val = word(sys, p);
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
            val = word(sys, p);
        }
        if (size < Long.BYTES) {
            val &= UaccessRules.alignedByteMask(size);
        }
        return val == 0 ? 1 : 0;
    }

    /** copy_struct_from_user into {@code dst[0, ksize)}: 0, -E2BIG or -EFAULT. */
    public static int copyStructFromUser(HeapMmSystem sys, HeapMmStruct mm, byte[] dst, long ksize, long src, long usize) {
        checkBuffer(dst, 0, ksize);
        long size = UaccessRules.structCommonSize(ksize, usize);
        long rest = UaccessRules.structRestSize(ksize, usize);
        if (Long.compareUnsigned(usize, ksize) < 0) {
            java.util.Arrays.fill(dst, (int) size, (int) (size + rest), (byte) 0);
        } else if (Long.compareUnsigned(usize, ksize) > 0) {
            int ret = checkZeroedUser(sys, mm, src + size, rest);
            if (ret <= 0) {
                return ret == 0 ? -Errno.E2BIG : ret;
            }
        }
        return copyFromUser(sys, mm, dst, 0, src, size) != 0 ? -Errno.EFAULT : 0;
    }

    /** strncpy_from_user into {@code dst} (at most {@code count} bytes): the length, count, or -EFAULT. */
    public static long strncpyFromUser(HeapMmSystem sys, HeapMmStruct mm, byte[] dst, long src, long count) {
        if (count <= 0) {
            return 0;
        }
        checkBuffer(dst, 0, count);
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
        sys.bkl.lock();
        try {
            return doStrncpyFromUser(sys, mm, dst, src, count, max);
        } finally {
            sys.bkl.unlock();
        }
    }

    /** Stores the 8 bytes of {@code v} at {@code dst[at..]}, little-endian. */
    private static void putWord(byte[] dst, int at, long v) {
        for (int i = 0; i < Long.BYTES; i++) {
            dst[at + i] = (byte) (v >>> (8 * i));
        }
    }

    /** do_strncpy_from_user. */
    private static long doStrncpyFromUser(HeapMmSystem sys, HeapMmStruct mm, byte[] dst, long src, long count, long max) {
        long res = 0;
        while (max >= Long.BYTES) {
            long p = valuePage(sys, mm, src + res, Long.BYTES, false);
            if (p == FAULT) {
                break;
            }
            long c = 0;
            for (int i = Long.BYTES - 1; i >= 0; i--) {
                long b = valueByte(sys, mm, src + res, p, i, false);
                c = (c << 8) | (pageOf(sys, b)[(int) pageOffset(b)] & 0xff);
            }
            long data = UaccessRules.hasZero(c);
            if (data != 0) {
                long mask = UaccessRules.createZeroMask(data);
                putWord(dst, (int) res, c & mask);
                return res + UaccessRules.findZero(mask);
            }
            putWord(dst, (int) res, c);
            res += Long.BYTES;
            max -= Long.BYTES;
        }
        while (max != 0) {
            long p = userAddress(sys, mm, src + res, false);
            if (p == FAULT) {
                return -Errno.EFAULT;
            }
            byte c = pageOf(sys, p)[(int) pageOffset(p)];
            dst[(int) res] = c;
            if (c == 0) {
                return res;
            }
            res++;
            max--;
        }
        return res >= count ? res : -Errno.EFAULT;
    }
    // =========================================================================================
    // The system calls' form: the calling task's mm (see the off-heap twin)
    // =========================================================================================

    /** current.mm; a clear exception when there is no current task. */
    private static HeapMmStruct currentMm(HeapTask current) {
        return Objects.requireNonNull(current, "a user access without a current task").mm;
    }

    /** copy_from_user for {@code current}. */
    public static long copyFromUser(HeapGlobals g, HeapTask current, byte[] to, int toOff, long from, long n) {
        return copyFromUser(g.mm, currentMm(current), to, toOff, from, n);
    }

    /** copy_to_user for {@code current}. */
    public static long copyToUser(HeapGlobals g, HeapTask current, long to, byte[] from, int fromOff, long n) {
        return copyToUser(g.mm, currentMm(current), to, from, fromOff, n);
    }

    /** get_user for {@code current} into {@code x[0]}. */
    public static int getUser(HeapGlobals g, HeapTask current, long[] x, long ptr, int size) {
        return getUser(g.mm, currentMm(current), x, ptr, size);
    }

    /** put_user for {@code current}. */
    public static int putUser(HeapGlobals g, HeapTask current, long x, long ptr, int size) {
        return putUser(g.mm, currentMm(current), x, ptr, size);
    }

    /** check_zeroed_user for {@code current}. */
    public static int checkZeroedUser(HeapGlobals g, HeapTask current, long from, long size) {
        return checkZeroedUser(g.mm, currentMm(current), from, size);
    }

    /** copy_struct_from_user for {@code current}. */
    public static int copyStructFromUser(HeapGlobals g, HeapTask current, byte[] dst, long ksize, long src, long usize) {
        return copyStructFromUser(g.mm, currentMm(current), dst, ksize, src, usize);
    }

    /** strncpy_from_user for {@code current}. */
    public static long strncpyFromUser(HeapGlobals g, HeapTask current, byte[] dst, long src, long count) {
        return strncpyFromUser(g.mm, currentMm(current), dst, src, count);
    }
}
