package org.kfork.kernel.fs;

import static org.kfork.machine.Mem.getAndAddInt;
import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;

import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.collections.Long2ObjectHashMap;

import org.kfork.alloc.Cpus;
import org.kfork.alloc.Kmem;
import org.kfork.alloc.KmemCache;
import org.kfork.alloc.SlabFlags;
import org.kfork.ds.IntrusiveList;
import org.kfork.ds.XArray;
import org.kfork.kernel.struct.AddressSpace;
import org.kfork.kernel.struct.HlistNode;
import org.kfork.kernel.struct.Inode;
import org.kfork.kernel.struct.RwSemaphore;
import org.kfork.machine.Mem;
import org.kfork.mm.FailSlab;
import org.kfork.uapi.Errno;

/**
 * fs/inode.c (5.12), the part the model's files stand on: inode_init (the "inode_cache" cache,
 * whose constructor init_once runs once per object), alloc_inode with inode_init_always,
 * new_inode_pseudo, get_next_ino, ihold and iput (iput_final, evict, destroy_inode); and the
 * write-access counters of include/linux/fs.h (get_write_access, put_write_access).
 *
 * <p>Invariants:
 * <ul>
 *   <li>An inode is freed exactly when i_count goes from 1 to 0; i_count never goes below 0 (a put
 *       of a freed inode is refused and reported, the count left alone).</li>
 *   <li>i_mapping is the inode's own i_data, and i_data.host the inode.</li>
 *   <li>What init_once set up (the list heads, i_data's i_pages, i_mmap_rwsem, private_list and the
 *       empty i_mmap tree) is in that state again when the inode is freed: the VMAs that mapped it
 *       have left i_mmap. The constructor does not run again when the object is reused.</li>
 *   <li>i_writecount counts the files open for writing (positive) or the deny-writers, VM_DENYWRITE
 *       maps and executables (negative); it never holds both.</li>
 * </ul>
 *
 * <p>Deviations: the model has no super_block (i_sb is NULL), so alloc_inode, evict and
 * destroy_inode take the paths of a filesystem without super_operations: objects come from
 * inode_cache, eviction clears the inode, and generic_drop_inode drops it at its last iput (the
 * model keeps no unused inodes on an LRU and hashes none); the one super_operations method the
 * model has a use for, evict_inode (shmem's gives back the charge of a shmem file), is kept
 * Java-side by inode ({@link #setEvictInode}), for the inodes whose filesystem has one. destroy_inode
 * frees the object at once
 * rather than after an RCU grace period: nothing in the model looks an inode up under RCU.
 * get_next_ino takes numbers from one shared counter; 5.12 hands out per-CPU batches of 1024,
 * which gives the same sequence on one CPU. SLAB_RECLAIM_ACCOUNT and SLAB_MEM_SPREAD, which
 * inode_init also passes, are not modelled by the slab allocator.
 */
public final class Inodes implements AutoCloseable {
    /** S_IFREG: a regular file (include/uapi/linux/stat.h). */
    public static final int S_IFREG = 0100000;
    /** S_IRWXUGO: read, write and execute for all. */
    public static final int S_IRWXUGO = 0777;
    /** I_FREEING: the inode is being evicted. */
    public static final long I_FREEING = 1L << 5;
    /** I_CLEAR: clear_inode has run. */
    public static final long I_CLEAR = 1L << 6;

    private final Cpus cpus;
    private final FailSlab failSlab;
    private final KmemCache inodeCachep;
    /** get_next_ino's counter (shared_last_ino). */
    private final AtomicInteger lastIno = new AtomicInteger();
    /** i_sb->s_op->evict_inode of the inodes whose filesystem has one. Guarded by itself. */
    private final Long2ObjectHashMap<EvictMethod> evictInode = new Long2ObjectHashMap<>();

    /**
     * mm/truncate.c's truncate_inode_pages_final for the page cache (i_data's i_pages and
     * nrpages), which the mm system provides ({@link #setTruncateInodePagesFinal}): its pages
     * come from the mm's page allocator. Set once. Guarded by {@link #evictInode}.
     */
    private EvictMethod truncateInodePagesFinal;

    /** {@code void (*evict_inode)(struct inode *)} of a filesystem's super_operations. */
    @FunctionalInterface
    public interface EvictMethod {
        /** The inode's last reference is gone: the filesystem lets go of what the inode holds. */
        void evict(long inode);
    }

