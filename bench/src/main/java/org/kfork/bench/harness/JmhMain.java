package org.kfork.bench.harness;

import org.openjdk.jmh.runner.Defaults;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.ProfilersFailedException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The main class of benchmarks.jar: JMH's own command line, so that
 * {@code java -jar bench/target/benchmarks.jar NAME -prof gc} works as in any JMH project, with
 * every JMH option ({@code -l}, {@code -lp}, {@code -p}, {@code -prof}, {@code -rf},
 * {@code -jvmArgs}, {@code -jvm}...). It does what {@code org.openjdk.jmh.Main} does, with the
 * same output and exit statuses, and gives every fork kfork's flags for the JDK that fork runs on
 * ({@link BenchSupport#withForkFlags}), ahead of the user's own JVM arguments.
 *
 * <p>The JVM this runs in needs Agrona's export only for {@code -f 0} (benchmarks in this JVM);
 * {@code java -jar} gives it, from the jar's manifest.
 */
public final class JmhMain {
    private JmhMain() {
    }

    /**
     * Runs JMH's command line and exits with a non-zero status on failure, as JMH's Main does.
     *
     * @param args JMH's options and benchmark regexes ({@code -h} lists the options)
     */
    public static void main(String[] args) {
        int status = run(args, null);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Runs JMH's command line.
     *
     * @param args           JMH's options and benchmark regexes
     * @param defaultInclude the benchmarks to run when {@code args} names none; null for all
     * @return 0, or 1 when the command line was bad, nothing matched, a profiler or a run failed
     */
    public static int run(String[] args, String defaultInclude) {
        CommandLineOptions cli;
        try {
            cli = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            System.err.println("Error parsing command line:");
            System.err.println(" " + e.getMessage());
            return 1;
        }
        ChainedOptionsBuilder options = BenchSupport.withForkFlags(cli);
        if (defaultInclude != null && cli.getIncludes().isEmpty()) {
            options.include(defaultInclude);
        }
        Runner runner = new Runner(options.build());
        try {
            if (cli.shouldHelp()) {
                cli.showHelp();
                return 0;
            }
            if (cli.shouldList()) {
                runner.list();
                return 0;
            }
            if (cli.shouldListWithParams()) {
                runner.listWithParams(cli);
                return 0;
            }
            if (cli.shouldListProfilers()) {
                cli.listProfilers();
                return 0;
            }
            if (cli.shouldListResultFormats()) {
                cli.listResultFormats();
                return 0;
            }
            runner.run();
            return 0;
        } catch (NoBenchmarksException e) {
            System.err.println("No matching benchmarks. Miss-spelled regexp?");
            if (cli.verbosity().orElse(Defaults.VERBOSITY) != VerboseMode.EXTRA) {
                System.err.println("Use " + VerboseMode.EXTRA + " verbose mode to debug the pattern matching.");
            } else {
                runner.list();
            }
            return 1;
        } catch (ProfilersFailedException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                System.err.println(t.getMessage());
                for (Throwable s : t.getSuppressed()) {
                    System.err.println(s.getMessage());
                }
            }
            return 1;
        } catch (RunnerException e) {
            System.err.print("ERROR: ");
            e.printStackTrace(System.err);
            return 1;
        } catch (java.io.IOException e) {
            System.err.println("ERROR: " + e);
            return 1;
        }
    }
}
