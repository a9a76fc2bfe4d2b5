package org.kfork.kernel.struct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kfork.machine.layout.Member;
import org.kfork.machine.layout.StructLayout;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Pins every struct of reference/layouts-5.12-pahole.txt (pahole on the DWARF of the real 5.12
 * headers) to the declarations: each top-level member's name, offset and size in order (bitfields:
 * unit offset and bit), and sizeof. This covers the scheduler entities, which the CSV does not
 * break down.
 */
class PaholeReferenceTest {
    private static final Pattern MEMBER = Pattern.compile(
            "^\\t[^\\t}/].*?\\s\\**(\\w+)(?:\\[\\d*\\])?(?::(\\d+))?(?: __attribute__\\(\\(__aligned__\\(\\d+\\)\\)\\))?;"
                    + "\\s+/\\*\\s+(\\d+)(?::\\s*(\\d+))?\\s+(\\d+) \\*/$");
    private static final Pattern CLOSER = Pattern.compile(
            "^\\t}(?: __attribute__\\(\\(__aligned__\\(\\d+\\)\\)\\))?(?: (\\w+))?(?: __attribute__\\(\\(__aligned__\\(\\d+\\)\\)\\))?;"
                    + "\\s+/\\*\\s+(\\d+)\\s+(\\d+) \\*/$");
    private static final Pattern SIZE = Pattern.compile("/\\* size: (\\d+),");
    private static final Pattern OPENER = Pattern.compile("^struct (\\w+) \\{$");

    private record Entry(String name, long offset, long bit, long size, int width) {
    }

    @TestFactory
    List<DynamicTest> everyPaholeStructMatches() throws IOException {
        Map<String, List<String>> blocks = blocks();
        assertTrue(blocks.size() >= 63, "blocks: " + blocks.keySet());
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, List<String>> b : blocks.entrySet()) {
            tests.add(DynamicTest.dynamicTest(b.getKey(), () -> check(b.getKey(), b.getValue())));
        }
        return tests;
    }

    private static void check(String name, List<String> lines) {
        StructLayout layout = Structs.byName(name);
        assertNotNull(layout, "not declared: " + name);
        List<Entry> entries = new ArrayList<>();
        long size = -1;
        for (String line : lines) {
            Matcher m = MEMBER.matcher(line);
            Matcher c = CLOSER.matcher(line);
            Matcher s = SIZE.matcher(line);
            if (m.matches()) {
                long off = Long.parseLong(m.group(3));
                boolean bits = m.group(2) != null;
                long bit = bits ? off * 8 + Long.parseLong(m.group(4)) : off * 8;
                entries.add(new Entry(m.group(1), off, bit, Long.parseLong(m.group(5)),
                        bits ? Integer.parseInt(m.group(2)) : -1));
            } else if (c.matches()) {
                long off = Long.parseLong(c.group(2));
                entries.add(new Entry(c.group(1), off, off * 8, Long.parseLong(c.group(3)), -1));
            } else if (s.find()) {
                size = Long.parseLong(s.group(1));
            }
        }
        assertEquals(size, layout.size(), name + " sizeof");
        List<Member> members = new ArrayList<>();
        for (Member m : layout.members()) {
            if (!(m.isBitfield() && m.name() == null)) {
                members.add(m);
            }
        }
        assertEquals(entries.size(), members.size(), name + " members: pahole " + entries + "\nmodel " + members);
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            Member m = members.get(i);
            String where = name + "." + (e.name() == null ? "{anon}" : e.name());
            assertEquals(DWARF_NAMES.getOrDefault(name + "." + e.name(), e.name()), m.name(), where + " name");
            assertEquals(e.size(), m.size(), where + " size");
            if (e.width() >= 0) {
                assertEquals(e.width(), m.bitWidth(), where + " width");
                assertEquals(e.bit(), m.bitOffset(), where + " bit offset");
            } else {
                assertEquals(e.offset(), m.offset(), where + " offset");
            }
        }
    }

    /**
     * Members whose name pahole spells differently from the C source and the reference CSV:
     * include/linux/types.h defines {@code rcu_head} as {@code callback_head}, so css_set's member
     * {@code struct rcu_head rcu_head} is named {@code callback_head} in the DWARF.
     */
    private static final Map<String, String> DWARF_NAMES = Map.of("css_set.callback_head", "rcu_head");

    /**
     * The pahole listing of each struct, by name, without the header lines. A block starts at a
     * {@code ########## struct NAME} header or, where the file lists structs back to back without
     * one (the later part of the reference), at a top-level {@code struct NAME {} line.
     */
    private static Map<String, List<String>> blocks() throws IOException {
        String text;
        try (InputStream in = PaholeReferenceTest.class.getResourceAsStream(
                "/org/kfork/kernel/struct/layouts-5.12-pahole.txt")) {
            assertNotNull(in, "missing test resource layouts-5.12-pahole.txt");
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, List<String>> blocks = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : text.split("\n")) {
            Matcher open = OPENER.matcher(line);
            if (line.startsWith("########## ")) {
                String[] words = line.split(" ");
                current = new ArrayList<>();
                blocks.put(words[words.length - 1], current);
            } else if (open.matches() && (current == null || !current.isEmpty())) {
                current = new ArrayList<>();
                assertNull(blocks.put(open.group(1), current), "listed twice: " + open.group(1));
            } else if (current != null) {
                current.add(line);
            }
        }
        return blocks;
    }
}
