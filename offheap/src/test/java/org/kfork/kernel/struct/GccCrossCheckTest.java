package org.kfork.kernel.struct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.kfork.machine.layout.AbiFixtures;
import org.kfork.machine.layout.CDeclarations;
import org.kfork.machine.layout.FlatField;
import org.kfork.machine.layout.Pahole;
import org.kfork.machine.layout.StructLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The independent check: C declarations generated from the Java model, compiled by gcc (one
 * compile for every struct), must give the engine's offsetof, sizeof and alignof for every field,
 * and the engine's bit offset and width for every bitfield. Skipped, saying so, without gcc.
 */
class GccCrossCheckTest {

    @TempDir
    Path dir;

    @Test
    void gccAgreesWithTheEngine() throws Exception {
        List<StructLayout> all = new ArrayList<>(Structs.all());
        all.addAll(AbiFixtures.all());
        int checked = compareWithGcc(all, "");
        assertTrue(checked > 500, "checked only " + checked + " fields");
    }

    /**
     * Random structs (seeded; the seed is in the failure message, and -Dkfork.layout.seed=N
     * replays one): scalars, arrays, pointers, opaque blocks, aligned members and types, named,
     * unnamed and zero-width bitfields, nested anonymous structs and unions, named members of
     * anonymous type, and flexible arrays. One compile for all of them.
     */
    @Test
    void gccAgreesOnRandomStructs() throws Exception {
        long seed = Long.getLong("kfork.layout.seed", System.nanoTime());
        System.out.println("GccCrossCheckTest: random structs from seed " + seed);
        RandomLayouts gen = new RandomLayouts(new Random(seed));
        List<StructLayout> structs = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            structs.add(gen.layout("rnd" + i));
        }
        int checked = compareWithGcc(structs, "seed " + seed + " (replay with -Dkfork.layout.seed=" + seed + "): ");
        assertTrue(checked > 300, "checked only " + checked + " fields");
    }

    private int compareWithGcc(List<StructLayout> all, String context) throws Exception {
        String gcc = System.getenv().getOrDefault("CC", "gcc");
        assumeTrue(works(gcc), "gcc cross-check skipped: no working C compiler '" + gcc
                + "' on PATH (install gcc or set CC)");
        Path src = Files.createTempFile(dir, "layouts", ".c");
        String program = CDeclarations.program(all);
        Files.writeString(src, program, StandardCharsets.UTF_8);
        Path exe = Path.of(src.toString().replace(".c", ""));
        String compiled = run(dir, gcc, "-std=gnu11", "-O0", "-w", "-o", exe.toString(), src.toString());
        assertTrue(Files.isExecutable(exe), context + "gcc failed:\n" + compiled);
        String output = run(dir, exe.toString());

        Map<String, String[]> byKey = new HashMap<>();
        for (String line : output.split("\n")) {
            if (!line.isBlank()) {
                String[] c = line.split(",");
                byKey.put(c[0] + "," + c[1], c);
            }
        }
        int checked = 0;
        List<String> mismatches = new ArrayList<>();
        for (StructLayout s : all) {
            String[] total = byKey.get(s.tag() + ",__SIZEOF__");
            assertTrue(total != null, context + "gcc printed no size for " + s.tag() + "\n" + output);
            expect(mismatches, s.tag() + " sizeof", s.size(), Long.parseLong(total[2]));
            expect(mismatches, s.tag() + " alignof", s.align(), Long.parseLong(total[3]));
            for (FlatField f : s.flatten()) {
                if (f.container()) {
                    continue;
                }
                String[] c = byKey.get(s.tag() + "," + f.path());
                assertTrue(c != null, context + "gcc printed nothing for " + s.tag() + "." + f.path());
                String where = s.tag() + "." + f.path();
                if (f.member().isBitfield()) {
                    assertEquals("bits", c[2], where);
                    expect(mismatches, where + " bit offset", f.bitOffset(), Long.parseLong(c[3]));
                    expect(mismatches, where + " width", f.member().bitWidth(), Long.parseLong(c[4]));
                } else {
                    expect(mismatches, where + " offset", f.offset(), Long.parseLong(c[2]));
                    expect(mismatches, where + " size", f.size(), Long.parseLong(c[3]));
                    expect(mismatches, where + " align", f.member().align(), Long.parseLong(c[4]));
                }
                checked++;
            }
        }
        if (!mismatches.isEmpty()) {
            StringBuilder why = new StringBuilder(context).append("gcc disagrees with the engine:\n")
                    .append(String.join("\n", mismatches.subList(0, Math.min(40, mismatches.size()))));
            why.append("\n\nfirst struct involved:\n");
            String tag = mismatches.get(0).split("[ .]")[0];
            for (StructLayout s : all) {
                if (s.tag().equals(tag)) {
                    why.append(Pahole.print(s));
                }
            }
            throw new AssertionError(why.toString());
        }
        return checked;
    }

    private static void expect(List<String> mismatches, String what, long model, long gcc) {
        if (model != gcc) {
            mismatches.add(what + ": engine " + model + ", gcc " + gcc);
        }
    }

    private boolean works(String gcc) {
        try {
            Process p = new ProcessBuilder(gcc, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + String.join(" ", cmd));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed:\n" + out);
        return out;
    }
}
