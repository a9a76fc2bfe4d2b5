package org.kfork.exit;

import org.kfork.sched.WaitResult;

/**
 * struct wait_opts with its struct waitid_info (kernel/exit.c, 5.12): what one wait4 or waitid
 * looks for and what it found, shared by both kernels. The struct pid a wait selects stays a
 * parameter of each kernel's functions (an address or an object). A caller may keep one and
 * reuse it for every wait of a task: nothing here outlives the call.
 */
public final class WaitOpts {
    /** wo_type: PIDTYPE_PID, PIDTYPE_PGID, or PIDTYPE_MAX for any child. */
    public int woType;
    /** wo_flags: the options, with WEXITED added by wait4. */
    public int woFlags;
    /** wo_stat: the status wait4 writes to user space (the kernel's encoding). */
    public int woStat;
    /** notask_error: -ECHILD until an eligible child is seen. */
    public int notaskError;
    /** Whether waitid's waitid_info is wanted (wo_info != NULL). */
    public boolean wantInfo;
    /** waitid_info.pid: the child, in the waiter's pid namespace. */
    public int infoPid;
    /** waitid_info.uid: the child's real uid. */
    public int infoUid;
    /** waitid_info.status: the exit code, or the signal. */
    public int infoStatus;
    /** waitid_info.cause: a CLD_* code, 0 when nothing was found. */
    public int infoCause;
    /** The waiter's RCU token (or WaitResult.NO_RCU): a wait that sleeps gets a new one. */
    public int rcuToken = WaitResult.NO_RCU;
    /** The result of the last scan when a sleeping wait evaluates its condition. */
    public int scanResult;

    /** Starts a wait: the type and flags set, every result cleared (the token is kept). */
    public WaitOpts reset(int type, int flags, boolean info) {
        woType = type;
        woFlags = flags;
        woStat = 0;
        notaskError = 0;
        wantInfo = info;
        infoPid = 0;
        infoUid = 0;
        infoStatus = 0;
        infoCause = 0;
        scanResult = 0;
        return this;
    }

    /** wait_task_zombie's out_info: a zombie's status as waitid reports it. */
    public void fillInfo(int pid, int uid, int status) {
        if (wantInfo) {
            infoCause = WaitRules.infoCause(status);
            infoStatus = WaitRules.infoStatus(status);
            infoPid = pid;
            infoUid = uid;
        }
    }
}
