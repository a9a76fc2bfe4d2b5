package org.kfork.heap.cred;

/**
 * The heap twin of {@code struct cred}, reduced to what kernel/signal.c and do_prlimit read: the
 * uids and gids and the user. (The credentials room owns this class and its other fields:
 * usage, fsuid/fsgid, the capability sets, user_ns, group_info.)
 */
public class HeapCred {
    /** {@code kuid_t uid}: the real uid. */
    public int uid;
    /** {@code kgid_t gid}: the real gid. */
    public int gid;
    /** {@code kuid_t suid}: the saved uid. */
    public int suid;
    /** {@code kgid_t sgid}: the saved gid. */
    public int sgid;
    /** {@code kuid_t euid}: the effective uid. */
    public int euid;
    /** {@code kgid_t egid}: the effective gid. */
    public int egid;
    /** {@code struct user_struct *user}: the real user's accounting. */
    public HeapUserStruct user;
}
