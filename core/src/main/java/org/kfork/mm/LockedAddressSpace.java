package org.kfork.mm;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The locking half of an {@link AddressSpace} handle, the same for both variants: each operation
 * takes the system's big lock (which stands for mmap_lock, the anon_vma root rwsem and
 * i_mmap_rwsem) and runs its {@code ...Locked} form. The reference counts (mmget, mmput, mmgrab)
 * are left to each variant: the off-heap one uses atomics and its fork path, which lock by
 * themselves.
 */
public abstract class LockedAddressSpace implements AddressSpace {
    private final ReentrantLock bkl;

    /** A handle whose operations run under {@code bkl}. */
    protected LockedAddressSpace(ReentrantLock bkl) {
        this.bkl = bkl;
    }

    @Override
    public final long mmap(long addr, long len, int prot, int flags, MappedFile file, long pgoff) {
        bkl.lock();
        try {
            return mmapLocked(addr, len, prot, flags, file, pgoff);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final int munmap(long start, long len) {
        bkl.lock();
        try {
            return munmapLocked(start, len);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final int mprotect(long start, long len, int prot) {
        bkl.lock();
        try {
            return mprotectLocked(start, len, prot);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final int madvise(long start, long len, int behavior) {
        bkl.lock();
        try {
            return madviseLocked(start, len, behavior);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final int mlock(long start, long len) {
        bkl.lock();
        try {
            return mlockLocked(start, len);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final int munlock(long start, long len) {
        bkl.lock();
        try {
            return munlockLocked(start, len);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final int touch(long addr) {
        bkl.lock();
        try {
            return touchLocked(addr);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final VmaInfo findVma(long addr) {
        bkl.lock();
        try {
            return findVmaLocked(addr);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final long getUnmappedArea(long addr, long len, long pgoff, int flags) {
        bkl.lock();
        try {
            return getUnmappedAreaLocked(addr, len, pgoff, flags);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final AddressSpace dup(DupMode mode) {
        bkl.lock();
        try {
            return dupLocked(mode);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final void mmputAsync() {
        bkl.lock();
        try {
            mmputAsyncLocked();
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final void mmdrop() {
        bkl.lock();
        try {
            mmdropLocked();
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final void mmdropAsync() {
        bkl.lock();
        try {
            mmdropAsyncLocked();
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final void setExeFile(MappedFile file) {
        bkl.lock();
        try {
            setExeFileLocked(file);
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final MappedFile getExeFile() {
        bkl.lock();
        try {
            return getExeFileLocked();
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final List<VmaInfo> vmas() {
        bkl.lock();
        try {
            return vmasLocked();
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final String maps() {
        bkl.lock();
        try {
            return mapsLocked();
        } finally {
            bkl.unlock();
        }
    }

    @Override
    public final void validate() {
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
    protected abstract int touchLocked(long addr);

    /** {@link #findVma} with the lock held. */
    protected abstract VmaInfo findVmaLocked(long addr);

    /** {@link #getUnmappedArea} with the lock held. */
    protected abstract long getUnmappedAreaLocked(long addr, long len, long pgoff, int flags);

    /** {@link #dup} with the lock held. */
    protected abstract AddressSpace dupLocked(DupMode mode);

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
