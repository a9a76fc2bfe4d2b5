package org.kfork.heap.signal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.kfork.heap.pid.HeapPid;
import org.kfork.pid.PidRules;

/**
 * The heap twin of {@code struct signal_struct}, with what pid.c reads so far: {@code pids[]},
 * the thread group's pids of types TGID, PGID and SID ({@code pids[PIDTYPE_PID]} is unused, as
 * in 5.12: a task's own pid is {@code thread_pid}). The signals room adds the rest of the struct.
 */
public final class HeapSignalStruct {
    private static final VarHandle PIDS = MethodHandles.arrayElementVarHandle(HeapPid[].class);

    /** {@code struct pid *pids[PIDTYPE_MAX]}: read with acquire loads (rcu_dereference). */
    private final HeapPid[] pids = new HeapPid[PidRules.PIDTYPE_MAX];

    /** A zeroed signal_struct. */
    public HeapSignalStruct() {
    }

    /** {@code rcu_dereference(sig->pids[type])}. */
    public HeapPid pid(int type) {
        return (HeapPid) PIDS.getAcquire(pids, type);
    }

    /** {@code sig->pids[type] = pid} (a release store). */
    public void setPid(int type, HeapPid pid) {
        PIDS.setRelease(pids, type, pid);
    }
}
