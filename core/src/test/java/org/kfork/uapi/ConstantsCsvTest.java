package org.kfork.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kfork.arch.X86_64;
import org.kfork.mm.MmFlags;
import org.kfork.mm.VmFlags;
import org.kfork.sched.CpuClocks;
import org.kfork.sched.Jobctl;
import org.kfork.sched.Limits;
import org.kfork.sched.SignalFlags;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.TaskState;

/**
 * Pins every constant of the reference (constants-5.12.csv, copied into the test resources) to
 * the Java constant of the same name: a row without a Java constant fails, unless it is listed in
 * {@link #EXCLUDED} with the reason.
 */
class ConstantsCsvTest {
    /** Every class that holds kernel constants; a name may be defined in only one of them. */
    static final List<Class<?>> CONSTANT_CLASSES = List.of(
        CloneFlags.class, Signals.class, Errno.class, Futex.class, Wait.class, Resource.class,
        Capabilities.class,
        VmFlags.class, MmFlags.class,
        TaskFlags.class, TaskState.class, SignalFlags.class, Limits.class, Jobctl.class, CpuClocks.class,
        X86_64.class);

    /**
     * CSV names deliberately without a Java constant, each with its reason. Empty today: every
     * row of the 5.12 reference has a constant. Add an entry here only with a reason.
     */
    static final Map<String, String> EXCLUDED = Map.of();

    record Row(String name, String value, String source) {
    }

    @Test
    void everyCsvConstantEqualsTheJavaConstantOfTheSameName() throws Exception {
        Map<String, Field> fields = constantFields();
        List<Row> rows = readCsv();
        assertTrue(rows.size() > 150, "the reference has some 170 rows; read " + rows.size());
        List<String> failures = new ArrayList<>();
        for (Row row : rows) {
            Field field = fields.get(row.name());
            if (field == null) {
                if (!EXCLUDED.containsKey(row.name())) {
                    failures.add(row.name() + ": no Java constant (from " + row.source() + ")");
                }
                continue;
            }
            long expected = parse(row.value());
            String mismatch = compare(field, expected);
            if (mismatch != null) {
                failures.add(row.name() + ": " + mismatch);
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " constants disagree with the reference:\n" + String.join("\n", failures));
        }
    }

    @Test
    void exclusionsNameRowsThatExistAndHaveNoConstant() throws Exception {
        Map<String, Field> fields = constantFields();
        List<String> names = readCsv().stream().map(Row::name).toList();
        for (String name : EXCLUDED.keySet()) {
            assertTrue(names.contains(name), "stale exclusion, not in the CSV: " + name);
            assertFalse(fields.containsKey(name), "exclusion that now has a constant: " + name);
        }
    }

    @Test
    void csvNamesAreUnique() throws Exception {
        Map<String, Row> seen = new LinkedHashMap<>();
        for (Row row : readCsv()) {
            Row before = seen.put(row.name(), row);
            assertTrue(before == null, "row named twice: " + row.name());
        }
    }

    @Test
    void theComparisonCatchesAWrongValueAndSignExtension() throws Exception {
        // The comparison itself must be able to fail: a different value, and an int that a
        // careless widening would turn into a 64-bit value.
        Field enomem = Errno.class.getField("ENOMEM");
        assertEquals(null, compare(enomem, 12));
        assertTrue(compare(enomem, 13) != null);
        Field suspend = TaskFlags.class.getField("PF_SUSPEND_TASK");
        assertEquals(null, compare(suspend, 0x80000000L));
        assertTrue(compare(suspend, 0xffffffff80000000L) != null);
        Field clear = VmFlags.class.getField("VM_LOCKED_CLEAR_MASK");
        assertEquals(null, compare(clear, parse("0xfffffffffff7dfff")));
    }

    /**
     * Compares a constant with the reference value, or says why they differ. A C constant that is
     * an unsigned int lives in a Java int; its 32 bits are compared as unsigned. A long is compared
     * in all 64 bits.
     */
    static String compare(Field field, long expected) throws IllegalAccessException {
        Class<?> type = field.getType();
        long actual;
        if (type == long.class) {
            actual = field.getLong(null);
        } else if (type == int.class) {
            if (expected >>> 32 != 0) {
                return "reference 0x" + Long.toHexString(expected) + " does not fit the int "
                    + field.getDeclaringClass().getSimpleName() + "." + field.getName();
            }
            actual = Integer.toUnsignedLong(field.getInt(null));
        } else {
            return "type " + type + " is neither int nor long";
        }
        if (actual != expected) {
            return "Java " + field.getDeclaringClass().getSimpleName() + "." + field.getName()
                + " = 0x" + Long.toHexString(actual) + ", reference 0x" + Long.toHexString(expected);
        }
        return null;
    }

    /** All public static final int/long fields of the constant classes, by name; no duplicates. */
    static Map<String, Field> constantFields() {
        Map<String, Field> fields = new LinkedHashMap<>();
        for (Class<?> c : CONSTANT_CLASSES) {
            for (Field f : c.getDeclaredFields()) {
                int m = f.getModifiers();
                if (!Modifier.isPublic(m) || !Modifier.isStatic(m) || !Modifier.isFinal(m)) {
                    continue;
                }
                Field before = fields.put(f.getName(), f);
                if (before != null) {
                    fail(f.getName() + " is defined in both " + before.getDeclaringClass().getName()
                        + " and " + c.getName());
                }
            }
        }
        return fields;
    }

    /** Parses 0x-hex (up to 64 unsigned bits) or decimal. */
    static long parse(String value) {
        String v = value.trim();
        if (v.startsWith("0x") || v.startsWith("0X")) {
            return Long.parseUnsignedLong(v.substring(2), 16);
        }
        return Long.parseLong(v);
    }

    /** Reads name,value,source-file,notes rows; notes may be quoted and hold commas. */
    static List<Row> readCsv() throws IOException {
        List<Row> rows = new ArrayList<>();
        try (InputStream in = ConstantsCsvTest.class.getResourceAsStream("/constants-5.12.csv")) {
            if (in == null) {
                throw new IOException("constants-5.12.csv is not on the test class path");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String header = reader.readLine();
            assertEquals("name,value,source-file,notes", header);
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                List<String> cells = splitCsv(line);
                rows.add(new Row(cells.get(0), cells.get(1), cells.get(2)));
            }
        }
        return rows;
    }

    static List<String> splitCsv(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        return cells;
    }
}
