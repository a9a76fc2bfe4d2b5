package org.kfork.mm;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The locking half of an {@link AddressSpace} handle, the same for both variants: each operation
 * takes the system's big lock (which stands for mmap_lock, the anon_vma root rwsem and
 * i_mmap_rwsem) and runs its {@code ...Locked} form. The reference counts (mmget, mmput, mmgrab)
 * run their {@code do...} form without it: the off-heap one uses atomics and its fork path, which
 * lock by themselves.
 *
 * <p><b>A handle refuses use after its own last put, in both modes.</b> When a put through this
 * handle ends the mm's users (the last mmput: exit_mmap has torn the VMAs down), every
 * address-space operation refuses with {@link IllegalStateException}; the reference counts and
 * the counters stay usable while mm_count keeps the mm_struct (and a second put is refused by
 * the count itself, as before). When a put through this handle frees the mm_struct (the last
 * mmdrop, or the last mmput with no mmgrab held), every call refuses, rather than read memory
 * that the mm_struct cache may have handed to another mm. A handle sees only its own puts: a
 * stale second handle on the same mm (or the static fork path) is caught by checked mode, whose
 * quarantine keeps the freed mm_struct poisoned. The cost is one volatile read per call.
 */
public abstract class LockedAddressSpace implements AddressSpace {
    /** The mm as far as this handle's puts know: in use. */
    private static final int LIVE = 0;
    /** This handle's mmput ended the users: the address space is torn down, the mm_struct held. */
    private static final int USERS_GONE = 1;
    /** This handle's put freed the mm_struct. */
    private static final int FREED = 2;

    private final ReentrantLock bkl;
    private volatile int life = LIVE;

    /** A handle whose operations run under {@code bkl}. */
    protected LockedAddressSpace(ReentrantLock bkl) {
        this.bkl = bkl;
    }

    /** Refuses an address-space operation once this handle's put ended the mm's users. */
    protected final void checkUsers(String op) {
        int l = life;
        if (l != LIVE) {
            throw gone(op, l);
        }
    }

    /** Refuses any use of the mm_struct once this handle's put freed it. */
    protected final void checkStruct(String op) {
        int l = life;
        if (l == FREED) {
            throw gone(op, l);
        }
    }

    private static IllegalStateException gone(String op, int l) {
        return new IllegalStateException(op + ": " + (l == FREED
            ? "use after free: this handle's last put freed the mm_struct"
            : "this handle's mmput was the last: the address space is torn down (mm_users is 0)"));
    }

    /** Records what a put through this handle ended: the users, and the mm_struct if {@code freed}. */
    private void ended(boolean freed) {
        life = freed ? FREED : USERS_GONE;
    }

    @Override
    public final void mmget() {
        checkUsers("mmget");
        doMmget();
    }

    @Override
    public final void mmput() {
        checkStruct("mmput");
        // We hold a user reference, so nobody can take a new one: mm_users 1 means ours is the last.
        boolean last = mmUsers() == 1;
        boolean frees = last && mmCount() == 1;
        doMmput();
        if (last) {
            ended(frees);
        }
    }

    @Override
    public final void mmgrab() {
        checkStruct("mmgrab");
        doMmgrab();
    }

