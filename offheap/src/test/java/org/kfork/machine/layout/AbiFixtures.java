package org.kfork.machine.layout;

import static org.kfork.machine.layout.CTypes.CHAR;
import static org.kfork.machine.layout.CTypes.INT;
import static org.kfork.machine.layout.CTypes.LONG;
import static org.kfork.machine.layout.CTypes.SHORT;
import static org.kfork.machine.layout.CTypes.UINT;
import static org.kfork.machine.layout.CTypes.ULLONG;
import static org.kfork.machine.layout.CTypes.USHORT;

import java.util.List;

/**
 * Small structs that exercise the corners of the x86_64 ABI. {@link LayoutEngineTest} states the
 * expected layouts by hand; the gcc cross-check compiles them too, so the hand values and the
 * engine are both checked against the compiler.
 */
public final class AbiFixtures {
    private AbiFixtures() {
    }

    /** union { char c; long l; int i[3]; }: 16 bytes (12 rounded to 8), aligned 8. */
    public static final StructLayout UNION_MIXED = Union.named("abi_union_mixed")
            .field("c", CHAR).field("l", LONG).array("i", INT, 3).build();

    /** struct { long a; char b; }: 7 bytes of tail padding. */
    public static final StructLayout TAIL_PADDING = Struct.named("abi_tail_padding")
            .field("a", LONG).field("b", CHAR).build();

    /** struct { char c; int :0; char d; }: the :0 moves d to 4; unnamed, so alignment stays 1. */
    public static final StructLayout ZERO_WIDTH = Struct.named("abi_zero_width")
            .field("c", CHAR).unnamedBitfield(INT, 0).field("d", CHAR).build();

    /** struct { char c; unsigned long long x:60; unsigned y:8; }: x and y each start a new unit. */
    public static final StructLayout STRADDLE = Struct.named("abi_straddle")
            .field("c", CHAR).bitfield("x", ULLONG, 60).bitfield("y", UINT, 8).build();

    /** struct { char c; int :3; }: an unnamed bitfield adds bits but no alignment. */
    public static final StructLayout UNNAMED_BITS = Struct.named("abi_unnamed_bits")
            .field("c", CHAR).unnamedBitfield(INT, 3).build();

    /** struct { unsigned short a:9, b:9; char c; }: b cannot share a's 16-bit unit. */
    public static final StructLayout SHORT_BITS = Struct.named("abi_short_bits")
            .bitfield("a", USHORT, 9).bitfield("b", USHORT, 9).field("c", CHAR).build();

    /** struct { unsigned a:3; char c; unsigned b:30; }: c sits in a's unit; b starts a new one. */
    public static final StructLayout MIXED_BITS = Struct.named("abi_mixed_bits")
            .bitfield("a", UINT, 3).field("c", CHAR).bitfield("b", UINT, 30).build();

    /** struct { int n; long data[]; }: the flexible array sits at 8 and adds nothing to sizeof. */
    public static final StructLayout FLEX = Struct.named("abi_flex")
            .field("n", INT).flexibleArray("data", LONG).build();

    /** struct { char c; char d[]; }: sizeof 1. */
    public static final StructLayout FLEX_CHAR = Struct.named("abi_flex_char")
            .field("c", CHAR).flexibleArray("d", CHAR).build();

    /** struct { int a; int b ____cacheline_aligned; char c; }: b at 64, sizeof 128, aligned 64. */
    public static final StructLayout CACHELINE_MEMBER = Struct.named("abi_cacheline_member")
            .field("a", INT).field("b", INT, 64).field("c", CHAR).build();

    /** struct { char c; } __aligned(16): sizeof 16. */
    public static final StructLayout ALIGNED_TYPE = Struct.named("abi_aligned_type")
            .field("c", CHAR).aligned(16).build();

    /** A struct whose second member has the 16-aligned type: at 16, sizeof 32. */
    public static final StructLayout HOLDS_ALIGNED = Struct.named("abi_holds_aligned")
            .field("c", CHAR).field("inner", ALIGNED_TYPE).build();

    /** struct { int a; union { long x; struct { int y; int z; }; }; char q; }: flattened anonymous members. */
    public static final StructLayout ANONYMOUS = Struct.named("abi_anonymous")
            .field("a", INT)
            .anonymous(Union.anonymous()
                    .field("x", LONG)
                    .anonymous(Struct.anonymous().field("y", INT).field("z", INT)))
            .field("q", CHAR)
            .build();

    /** struct { char a; struct { short b; int c; } inner; }: a named member of anonymous type. */
    public static final StructLayout NAMED_ANONYMOUS = Struct.named("abi_named_anonymous")
            .field("a", CHAR)
            .field("inner", Struct.anonymous().field("b", SHORT).field("c", INT).build())
            .build();

    /** union { unsigned a:3; char b; }: 4 bytes, aligned 4. */
    public static final StructLayout UNION_BITS = Union.named("abi_union_bits")
            .bitfield("a", UINT, 3).field("b", CHAR).build();

    /** struct { unsigned a:20; unsigned b:20; }: b starts the second word. */
    public static final StructLayout TWO_WORDS = Struct.named("abi_two_words")
            .bitfield("a", UINT, 20).bitfield("b", UINT, 20).build();

    /** struct { char c; struct { } e; int i; }: an empty struct takes no room (GNU C). */
    public static final StructLayout EMPTY_MEMBER = Struct.named("abi_empty_member")
            .field("c", CHAR).field("e", Opaque.struct("empty", 0, 1)).field("i", INT).build();

    /** All of them. */
    public static List<StructLayout> all() {
        return List.of(UNION_MIXED, TAIL_PADDING, ZERO_WIDTH, STRADDLE, UNNAMED_BITS, SHORT_BITS, MIXED_BITS, FLEX,
                FLEX_CHAR, CACHELINE_MEMBER, ALIGNED_TYPE, HOLDS_ALIGNED, ANONYMOUS, NAMED_ANONYMOUS, UNION_BITS,
                TWO_WORDS, EMPTY_MEMBER);
    }
}
