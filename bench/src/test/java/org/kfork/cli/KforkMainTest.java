package org.kfork.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The kfork tool's conventions (help, usage errors, exit codes), its layout output, and its CSV against the reference. */
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
    void noArgumentsIsAUsageErrorThatListsTheCommands() {
        Result r = kfork();
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("kfork: no COMMAND given\nUsage: kfork"), r.err());
        assertTrue(r.err().contains("layout") && r.err().contains("slabinfo"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void helpGoesToStdoutWithSuccess() {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"-h"}, new String[] {"help"})) {
            Result r = kfork(args);
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().startsWith("Usage: kfork"), r.out());
            assertTrue(r.out().contains("layout") && r.out().contains("slabinfo"), r.out());
            assertEquals("", r.err());
        }
        for (String[] args : List.of(new String[] {"help", "layout"}, new String[] {"layout", "--help"},
            new String[] {"layout", "-h", "task_struct"})) {
            Result r = kfork(args);
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().startsWith("Usage: kfork layout"), r.out());
            assertTrue(r.out().contains("--csv"), r.out());
        }
        Result slab = kfork("help", "slabinfo");
        assertEquals(0, slab.code());
        assertTrue(slab.out().contains("--ram=SIZE") && slab.out().contains("-Dkfork.ram.capacity"), slab.out());
    }

    @Test
    void helpOfAnUnknownCommandIsAUsageError() {
        Result r = kfork("help", "nosuch");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("kfork: Unknown subcommand 'nosuch'.\n"), r.err());
        assertTrue(r.err().contains("Usage: kfork"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void unknownCommand() {
        Result r = kfork("frobnicate");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("kfork: unknown command 'frobnicate'\n"), r.err());
        assertTrue(r.err().contains("Usage: kfork"), r.err());
        Result near = kfork("layuot");
        assertTrue(near.err().contains("layout"), "suggests the nearest command: " + near.err());
    }

    /**
     * Every usage error, in every command: exit 2, nothing on stdout, one line naming the problem,
     * then the usage; never a stack trace.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "layout                         | no STRUCT named",
        "layout --bogus task_struct     | Unknown option: '--bogus'",
        "layout --list task_struct      | --list takes no other arguments",
        "layout task_strukt             | unknown struct 'task_strukt'; did you mean task_struct?",
        "slabinfo --bogus               | Unknown option: '--bogus'",
        "slabinfo --tasks               | Missing required parameter for option '--tasks'",
        "slabinfo --tasks abc           | Invalid value for option '--tasks': 'abc' is not an int",
        "slabinfo --demo --tasks -1     | --tasks must be 0 or more, not -1",
        "slabinfo --demo --vmas 65531   | --vmas must be 0 to max_map_count (65530), not 65531",
        "slabinfo --cpus 0              | --cpus must be 1 to 64, not 0",
        "slabinfo --cpus 65             | --cpus must be 1 to 64, not 65",
        "slabinfo --ram abc             | Invalid value for option '--ram': not a size: 'abc'",
        "slabinfo --ram 1.5g            | Invalid value for option '--ram': not a size: '1.5g'",
        "slabinfo --ram 0               | Invalid value for option '--ram': size must be positive",
        "slabinfo --ram 99999999999t    | Invalid value for option '--ram': too large",
        "slabinfo --ram 100             | --ram 100 bytes is less than one page (4096 bytes)",
        "slabinfo --ram 8g              | --ram 8 GiB does not fit this JVM's RAM region: 4 GiB of address space",
        "slabinfo --demo --ram 1m       | --tasks 40 is more than max_threads, 20 for 1 MiB of RAM",
    })
    void usageErrorsSayWhatIsWrongThenTheUsage(String line, String problem) {
        String[] args = line.trim().split("\\s+");
        Result r = kfork(args);
        assertEquals(2, r.code(), r.err());
        assertEquals("", r.out());
        String[] lines = r.err().split("\n");
        assertTrue(lines[0].startsWith("kfork " + args[0] + ": " + problem), lines[0]);
        assertTrue(lines[1].startsWith("Usage: kfork " + args[0]), r.err());
        assertTrue(r.err().contains("'kfork help " + args[0] + "' explains the options."), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
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
    void unknownStructSuggestsTheNearestAndCountsTheKnownOnes() {
        Result r = kfork("layout", "task_strukt");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("did you mean task_struct? ('kfork layout --list' names all "
            + Structs.names().size() + ")"), r.err());
        Result far = kfork("layout", "zzzzzzzz");
        assertTrue(far.err().startsWith("kfork layout: unknown struct 'zzzzzzzz' ('kfork layout --list'"), far.err());
        assertEquals("", r.out());
    }

    @Test
    void nearestNameIsWithinTwoEdits() {
        List<String> names = List.of("task_struct", "mm_struct", "vm_area_struct");
        assertEquals("mm_struct", LayoutCommand.closest("mm_strcut", names));
        assertEquals("task_struct", LayoutCommand.closest("task_struc", names));
        assertNull(LayoutCommand.closest("files_struct", names));
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
