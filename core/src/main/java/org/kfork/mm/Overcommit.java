package org.kfork.mm;

import java.util.concurrent.atomic.AtomicLong;

import org.kfork.uapi.Errno;

/**
 * The overcommit accounting of 5.12 mm/util.c: vm_committed_as, __vm_enough_memory (what
 * security_vm_enough_memory_mm calls when no LSM objects) and vm_unacct_memory. One instance per
 * modeled system; both mm variants charge VM_ACCOUNT mappings to it.
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
}
