package org.kfork.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The code of README.md and the docs is these example files, whole: every {@code java} block of
 * the documents below must be one of the files listed for it, character for character (the file
 * less its package line), and each file must be shown. Each example then runs, in checked mode,
 * and its output is what the document says it prints; each tears down what it made, so a leak
 * would throw from a cache's destroy or the mm system's close.
 */
class DocExamplesTest {
    /** The documents whose code is checked, with the examples each one shows. */
    static final Map<String, List<Class<?>>> SHOWN = new LinkedHashMap<>();

    static {
        SHOWN.put("README.md", List.of(SlabCacheExample.class, RbTreeExample.class, KernelExample.class));
        SHOWN.put("docs/containers.md", List.of(RbTreeExample.class, IdrExample.class));
        SHOWN.put("docs/mm.md", List.of(MmExample.class));
        SHOWN.put("docs/kernels.md", List.of(KernelExample.class));
    }

    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL);

    static Path root() {
        String root = System.getProperty("kfork.root");
        return root != null ? Path.of(root) : Path.of("..");
    }

    /** The part of an example file a document shows: all of it after the package line. */
    static String shownPart(Class<?> example) throws IOException {
        Path src = root().resolve("tests/src/test/java/" + example.getName().replace('.', '/') + ".java");
        String text = Files.readString(src);
        String pkg = "package " + example.getPackageName() + ";\n\n";
        assertTrue(text.startsWith(pkg), src + " starts with its package line and a blank line");
        return text.substring(pkg.length());
    }

    static List<String> javaBlocks(String doc) throws IOException {
        Matcher m = JAVA_BLOCK.matcher(Files.readString(root().resolve(doc)));
        List<String> blocks = new ArrayList<>();
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    @Test
    void everyJavaBlockOfTheDocsIsAnExampleFileShownWhole() throws IOException {
        for (Map.Entry<String, List<Class<?>>> e : SHOWN.entrySet()) {
            List<String> blocks = javaBlocks(e.getKey());
            List<String> files = new ArrayList<>();
            for (Class<?> example : e.getValue()) {
                String part = shownPart(example);
                files.add(part);
                assertTrue(blocks.contains(part), e.getKey() + " shows " + example.getSimpleName() + ".java whole");
            }
            for (String block : blocks) {
                if (!files.contains(block)) {
                    fail(e.getKey() + " has a java block that is no example file:\n" + block);
                }
            }
        }
    }

    @Test
    void theCheckSeesADriftedBlock() throws IOException {
        String part = shownPart(MmExample.class);
        List<String> blocks = javaBlocks("docs/mm.md");
        String drifted = part.replace("16 * PAGE_SIZE", "17 * PAGE_SIZE");
        assertFalse(drifted.equals(part));
        assertFalse(blocks.contains(drifted), "one changed character is a different block");
    }

    /** Runs an example's main and returns what it printed. */
    static String run(Consumer<String[]> main) {
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            main.accept(new String[0]);
        } finally {
            System.setOut(out);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void slabCacheExample() {
        String out = run(SlabCacheExample::main);
        assertTrue(out.startsWith("slabinfo - version: 2.1"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("vm_area_struct ")), out);
    }

    @Test
    void rbTreeExample() {
        StringBuilder ascending = new StringBuilder();
        for (int k = 0; k <= 100; k++) {
            if (k != 3700 % 101) { // keys (37 i) mod 101 for i below 100: every residue but i = 100's
                ascending.append(k).append(' ');
            }
        }
        assertEquals(List.of(ascending.toString(), "99 nodes left"), run(RbTreeExample::main).lines().toList());
    }

    @Test
    void kernelExample() throws IOException {
        String printed = run(KernelExample::main);
        assertTrue(Files.readString(root().resolve("docs/kernels.md")).contains("```\n" + printed + "```\n"),
            "docs/kernels.md shows what the example prints:\n" + printed);
        assertTrue(printed.endsWith("child 2, vma at 0x20000, reaped 2\n"), printed);
        assertTrue(printed.contains("00020000-00023000 rw-p 00000000 00:00 0\n"), printed);
    }

    @Test
    void idrExample() {
        assertEquals(List.of("pid 1 -> 0xffff888000100000", "set_tid 1: -28"), run(IdrExample::main).lines().toList());
    }

    @Test
    void mmExample() throws IOException {
        String printed = run(MmExample::main);
        assertTrue(Files.readString(root().resolve("docs/mm.md")).contains("```\n" + printed + "```\n"),
            "docs/mm.md shows what the example prints:\n" + printed);
        List<String> out = printed.lines().toList();
        assertEquals(4, out.size(), String.join("\n", out));
        assertTrue(out.get(0).contains(" ---p 00000000 00:00 0"), "the guard page: " + out.get(0));
        assertTrue(out.get(1).contains(" rw-p 00000000 00:00 0"), "the rest of the heap: " + out.get(1));
        assertTrue(out.get(2).contains(" r-xp 00000000 08:01 ") && out.get(2).endsWith(" /lib/libc.so.6"), out.get(2));
        assertTrue(out.get(3).startsWith("text at 0x") && out.get(3).endsWith(", 3 areas in the child"), out.get(3));
        assertFalse(String.join("\n", out).contains("/dev/zero"), "MADV_DONTFORK: the shared area is not copied");
    }
}