    @Override
    public final long mmap(long addr, long len, int prot, int flags, MappedFile file, long pgoff) {
        checkUsers("mmap");
        bkl.lock();
        try {
            return mmapLocked(addr, len, prot, flags, file, pgoff);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final int munmap(long start, long len) {
        checkUsers("munmap");
        bkl.lock();
        try {
            return munmapLocked(start, len);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final int mprotect(long start, long len, int prot) {
        checkUsers("mprotect");
        bkl.lock();
        try {
            return mprotectLocked(start, len, prot);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final int madvise(long start, long len, int behavior) {
        checkUsers("madvise");
        bkl.lock();
        try {
            return madviseLocked(start, len, behavior);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final int mlock(long start, long len) {
        checkUsers("mlock");
        bkl.lock();
        try {
            return mlockLocked(start, len);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final int munlock(long start, long len) {
        checkUsers("munlock");
        bkl.lock();
        try {
            return munlockLocked(start, len);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final int touch(long addr, boolean write) {
        checkUsers("touch");
        bkl.lock();
        try {
            return touchLocked(addr, write);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final long copyFromUser(byte[] to, int off, long from, long n) {
        checkUsers("copy_from_user");
        if (off < 0 || n < 0 || n > to.length - off) {
            throw new IndexOutOfBoundsException("copy_from_user of " + n + " bytes into " + (to.length - off));
        }
        bkl.lock();
        try {
            return copyFromUserLocked(to, off, from, (int) n);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final long copyToUser(long to, byte[] from, int off, long n) {
        checkUsers("copy_to_user");
        if (!UaccessRules.accessOk(to, n)) {
            return n;
        }
        if (n < 0 || n > from.length - off || off < 0) {
            throw new IndexOutOfBoundsException("copy_to_user of " + n + " bytes from " + (from.length - off));
        }
        bkl.lock();
        try {
            return copyToUserLocked(to, from, off, (int) n);
        } finally {
            bkl.unlock();
        }
    }

    /** get_user and put_user move 1, 2, 4 or 8 bytes. */
    private static void checkValueSize(int size) {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new IllegalArgumentException("get_user/put_user of " + size + " bytes");
        }
    }

    @Override
    public final int getUser(long[] x, long ptr, int size) {
        checkUsers("get_user");
        checkValueSize(size);
        bkl.lock();
        try {
            return getUserLocked(x, ptr, size);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final int putUser(long x, long ptr, int size) {
        checkUsers("put_user");
        checkValueSize(size);
        bkl.lock();
        try {
            return putUserLocked(x, ptr, size);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final int copyStructFromUser(byte[] dst, int ksize, long src, long usize) {
        checkUsers("copy_struct_from_user");
        if (ksize < 0 || ksize > dst.length || ksize > Mman.PAGE_SIZE) {
            throw new IllegalArgumentException("ksize " + ksize + " for a buffer of " + dst.length);
        }
        bkl.lock();
        try {
            return copyStructFromUserLocked(dst, ksize, src, usize);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final int checkZeroedUser(long from, long size) {
        checkUsers("check_zeroed_user");
        bkl.lock();
        try {
            return checkZeroedUserLocked(from, size);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final long strncpyFromUser(byte[] dst, long src, long count) {
        checkUsers("strncpy_from_user");
        if (count > dst.length || count > Mman.PAGE_SIZE) {
            throw new IllegalArgumentException("count " + count + " for a buffer of " + dst.length);
        }
        bkl.lock();
        try {
            return strncpyFromUserLocked(dst, src, count);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final long pte(long addr) {
        checkUsers("pte");
        bkl.lock();
        try {
            return pteLocked(addr);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final VmaInfo findVma(long addr) {
        checkUsers("find_vma");
        bkl.lock();
        try {
            return findVmaLocked(addr);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final long getUnmappedArea(long addr, long len, long pgoff, int flags) {
        checkUsers("get_unmapped_area");
        bkl.lock();
        try {
            return getUnmappedAreaLocked(addr, len, pgoff, flags);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final AddressSpace dup(DupMode mode) {
        checkUsers("dup_mm");
        bkl.lock();
        try {
            return dupLocked(mode);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final void mmputAsync() {
        checkStruct("mmput_async");
        bkl.lock();
        try {
            boolean last = mmUsers() == 1;
            boolean frees = last && mmCount() == 1;
            mmputAsyncLocked();
            if (last) {
                ended(frees); // the worker frees it: no later put through this handle may reach it
            }
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final void mmdrop() {
        checkStruct("mmdrop");
        bkl.lock();
        try {
            boolean last = mmCount() == 1;
            mmdropLocked();
            if (last) {
                ended(true);
            }
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final void mmdropAsync() {
        checkStruct("mmdrop_async");
        bkl.lock();
        try {
            boolean last = mmCount() == 1;
            mmdropAsyncLocked();
            if (last) {
                ended(true);
            }
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final void setExeFile(MappedFile file) {
        checkUsers("set_mm_exe_file");
        bkl.lock();
        try {
            setExeFileLocked(file);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final MappedFile getExeFile() {
        checkUsers("get_mm_exe_file");
        bkl.lock();
        try {
            return getExeFileLocked();
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final List<VmaInfo> vmas() {
        checkUsers("vmas");
        bkl.lock();
        try {
            return vmasLocked();
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final String maps() {
        checkUsers("maps");
        bkl.lock();
        try {
            return mapsLocked();
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final void validate() {
        checkUsers("validate_mm");
        bkl.lock();
        try {
            validateLocked();
        } finally {
            bkl.unlock();
        }
    }

    /** {@link #mmap} with the lock held. */
    protected abstract long mmapLocked(long addr, long len, int prot, int flags, MappedFile file, long pgoff);

    /** {@link #munmap} with the lock held. */
    protected abstract int munmapLocked(long start, long len);

    /** {@link #mprotect} with the lock held. */
    protected abstract int mprotectLocked(long start, long len, int prot);

    /** {@link #madvise} with the lock held. */
    protected abstract int madviseLocked(long start, long len, int behavior);

    /** {@link #mlock} with the lock held. */
    protected abstract int mlockLocked(long start, long len);

    /** {@link #munlock} with the lock held. */
    protected abstract int munlockLocked(long start, long len);

    /** {@link #touch} with the lock held. */
    protected abstract int touchLocked(long addr, boolean write);

    /** {@link #copyFromUser} with the lock held ({@code to} holds {@code n} bytes at {@code off}). */
    protected abstract long copyFromUserLocked(byte[] to, int off, long from, int n);

    /** {@link #copyToUser} with the lock held, once access_ok passed ({@code from} holds {@code n} bytes). */
    protected abstract long copyToUserLocked(long to, byte[] from, int off, int n);

    /** {@link #getUser} with the lock held. */
    protected abstract int getUserLocked(long[] x, long ptr, int size);

    /** {@link #putUser} with the lock held. */
    protected abstract int putUserLocked(long x, long ptr, int size);

    /** {@link #copyStructFromUser} with the lock held. */
    protected abstract int copyStructFromUserLocked(byte[] dst, int ksize, long src, long usize);

    /** {@link #checkZeroedUser} with the lock held. */
    protected abstract int checkZeroedUserLocked(long from, long size);

    /** {@link #strncpyFromUser} with the lock held. */
    protected abstract long strncpyFromUserLocked(byte[] dst, long src, long count);

    /** {@link #pte} with the lock held. */
    protected abstract long pteLocked(long addr);

    /** {@link #findVma} with the lock held. */
    protected abstract VmaInfo findVmaLocked(long addr);

    /** {@link #getUnmappedArea} with the lock held. */
    protected abstract long getUnmappedAreaLocked(long addr, long len, long pgoff, int flags);

    /** {@link #dup} with the lock held. */
    protected abstract AddressSpace dupLocked(DupMode mode);

    /** mmget: atomic_inc(&mm->mm_users). */
    protected abstract void doMmget();

    /** mmput: takes the lock itself when the last user tears the address space down. */
    protected abstract void doMmput();

    /** mmgrab: atomic_inc(&mm->mm_count). */
    protected abstract void doMmgrab();

    /** {@link #mmputAsync} with the lock held. */
    protected abstract void mmputAsyncLocked();

    /** {@link #mmdrop} with the lock held. */
    protected abstract void mmdropLocked();

    /** {@link #mmdropAsync} with the lock held. */
    protected abstract void mmdropAsyncLocked();

    /** {@link #setExeFile} with the lock held. */
    protected abstract void setExeFileLocked(MappedFile file);

    /** {@link #getExeFile} with the lock held. */
    protected abstract MappedFile getExeFileLocked();

    /** {@link #vmas} with the lock held. */
    protected abstract List<VmaInfo> vmasLocked();

    /** {@link #maps} with the lock held. */
    protected abstract String mapsLocked();

    /** {@link #validate} with the lock held. */
    protected abstract void validateLocked();
}
