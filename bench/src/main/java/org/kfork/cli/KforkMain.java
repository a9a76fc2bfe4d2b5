package org.kfork.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code kfork} command-line tool (the main class of benchmarks.jar): {@code kfork COMMAND
 * [ARGS...]}. Commands are looked up by name in {@link #COMMANDS}.
 */
public final class KforkMain {
    /** Every subcommand; add new ones here. */
    static final List<Command> COMMANDS = List.of(
            new LayoutCommand(),
            new SlabinfoCommand());

    private KforkMain() {
    }

    /**
     * Runs the tool and exits with its code.
     *
     * @param args the command and its arguments
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the tool without exiting.
     *
     * @param args the command and its arguments
     * @param out  where results go
     * @param err  where errors and usage go
     * @return the exit code: 0, or 2 for bad usage, or what the command returned
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(usage());
            return Command.USAGE;
        }
        String name = args[0];
        if (name.equals("help") || name.equals("-h") || name.equals("--help")) {
            if (args.length > 1) {
                Command c = find(args[1]);
                if (c != null) {
                    out.print(c.usage());
                    return Command.OK;
                }
            }
            out.print(usage());
            return Command.OK;
        }
        Command c = find(name);
        if (c == null) {
            err.println("kfork: unknown command '" + name + "'");
            err.print(usage());
            return Command.USAGE;
        }
        int code = c.run(Arrays.asList(args).subList(1, args.length), out, err);
        out.flush();
        return code;
    }

    /** The command with this name, or null. */
    static Command find(String name) {
        for (Command c : COMMANDS) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** The top-level usage text. */
    static String usage() {
        StringBuilder b = new StringBuilder("usage: kfork COMMAND [ARGS...]\n\ncommands:\n");
        for (Command c : COMMANDS) {
            b.append(String.format("  %-12s %s%n", c.name(), c.summary()));
        }
        b.append("\n'kfork help COMMAND' shows a command's usage.\n");
        return b.toString();
    }
}
