package org.kfork.kernel.nsproxy;

import org.kfork.kernel.Globals;

/**
 * The two functions of kernel/pid_namespace.c that kernel/nsproxy.c calls. They belong to the pid
 * room, which implements this interface and sets {@link Globals#pidNsOps} at boot; nsproxy code
 * reaches them only through it.
 */
public interface PidNsOps {
    /**
     * copy_pid_ns: without CLONE_NEWPID, {@code oldNs} with one more reference (get_pid_ns); with
     * it, a new child namespace of {@code oldNs} (-EINVAL unless oldNs is current's active pid
     * namespace; create_pid_namespace's -ENOSPC and -ENOMEM).
     *
     * @return the pid namespace, or a negative errno (ERR_PTR)
     */
    long copyPidNs(Globals g, long current, long flags, long userNs, long oldNs);

    /** put_pid_ns: drops a reference; the last one frees the namespace (never init_pid_ns's). */
    void putPidNs(Globals g, long ns);
}
