package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct pid}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A process identifier as the kernel holds it: a refcounted object with the tasks that use it
 * (one list per pid type) and one upid per pid-namespace level, from the root namespace (level 0)
 * down to the namespace it was allocated in. alloc_pid takes it from the "pid" cache (level 0) or
 * from the "pid_N" cache of its namespace; free_pid releases the numbers at once and the struct
 * after an RCU grace period.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * defined in include/linux/pid.h:59; sizeof includes exactly one struct upid (numbers[1]); a pid
 * in a namespace at level L occupies sizeof(struct pid) + L * sizeof(struct upid) = 112 + 16*L
 * bytes.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | count                          refcount_t                              |
 * |     4 |    4 | level                          unsigned int                            |
 * |     8 |    4 | lock                           spinlock_t                              |
 * |    16 |   32 | tasks                          struct hlist_head[4]                    |
 * |    48 |    8 | inodes                         struct hlist_head                       |
 * |    56 |   24 | wait_pidfd                     wait_queue_head_t                       |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    80 |   16 | rcu                            struct callback_head                    |
 * |    96 |   16 | numbers                        struct upid[1]                          |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 112, alignof 8
 * </pre>
 */
public final class Pid {
    /** The engine's layout of {@code struct pid}. */
    public static final StructLayout LAYOUT = Struct.named("pid")
        .field("count", CTypes.REFCOUNT_T)
        .field("level", CTypes.UINT)
        .field("lock", CTypes.SPINLOCK_T)
        .array("tasks", HlistHead.LAYOUT, 4)
        .field("inodes", HlistHead.LAYOUT)
        .field("wait_pidfd", CTypes.alias("wait_queue_head_t", WaitQueueHead.LAYOUT))
        .field("rcu", CallbackHead.LAYOUT)
        .array("numbers", Upid.LAYOUT, 1)
        .build();

    /** sizeof(struct pid): 112. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct pid): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code refcount_t count;} at offset 0 (4 bytes). */
    public static final long COUNT = LAYOUT.offsetOf("count");

    /** {@code unsigned int level;} at offset 4 (4 bytes). */
    public static final long LEVEL = LAYOUT.offsetOf("level");

    /** {@code spinlock_t lock;} at offset 8 (4 bytes). */
    public static final long LOCK = LAYOUT.offsetOf("lock");

    /** {@code struct hlist_head tasks[4];} at offset 16 (32 bytes). */
    public static final long TASKS = LAYOUT.offsetOf("tasks");

    /** {@code struct hlist_head inodes;} at offset 48 (8 bytes). */
    public static final long INODES = LAYOUT.offsetOf("inodes");

    /** {@code wait_queue_head_t wait_pidfd;} at offset 56 (24 bytes). */
    public static final long WAIT_PIDFD = LAYOUT.offsetOf("wait_pidfd");

    /** {@code struct callback_head rcu;} at offset 80 (16 bytes). */
    public static final long RCU = LAYOUT.offsetOf("rcu");

    /** {@code struct upid numbers[1];} at offset 96 (16 bytes). */
    public static final long NUMBERS = LAYOUT.offsetOf("numbers");

    /**
     * The object size of a pid allocated in a namespace at {@code level}: {@code numbers[]} holds
     * one upid per level from 0 to {@code level}, and sizeof already counts the first, so a level-L
     * pid takes 112 + 16L bytes. create_pid_cachep sizes the "pid_N" cache (N = L + 1) this way;
     * level 0 is the "pid" cache, of sizeof.
     *
     * @throws IllegalArgumentException for a negative level
     */
    public static long sizeofAtLevel(int level) {
        if (level < 0) {
            throw new IllegalArgumentException("negative pid namespace level " + level);
        }
        return SIZEOF + level * Upid.SIZEOF;
    }

    /**
     * The offset of {@code numbers[level]}, the upid of the namespace at {@code level} (valid up to
     * the pid's own level).
     *
     * @throws IllegalArgumentException for a negative level
     */
    public static long numbersAt(int level) {
        if (level < 0) {
            throw new IllegalArgumentException("negative pid namespace level " + level);
        }
        return NUMBERS + level * Upid.SIZEOF;
    }

    private Pid() {
    }
}
