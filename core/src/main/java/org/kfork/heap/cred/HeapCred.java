package org.kfork.heap.cred;

import java.util.concurrent.atomic.AtomicInteger;

import org.kfork.heap.rcu.HeapCallbackHead;

/**
 * The heap twin of {@code struct cred}: the fields the port uses, named after the C fields. The
 * rcu head is the object itself (put_cred_rcu frees it after a grace period). The keyring pointers
 * and the LSM blob are NULL in the model (see HeapCreds) and have no field here.
 */
public final class HeapCred extends HeapCallbackHead {
    /** {@code atomic_t usage}. */
    public final AtomicInteger usage = new AtomicInteger();
    /** {@code kuid_t uid}. */
    public int uid;
    /** {@code kgid_t gid}. */
    public int gid;
    /** {@code kuid_t suid}. */
    public int suid;
    /** {@code kgid_t sgid}. */
    public int sgid;
    /** {@code kuid_t euid}. */
    public int euid;
    /** {@code kgid_t egid}. */
    public int egid;
    /** {@code kuid_t fsuid}. */
    public int fsuid;
    /** {@code kgid_t fsgid}. */
    public int fsgid;
    /** {@code unsigned securebits}. */
    public int securebits;
    /** {@code kernel_cap_t cap_inheritable}, as a set of capability bits. */
    public long capInheritable;
    /** {@code kernel_cap_t cap_permitted}. */
    public long capPermitted;
    /** {@code kernel_cap_t cap_effective}. */
    public long capEffective;
    /** {@code kernel_cap_t cap_bset}. */
    public long capBset;
    /** {@code kernel_cap_t cap_ambient}. */
    public long capAmbient;
    /** {@code struct user_struct *user}. */
    public HeapUserStruct user;
    /** {@code struct user_namespace *user_ns}. */
    public HeapUserNamespace userNs;
    /** {@code struct group_info *group_info}. */
    public HeapGroupInfo groupInfo;
    /** {@code int non_rcu} (in a union with the rcu head). */
    public int nonRcu;

    /** A zeroed cred (kmem_cache_alloc's memory is then written whole by prepare_creds' memcpy). */
    public HeapCred() {
    }

    /** The memcpy of prepare_creds: every field of {@code old} but the usage count. */
    void copyFrom(HeapCred old) {
        uid = old.uid;
        gid = old.gid;
        suid = old.suid;
        sgid = old.sgid;
        euid = old.euid;
        egid = old.egid;
        fsuid = old.fsuid;
        fsgid = old.fsgid;
        securebits = old.securebits;
        capInheritable = old.capInheritable;
        capPermitted = old.capPermitted;
        capEffective = old.capEffective;
        capBset = old.capBset;
        capAmbient = old.capAmbient;
        user = old.user;
        userNs = old.userNs;
        groupInfo = old.groupInfo;
        nonRcu = old.nonRcu;
    }
}
