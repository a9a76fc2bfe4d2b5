package org.kfork.rcu;

/*
 * The per-CPU bookkeeping half of kernel/rcu/tree.h's struct rcu_data that does not depend on where
 * the callback list lives, padded JCTools style: the class hierarchy fixes the field order (a
 * superclass's fields come first) and 64 byte fields on each side keep two CPUs' copies at least
 * 128 bytes apart. Byte fields, because the JVM has packed long padding into holes since JDK 15.
 */

/** Padding in front of the fields. */
abstract class RcuDataLhsPad {
    byte p000, p001, p002, p003, p004, p005, p006, p007;
    byte p010, p011, p012, p013, p014, p015, p016, p017;
    byte p020, p021, p022, p023, p024, p025, p026, p027;
    byte p030, p031, p032, p033, p034, p035, p036, p037;
    byte p040, p041, p042, p043, p044, p045, p046, p047;
    byte p050, p051, p052, p053, p054, p055, p056, p057;
    byte p060, p061, p062, p063, p064, p065, p066, p067;
    byte p070, p071, p072, p073, p074, p075, p076, p077;
}

/** The fields. */
abstract class RcuDataFields extends RcuDataLhsPad {
    /** Callbacks queued on this CPU since boot; guarded by the object's monitor. */
    long queued;
    /** True while one thread runs this CPU's done callbacks; guarded by the object's monitor. */
    boolean invoking;
    /**
     * Callbacks of this CPU invoked since boot. Written only by the thread that holds
     * {@link #invoking} (so the increments never race); read without the lock by rcu_barrier.
     */
    volatile long invoked;
}

/**
 * One CPU's callback bookkeeping: the lock of its callback list (this object's monitor; the
 * kernel disables interrupts instead, but several Java threads may share a modeled CPU), how many
 * callbacks were queued and invoked, and who is invoking them now.
 *
 * <p>Invocation is serialized per CPU, so a CPU's callbacks run in the order they were queued even
 * when two threads cross a boundary of that CPU at once: the second one sees {@code invoking} and
 * leaves the batch to the first, which looks again for done callbacks before it lets go.
 */
public final class RcuData extends RcuDataFields {
    byte p100, p101, p102, p103, p104, p105, p106, p107;
    byte p110, p111, p112, p113, p114, p115, p116, p117;
    byte p120, p121, p122, p123, p124, p125, p126, p127;
    byte p130, p131, p132, p133, p134, p135, p136, p137;
    byte p140, p141, p142, p143, p144, p145, p146, p147;
    byte p150, p151, p152, p153, p154, p155, p156, p157;
    byte p160, p161, p162, p163, p164, p165, p166, p167;
    byte p170, p171, p172, p173, p174, p175, p176, p177;

    RcuData() {
    }

    /** Counts one more queued callback. The caller holds this object's monitor. */
    public void noteQueued() {
        queued++;
    }

    /**
     * Claims the right to invoke this CPU's callbacks. The caller holds this object's monitor.
     *
     * @return false when another thread is invoking them already
     */
    public boolean startInvoking() {
        if (invoking) {
            return false;
        }
        invoking = true;
        return true;
    }

    /** Gives the claim back. The caller holds this object's monitor and the claim. */
    public void stopInvoking() {
        invoking = false;
    }

    /** Counts {@code n} callbacks consumed. Only the thread holding the claim calls this. */
    public void noteInvoked(long n) {
        // Single writer (the claim holder), so read-add-write cannot lose an update; the claim
        // passes between threads through the monitor, which orders the writes.
        invoked = invoked + n;
    }

    /** Callbacks of this CPU invoked (or consumed by a failing batch) since boot. */
    public long invoked() {
        return invoked;
    }
}
