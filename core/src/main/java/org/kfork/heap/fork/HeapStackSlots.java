package org.kfork.heap.fork;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.kfork.sched.Limits;

/*
 * One CPU's cached_stacks[NR_CACHED_STACKS] for the heap twin, padded JCTools style: the class
 * hierarchy fixes the field order (a superclass's fields come first), and 64 byte fields on each
 * side keep two CPUs' slots at least 128 bytes apart whatever the neighbouring heap objects are.
 * Byte fields, because the JVM has packed long padding into holes since JDK 15.
 */

/** Padding in front of the slots. */
abstract class HeapStackSlotsLhsPad {
    byte p000, p001, p002, p003, p004, p005, p006, p007;
    byte p010, p011, p012, p013, p014, p015, p016, p017;
    byte p020, p021, p022, p023, p024, p025, p026, p027;
    byte p030, p031, p032, p033, p034, p035, p036, p037;
    byte p040, p041, p042, p043, p044, p045, p046, p047;
    byte p050, p051, p052, p053, p054, p055, p056, p057;
    byte p060, p061, p062, p063, p064, p065, p066, p067;
    byte p070, p071, p072, p073, p074, p075, p076, p077;
}

/** The two slots of cached_stacks for one CPU. */
abstract class HeapStackSlotsFields extends HeapStackSlotsLhsPad {
    /** cached_stacks[0]: a free stack, or null. */
    volatile byte[] slot0;
    /** cached_stacks[1]: a free stack, or null. */
    volatile byte[] slot1;
}

/**
 * One CPU's stack cache slots, with padding behind them as well. The slots are read and written
 * only through {@link #SLOT0} and {@link #SLOT1} atomics. They are two fields, not an array, so
 * that each VarHandle is a constant the JIT folds; the class refuses to load if
 * {@link Limits#NR_CACHED_STACKS} is not two.
 */
final class HeapStackSlots extends HeapStackSlotsFields {
    byte p100, p101, p102, p103, p104, p105, p106, p107;
    byte p110, p111, p112, p113, p114, p115, p116, p117;
    byte p120, p121, p122, p123, p124, p125, p126, p127;
    byte p130, p131, p132, p133, p134, p135, p136, p137;
    byte p140, p141, p142, p143, p144, p145, p146, p147;
    byte p150, p151, p152, p153, p154, p155, p156, p157;
    byte p160, p161, p162, p163, p164, p165, p166, p167;
    byte p170, p171, p172, p173, p174, p175, p176, p177;

    static final VarHandle SLOT0;
    static final VarHandle SLOT1;

    static {
        if (Limits.NR_CACHED_STACKS != 2) {
            throw new ExceptionInInitializerError("HeapStackSlots has 2 slots, NR_CACHED_STACKS is "
                + Limits.NR_CACHED_STACKS);
        }
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SLOT0 = lookup.findVarHandle(HeapStackSlotsFields.class, "slot0", byte[].class);
            SLOT1 = lookup.findVarHandle(HeapStackSlotsFields.class, "slot1", byte[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
