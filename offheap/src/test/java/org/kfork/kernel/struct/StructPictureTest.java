package org.kfork.kernel.struct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.kfork.machine.layout.ArrayType;
import org.kfork.machine.layout.CType;
import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.FieldRef;
import org.kfork.machine.layout.Member;
import org.kfork.machine.layout.Pahole;
import org.kfork.machine.layout.StructLayout;

/**
 * Pins the comments of every layout class to the engine, so that they cannot drift from the
 * layout: for each struct registered in {@link Structs}, the table between {@code <pre>} tags in
 * its class's source is {@link Pahole#picture}, and each constant's Javadoc ({@code {@code decl;}
 * at offset N (S bytes)}, a bitfield's bit offset, sizeof and alignof) says what the engine says.
 *
 * <p>The classes are found from the sources: every class of the main tree with a static
 * {@code StructLayout LAYOUT} is loaded, and each registered struct must be the LAYOUT of exactly
 * one of them (the lock types the type model declares in {@link CTypes} have no class).
 */
class StructPictureTest {
    private static final Path SOURCES = Path.of("src", "main", "java");

    /** {@code /** {@code DECL;} at offset N (S bytes). * /} then {@code NAME = LAYOUT.offsetOf("PATH");}. */
    private static final Pattern OFFSET_DOC = Pattern.compile(
        "/\\*\\* \\{@code (.*?);\\} at offset (\\d+) \\((\\d+) bytes\\)\\. \\*/\\s*"
            + "public static final long (\\w+) = LAYOUT\\.offsetOf\\(\"([^\"]+)\"\\);");
    /** A bitfield's bit offset: {@code (B: byte N bit K)}. */
    private static final Pattern BIT_DOC = Pattern.compile(
        "/\\*\\* \\{@code (.*?);\\} bit offset from the start of the struct \\((\\d+): byte (\\d+) bit (\\d+)\\)\\. \\*/\\s*"
            + "public static final long (\\w+) = LAYOUT\\.bitOffsetOf\\(\"([^\"]+)\"\\);");
    private static final Pattern SIZEOF_DOC = Pattern.compile(
        "/\\*\\* sizeof\\(([^)]*)\\): (\\d+)\\. \\*/\\s*public static final long SIZEOF = LAYOUT\\.size\\(\\);");
    private static final Pattern ALIGNOF_DOC = Pattern.compile(
        "/\\*\\* alignof\\(([^)]*)\\): (\\d+)\\. \\*/\\s*public static final long ALIGNOF = LAYOUT\\.align\\(\\);");
    private static final Pattern ANY_OFFSET = Pattern.compile("LAYOUT\\.offsetOf\\(");
    private static final Pattern ANY_BIT = Pattern.compile("LAYOUT\\.bitOffsetOf\\(");

    /** A layout class: its name and its source. */
    record LayoutClass(Class<?> type, Path source) {
    }

    @TestFactory
    List<DynamicTest> everyRegisteredStructHasItsPictureAndOffsets() {
        Map<StructLayout, LayoutClass> classes = layoutClasses();
        List<DynamicTest> tests = new ArrayList<>();
        for (StructLayout s : Structs.all()) {
            tests.add(DynamicTest.dynamicTest(s.tag(), () -> {
                LayoutClass c = classes.get(s);
                if (c == null) {
                    assertTrue(declaredByTypeModel(s), s.tag() + " is registered but no class declares it as LAYOUT");
                    return;
                }
                String src = Files.readString(c.source());
                List<String> expected = Pahole.picture(s);
                assertEquals(String.join("\n", expected), String.join("\n", picture(src, c)),
                    () -> c.type().getSimpleName() + ": the <pre> table differs from Pahole.picture; it should read\n"
                        + " * <pre>\n * " + String.join("\n * ", expected) + "\n * </pre>\n");
                checkConstants(s, src, c.type().getSimpleName());
            }));
        }
        return tests;
    }

