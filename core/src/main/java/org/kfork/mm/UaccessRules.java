package org.kfork.mm;

/**
 * The representation-free arithmetic of user access, the same for both kernels: x86's access_ok
 * (arch/x86/include/asm/uaccess.h: the range must end within TASK_SIZE_MAX, compared without
 * overflow), copy_struct_from_user's size rules (include/linux/uaccess.h), check_zeroed_user's
 * byte masks (lib/usercopy.c, include/linux/bitops.h's aligned_byte_mask on little-endian), and the
 * word-at-a-time NUL search of strncpy_from_user (arch/x86/include/asm/word-at-a-time.h).
 */
public final class UaccessRules {
    private UaccessRules() {
    }

    /** REPEAT_BYTE(0x01). */
    private static final long ONE_BITS = 0x0101010101010101L;
    /** REPEAT_BYTE(0x80). */
    private static final long HIGH_BITS = 0x8080808080808080L;

    /**
     * access_ok: {@code size} bytes at {@code addr} lie below TASK_SIZE_MAX, both read as unsigned
     * (__chk_range_not_ok: a size past the limit, or an address past limit - size, fails; an
     * {@code addr + size} that wraps fails too).
     */
    public static boolean accessOk(long addr, long size) {
        long limit = Pgtable.TASK_SIZE_MAX;
        if (Long.compareUnsigned(size, limit) > 0) {
            return false;
        }
        return Long.compareUnsigned(addr, limit - size) <= 0;
    }

    /** min(ksize, usize) of copy_struct_from_user: the bytes both sides know. */
    public static long structCommonSize(long ksize, long usize) {
        return Long.compareUnsigned(ksize, usize) < 0 ? ksize : usize;
    }

    /** max(ksize, usize) - min(ksize, usize): the bytes only one side knows. */
    public static long structRestSize(long ksize, long usize) {
        return Long.compareUnsigned(ksize, usize) < 0 ? usize - ksize : ksize - usize;
    }

    /** aligned_byte_mask(n) on little-endian: the low {@code n} bytes of a word (n &lt; 8). */
    public static long alignedByteMask(long n) {
        return (1L << (8 * n)) - 1;
    }

    /** has_zero: a mask with the high bit of the first zero byte of {@code a} (and maybe later ones) set, or 0. */
    public static long hasZero(long a) {
        return ((a - ONE_BITS) & ~a) & HIGH_BITS;
    }

    /** create_zero_mask: from has_zero's bits, the bytes before the first zero byte, as a byte mask. */
    public static long createZeroMask(long bits) {
        return ((bits - 1) & ~bits) >>> 7;
    }

    /** find_zero (count_masked_bytes): the index of the first zero byte, from create_zero_mask's mask. */
    public static int findZero(long mask) {
        return (int) ((mask * 0x0001020304050608L) >>> 56);
    }
}
