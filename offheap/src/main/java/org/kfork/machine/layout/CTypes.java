package org.kfork.machine.layout;

/**
 * The C types of the modeled x86_64 LP64 ABI and the small kernel types that kernel structs are
 * made of, with the config of reference/config-5.12-x86_64.txt (no lock debugging, NR_CPUS 64,
 * 64 NUMA nodes, _NSIG 64).
 *
 * <p>Names are spelled as DWARF spells them ({@code long unsigned int}), so that the printer's
 * output reads like pahole's. Kernel wrappers around one integer (atomic_t, kuid_t, pgprot_t, ...)
 * are {@link Scalar}s of that integer's size; the lock and seqcount types are real layouts, as
 * the reference breaks them down.
 */
public final class CTypes {
    private CTypes() {
    }

    // ---- C integer types (LP64) ----
    /** char (signed on x86_64). */
    public static final Scalar CHAR = new Scalar("char", 1, 1, "char");
    /** signed char. */
    public static final Scalar SCHAR = new Scalar("signed char", 1, 1, "int8_t");
    /** unsigned char. */
    public static final Scalar UCHAR = new Scalar("unsigned char", 1, 1, "uint8_t");
    /** short. */
    public static final Scalar SHORT = new Scalar("short int", 2, 2, "int16_t");
    /** unsigned short. */
    public static final Scalar USHORT = new Scalar("short unsigned int", 2, 2, "uint16_t");
    /** int. */
    public static final Scalar INT = new Scalar("int", 4, 4, "int32_t");
    /** unsigned int. */
    public static final Scalar UINT = new Scalar("unsigned int", 4, 4, "uint32_t");
    /** long: 8 bytes on LP64. */
    public static final Scalar LONG = new Scalar("long int", 8, 8, "int64_t");
    /** unsigned long: 8 bytes on LP64. */
    public static final Scalar ULONG = new Scalar("long unsigned int", 8, 8, "uint64_t");
    /** long long. */
    public static final Scalar LLONG = new Scalar("long long int", 8, 8, "int64_t");
    /** unsigned long long. */
    public static final Scalar ULLONG = new Scalar("long long unsigned int", 8, 8, "uint64_t");
    /** bool (the kernel's typedef of _Bool). */
    public static final Scalar BOOL = new Scalar("bool", 1, 1, "_Bool");

    // ---- kernel fixed-width integers ----
    /** u8. */
    public static final Scalar U8 = new Scalar("u8", 1, 1, "uint8_t");
    /** u16. */
    public static final Scalar U16 = new Scalar("u16", 2, 2, "uint16_t");
    /** u32. */
    public static final Scalar U32 = new Scalar("u32", 4, 4, "uint32_t");
    /** u64. */
    public static final Scalar U64 = new Scalar("u64", 8, 8, "uint64_t");
    /** aligned_u64: __u64 __aligned(8) (already 8 on x86_64). */
    public static final Scalar ALIGNED_U64 = new Scalar("aligned_u64", 8, 8, "uint64_t");
    /** s8. */
    public static final Scalar S8 = new Scalar("s8", 1, 1, "int8_t");
    /** s16. */
    public static final Scalar S16 = new Scalar("s16", 2, 2, "int16_t");
    /** s32. */
    public static final Scalar S32 = new Scalar("s32", 4, 4, "int32_t");
    /** s64. */
    public static final Scalar S64 = new Scalar("s64", 8, 8, "int64_t");
    /** __u64 (uapi). */
    public static final Scalar UAPI_U64 = new Scalar("__u64", 8, 8, "uint64_t");
    /** __u32 (uapi). */
    public static final Scalar UAPI_U32 = new Scalar("__u32", 4, 4, "uint32_t");

