package org.kfork.kernel.fs;

import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;

import org.kfork.kernel.Globals;
import org.kfork.kernel.struct.File;
import org.kfork.kernel.struct.Inode;
import org.kfork.machine.Mem;
import org.kfork.uapi.Errno;
import org.kfork.uapi.OpenFlags;

/**
 * fs/anon_inodes.c (5.12): anon_inode_init's one anonymous inode (alloc_anon_inode of libfs.c),
 * and anon_inode_getfile, which opens a file on it for a kernel object (the pidfd's struct pid).
 * The heap twin is {@link org.kfork.heap.fs.HeapAnonInodes}.
 *
 * <p>Invariants: every anonymous file holds one reference on the anonymous inode (ihold), which
 * the boot's own reference keeps above zero; the file's private_data is the caller's pointer, and
 * its f_op->release is where the caller gets it back.
 *
 * <p>Deviations: anon_inodefs has no super_block or mount in the model, so the file's f_path
 * stays empty (5.12 gives it a pseudo dentry named after the class, the one allocation of
 * alloc_file_pseudo the model leaves out) and its name, "anon_inode:" and the class, is kept
 * Java-side with the file's path. fops->owner (modules) is not modelled. anon_inode_getfile_secure
 * and its LSM hook are not modelled either.
 */
public final class AnonInodes {
    /** I_DIRTY: I_DIRTY_SYNC | I_DIRTY_DATASYNC | I_DIRTY_PAGES. */
    static final long I_DIRTY = 0x7;
    /** S_PRIVATE (i_flags). */
    static final int S_PRIVATE = 0x200;
    /** S_IRUSR | S_IWUSR. */
    static final int S_IRUSR_IWUSR = 0600;

    private AnonInodes() {
    }

    /**
     * anon_inode_init (fs_initcall): alloc_anon_inode's inode, a number from get_next_ino, dirty
     * from the start (so never queued for writeback), mode 0600 with no type, S_PRIVATE.
     *
     * @return the inode (anon_inode_inode)
     */
    public static long anonInodeInit(Globals g) {
        final long inode = g.inodes.newInodePseudo();
        if (inode == 0) {
            throw new IllegalStateException("anon_inode_init: cannot create the anonymous inode");
        }
        putLong(inode + Inode.I_INO, Integer.toUnsignedLong(g.inodes.getNextIno()));
        putLong(inode + Inode.I_STATE, I_DIRTY);
        Mem.putShort(inode + Inode.I_MODE, (short) S_IRUSR_IWUSR);
        putInt(inode + Inode.I_FLAGS, Mem.getInt(inode + Inode.I_FLAGS) | S_PRIVATE);
        return inode;
    }

    /**
     * anon_inode_getfile: a file of class {@code name} on the anonymous inode, with the methods
     * {@code fops} and {@code priv} as its private_data, opened with the access mode and
     * O_NONBLOCK of {@code flags} (other flags, O_CLOEXEC among them, are the descriptor's, not
     * the file's).
     *
     * @return the file, or -ENOMEM or -ENFILE (ERR_PTR style); the inode's extra reference is
     *         given back on failure
     */
    public static long anonInodeGetfile(Globals g, long current, String name, long fops, long priv, int flags) {
        final long inode = g.anonInodeInode;
        if (inode == 0) {
            return -Errno.ENODEV;
        }
        Inodes.ihold(inode);
        final long file = g.fileTable.allocFile(inode, "anon_inode:" + name,
            flags & (OpenFlags.O_ACCMODE | OpenFlags.O_NONBLOCK), fops, currentCred(current));
        if (Errno.isError(file)) {
            g.inodes.iput(inode);
            return file;
        }
        putLong(file + File.F_MAPPING, getLong(inode + Inode.I_MAPPING));
        putLong(file + File.PRIVATE_DATA, priv);
        return file;
    }

    /** current_cred(): the task's cred pointer (0 for no task, the kernel's own file). */
    static long currentCred(long current) {
        return current == 0 ? 0 : getLong(current + org.kfork.kernel.struct.TaskStruct.CRED);
    }

    /** Gives back the boot's reference on the anonymous inode (the kernel is shutting down). */
    public static void close(Globals g) {
        g.inodes.iput(g.anonInodeInode);
    }
}
