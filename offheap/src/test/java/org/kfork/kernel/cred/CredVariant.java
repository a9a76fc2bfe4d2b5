package org.kfork.kernel.cred;

import java.util.Map;

import org.kfork.mm.FailSlab;

/**
 * The test-side adapter through which one suite drives both kernels' credentials, users,
 * capabilities, ucounts and namespaces: the off-heap rooms (org.kfork.kernel.cred, .nsproxy) and
 * their heap twins. Tasks are named by int handles. A task made by {@link #newTask} is set up as
 * init_task is (init_cred for both cred pointers, init_nsproxy, init_css_set); {@link #dupTask}
 * copies a task's pointers without taking references, as dup_task_struct does, so that copy_creds
 * and copy_namespaces can run on the copy.
 *
 * <p>copy_pid_ns and put_pid_ns are the pid room's: both variants install the same stand-in (a
 * refcounted 16-byte kmalloc object per new pid namespace; init_pid_ns is not wired here, so
 * init_nsproxy's pid_ns_for_children is NULL and shared without a count), which lets the suite
 * reach the pid step of create_new_namespaces and its unwinding.
 */
public interface CredVariant extends AutoCloseable {
    /** The namespaces of an nsproxy. */
    enum Ns { MNT, UTS, IPC, PID, CGROUP, NET, TIME, TIME_FOR_CHILDREN }

    /** What a test reads of a cred. */
    record CredView(int uid, int gid, int suid, int sgid, int euid, int egid, int fsuid, int fsgid,
                    long capEffective, long capPermitted, long capInheritable, long capAmbient, long capBset,
                    int usage, int userUid) {
    }

    // ---- tasks ----

    /** A task as init_task holds its creds and namespaces: references taken on both. */
    int newTask();

    /** dup_task_struct's copy of {@code parent}: its cred, real_cred, nsproxy, cgroups and flags, no references. */
    int dupTask(int parent);

    /** Frees a task whose creds and namespaces are gone (exit_creds, exit_task_namespaces). */
    void freeTask(int t);

    /** task->flags. */
    int flags(int t);

    void setFlags(int t, int flags);

    /** Gives the task an mm whose flags are {@code mmFlags} (for commit_creds' set_dumpable). */
    void giveMm(int t, long mmFlags);

    /** Its mm's flags. */
    long mmFlags(int t);

    /** Drops the mm given by {@link #giveMm}. */
    void dropMm(int t);

    int pdeathSignal(int t);

    void setPdeathSignal(int t, int sig);

    // ---- creds ----

    int copyCreds(int current, int p, long flags);

    void exitCreds(int t);

    /** release_task's part (kernel/exit.c): the dead task stops counting as a process of its user. */
    void releaseTaskProcesses(int t);

    int setCred(int current, int uid, int gid, long caps);

    /** prepare_creds then abort_creds: whether the allocation succeeded. */
    boolean prepareThenAbort(int current);

    CredView cred(int t);

    CredView realCred(int t);

    boolean credIsInitCred(int t);

    boolean sameCred(int a, int b);

    /** get_task_cred then put_cred; returns the usage seen while pinned. */
    int pinnedUsage(int t);

    boolean capable(int current, int cap);

    boolean hasCapability(int t, int cap);

    // ---- users ----

    /** The processes count of uid's user_struct, or -1 when none is hashed. */
    int userProcesses(int uid);

    /** The __count of uid's user_struct, or -1 when none is hashed (find_user's own reference not counted). */
    int userCount(int uid);

    /** alloc_uid: whether it succeeded (the reference is the caller's, dropped by {@link #freeUid}). */
    boolean allocUid(int uid);

    void freeUid(int uid);

    // ---- ucounts ----

    /** inc_ucount in init_user_ns: a handle for {@link #decUcount}, or -1 when refused. */
    int incUcount(int uid, int type);

    void decUcount(int handle, int type);

    /** ucount[type] of (init_user_ns, uid), or -1 when no ucounts exist for it. */
    int ucount(int uid, int type);

    long sysctlUcountMax(int type, boolean write, long value);

    // ---- namespaces ----

    int copyNamespaces(int current, int t, long flags);

    /** unshare_nsproxy_namespaces then, on success, switch_task_namespaces: 0, 1 (nothing to do) or -errno. */
    long unshareNamespaces(int current, long flags);

    void exitTaskNamespaces(int t);

    boolean sameNsproxy(int a, int b);

    boolean nsproxyIsInit(int t);

    int nsproxyCount(int t);

    /** Whether t's namespace {@code which} is the initial one. */
    boolean nsIsInit(int t, Ns which);

    /** Whether a's and b's namespaces {@code which} are the same object. */
    boolean sameNs(int a, int b, Ns which);

    /** The refcount of t's namespace {@code which} (the stand-in's for PID; -1 for a NULL pid namespace). */
    int nsCount(int t, Ns which);

    /** The inode number of t's namespace {@code which} (not PID). */
    int nsInum(int t, Ns which);

    /** The uname nodename of t's uts namespace. */
    String utsNodename(int t);

    /** Sets it (as sethostname would, with uts_sem held). */
    void setUtsNodename(int t, String name);

    boolean timeNsFrozen(int t, Ns which);

    /** init_css_set's refcount. */
    int initCssSetRefcount();

    // ---- machinery ----

    FailSlab failSlab();

    /** rcu_barrier: deferred frees run. */
    void rcuBarrier();

    /** Live objects of a cache (cred_jar, uid_cache, nsproxy, uts_namespace, net_namespace, kmalloc-N). */
    long live(String cache);

    /** The counts the leak check compares (heap: objectCounts; off-heap: the caches above). */
    Map<String, Long> counts();

    @Override
    void close();
}