    // ---- kernel scalar typedefs ----
    /** size_t. */
    public static final Scalar SIZE_T = new Scalar("size_t", 8, 8, "uint64_t");
    /** __kernel_ulong_t. */
    public static final Scalar KERNEL_ULONG_T = new Scalar("__kernel_ulong_t", 8, 8, "uint64_t");
    /** pid_t. */
    public static final Scalar PID_T = new Scalar("pid_t", 4, 4, "int32_t");
    /** kuid_t: struct { uid_t val; }. */
    public static final Scalar KUID_T = new Scalar("kuid_t", 4, 4, "uint32_t");
    /** kgid_t: struct { gid_t val; }. */
    public static final Scalar KGID_T = new Scalar("kgid_t", 4, 4, "uint32_t");
    /** gfp_t: unsigned int. */
    public static final Scalar GFP_T = new Scalar("gfp_t", 4, 4, "uint32_t");
    /** ktime_t: s64 nanoseconds. */
    public static final Scalar KTIME_T = new Scalar("ktime_t", 8, 8, "int64_t");
    /** atomic_t: struct { int counter; }. */
    public static final Scalar ATOMIC_T = new Scalar("atomic_t", 4, 4, "int32_t");
    /** atomic_long_t: atomic64_t on 64-bit. */
    public static final Scalar ATOMIC_LONG_T = new Scalar("atomic_long_t", 8, 8, "int64_t");
    /** atomic64_t: struct { s64 counter; }. */
    public static final Scalar ATOMIC64_T = new Scalar("atomic64_t", 8, 8, "int64_t");
    /** sigset_t: _NSIG 64 bits, one unsigned long. */
    public static final Scalar SIGSET_T = new Scalar("sigset_t", 8, 8, "uint64_t");
    /** cpumask_t: NR_CPUS 64 bits, one unsigned long. */
    public static final Scalar CPUMASK_T = new Scalar("cpumask_t", 8, 8, "uint64_t");
    /** nodemask_t: MAX_NUMNODES 64 (NODES_SHIFT 6) bits, one unsigned long. */
    public static final Scalar NODEMASK_T = new Scalar("nodemask_t", 8, 8, "uint64_t");
    /** pgprot_t: struct { pgprotval_t pgprot; }. */
    public static final Scalar PGPROT_T = new Scalar("pgprot_t", 8, 8, "uint64_t");
    /** umode_t: unsigned short (an inode's type and permission bits). */
    public static final Scalar UMODE_T = new Scalar("umode_t", 2, 2, "uint16_t");
    /** fmode_t: unsigned int (a file's FMODE_* bits). */
    public static final Scalar FMODE_T = new Scalar("fmode_t", 4, 4, "uint32_t");
    /** dev_t: u32. */
    public static final Scalar DEV_T = new Scalar("dev_t", 4, 4, "uint32_t");
    /** errseq_t: u32, an error code and a sequence counter. */
    public static final Scalar ERRSEQ_T = new Scalar("errseq_t", 4, 4, "uint32_t");
    /** loff_t: long long, a file offset. */
    public static final Scalar LOFF_T = new Scalar("loff_t", 8, 8, "int64_t");
    /** blkcnt_t: u64 on 64-bit. */
    public static final Scalar BLKCNT_T = new Scalar("blkcnt_t", 8, 8, "uint64_t");
    /** __kernel_long_t (uapi): long. */
    public static final Scalar KERNEL_LONG_T = new Scalar("__kernel_long_t", 8, 8, "int64_t");
    /** __kernel_pid_t (uapi): int. */
    public static final Scalar KERNEL_PID_T = new Scalar("__kernel_pid_t", 4, 4, "int32_t");
    /** __kernel_uid32_t (uapi): unsigned int. */
    public static final Scalar KERNEL_UID32_T = new Scalar("__kernel_uid32_t", 4, 4, "uint32_t");
    /** __kernel_timer_t (uapi): int. */
    public static final Scalar KERNEL_TIMER_T = new Scalar("__kernel_timer_t", 4, 4, "int32_t");
    /** __kernel_clock_t (uapi): __kernel_long_t. */
    public static final Scalar KERNEL_CLOCK_T = new Scalar("__kernel_clock_t", 8, 8, "int64_t");
    /** struct optimistic_spin_queue: { atomic_t tail; } (CONFIG_RWSEM_SPIN_ON_OWNER). */
    public static final Scalar OPTIMISTIC_SPIN_QUEUE = new Scalar("struct optimistic_spin_queue", 4, 4, "int32_t");

    // ---- pointers ----
    /** void *. */
    public static final PointerType VOID_PTR = new PointerType("void *");
    /** A function pointer (the reference spells them {@code fnptr}). */
    public static final PointerType FNPTR = new PointerType("fnptr");

    /**
     * {@code enum TAG}: an int-sized enum. Every enum the structs hold has only non-negative
     * enumerators, so gcc gives it unsigned int.
     */
    public static Scalar enumeration(String tag) {
        return new Scalar("enum " + tag, 4, 4, "uint32_t");
    }

    /** A pointer spelled as given, e.g. {@code ptr("struct list_head *")}. */
    public static PointerType ptr(String spelling) {
        return new PointerType(spelling);
    }

    /** A typedef or qualified name for a type, e.g. {@code alias("volatile long int", LONG)}. */
    public static Alias alias(String name, CType target) {
        return new Alias(name, target);
    }

    /** {@code TYPE[length]}. */
    public static ArrayType array(CType element, long length) {
        return new ArrayType(element, length, false);
    }

