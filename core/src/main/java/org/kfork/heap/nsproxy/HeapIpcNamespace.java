package org.kfork.heap.nsproxy;

import org.kfork.heap.ErrPtr;
import org.kfork.heap.cred.HeapUcounts;
import org.kfork.heap.cred.HeapUserNamespace;
import org.kfork.uapi.Errno;

/**
 * The heap twin of {@code struct ipc_namespace}: the System V and POSIX message queue limits the model keeps (see
 * Namespaces), the owner and the creator's ucounts.
 */
public class HeapIpcNamespace {
    /** The kmalloc cache of an 824-byte struct ipc_namespace (kzalloc), pinned to the layout by a test. */
    public static final String KMALLOC_CACHE = "kmalloc-1k";

    /** {@code int sem_ctls[4]}: SEMMSL, SEMMNS, SEMOPM, SEMMNI. */
    public final int[] semCtls = new int[4];
    /** {@code int used_sems}. */
    public int usedSems;
    /** {@code unsigned int msg_ctlmax}. */
    public int msgCtlmax;
    /** {@code unsigned int msg_ctlmnb}. */
    public int msgCtlmnb;
    /** {@code unsigned int msg_ctlmni}. */
    public int msgCtlmni;
    /** {@code atomic_t msg_bytes}. */
    public int msgBytes;
    /** {@code atomic_t msg_hdrs}. */
    public int msgHdrs;
    /** {@code size_t shm_ctlmax}. */
    public long shmCtlmax;
    /** {@code size_t shm_ctlall}. */
    public long shmCtlall;
    /** {@code unsigned long shm_tot}. */
    public long shmTot;
    /** {@code int shm_ctlmni}. */
    public int shmCtlmni;
    /** {@code int shm_rmid_forced}. */
    public int shmRmidForced;
    /** {@code unsigned int mq_queues_count}. */
    public int mqQueuesCount;
    /** {@code unsigned int mq_queues_max}. */
    public int mqQueuesMax;
    /** {@code unsigned int mq_msg_max}. */
    public int mqMsgMax;
    /** {@code unsigned int mq_msgsize_max}. */
    public int mqMsgsizeMax;
    /** {@code unsigned int mq_msg_default}. */
    public int mqMsgDefault;
    /** {@code unsigned int mq_msgsize_default}. */
    public int mqMsgsizeDefault;
    /** {@code struct user_namespace *user_ns}. */
    public HeapUserNamespace userNs;
    /** {@code struct ucounts *ucounts}. */
    public HeapUcounts ucounts;
    /** {@code struct ns_common ns}. */
    public final HeapNsCommon ns = new HeapNsCommon("ipc_namespace.ns.count");

    /** A zeroed namespace. */
    public HeapIpcNamespace() {
    }

    /** The sentinel that stands for ERR_PTR(-errno): never a live object. */
    private static final class Err extends HeapIpcNamespace implements ErrPtr.Value {
        private final int errno;

        Err(int errno) {
            this.errno = errno;
        }

        @Override
        public int errno() {
            return errno;
        }

        @Override
        public String toString() {
            return "ERR_PTR(-" + Errno.name(errno) + ")";
        }
    }

    private static final ErrPtr.Sentinels<HeapIpcNamespace> ERR = new ErrPtr.Sentinels<>(Err::new);

    /** ERR_PTR({@code err}) for the functions that return this type. */
    public static HeapIpcNamespace errPtr(long err) {
        return ERR.of(err);
    }
}
