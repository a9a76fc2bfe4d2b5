package org.kfork.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code kfork} command-line tool: {@code kfork COMMAND [OPTIONS]}, started by scripts/kfork
 * ({@code java -cp bench/target/benchmarks.jar org.kfork.cli.KforkMain}; the jar's own main is
 * JMH's).
 *
 * <p>Each command is a picocli {@code @Command} class implementing {@code Callable<Integer>},
 * listed in {@code subcommands} below, with {@code @Mixin HelpOption}; commands that boot a machine mix in
 * {@link MachineOptions}, and sizes go through {@link SizeConverter}. Every command then has the
 * same conventions: {@code -h}/{@code --help} and {@code kfork help COMMAND} print its usage to
 * stdout and exit 0; a usage error prints one line naming the problem, then the usage, to stderr
 * and exits 2; a failure while running prints one line and exits 1. No stack trace reaches the
 * user unless {@code KFORK_STACKTRACE=1} is set.
 */
@Command(name = "kfork",
    description = "Looks inside the modeled Linux 5.12 kernel.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {HelpCommand.class, RunCommand.class, PsCommand.class, PstreeCommand.class, StatusCommand.class,
        MapsCommand.class, MeminfoCommand.class, SlabinfoCommand.class, LayoutCommand.class, InspectCommand.class,
        VmcoreCommand.class},
    footer = {"", "'kfork help COMMAND' shows a command's options."},
    usageHelpAutoWidth = true)
public final class KforkMain implements Callable<Integer> {
    /** Set to print the stack trace of a failure, for bug reports. */
    static final String STACKTRACE_ENV = "KFORK_STACKTRACE";

    @Spec
    private CommandSpec spec;

    @Mixin
    private HelpOption help;

    /** Entry point: runs the tool and exits with its code. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the tool without exiting.
     *
     * @param args the command and its arguments
     * @param out  where results and requested help go
     * @param err  where errors go
     * @return the exit code: 0, 1 for a failure while running, 2 for a usage error
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.in, out, err);
    }

    /**
     * Runs the tool without exiting, with {@code in} as standard input ({@code kfork run -}).
     *
     * @param args the command and its arguments
     * @param in   standard input
     * @param out  where results and requested help go
     * @param err  where errors go
     * @return the exit code
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        try {
            CommandLine cmd = commandLine(o, e);
            ((RunCommand) cmd.getSubcommands().get("run").getCommand()).stdin(in);
            return cmd.execute(args);
        } finally {
            o.flush();
            e.flush();
        }
    }

    /** The configured command line: the commands, their streams and kfork's error conventions. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return new CommandLine(new KforkMain())
            .setOut(out)
            .setErr(err)
            .setParameterExceptionHandler(KforkMain::usageError)
            .setExecutionExceptionHandler((ex, cmd, parsed) -> failure(ex, cmd));
    }

    /** {@code kfork} alone: nothing to do, so a usage error that lists the commands. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "no COMMAND given");
    }

    /**
     * Exit 2: one line naming the problem, then the usage of the command it concerns: its synopsis
     * and where its options are explained, or for {@code kfork} itself the list of commands.
     */
    private static int usageError(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        String message = ex.getMessage();
        if (ex instanceof UnmatchedArgumentException u && cmd.getParent() == null && !u.isUnknownOption()
            && !u.getUnmatched().isEmpty()) {
            message = "unknown command '" + u.getUnmatched().get(0) + "'";
        }
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + message);
        UnmatchedArgumentException.printSuggestions(ex, err);
        if (cmd.getParent() == null) {
            cmd.usage(err);
        } else {
            err.print(cmd.getHelp().fullSynopsis());
            err.println("'kfork help " + cmd.getCommandName() + "' explains the options.");
        }
        err.flush();
        return ExitCode.USAGE;
    }

    /** Exit 1: one line saying what failed. */
    private static int failure(Exception ex, CommandLine cmd) {
        PrintWriter err = cmd.getErr();
        boolean expected = ex instanceof IllegalStateException || ex instanceof IllegalArgumentException;
        String what = ex.getMessage() == null || !expected ? ex.toString() : ex.getMessage();
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + (expected ? what : "internal error: " + what));
        if (System.getenv(STACKTRACE_ENV) != null) {
            ex.printStackTrace(err);
        } else if (!expected) {
            err.println("(" + STACKTRACE_ENV + "=1 prints the stack trace)");
        }
        err.flush();
        return ExitCode.SOFTWARE;
    }
}