    // ---- locks and sequence counters (no lock debugging: each is one 32-bit word) ----
    /**
     * struct qspinlock: one 32-bit word, also seen as the locked and pending bytes, or as the
     * locked_pending and tail halves.
     */
    public static final StructLayout QSPINLOCK = Struct.named("qspinlock")
            .anonymous(Union.anonymous()
                    .field("val", ATOMIC_T)
                    .anonymous(Struct.anonymous().field("locked", U8).field("pending", U8))
                    .anonymous(Struct.anonymous().field("locked_pending", U16).field("tail", U16)))
            .build();
    /** arch_spinlock_t: the queued spinlock. */
    public static final Alias ARCH_SPINLOCK_T = alias("arch_spinlock_t", QSPINLOCK);
    /** struct raw_spinlock: { arch_spinlock_t raw_lock; } without CONFIG_DEBUG_SPINLOCK. */
    public static final StructLayout RAW_SPINLOCK = Struct.named("raw_spinlock").field("raw_lock", ARCH_SPINLOCK_T).build();
    /** raw_spinlock_t. */
    public static final Alias RAW_SPINLOCK_T = alias("raw_spinlock_t", RAW_SPINLOCK);
    /** struct spinlock: { union { struct raw_spinlock rlock; }; } without lockdep. */
    public static final StructLayout SPINLOCK = Struct.named("spinlock")
            .anonymous(Union.anonymous().field("rlock", RAW_SPINLOCK))
            .build();
    /** spinlock_t: 4 bytes. */
    public static final Alias SPINLOCK_T = alias("spinlock_t", SPINLOCK);
    /** struct seqcount: { unsigned sequence; } without CONFIG_DEBUG_LOCK_ALLOC. */
    public static final StructLayout SEQCOUNT = Struct.named("seqcount").field("sequence", UINT).build();
    /** seqcount_t. */
    public static final Alias SEQCOUNT_T = alias("seqcount_t", SEQCOUNT);
    /** struct seqcount_spinlock: { seqcount_t seqcount; } (the lock pointer is lockdep/RT only). */
    public static final StructLayout SEQCOUNT_SPINLOCK = Struct.named("seqcount_spinlock").field("seqcount", SEQCOUNT_T).build();
    /** seqcount_spinlock_t. */
    public static final Alias SEQCOUNT_SPINLOCK_T = alias("seqcount_spinlock_t", SEQCOUNT_SPINLOCK);
    /** seqlock_t: { seqcount_spinlock_t seqcount; spinlock_t lock; }, 8 bytes aligned 4. */
    public static final StructLayout SEQLOCK_T = Struct.typedef("seqlock_t")
            .field("seqcount", SEQCOUNT_SPINLOCK_T)
            .field("lock", SPINLOCK_T)
            .build();
    /**
     * struct qrwlock (arch_rwlock_t): the queued reader-writer lock, a count word (also seen as the
     * writer's locked byte and three reader-state bytes on little-endian) and a wait spinlock.
     */
    public static final StructLayout QRWLOCK = Struct.named("qrwlock")
            .anonymous(Union.anonymous()
                    .field("cnts", ATOMIC_T)
                    .anonymous(Struct.anonymous().field("wlocked", U8).array("__lstate", U8, 3)))
            .field("wait_lock", ARCH_SPINLOCK_T)
            .build();
    /** arch_rwlock_t: the queued rwlock. */
    public static final Alias ARCH_RWLOCK_T = alias("arch_rwlock_t", QRWLOCK);
    /** rwlock_t: { arch_rwlock_t raw_lock; } without CONFIG_DEBUG_SPINLOCK: 8 bytes, aligned 4. */
    public static final StructLayout RWLOCK_T = Struct.typedef("rwlock_t").field("raw_lock", ARCH_RWLOCK_T).build();
    /** struct refcount_struct: { atomic_t refs; }. */
    public static final StructLayout REFCOUNT_STRUCT = Struct.named("refcount_struct").field("refs", ATOMIC_T).build();
    /** refcount_t. */
    public static final Alias REFCOUNT_T = alias("refcount_t", REFCOUNT_STRUCT);

    // ---- credentials ----
    /** struct kernel_cap_struct: { __u32 cap[_KERNEL_CAPABILITY_U32S]; }, two words (64 capability bits). */
    public static final StructLayout KERNEL_CAP_STRUCT = Struct.named("kernel_cap_struct").array("cap", UAPI_U32, 2).build();
    /** kernel_cap_t: 8 bytes, aligned 4. */
    public static final Alias KERNEL_CAP_T = alias("kernel_cap_t", KERNEL_CAP_STRUCT);
}
