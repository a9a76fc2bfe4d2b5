package org.kfork.heap.nsproxy;

import org.kfork.heap.HeapGlobals;
import org.kfork.heap.cred.HeapUserNamespace;
import org.kfork.heap.fork.HeapTask;

/**
 * The heap twin of org.kfork.kernel.nsproxy.PidNsOps: copy_pid_ns and put_pid_ns, which the pid
 * room implements and sets in {@link HeapGlobals#pidNsOps}. The namespace is the pid room's
 * HeapPidNamespace, typed Object until the two rooms meet; an ERR_PTR is an {@link
 * org.kfork.heap.ErrPtr.Value}.
 */
public interface HeapPidNsOps {
    /** copy_pid_ns: {@code oldNs} with a reference, a new namespace, or an ERR_PTR sentinel. */
    Object copyPidNs(HeapGlobals g, HeapTask current, long flags, HeapUserNamespace userNs, Object oldNs);

    /** put_pid_ns. */
    void putPidNs(HeapGlobals g, Object ns);
}
