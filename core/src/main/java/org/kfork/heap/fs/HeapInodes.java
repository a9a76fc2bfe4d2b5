package org.kfork.heap.fs;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.kfork.mm.FailSlab;
import org.kfork.uapi.Errno;

/**
 * The heap twin of org.kfork.kernel.fs.Inodes (fs/inode.c): new_inode_pseudo with
 * inode_init_always, get_next_ino, ihold, iput and the write-access counters, with the same steps
 * and the same failslab point. Live inodes are counted as the "inode_cache" cache would count them.
 */
public final class HeapInodes {
    /** S_IFREG. */
    public static final int S_IFREG = 0100000;
    /** S_IRWXUGO. */
    public static final int S_IRWXUGO = 0777;
    /** I_FREEING. */
    public static final long I_FREEING = 1L << 5;
    /** I_CLEAR. */
    public static final long I_CLEAR = 1L << 6;

    private final FailSlab failSlab;
    private final AtomicLong live = new AtomicLong();
    private final AtomicInteger lastIno = new AtomicInteger();
    /** evict_inode of the inodes whose filesystem has one (see the off-heap twin). Guarded by itself. */
    private final Map<HeapInode, EvictMethod> evictInode = new IdentityHashMap<>();

    /** truncate_inode_pages_final of the mm system's page cache (see the off-heap twin). Guarded by {@link #evictInode}. */
    private EvictMethod truncateInodePagesFinal;

    /** {@code void (*evict_inode)(struct inode *)}. */
    @FunctionalInterface
    public interface EvictMethod {
        /** The inode's last reference is gone. */
        void evict(HeapInode inode);
    }

    /** Sets the evict_inode of {@code inode}'s filesystem. */
    public void setEvictInode(HeapInode inode, EvictMethod fn) {
        synchronized (evictInode) {
            evictInode.put(inode, fn);
        }
    }

    /** Sets truncate_inode_pages_final (null to unset): evict runs it when the inode's filesystem has no evict_inode. */
    public void setTruncateInodePagesFinal(EvictMethod fn) {
        synchronized (evictInode) {
            truncateInodePagesFinal = fn;
        }
    }

    private HeapInodes(FailSlab failSlab) {
        this.failSlab = failSlab;
    }

    /** inode_init. */
    public static HeapInodes inodeInit(FailSlab failSlab) {
        return new HeapInodes(failSlab);
    }

    /** new_inode_pseudo: i_count 1, i_mapping at i_data, i_ino 0; null when the allocation fails. */
    public HeapInode newInodePseudo() {
        if (failSlab.shouldFail()) {
            return null;
        }
        live.incrementAndGet();
        HeapInode inode = new HeapInode();
        inode.iCount = 1;
        inode.iMapping = inode.iData;
        return inode;
    }

    /** get_next_ino. */
    public int getNextIno() {
        int res = lastIno.incrementAndGet();
        if (res == 0) {
            res = lastIno.incrementAndGet();
        }
        return res;
    }

    /** ihold. */
    public static void ihold(HeapInode inode) {
        if ((int) HeapInode.I_COUNT.getAndAdd(inode, 1) < 1) {
            HeapInode.I_COUNT.getAndAdd(inode, -1);
            throw new IllegalStateException("ihold of an inode nobody holds");
        }
    }

    /** iput: the last reference evicts and frees the inode; a put of a freed inode is refused. */
    public void iput(HeapInode inode) {
        if (inode == null) {
            return;
        }
        int c;
        do {
            c = inode.iCount;
            if (c <= 0) {
                throw new IllegalStateException("iput of a freed inode");
            }
        } while (!HeapInode.I_COUNT.compareAndSet(inode, c, c - 1));
        if (c == 1) {
            iputFinal(inode);
        }
    }

    private void iputFinal(HeapInode inode) {
        inode.iState = I_FREEING;
        if (inode.iData.iMmap.node() != null) {
            throw new IllegalStateException("evict: the inode is still mapped");
        }
        final EvictMethod evict;
        final EvictMethod truncate;
        synchronized (evictInode) {
            evict = evictInode.remove(inode);
            truncate = truncateInodePagesFinal;
        }
        if (evict != null) {
            evict.evict(inode);
        } else if (truncate != null && inode.iData.nrpages != 0) {
            truncate.evict(inode);
        }
        if (inode.iData.nrpages != 0) { // clear_inode's BUG_ON
            throw new IllegalStateException("clear_inode: the inode still has pages");
        }
        inode.iState = I_FREEING | I_CLEAR;
        if (live.decrementAndGet() < 0) {
            live.incrementAndGet();
            throw new IllegalStateException("double free in inode_cache");
        }
    }

    /** get_write_access. */
    public static int getWriteAccess(HeapInode inode) {
        int c;
        do {
            c = inode.iWritecount;
            if (c < 0) {
                return -Errno.ETXTBSY;
            }
        } while (!HeapInode.I_WRITECOUNT.compareAndSet(inode, c, c + 1));
        return 0;
    }

    /** put_write_access. */
    public static void putWriteAccess(HeapInode inode) {
        HeapInode.I_WRITECOUNT.getAndAdd(inode, -1);
    }

    /** Live inodes (inode_cache's active objects). */
    public long liveObjects() {
        return live.get();
    }
}
