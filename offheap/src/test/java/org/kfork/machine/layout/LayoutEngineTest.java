package org.kfork.machine.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** ABI edge cases of the layout engine, with the values gcc gives on x86_64 (see AbiFixtures). */
class LayoutEngineTest {

    private static void sizeAlign(StructLayout s, long size, int align) {
        assertEquals(size, s.size(), s.name() + " sizeof");
        assertEquals(align, s.align(), s.name() + " alignof");
    }

    @Test
    void unionsOverlapAndRoundUp() {
        StructLayout u = AbiFixtures.UNION_MIXED;
        sizeAlign(u, 16, 8);
        assertEquals(0, u.offsetOf("c"));
        assertEquals(0, u.offsetOf("l"));
        assertEquals(0, u.offsetOf("i"));
        assertEquals(12, u.sizeOf("i"));
        assertTrue(u.holes().isEmpty());
        assertEquals(4, u.tailPadding());
    }

    @Test
    void tailPadding() {
        StructLayout s = AbiFixtures.TAIL_PADDING;
        sizeAlign(s, 16, 8);
        assertEquals(8, s.offsetOf("b"));
        assertEquals(7, s.tailPadding());
    }

    @Test
    void zeroWidthBitfieldAlignsTheNextMemberButNotTheStruct() {
        StructLayout s = AbiFixtures.ZERO_WIDTH;
        sizeAlign(s, 5, 1);
        assertEquals(4, s.offsetOf("d"));
        assertEquals(1, s.holes().size());
        assertEquals(new Hole(1, 3, s.members().get(0)), s.holes().get(0));
    }

    @Test
    void aBitfieldNeverStraddlesItsUnit() {
        StructLayout s = AbiFixtures.STRADDLE;
        sizeAlign(s, 24, 8);
        assertEquals(64, s.bitOffsetOf("x"));
        assertEquals(60, s.bitWidthOf("x"));
        assertEquals(128, s.bitOffsetOf("y"));
        assertEquals(16, s.offsetOf("y"));

        StructLayout shorts = AbiFixtures.SHORT_BITS;
        sizeAlign(shorts, 6, 2);
        assertEquals(0, shorts.bitOffsetOf("a"));
        assertEquals(16, shorts.bitOffsetOf("b"));
        assertEquals(4, shorts.offsetOf("c"));

        StructLayout words = AbiFixtures.TWO_WORDS;
        sizeAlign(words, 8, 4);
        assertEquals(32, words.bitOffsetOf("b"));
    }

    @Test
    void aPlainMemberFillsTheRestOfABitfieldUnit() {
        StructLayout s = AbiFixtures.MIXED_BITS;
        sizeAlign(s, 8, 4);
        assertEquals(1, s.offsetOf("c"));
        assertEquals(32, s.bitOffsetOf("b"));
    }

    @Test
    void unnamedBitfieldsAddNoAlignment() {
        sizeAlign(AbiFixtures.UNNAMED_BITS, 2, 1);
    }

    @Test
    void bitfieldsInAUnion() {
        StructLayout u = AbiFixtures.UNION_BITS;
        sizeAlign(u, 4, 4);
        assertEquals(0, u.bitOffsetOf("a"));
        assertEquals(0, u.offsetOf("b"));
    }

    @Test
    void flexibleArrays() {
        StructLayout s = AbiFixtures.FLEX;
        sizeAlign(s, 8, 8);
        assertEquals(8, s.offsetOf("data"));
        assertEquals(0, s.sizeOf("data"));
        assertTrue(s.field("data").member().isFlexibleArray());
        sizeAlign(AbiFixtures.FLEX_CHAR, 1, 1);
        assertEquals(1, AbiFixtures.FLEX_CHAR.offsetOf("d"));
        assertThrows(IllegalArgumentException.class,
                () -> Struct.named("bad").flexibleArray("d", CTypes.INT).field("x", CTypes.INT).build());
        assertThrows(IllegalArgumentException.class,
                () -> Union.named("bad").flexibleArray("d", CTypes.INT));
    }

