package org.kfork.fs;

import org.kfork.sched.Limits;

/**
 * The arithmetic of fd tables (fs/file.c and include/linux/fdtable.h, 5.12) that both kernels
 * share: the sizes alloc_fdtable chooses, the bitmaps' sizes, the limits on descriptors.
 */
public final class Fdtables {
    /** BITS_PER_LONG. */
    public static final int BITS_PER_LONG = 64;
    /** NR_OPEN_DEFAULT: the descriptors of the fdtable embedded in files_struct. */
    public static final int NR_OPEN_DEFAULT = Limits.NR_OPEN_DEFAULT;
    /** NR_OPEN_MAX: ~0U, "copy every descriptor" to dup_fd. */
    public static final int NR_OPEN_MAX = ~0;
    /** sysctl_nr_open's default (fs.nr_open): 1024 * 1024. */
    public static final int SYSCTL_NR_OPEN = 1024 * 1024;
    /** sysctl_nr_open_min: BITS_PER_LONG. */
    public static final int SYSCTL_NR_OPEN_MIN = BITS_PER_LONG;
    /** sysctl_nr_open_max: min(INT_MAX, ~(size_t)0 / sizeof(void *)) & -BITS_PER_LONG. */
    public static final int SYSCTL_NR_OPEN_MAX = Integer.MAX_VALUE & -BITS_PER_LONG;
    /**
     * sizeof(struct fdtable), the size alloc_fdtable kmallocs: the heap twin needs it to count the
     * same kmalloc class (org.kfork.kernel.struct.Fdtable is the layout; a test pins the two).
     */
    public static final long SIZEOF_FDTABLE = 56;
    /** L1_CACHE_BYTES: the least bitmap allocation. */
    static final int L1_CACHE_BYTES = 64;

    private Fdtables() {
    }

    /** BITS_TO_LONGS. */
    public static int bitsToLongs(long nr) {
        return (int) ((nr + BITS_PER_LONG - 1) / BITS_PER_LONG);
    }

    /** BITBIT_NR: longs of full_fds_bits for {@code nr} descriptors. */
    public static int bitbitNr(long nr) {
        return bitsToLongs(bitsToLongs(nr));
    }

    /** BITBIT_SIZE: bytes of full_fds_bits for {@code nr} descriptors. */
    public static int bitbitSize(long nr) {
        return bitbitNr(nr) * Long.BYTES;
    }

    /**
     * alloc_fdtable's choice for a table that must hold descriptor {@code nr} (unsigned): the fd
     * array in page-friendly steps, from 1 KiB up in powers of two, never past fs.nr_open
     * ({@code nrOpen}, then rounded up to a multiple of BITS_PER_LONG). The result may be below
     * {@code nr} + 1 when nr_open is lower: callers check.
     */
    public static int fdtableSize(int nr, int nrOpen) {
        final int perKiB = 1024 / Long.BYTES;
        long n = Integer.toUnsignedLong(nr) / perKiB;
        n = roundupPowOfTwo(n + 1);
        n *= perKiB;
        if (n > Integer.toUnsignedLong(nrOpen)) {
            n = ((Integer.toUnsignedLong(nrOpen) - 1) | (BITS_PER_LONG - 1)) + 1;
        }
        return (int) n;
    }

    /** roundup_pow_of_two. */
    static long roundupPowOfTwo(long n) {
        return n <= 1 ? 1 : 1L << (64 - Long.numberOfLeadingZeros(n - 1));
    }

    /** The bytes of the fd array of {@code maxFds} (kvmalloc_array(nr, sizeof(struct file *))). */
    public static long fdArrayBytes(int maxFds) {
        return Integer.toUnsignedLong(maxFds) * Long.BYTES;
    }

    /** The bytes of the three bitmaps of {@code maxFds}: open_fds, close_on_exec, full_fds_bits (at least a cache line). */
    public static long bitmapBytes(int maxFds) {
        final long nr = Integer.toUnsignedLong(maxFds);
        return Math.max(2 * nr / Byte.SIZE + bitbitSize(nr), L1_CACHE_BYTES);
    }

    /** sane_fdtable_size's bound: at least NR_OPEN_DEFAULT of {@code maxFds} (unsigned), then the lower of the two. */
    public static int saneFdtableSize(int openFiles, int maxFds) {
        int max = Integer.compareUnsigned(maxFds, NR_OPEN_DEFAULT) < 0 ? NR_OPEN_DEFAULT : maxFds;
        return Integer.compareUnsigned(openFiles, max) < 0 ? openFiles : max;
    }
}