    private Inodes(Kmem kmem, FailSlab failSlab) {
        this.cpus = kmem.cpus();
        this.failSlab = failSlab;
        this.inodeCachep = kmem.slabs().create("inode_cache", (int) Inode.SIZEOF, 0,
            SlabFlags.SLAB_PANIC | SlabFlags.SLAB_ACCOUNT, Inodes::initOnce);
    }

    /** inode_init: the inode cache; allocations ask {@code failSlab} first. */
    public static Inodes inodeInit(Kmem kmem, FailSlab failSlab) {
        return new Inodes(kmem, failSlab);
    }

    /**
     * init_once (inode_init_once): zero the object, then the fields that stay valid across reuse:
     * the empty list heads and hlist node, and __address_space_init_once on i_data.
     */
    static void initOnce(long inode) {
        Mem.zero(inode, Inode.SIZEOF);
        IntrusiveList.init(inode + Inode.I_DEVICES);
        IntrusiveList.init(inode + Inode.I_IO_LIST);
        IntrusiveList.init(inode + Inode.I_WB_LIST);
        IntrusiveList.init(inode + Inode.I_LRU);
        putLong(inode + Inode.I_HASH + HlistNode.NEXT, 0); // INIT_HLIST_NODE
        putLong(inode + Inode.I_HASH + HlistNode.PPREV, 0);
        final long mapping = inode + Inode.I_DATA;
        // __address_space_init_once: xa_init of i_pages (the page cache, in XArray's form),
        // init_rwsem, the private list, and i_mmap = RB_ROOT_CACHED (zero)
        XArray.xaInit(mapping + AddressSpace.I_PAGES);
        IntrusiveList.init(mapping + AddressSpace.I_MMAP_RWSEM + RwSemaphore.WAIT_LIST);
        IntrusiveList.init(mapping + AddressSpace.PRIVATE_LIST);
    }

    /**
     * new_inode_pseudo: alloc_inode (inode_init_always) with i_state 0. The inode has i_count 1,
     * i_nlink 1, i_mapping at its i_data, and i_ino 0 (the caller numbers it).
     *
     * @return the inode, or 0 when the allocation fails
     */
    public long newInodePseudo() {
        final long inode = failSlab.shouldFail() ? 0 : inodeCachep.alloc(cpus.current());
        if (inode == 0) {
            return 0;
        }
        inodeInitAlways(inode);
        putLong(inode + Inode.I_STATE, 0);
        IntrusiveList.init(inode + Inode.I_SB_LIST);
        return inode;
    }

    /** inode_init_always without a super_block (i_sb NULL, i_blkbits 0, no xattrs). */
    private static void inodeInitAlways(long inode) {
        putInt(inode + Inode.I_FLAGS, 0);
        putLong(inode + Inode.I_SEQUENCE, 0);
        putInt(inode + Inode.I_COUNT, 1);
        putLong(inode + Inode.I_INO, 0);
        putInt(inode + Inode.__I_NLINK, 1);
        Mem.putShort(inode + Inode.I_OPFLAGS, (short) 0);
        putInt(inode + Inode.I_UID, 0);
        putInt(inode + Inode.I_GID, 0);
        putInt(inode + Inode.I_WRITECOUNT, 0);
        putLong(inode + Inode.I_SIZE, 0);
        putLong(inode + Inode.I_BLOCKS, 0);
        Mem.putShort(inode + Inode.I_BYTES, (short) 0);
        putInt(inode + Inode.I_GENERATION, 0);
        putLong(inode + Inode.I_PIPE, 0); // i_pipe, i_cdev, i_link, i_dir_seq
        putInt(inode + Inode.I_RDEV, 0);
        putLong(inode + Inode.DIRTIED_WHEN, 0);
        putInt(inode + Inode.I_LOCK, 0);
        putInt(inode + Inode.I_DIO_COUNT, 0);
        final long mapping = inode + Inode.I_DATA;
        putLong(mapping + AddressSpace.HOST, inode);
        putLong(mapping + AddressSpace.FLAGS, 0);
        putInt(mapping + AddressSpace.WB_ERR, 0);
        putInt(mapping + AddressSpace.I_MMAP_WRITABLE, 0);
        putLong(mapping + AddressSpace.PRIVATE_DATA, 0);
        putLong(mapping + AddressSpace.WRITEBACK_INDEX, 0);
        putLong(inode + Inode.I_PRIVATE, 0);
        putLong(inode + Inode.I_MAPPING, mapping);
        putLong(inode + Inode.I_DENTRY, 0); // INIT_HLIST_HEAD
        putInt(inode + Inode.I_FSNOTIFY_MASK, 0);
        putLong(inode + Inode.I_FLCTX, 0);
    }