    @Test
    void arraysOfArraysAreSpelledOuterDimensionFirst() {
        // unsigned long marks[3][1]: three arrays of one long, as in struct xa_node
        ArrayType marks = CTypes.array(CTypes.array(CTypes.ULONG, 1), 3);
        assertEquals("long unsigned int[3][1]", marks.name());
        assertEquals(24, marks.size());
        StructLayout s = Struct.named("two_d").field("c", CTypes.CHAR).field("m", marks).build();
        sizeAlign(s, 32, 8);
        assertEquals(8, s.offsetOf("m"));
        assertEquals("struct s *[2][4]", CTypes.array(CTypes.array(CTypes.ptr("struct s *"), 4), 2).name());
    }

    @Test
    void cachelineAlignedMemberInsideAStruct() {
        StructLayout s = AbiFixtures.CACHELINE_MEMBER;
        sizeAlign(s, 128, 64);
        assertEquals(64, s.offsetOf("b"));
        assertEquals(68, s.offsetOf("c"));
        assertEquals(64, s.field("b").member().align());
        assertEquals(new Hole(4, 60, s.members().get(0)), s.holes().get(0));
        assertEquals(59, s.tailPadding());
    }

    @Test
    void alignedTypes() {
        sizeAlign(AbiFixtures.ALIGNED_TYPE, 16, 16);
        sizeAlign(AbiFixtures.HOLDS_ALIGNED, 32, 16);
        assertEquals(16, AbiFixtures.HOLDS_ALIGNED.offsetOf("inner"));
        assertEquals(16, AbiFixtures.HOLDS_ALIGNED.offsetOf("inner.c"));
    }

    @Test
    void anonymousMembersAreFlattened() {
        StructLayout s = AbiFixtures.ANONYMOUS;
        sizeAlign(s, 24, 8);
        assertEquals(8, s.offsetOf("x"));
        assertEquals(8, s.offsetOf("y"));
        assertEquals(12, s.offsetOf("z"));
        assertEquals(16, s.offsetOf("q"));
        List<String> paths = s.flatten().stream().map(FlatField::path).toList();
        assertEquals(List.of("a", "{anon union @8}", "x", "{anon struct @8}", "y", "z", "q"), paths);
    }

    @Test
    void namedMembersOfAnonymousTypeAreDotted() {
        StructLayout s = AbiFixtures.NAMED_ANONYMOUS;
        sizeAlign(s, 12, 4);
        assertEquals(4, s.offsetOf("inner"));
        assertEquals(4, s.offsetOf("inner.b"));
        assertEquals(8, s.offsetOf("inner.c"));
        assertNull(s.find("c"), "a named member's fields are not flattened");
        List<String> paths = s.flatten().stream().map(FlatField::path).toList();
        assertEquals(List.of("a", "inner", "inner.b", "inner.c"), paths);
    }

    @Test
    void emptyStructsTakeNoRoom() {
        StructLayout s = AbiFixtures.EMPTY_MEMBER;
        sizeAlign(s, 8, 4);
        assertEquals(1, s.offsetOf("e"));
        assertEquals(4, s.offsetOf("i"));
    }

    @Test
    void misuseIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> Struct.named("dup").field("a", CTypes.INT).field("a", CTypes.INT).build());
        assertThrows(IllegalArgumentException.class, () -> Struct.named("dup").field("a", CTypes.INT)
                .anonymous(Union.anonymous().field("a", CTypes.LONG)).build());
        assertThrows(IllegalArgumentException.class, () -> Struct.named("b").bitfield("x", CTypes.UINT, 33));
        assertThrows(IllegalArgumentException.class, () -> Struct.named("b").bitfield("x", CTypes.VOID_PTR, 3));
        assertThrows(IllegalArgumentException.class, () -> Struct.named("b").field("x", CTypes.INT, 3));
        assertThrows(IllegalArgumentException.class, () -> AbiFixtures.TAIL_PADDING.offsetOf("nope"));
        assertThrows(IllegalArgumentException.class, () -> AbiFixtures.TAIL_PADDING.bitWidthOf("a"));
    }
}
