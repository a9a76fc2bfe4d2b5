package org.kfork.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.kfork.kernel.struct.Structs;
import org.kfork.machine.layout.Pahole;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code kfork layout}: shows how the modeled kernel lays out a struct, pahole style, or as CSV
 * rows in the format of reference/layouts-5.12.csv.
 */
final class LayoutCommand implements Command {
    @Override
    public String name() {
        return "layout";
    }

    @Override
    public String summary() {
        return "show a kernel struct's layout (offsets, sizes, holes, cache lines)";
    }

    @Override
    public String usage() {
        return "usage: kfork layout STRUCT...          pahole-like view of each STRUCT\n"
                + "       kfork layout --csv [STRUCT...]  struct,field,offset,size rows (every struct if none named)\n"
                + "       kfork layout --list             the names of every declared struct\n";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        boolean csv = false;
        boolean list = false;
        List<String> names = new ArrayList<>();
        for (String a : args) {
            switch (a) {
                case "--csv" -> csv = true;
                case "--list" -> list = true;
                case "-h", "--help" -> {
                    out.print(usage());
                    return OK;
                }
                default -> {
                    if (a.startsWith("-")) {
                        err.println("kfork layout: unknown option '" + a + "'");
                        err.print(usage());
                        return USAGE;
                    }
                    names.add(a);
                }
            }
        }
        if (list) {
            if (csv || !names.isEmpty()) {
                err.println("kfork layout: --list takes no other arguments");
                err.print(usage());
                return USAGE;
            }
            for (String n : Structs.names()) {
                out.println(n);
            }
            return OK;
        }
        if (names.isEmpty() && !csv) {
            err.print(usage());
            return USAGE;
        }
        List<StructLayout> layouts = new ArrayList<>();
        for (String n : names) {
            StructLayout s = Structs.byName(n);
            if (s == null) {
                err.println("kfork layout: unknown struct '" + n + "'. Known structs:");
                err.println("  " + String.join(" ", Structs.names()));
                return USAGE;
            }
            layouts.add(s);
        }
        if (csv) {
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
        return OK;
    }
}
