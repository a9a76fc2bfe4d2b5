package org.kfork.kernel.struct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.kfork.machine.layout.FieldRef;
import org.kfork.machine.layout.FlatField;
import org.kfork.machine.layout.Member;
import org.kfork.machine.layout.StructLayout;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Pins every declared struct to reference/layouts-5.12.csv: every row, every size and alignment. */
class ReferenceLayoutTest {

    @Test
    void theReferenceIsNotEmpty() {
        assertTrue(ReferenceLayouts.rows().size() > 500, "rows: " + ReferenceLayouts.rows().size());
        assertTrue(ReferenceLayouts.byStruct().size() >= 49);
    }

    @Test
    void everyReferenceStructIsDeclared() {
        List<String> missing = new ArrayList<>();
        for (String s : ReferenceLayouts.byStruct().keySet()) {
            if (Structs.byName(s) == null) {
                missing.add(s);
            }
        }
        assertTrue(missing.isEmpty(), "not declared: " + missing);
    }

    @TestFactory
    List<DynamicTest> everyRowMatches() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, List<ReferenceLayouts.Row>> e : ReferenceLayouts.byStruct().entrySet()) {
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> checkStruct(e.getKey(), e.getValue())));
        }
        return tests;
    }

    private static void checkStruct(String name, List<ReferenceLayouts.Row> rows) {
        StructLayout layout = Structs.byName(name);
        assertNotNull(layout, name);
        List<FlatField> flat = layout.flatten();
        int i = 0;
        for (ReferenceLayouts.Row r : rows) {
            if (r.isSizeof()) {
                assertEquals(r.size(), layout.size(), name + " sizeof");
                assertEquals(r.align(), layout.align(), name + " alignof");
                continue;
            }
            // The flattened view lists exactly the reference's rows, in its order.
            assertTrue(i < flat.size(), name + ": model has no row for " + r);
            FlatField f = flat.get(i++);
            assertEquals(r.field(), f.path(), name + " row " + i);
            assertEquals(r.offset(), f.offset(), r + " offset");
            assertEquals(r.ctype(), f.member().type().name(), r + " C type");
            if (r.isBitfield()) {
                Member m = f.member();
                assertTrue(m.isBitfield(), r + " is a bitfield");
                assertEquals(r.bitOffset(), f.bitOffset(), r + " bit offset");
                assertEquals(r.bitWidth(), m.bitWidth(), r + " width");
                assertEquals(r.bitOffset(), layout.bitOffsetOf(r.field()), r + " bitOffsetOf");
                assertEquals(r.bitOffset() / 8, layout.offsetOf(r.field()), r + " offsetOf");
                continue;
            }
            assertEquals(r.size(), f.size(), r + " size");
            if (r.isContainer()) {
                continue;
            }
            FieldRef ref = layout.field(r.field());
            assertEquals(r.offset(), ref.offset(), r + " offsetOf");
            assertEquals(r.size(), ref.size(), r + " sizeOf");
            assertEquals(r.align(), ref.member().align(), r + " member alignment");
        }
        assertEquals(flat.size(), i, name + ": the model has rows the reference lacks: "
                + flat.subList(Math.min(i, flat.size()), flat.size()));
    }

    @Test
    void theAnchorsFromTheIssue() {
        assertEquals(200, VmAreaStruct.SIZEOF);
        assertEquals(1016, MmStruct.SIZEOF);
        assertEquals(7040, TaskStruct.SIZEOF);
        assertEquals(64, TaskStruct.ALIGNOF);
        assertEquals(1088, SignalStruct.SIZEOF);
        assertEquals(2080, SighandStruct.SIZEOF);
        assertEquals(704, FilesStruct.SIZEOF);
        assertEquals(64, FilesStruct.ALIGNOF);
        assertEquals(56, FsStruct.SIZEOF);
        assertEquals(88, CloneArgs.SIZEOF);
        assertEquals(104, KernelCloneArgs.SIZEOF);
        assertEquals(1016, MmStruct.CPU_BITMAP);
        assertEquals(88, VmAreaStruct.SHARED_RB);
        assertEquals(2688, TaskStruct.THREAD);
        assertEquals(1188 * 8 + 2, TaskStruct.SCHED_MIGRATED_BIT);
        assertEquals(1192 * 8, TaskStruct.SCHED_REMOTE_WAKEUP_BIT);
        assertEquals(62, TaskStruct.__MCE_RESERVED_WIDTH);
        assertEquals(112, Pid.SIZEOF);
        assertEquals(16, Upid.SIZEOF);
        assertEquals(136, PidNamespace.SIZEOF);
        assertEquals(168, Cred.SIZEOF);
        assertEquals(232, File.SIZEOF);
        assertEquals(72, Nsproxy.SIZEOF);
    }

    /** A level-L pid takes 112 + 16L bytes, numbers[L] last: the object sizes of the "pid_N" caches. */
    @Test
    void pidSizeAndUpidOffsetByLevel() {
        assertEquals(Pid.SIZEOF, Pid.sizeofAtLevel(0));
        assertEquals(128, Pid.sizeofAtLevel(1));
        assertEquals(112 + 16 * 32, Pid.sizeofAtLevel(32));
        assertEquals(96, Pid.numbersAt(0));
        assertEquals(Pid.NUMBERS, Pid.numbersAt(0));
        assertEquals(96 + 16 * 5, Pid.numbersAt(5));
        for (int level = 0; level <= 32; level++) {
            // the last upid ends exactly at the end of the object
            assertEquals(Pid.sizeofAtLevel(level), Pid.numbersAt(level) + Upid.SIZEOF, "level " + level);
        }
        assertThrows(IllegalArgumentException.class, () -> Pid.sizeofAtLevel(-1));
        assertThrows(IllegalArgumentException.class, () -> Pid.numbersAt(-1));
    }

    /** The si_* macros land where the reference puts _sifields (offset 16) plus the uapi union's members. */
    @Test
    void siginfoAccessorMacros() {
        assertEquals(16, KernelSiginfo._SIFIELDS);
        assertEquals(16, KernelSiginfo.SI_PID);
        assertEquals(20, KernelSiginfo.SI_UID);
        assertEquals(24, KernelSiginfo.SI_STATUS);
        assertEquals(32, KernelSiginfo.SI_UTIME);
        assertEquals(40, KernelSiginfo.SI_STIME);
        assertEquals(Sigqueue.INFO + KernelSiginfo.SI_STATUS, Sigqueue.LAYOUT.offsetOf("info._sifields._sigchld._status"));
    }

    /**
     * Every named reference field has a {@code static final} constant in its struct's class, equal
     * to the engine's offset (bitfields: a {@code _BIT} and a {@code _WIDTH} constant).
     */
    @TestFactory
    List<DynamicTest> everyFieldHasAStaticFinalConstant() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, List<ReferenceLayouts.Row>> e : ReferenceLayouts.byStruct().entrySet()) {
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> {
                Class<?> cls = Class.forName("org.kfork.kernel.struct." + className(e.getKey()));
                assertTrue(Structs.byName(e.getKey()) == cls.getField("LAYOUT").get(null), "LAYOUT of " + cls);
                for (ReferenceLayouts.Row r : e.getValue()) {
                    if (r.isContainer()) {
                        continue;
                    }
                    if (r.isSizeof()) {
                        assertEquals(r.size(), constant(cls, "SIZEOF").getLong(null));
                        assertEquals(r.align(), constant(cls, "ALIGNOF").getLong(null));
                    } else if (r.isBitfield()) {
                        String base = r.field().replace('.', '_').toUpperCase();
                        assertEquals(r.bitOffset(), constant(cls, base + "_BIT").getLong(null), r.toString());
                        assertEquals(r.bitWidth(), constant(cls, base + "_WIDTH").getInt(null), r.toString());
                    } else {
                        String base = r.field().replace('.', '_').toUpperCase();
                        assertEquals(r.offset(), constant(cls, base).getLong(null), r.toString());
                    }
                }
            }));
        }
        return tests;
    }

    private static Field constant(Class<?> cls, String name) throws NoSuchFieldException {
        Field f = cls.getField(name);
        int mods = f.getModifiers();
        assertTrue(Modifier.isStatic(mods) && Modifier.isFinal(mods) && Modifier.isPublic(mods), f + " is public static final");
        return f;
    }

    static String className(String tag) {
        switch (tag) {
            case "mm_context_t":
                return "MmContext";
            case "k_sigaction":
                return "KSigaction";
            default:
                StringBuilder b = new StringBuilder();
                for (String part : tag.split("_")) {
                    if (!part.isEmpty()) {
                        b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
                    }
                }
                return b.toString();
        }
    }
}
