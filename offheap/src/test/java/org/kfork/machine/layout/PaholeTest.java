package org.kfork.machine.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The pahole-like printer and its CSV mode, on the ABI fixtures. */
class PaholeTest {

    @Test
    void holesCachelinesPaddingAndTotals() {
        String text = Pahole.print(AbiFixtures.CACHELINE_MEMBER);
        assertEquals(String.join("\n",
                "struct abi_cacheline_member {",
                "\tint                        a;                    /*     0     4 */",
                "",
                "\t/* XXX 60 bytes hole, try to pack */",
                "",
                "\t/* --- cacheline 1 boundary (64 bytes) --- */",
                "\tint                        b __attribute__((__aligned__(64))); /*    64     4 */",
                "\tchar                       c;                    /*    68     1 */",
                "",
                "\t/* size: 128, align: 64, cachelines: 2, members: 3 */",
                "\t/* sum members: 9, holes: 1, sum holes: 60 */",
                "\t/* padding: 59 */",
                "\t/* last cacheline: 64 bytes */",
                "};",
                ""), text);
    }

    @Test
    void bitfieldsShowUnitOffsetAndBit() {
        String text = Pahole.print(AbiFixtures.STRADDLE);
        assertTrue(text.contains("long long unsigned int     x:60;                 /*     8: 0    8 */"), text);
        assertTrue(text.contains("unsigned int               y:8;                  /*    16: 0    4 */"), text);
    }

    @Test
    void anonymousMembersNestAndTypeAlignmentShows() {
        String text = Pahole.print(AbiFixtures.ANONYMOUS);
        assertTrue(text.contains("\tunion {\n\t\tlong int           x;"), text);
        assertTrue(text.contains("\t\tstruct {\n"), text);
        String aligned = Pahole.print(AbiFixtures.ALIGNED_TYPE);
        assertTrue(aligned.endsWith("} __attribute__((__aligned__(16)));\n"), aligned);
        assertTrue(aligned.contains("/* padding: 15 */"), aligned);
    }

    @Test
    void midLineCachelineBoundary() {
        StructLayout s = Struct.named("abi_straddles_a_line").array("a", CTypes.CHAR, 60).field("b", CTypes.LONG).build();
        String text = Pahole.print(s);
        assertTrue(text.contains("/* --- cacheline 1 boundary (64 bytes) --- */\n\tlong int"), text);
        StructLayout t = Struct.named("abi_after_a_line").array("a", CTypes.LONG, 9).field("b", CTypes.LONG).build();
        assertTrue(Pahole.print(t).contains("/* --- cacheline 1 boundary (64 bytes) was 8 bytes ago --- */"), Pahole.print(t));
    }

    @Test
    void csvNamesFieldsLikeTheReference() {
        assertEquals(List.of(
                "abi_anonymous,a,0,4",
                "abi_anonymous,{anon union @8},8,8",
                "abi_anonymous,x,8,8",
                "abi_anonymous,{anon struct @8},8,8",
                "abi_anonymous,y,8,4",
                "abi_anonymous,z,12,4",
                "abi_anonymous,q,16,1",
                "abi_anonymous,__SIZEOF__,0,24"), List.of(Pahole.csv(AbiFixtures.ANONYMOUS).split("\n")));
        assertEquals(List.of(
                "abi_named_anonymous,a,0,1",
                "abi_named_anonymous,inner,4,8",
                "abi_named_anonymous,inner.b,4,2",
                "abi_named_anonymous,inner.c,8,4",
                "abi_named_anonymous,__SIZEOF__,0,12"), List.of(Pahole.csv(AbiFixtures.NAMED_ANONYMOUS).split("\n")));
        // Bitfields: the byte holding the first bit, no size; unnamed bitfields have no row.
        assertEquals(List.of(
                "abi_straddle,c,0,1",
                "abi_straddle,x,8,",
                "abi_straddle,y,16,",
                "abi_straddle,__SIZEOF__,0,24"), List.of(Pahole.csv(AbiFixtures.STRADDLE).split("\n")));
        assertEquals(List.of(
                "abi_flex,n,0,4",
                "abi_flex,data,8,0",
                "abi_flex,__SIZEOF__,0,8"), List.of(Pahole.csv(AbiFixtures.FLEX).split("\n")));
    }
}
