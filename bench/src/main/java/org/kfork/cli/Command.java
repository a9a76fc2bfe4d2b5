package org.kfork.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * One {@code kfork} subcommand. To add one, implement this and list it in
 * {@link KforkMain#COMMANDS}.
 */
public interface Command {
    /** Exit code for success. */
    int OK = 0;
    /** Exit code for a failure while running. */
    int FAILED = 1;
    /** Exit code for bad usage (unknown option, unknown name), as with most Unix tools. */
    int USAGE = 2;

    /**
     * The word that selects it.
     *
     * @return NAME in {@code kfork NAME ...}
     */
    String name();

    /**
     * What it does, for the command list.
     *
     * @return one line
     */
    String summary();

    /**
     * How to call it.
     *
     * @return the synopsis and options, one per line, each ending with a newline
     */
    String usage();

    /**
     * Runs the command.
     *
     * @param args the arguments after the command's name
     * @param out  where results go
     * @param err  where errors and usage go
     * @return the exit code: {@link #OK}, {@link #FAILED} or {@link #USAGE}
     */
    int run(List<String> args, PrintStream out, PrintStream err);
}
