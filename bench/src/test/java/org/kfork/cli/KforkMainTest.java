package org.kfork.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.kfork.kernel.struct.ReferenceLayouts;
import org.kfork.kernel.struct.Structs;
import org.junit.jupiter.api.Test;

/** The kfork tool's exit codes and outputs, and its CSV against the reference. */
class KforkMainTest {

    private record Result(int code, String out, String err) {
    }

    private static Result kfork(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            int code = KforkMain.run(args, o, e);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void noArgumentsIsAUsageError() {
        Result r = kfork();
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("usage: kfork"), r.err());
        assertTrue(r.err().contains("layout"), r.err());
    }

    @Test
    void helpGoesToStdoutWithSuccess() {
        Result r = kfork("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("layout"), r.out());
        Result layoutHelp = kfork("help", "layout");
        assertEquals(0, layoutHelp.code());
        assertTrue(layoutHelp.out().contains("--csv"), layoutHelp.out());
    }

    @Test
    void unknownCommand() {
        Result r = kfork("frobnicate");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown command 'frobnicate'"), r.err());
    }

    @Test
    void layoutPrintsThePaholeView() {
        Result r = kfork("layout", "task_struct");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("struct task_struct {\n"), r.out());
        assertTrue(r.out().contains("struct sched_entity        se;                   /*   192   448 */"), r.out());
        assertTrue(r.out().contains("/* XXX 56 bytes hole, try to pack */"), r.out());
        assertTrue(r.out().contains("/* --- cacheline 3 boundary (192 bytes) --- */"), r.out());
        assertTrue(r.out().contains("/* size: 7040, align: 64, cachelines: 110"), r.out());
        assertEquals("", r.err());

        Result vma = kfork("layout", "vm_area_struct");
        assertTrue(vma.out().contains("} shared;"), vma.out());
        assertTrue(vma.out().contains("/* --- cacheline 2 boundary (128 bytes) was 8 bytes ago --- */"), vma.out());

        Result prev = kfork("layout", "prev_cputime");
        assertTrue(prev.out().contains("/* padding: 4 */"), prev.out());
    }

    @Test
    void layoutListNamesEveryStruct() {
        Result r = kfork("layout", "--list");
        assertEquals(0, r.code());
        assertEquals(Structs.names(), List.of(r.out().split("\n")));
        assertTrue(r.out().contains("task_struct\n"));
    }

    @Test
    void unknownStructListsTheKnownOnes() {
        Result r = kfork("layout", "task_strukt");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown struct 'task_strukt'"), r.err());
        assertTrue(r.err().contains("vm_area_struct"), r.err());
        assertTrue(r.err().contains("task_struct"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void badLayoutUsage() {
        assertEquals(2, kfork("layout").code());
        Result bad = kfork("layout", "--bogus", "task_struct");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("usage: kfork layout"), bad.err());
        assertEquals(2, kfork("layout", "--list", "task_struct").code());
    }

    @Test
    void csvOfOneStruct() {
        Result r = kfork("layout", "--csv", "vm_area_struct");
        assertEquals(0, r.code());
        String[] lines = r.out().split("\n");
        assertEquals("struct,field,offset,size", lines[0]);
        assertEquals("vm_area_struct,vm_start,0,8", lines[1]);
        assertTrue(r.out().contains("\nvm_area_struct,shared.rb,88,24\n"), r.out());
        assertEquals("vm_area_struct,__SIZEOF__,0,200", lines[lines.length - 1]);
    }

    /** Every reference row that names a declared field (and every size row) is in the CSV output. */
    @Test
    void csvOfEveryStructMatchesTheReference() {
        Result r = kfork("layout", "--csv");
        assertEquals(0, r.code(), r.err());
        // A struct may have two containers of one name (qspinlock's two {anon struct @0}): keep all, in order.
        Map<String, ArrayDeque<String[]>> out = new HashMap<>();
        for (String line : r.out().split("\n")) {
            String[] c = line.split(",", -1);
            assertEquals(4, c.length, line);
            out.computeIfAbsent(c[0] + "," + c[1], k -> new ArrayDeque<>()).add(c);
        }
        List<String> mismatches = new ArrayList<>();
        int matched = 0;
        for (ReferenceLayouts.Row row : ReferenceLayouts.rows()) {
            ArrayDeque<String[]> candidates = out.get(row.struct() + "," + row.field());
            String[] c = candidates == null ? null : candidates.poll();
            if (c == null) {
                mismatches.add("missing: " + row);
                continue;
            }
            String size = row.size() < 0 ? "" : Long.toString(row.size());
            String offset = Long.toString(row.isSizeof() ? 0 : row.offset());
            if (!c[2].equals(offset) || !c[3].equals(size)) {
                mismatches.add(row + " vs " + String.join(",", c));
            }
            matched++;
        }
        assertTrue(mismatches.isEmpty(), String.join("\n", mismatches));
        assertEquals(ReferenceLayouts.rows().size(), matched);
    }
}