    /** The check is not vacuous: a drifted table or offset comment is caught. */
    @Test
    void aDriftedCommentIsCaught() throws IOException {
        LayoutClass c = layoutClasses().get(SighandStruct.LAYOUT);
        String src = Files.readString(c.source());
        List<String> table = picture(src, c);
        assertEquals(Pahole.picture(SighandStruct.LAYOUT), table);
        String drifted = src.replace("|     4 |    4 | count ", "|     8 |    4 | count ");
        assertFalse(Pahole.picture(SighandStruct.LAYOUT).equals(picture(drifted, c)));
        String badOffset = src.replace("refcount_t count;} at offset 4 (4 bytes)", "refcount_t count;} at offset 8 (4 bytes)");
        assertFalse(badOffset.equals(src));
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
            () -> checkConstants(SighandStruct.LAYOUT, badOffset, "SighandStruct"));
        assertTrue(e.getMessage().contains("COUNT"), e.getMessage());
    }

    @Test
    void theBitfieldAndNestedRowsRender() {
        List<String> task = Pahole.picture(TaskStruct.LAYOUT);
        assertTrue(task.contains(
            "| 1188.0 |   :1 | sched_reset_on_fork            unsigned int                            |"), task::toString);
        List<String> vma = Pahole.picture(VmAreaStruct.LAYOUT);
        assertTrue(vma.contains(
            "|   112 |    8 |   rb_subtree_last              long unsigned int                       |"), vma::toString);
        assertTrue(vma.contains(
            "+=======+======+ cacheline 2 (128 bytes) ===============================================+"), vma::toString);
        assertEquals("  sizeof 200, alignof 8", vma.get(vma.size() - 1));
    }

    private static void checkConstants(StructLayout s, String src, String cls) {
        int offsets = 0;
        Matcher m = OFFSET_DOC.matcher(src);
        while (m.find()) {
            FieldRef f = s.field(m.group(5));
            String what = cls + "." + m.group(4) + " (" + m.group(5) + ")";
            assertEquals(f.offset(), Long.parseLong(m.group(2)), what + ": the comment's offset");
            assertEquals(f.size(), Long.parseLong(m.group(3)), what + ": the comment's size");
            assertEquals(declaration(f.member()), m.group(1), what + ": the comment's declaration");
            offsets++;
        }
        assertEquals(count(ANY_OFFSET, src), offsets, cls + ": every offsetOf constant has an 'at offset N (S bytes)' comment");
        int bits = 0;
        m = BIT_DOC.matcher(src);
        while (m.find()) {
            FieldRef f = s.field(m.group(6));
            String what = cls + "." + m.group(5) + " (" + m.group(6) + ")";
            long bit = Long.parseLong(m.group(2));
            assertEquals(f.bitOffset(), bit, what + ": the comment's bit offset");
            assertEquals(bit / 8, Long.parseLong(m.group(3)), what + ": the comment's byte");
            assertEquals(bit % 8, Long.parseLong(m.group(4)), what + ": the comment's bit");
            assertEquals(declaration(f.member()), m.group(1), what + ": the comment's declaration");
            bits++;
        }
        assertEquals(count(ANY_BIT, src), bits, cls + ": every bitOffsetOf constant has a 'bit offset' comment");
        m = SIZEOF_DOC.matcher(src);
        assertTrue(m.find(), cls + ": a SIZEOF constant with its comment");
        assertEquals(s.name(), m.group(1), cls + ": the sizeof comment's struct");
        assertEquals(s.size(), Long.parseLong(m.group(2)), cls + ": the sizeof comment");
        m = ALIGNOF_DOC.matcher(src);
        assertTrue(m.find(), cls + ": an ALIGNOF constant with its comment");
        assertEquals(s.name(), m.group(1), cls + ": the alignof comment's struct");
        assertEquals(s.align(), Long.parseLong(m.group(2)), cls + ": the alignof comment");
    }

    /** The member as the comments spell it: {@code struct k_sigaction action[64]}, {@code unsigned int x : 1}. */
    private static String declaration(Member m) {
        CType t = m.type();
        String suffix = "";
        while (t instanceof ArrayType a) {
            suffix = suffix + (a.flexible() ? "[]" : "[" + a.length() + "]");
            t = a.element();
        }
        return t.name() + " " + m.name() + suffix + (m.isBitfield() ? " : " + m.bitWidth() : "");
    }

    private static int count(Pattern p, String s) {
        int n = 0;
        Matcher m = p.matcher(s);
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** The lines of the first {@code <pre>} block that holds a table, without the Javadoc's {@code " * "}. */
    private static List<String> picture(String src, LayoutClass c) {
        List<String> lines = new ArrayList<>();
        boolean in = false;
        for (String line : src.split("\n", -1)) {
            String text = line.startsWith(" * ") ? line.substring(3) : line.startsWith(" *") ? line.substring(2) : line;
            if (!in && text.trim().equals("<pre>")) {
                in = true;
                lines.clear();
            } else if (in && text.trim().equals("</pre>")) {
                if (!lines.isEmpty() && lines.get(0).startsWith("+---")) {
                    return lines;
                }
                in = false;
            } else if (in) {
                lines.add(text);
            }
        }
        throw new AssertionError(c.type().getName() + " has no <pre> table in " + c.source());
    }

    private static boolean declaredByTypeModel(StructLayout s) throws IllegalAccessException {
        for (Field f : CTypes.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.get(null) == s) {
                return true;
            }
        }
        return false;
    }

    /** Every main class with a static StructLayout LAYOUT, by that layout. */
    private static Map<StructLayout, LayoutClass> layoutClasses() {
        Map<StructLayout, LayoutClass> out = new IdentityHashMap<>();
        assertTrue(Files.isDirectory(SOURCES), "run from the module directory: " + SOURCES.toAbsolutePath());
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                String src = Files.readString(p);
                if (!src.contains("StructLayout LAYOUT")) {
                    continue;
                }
                String name = SOURCES.relativize(p).toString().replace('/', '.').replaceAll("\\.java$", "");
                Class<?> type = Class.forName(name);
                Field f = type.getDeclaredField("LAYOUT");
                f.setAccessible(true);
                StructLayout layout = (StructLayout) f.get(null);
                assertNotNull(layout, name);
                LayoutClass prev = out.put(layout, new LayoutClass(type, p));
                assertTrue(prev == null, layout.tag() + " is the LAYOUT of two classes");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        return out;
    }
}
