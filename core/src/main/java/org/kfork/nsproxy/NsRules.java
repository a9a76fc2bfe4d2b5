package org.kfork.nsproxy;

import static org.kfork.uapi.CloneFlags.CLONE_NEWCGROUP;
import static org.kfork.uapi.CloneFlags.CLONE_NEWIPC;
import static org.kfork.uapi.CloneFlags.CLONE_NEWNET;
import static org.kfork.uapi.CloneFlags.CLONE_NEWNS;
import static org.kfork.uapi.CloneFlags.CLONE_NEWPID;
import static org.kfork.uapi.CloneFlags.CLONE_NEWTIME;
import static org.kfork.uapi.CloneFlags.CLONE_NEWUTS;
import static org.kfork.uapi.CloneFlags.CLONE_SYSVSEM;

/**
 * What kernel/nsproxy.c and the namespaces it holds decide without looking at a representation
 * (5.12): the clone flags that need a new nsproxy, the one combination copy_namespaces refuses,
 * the inode numbers of the initial namespaces (include/linux/proc_ns.h), and the initial contents
 * of a UTS namespace (init/version.c) and of an IPC namespace (ipc/sem.c, msg.c, shm.c,
 * mqueue.c).
 */
public final class NsRules {
    /** The flags copy_namespaces and unshare_nsproxy_namespaces look at (CLONE_NEWUSER is the cred's). */
    public static final long CLONE_NEW_NSPROXY = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID
        | CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWTIME;

    /** PROC_IPC_INIT_INO: init_ipc_ns's inode number. */
    public static final int PROC_IPC_INIT_INO = 0xEFFFFFFF;
    /** PROC_UTS_INIT_INO. */
    public static final int PROC_UTS_INIT_INO = 0xEFFFFFFE;
    /** PROC_USER_INIT_INO. */
    public static final int PROC_USER_INIT_INO = 0xEFFFFFFD;
    /** PROC_PID_INIT_INO. */
    public static final int PROC_PID_INIT_INO = 0xEFFFFFFC;
    /** PROC_CGROUP_INIT_INO. */
    public static final int PROC_CGROUP_INIT_INO = 0xEFFFFFFB;
    /** PROC_TIME_INIT_INO. */
    public static final int PROC_TIME_INIT_INO = 0xEFFFFFFA;
    /** PROC_DYNAMIC_FIRST: the first inode number proc_alloc_inum hands out. */
    public static final int PROC_DYNAMIC_FIRST = 0xF0000000;

    /** __NEW_UTS_LEN: the longest UTS string; each field holds it and a NUL. */
    public static final int NEW_UTS_LEN = 64;
    /** UTS_SYSNAME. */
    public static final String UTS_SYSNAME = "Linux";
    /** UTS_NODENAME (CONFIG_DEFAULT_HOSTNAME "(none)"). */
    public static final String UTS_NODENAME = "(none)";
    /** UTS_RELEASE of the modeled kernel. */
    public static final String UTS_RELEASE = "5.12.9";
    /**
     * UTS_VERSION: the build number and flags compile.h gives ("#1 SMP" and the build date in a
     * real build); the model has no build date, so it stops at the flags.
     */
    public static final String UTS_VERSION = "#1 SMP";
    /** UTS_MACHINE on x86_64. */
    public static final String UTS_MACHINE = "x86_64";
    /** UTS_DOMAINNAME. */
    public static final String UTS_DOMAINNAME = "(none)";

    /** SEMMSL: semaphores per id (sem_ctls[0]). */
    public static final int SEMMSL = 32000;
    /** SEMMNI: semaphore ids (sem_ctls[3]). */
    public static final int SEMMNI = 32000;
    /** SEMMNS: semaphores in the namespace (sem_ctls[1]). */
    public static final int SEMMNS = SEMMNI * SEMMSL;
    /** SEMOPM: operations per semop (sem_ctls[2]). */
    public static final int SEMOPM = 500;
    /** MSGMAX: bytes of one message. */
    public static final int MSGMAX = 8192;
    /** MSGMNB: bytes of one queue. */
    public static final int MSGMNB = 16384;
    /** MSGMNI: message queue ids. */
    public static final int MSGMNI = 32000;
    /** SHMMAX: bytes of one segment (ULONG_MAX - 2^24). */
    public static final long SHMMAX = -1L - (1L << 24);
    /** SHMALL: pages of shared memory (ULONG_MAX - 2^24). */
    public static final long SHMALL = -1L - (1L << 24);
    /** SHMMNI: shared memory ids. */
    public static final int SHMMNI = 4096;
    /** DFLT_QUEUESMAX: POSIX message queues. */
    public static final int DFLT_QUEUESMAX = 256;
    /** DFLT_MSGMAX: messages per POSIX queue. */
    public static final int DFLT_MSGMAX = 10;
    /** DFLT_MSGSIZEMAX: bytes per POSIX message. */
    public static final int DFLT_MSGSIZEMAX = 8192;
    /** DFLT_MSG: default mq_maxmsg. */
    public static final int DFLT_MSG = 10;
    /** DFLT_MSGSIZE: default mq_msgsize. */
    public static final int DFLT_MSGSIZE = 8192;

    private NsRules() {
    }

    /** Whether a clone or unshare with {@code flags} asks for at least one new namespace of an nsproxy. */
    public static boolean wantsNewNamespaces(long flags) {
        return (flags & CLONE_NEW_NSPROXY) != 0;
    }

    /**
     * CLONE_NEWIPC with CLONE_SYSVSEM: a new IPC namespace cannot share the parent's semaphore
     * undo list, whose arrays it can no longer reach; copy_namespaces answers -EINVAL.
     */
    public static boolean newIpcWithSysvsem(long flags) {
        return (flags & (CLONE_NEWIPC | CLONE_SYSVSEM)) == (CLONE_NEWIPC | CLONE_SYSVSEM);
    }

    /** The six strings of init_uts_ns, in new_utsname's order. */
    public static String[] initUtsName() {
        return new String[] {UTS_SYSNAME, UTS_NODENAME, UTS_RELEASE, UTS_VERSION, UTS_MACHINE, UTS_DOMAINNAME};
    }
}
