package org.kfork.heap.fs;

import org.kfork.heap.ErrPtr;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.fork.HeapTask;
import org.kfork.uapi.Errno;
import org.kfork.uapi.OpenFlags;

/**
 * The heap twin of org.kfork.kernel.fs.AnonInodes (fs/anon_inodes.c). The file's f_cred is
 * current's credentials off-heap (task->cred); the heap task has no credentials until the cred
 * room adds them, so it passes none.
 */
public final class HeapAnonInodes {
    /** I_DIRTY. */
    static final long I_DIRTY = 0x7;
    /** S_IRUSR | S_IWUSR. */
    static final int S_IRUSR_IWUSR = 0600;

    private HeapAnonInodes() {
    }

    /** anon_inode_init. */
    public static HeapInode anonInodeInit(HeapGlobals g) {
        final HeapInode inode = g.inodes.newInodePseudo();
        if (inode == null) {
            throw new IllegalStateException("anon_inode_init: cannot create the anonymous inode");
        }
        inode.iIno = Integer.toUnsignedLong(g.inodes.getNextIno());
        inode.iState = I_DIRTY;
        inode.iMode = S_IRUSR_IWUSR;
        return inode;
    }

    /** anon_inode_getfile: the file, or ERR_PTR(-ENOMEM) or ERR_PTR(-ENFILE). */
    public static HeapFile anonInodeGetfile(HeapGlobals g, HeapTask current, String name, HeapFileOperations fops,
        Object priv, int flags) {
        final HeapInode inode = g.anonInodeInode;
        if (inode == null) {
            return HeapFile.errPtr(-Errno.ENODEV);
        }
        HeapInodes.ihold(inode);
        final HeapFile file = g.fileTable.allocFile(inode, "anon_inode:" + name,
            flags & (OpenFlags.O_ACCMODE | OpenFlags.O_NONBLOCK), fops, null);
        if (ErrPtr.isErr(file)) {
            g.inodes.iput(inode);
            return file;
        }
        file.fMapping = inode.iMapping;
        file.privateData = priv;
        return file;
    }

    /** The boot's reference on the anonymous inode, given back at shutdown. */
    public static void close(HeapGlobals g) {
        g.inodes.iput(g.anonInodeInode);
    }
}