    /** get_next_ino: the next inode number of a pseudo filesystem, never 0. */
    public int getNextIno() {
        int res = lastIno.incrementAndGet();
        if (res == 0) {
            res = lastIno.incrementAndGet(); // wrapped: get_next_ino should not give 0
        }
        return res;
    }

    /** ihold: another reference on an inode the caller already holds one on. */
    public static void ihold(long inode) {
        if (getAndAddInt(inode + Inode.I_COUNT, 1) < 1) {
            getAndAddInt(inode + Inode.I_COUNT, -1);
            throw new IllegalStateException("ihold of an inode nobody holds: 0x" + Long.toHexString(inode));
        }
    }

    /**
     * iput: drops a reference; the last one evicts the inode (clear_inode) and frees it into
     * inode_cache. Refuses, leaving the count, a put of an inode whose count is already 0.
     */
    public void iput(long inode) {
        if (inode == 0) {
            return;
        }
        int c;
        do {
            c = getInt(inode + Inode.I_COUNT);
            if (c <= 0) {
                throw new IllegalStateException("iput of a freed inode: 0x" + Long.toHexString(inode));
            }
        } while (!Mem.compareAndSetInt(inode + Inode.I_COUNT, c, c - 1));
        if (c == 1) {
            iputFinal(inode);
        }
    }

    /**
     * Sets the evict_inode of {@code inode}'s filesystem (its super_block's s_op, which the model
     * does not have): it runs when the inode is evicted.
     */
    public void setEvictInode(long inode, EvictMethod fn) {
        synchronized (evictInode) {
            evictInode.put(inode, fn);
        }
    }

    /**
     * Sets truncate_inode_pages_final (the mm system's page cache; null to unset): evict runs it
     * on an inode whose filesystem has no evict_inode, whose own evict_inode must empty the page
     * cache itself (shmem_evict_inode does, with shmem_truncate_range).
     */
    public void setTruncateInodePagesFinal(EvictMethod fn) {
        synchronized (evictInode) {
            truncateInodePagesFinal = fn;
        }
    }

    /**
     * iput_final and evict: an unhashed inode is dropped at once; eviction runs the filesystem's
     * evict_inode if it has one, else truncate_inode_pages_final; clear_inode refuses an inode
     * whose page cache still holds pages; destroy_inode frees it.
     */
    private void iputFinal(long inode) {
        putLong(inode + Inode.I_STATE, I_FREEING);
        final long mapping = inode + Inode.I_DATA;
        if (getLong(mapping + AddressSpace.I_MMAP) != 0) {
            throw new IllegalStateException("evict: inode 0x" + Long.toHexString(inode) + " is still mapped");
        }
        final EvictMethod evict;
        final EvictMethod truncate;
        synchronized (evictInode) {
            evict = evictInode.remove(inode);
            truncate = truncateInodePagesFinal;
        }
        if (evict != null) {
            evict.evict(inode);
        } else if (truncate != null && getLong(mapping + AddressSpace.NRPAGES) != 0) {
            truncate.evict(inode);
        }
        if (getLong(mapping + AddressSpace.NRPAGES) != 0) { // clear_inode's BUG_ON
            throw new IllegalStateException("clear_inode: inode 0x" + Long.toHexString(inode) + " still has pages");
        }
        putLong(inode + Inode.I_STATE, I_FREEING | I_CLEAR); // clear_inode
        inodeCachep.free(cpus.current(), inode);
    }

    /** get_write_access: one more writer, unless writes are denied (-ETXTBSY). */
    public static int getWriteAccess(long inode) {
        final long p = inode + Inode.I_WRITECOUNT;
        int c;
        do {
            c = getInt(p);
            if (c < 0) {
                return -Errno.ETXTBSY;
            }
        } while (!Mem.compareAndSetInt(p, c, c + 1));
        return 0;
    }

    /** put_write_access: one writer fewer. */
    public static void putWriteAccess(long inode) {
        getAndAddInt(inode + Inode.I_WRITECOUNT, -1);
    }

    /** The inode cache. */
    public KmemCache inodeCachep() {
        return inodeCachep;
    }

    /** Destroys the cache (every inode must be freed by then). */
    @Override
    public void close() {
        inodeCachep.destroy();
    }
}
