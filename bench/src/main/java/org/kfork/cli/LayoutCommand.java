package org.kfork.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.kfork.kernel.struct.Structs;
import org.kfork.machine.layout.CDeclarations;
import org.kfork.machine.layout.Pahole;
import org.kfork.machine.layout.StructLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kfork layout}: shows how the modeled kernel lays out a struct, pahole style, or as CSV
 * rows in the format of reference/layouts-5.12.csv.
 */
@Command(name = "layout",
    description = "Show a kernel struct's layout, pahole style: offsets, sizes, holes, padding, cache lines.",
    footer = {"", "Examples:", "  kfork layout task_struct", "  kfork layout --csv mm_struct vm_area_struct",
        "  kfork layout --list", "  kfork layout --c > kfork-types.c && gcc -g -fno-eliminate-unused-debug-types -c kfork-types.c"})
final class LayoutCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private HelpOption help;

    @Option(names = "--csv", description = "struct,field,offset,size rows, as in layouts-5.12.csv"
        + " (every struct when none is named)")
    private boolean csv;

    @Option(names = "--list", description = "the names of every declared struct")
    private boolean list;

    @Option(names = "--c", description = "C declarations under the kernel's names (every struct when none is named),"
        + " for gcc -g -fno-eliminate-unused-debug-types: the types gdb needs to read a machine image")
    private boolean c;

    @Parameters(paramLabel = "STRUCT", arity = "0..*", description = "a struct's name, e.g. task_struct")
    private List<String> names = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (list) {
            if (csv || !names.isEmpty()) {
                throw usage("--list takes no other arguments");
            }
            Structs.names().forEach(out::println);
            return ExitCode.OK;
        }
        if (csv && c) {
            throw usage("--csv and --c are exclusive");
        }
        if (names.isEmpty() && !csv && !c) {
            throw usage("no STRUCT named (--csv alone prints every struct, --list names them)");
        }
        List<StructLayout> layouts = new ArrayList<>();
        for (String n : names) {
            StructLayout s = Structs.byName(n);
            if (s == null) {
                String near = closest(n, Structs.names());
                throw usage("unknown struct '" + n + "'" + (near == null ? "" : "; did you mean " + near + "?")
                    + " ('kfork layout --list' names all " + Structs.names().size() + ")");
            }
            layouts.add(s);
        }
        if (c) {
            out.print(CDeclarations.debugTypes(layouts.isEmpty() ? Structs.all() : layouts));
        } else if (csv) {
            out.println(Pahole.CSV_HEADER);
            for (StructLayout s : layouts.isEmpty() ? Structs.all() : layouts) {
                out.print(Pahole.csv(s));
            }
        } else {
            for (int i = 0; i < layouts.size(); i++) {
                if (i > 0) {
                    out.println();
                }
                out.print(Pahole.print(layouts.get(i)));
            }
        }
        out.flush();
        return ExitCode.OK;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** The name nearest to {@code typo} by edit distance, if it is a likely slip (at most 2 edits). */
    static String closest(String typo, List<String> names) {
        String best = null;
        int bestDistance = 3;
        for (String n : names) {
            int d = editDistance(typo, n);
            if (d < bestDistance) {
                best = n;
                bestDistance = d;
            }
        }
        return best;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int subst = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(subst, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
