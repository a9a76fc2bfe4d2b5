package org.kfork.mm;

import java.util.concurrent.atomic.AtomicLong;

import org.kfork.uapi.Errno;

/**
 * The overcommit accounting of 5.12 mm/util.c: vm_committed_as, __vm_enough_memory (what
 * security_vm_enough_memory_mm calls when no LSM objects) and vm_unacct_memory, and shmem's use
 * of them (shmem_acct_size, shmem_unacct_size of mm/shmem.c). One instance per modeled system;
 * both mm variants charge VM_ACCOUNT mappings and shmem files to it.
 *
 * <p>Modes: {@link #OVERCOMMIT_GUESS} refuses a single request larger than RAM + swap;
 * {@link #OVERCOMMIT_ALWAYS} never refuses; {@link #OVERCOMMIT_NEVER} refuses once the committed
 * total would pass {@code totalram * ratio / 100 + swap} less the user reserve (the caller is
 * taken to be an admin, so the admin reserve is not subtracted).
 */
public final class Overcommit {
    /** OVERCOMMIT_GUESS (the default). */
    public static final int OVERCOMMIT_GUESS = 0;
    /** OVERCOMMIT_ALWAYS. */
    public static final int OVERCOMMIT_ALWAYS = 1;
    /** OVERCOMMIT_NEVER. */
    public static final int OVERCOMMIT_NEVER = 2;

    private final long totalramPages;
    private volatile int mode = OVERCOMMIT_GUESS;
    private volatile int ratio = 50;
    private volatile long totalSwapPages;
    /** sysctl_user_reserve_kbytes in pages: min(3% of free, 128 MiB) at boot; here 128 MiB or 3% of RAM. */
    private volatile long userReservePages;
    /** vm_committed_as. */
    private final AtomicLong committed = new AtomicLong();

    /** Accounting for a system with {@code totalramPages} pages of RAM and no swap. */
    public Overcommit(long totalramPages) {
        this.totalramPages = totalramPages;
        this.userReservePages = Math.min(totalramPages * 3 / 100, (128L << 20) >> Mman.PAGE_SHIFT);
    }

    /** vm.overcommit_memory. */
    public Overcommit mode(int m) {
        this.mode = m;
        return this;
    }

    /** The current vm.overcommit_memory. */
    public int mode() {
        return mode;
    }

    /** vm.overcommit_ratio. */
    public Overcommit ratio(int r) {
        this.ratio = r;
        return this;
    }

    /** The current vm.overcommit_ratio. */
    public int ratio() {
        return ratio;
    }

    /** total_swap_pages. */
    public Overcommit swapPages(long pages) {
        this.totalSwapPages = pages;
        return this;
    }

    /** vm.user_reserve_kbytes, in pages. */
    public Overcommit userReservePages(long pages) {
        this.userReservePages = pages;
        return this;
    }

    /** vm_memory_committed(): pages charged so far. */
    public long committedPages() {
        return committed.get();
    }

    /**
     * vm_commit_limit(): what OVERCOMMIT_NEVER lets be committed, in pages: the ratio of RAM
     * (the model has no hugetlb pages to take out, nor overcommit_kbytes) plus swap.
     */
    public long commitLimitPages() {
        return totalramPages * ratio / 100 + totalSwapPages;
    }

    /** totalram_pages(). */
    public long totalramPages() {
        return totalramPages;
    }

    /**
     * __vm_enough_memory: charge {@code pages} first (vm_acct_memory), then decide; on refusal the
     * charge is taken back and the result is -ENOMEM. {@code mmTotalVm} is the caller mm's total_vm,
     * for the user reserve.
     */
    public int vmEnoughMemory(long pages, long mmTotalVm) {
        committed.addAndGet(pages);
        switch (mode) {
            case OVERCOMMIT_ALWAYS:
                return 0;
            case OVERCOMMIT_GUESS:
                if (pages > totalramPages + totalSwapPages) {
                    break;
                }
                return 0;
            default:
                long allowed = totalramPages * ratio / 100 + totalSwapPages;
                allowed -= Math.min(mmTotalVm / 32, userReservePages);
                if (Math.max(committed.get(), 0) < allowed) {
                    return 0;
                }
                break;
        }
        committed.addAndGet(-pages);
        return -Errno.ENOMEM;
    }

    /** vm_unacct_memory. */
    public void vmUnacctMemory(long pages) {
        committed.addAndGet(-pages);
    }

    /**
     * shmem_acct_size (mm/shmem.c): a shmem object of {@code size} bytes is charged its pages
     * (VM_ACCT) when it is set up, unless its flags have VM_NORESERVE: 0 or -ENOMEM.
     */
    public int shmemAcctSize(long flags, long size, long mmTotalVm) {
        return (flags & VmFlags.VM_NORESERVE) != 0 ? 0 : vmEnoughMemory(vmAcct(size), mmTotalVm);
    }

    /** shmem_unacct_size: what {@link #shmemAcctSize} charged goes back (when the inode is evicted). */
    public void shmemUnacctSize(long flags, long size) {
        if ((flags & VmFlags.VM_NORESERVE) == 0) {
            vmUnacctMemory(vmAcct(size));
        }
    }

    /** VM_ACCT: the pages a shmem object of {@code size} bytes is charged. */
    private static long vmAcct(long size) {
        return Mman.pageAlign(size) >>> Mman.PAGE_SHIFT;
    }
}
