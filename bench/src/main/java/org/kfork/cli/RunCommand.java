package org.kfork.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.kfork.api.Kernel;
import org.kfork.api.Kernels;
import org.kfork.kernel.OffHeapKernel;
import org.kfork.machine.Mem;
import org.kfork.script.RunResult;
import org.kfork.script.Script;
import org.kfork.script.ScriptError;
import org.kfork.script.ScriptParser;
import org.kfork.script.ScriptRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code kfork run [--impl offheap|heap] [--cpus N] [--ram SIZE] [--timeout SECONDS] [--then COMMANDS]
 * [FILE|-]}: runs a fork script (docs/scripts.md) on a freshly booted kernel and prints its
 * transcript, one line per call in strace's form; then the view commands of {@code --then}, on the
 * same kernel. The script is read whole and parsed, and the view commands checked, before the
 * kernel boots, so a mistake in either is reported before anything runs.
 *
 * <p>Exit codes: 0 the script ran (failed calls are results, not errors); 1 an expectation failed
 * (the line is named), or the kernel threw (a bug); 2 a script error (line and column) or a usage
 * error; otherwise 1 when a view command failed (a pid no task has). Never a stack trace, unless
 * KFORK_STACKTRACE is set.
 */
@Command(name = "run",
    description = {"Run a fork script on a kernel and print its transcript, one line per call, as strace would.",
        "The machine is fixed (2 CPUs and 1 GiB unless told otherwise), so every result is the same on every host.",
        "Exit: 0 ran, 1 an expectation failed, 2 a script error (FILE:LINE:COLUMN). See docs/scripts.md."},
    defaultValueProvider = RunCommand.Defaults.class)
public final class RunCommand implements Callable<Integer> {
    /** The machine of {@code kfork run} is 1 GiB unless told otherwise (the other commands' default is 256m). */
    static final class Defaults implements IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec arg) {
            return arg instanceof OptionSpec o && o.longestName().equals("--ram") ? "1g" : null;
        }
    }

    @Spec
    private CommandSpec spec;

    @Mixin
    private HelpOption help;

    @Mixin
    private MachineOptions machine;

    @Option(names = "--impl", paramLabel = "NAME", defaultValue = "offheap",
        description = "the kernel: offheap or heap (default: ${DEFAULT-VALUE})")
    private String impl;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5",
        description = "how long a call may take before the run stops with a script error (default: ${DEFAULT-VALUE})")
    private double timeoutSeconds;

    @Option(names = "--ram-file", paramLabel = "IMAGE",
        description = "keep the machine's RAM in file IMAGE (sparse), and leave it there at the end of the script,"
            + " with the kernel still up: 'kfork inspect IMAGE ps' reads it, 'kfork vmcore IMAGE -o CORE' makes an ELF core"
            + " (offheap only; see docs/vmcore.md)")
    private Path ramFile;

    @Option(names = "--then", paramLabel = "COMMANDS",
        description = {"view commands to run on the machine once the script has run, split on ';' (e.g. \"ps; maps 2\"):",
            "ps, pstree, status, maps, meminfo, slabinfo, layout; each is printed after the transcript, under a line",
            "'==> COMMAND <=='"})
    private List<String> then = new ArrayList<>();

    @Parameters(paramLabel = "FILE", arity = "0..1", defaultValue = "-",
        description = "the script; - or nothing reads standard input")
    private String file;

    /** Where {@code -} reads from: standard input, unless a test says otherwise. */
    private InputStream stdin = System.in;

    void stdin(InputStream in) {
        this.stdin = in;
    }

    @Override
    public Integer call() {
        if (!(timeoutSeconds > 0) || timeoutSeconds > 86_400) {
            throw usage("--timeout must be more than 0 and at most 86400 seconds, not " + timeoutSeconds);
        }
        List<List<String>> views = thenCommands();
        String source = file.equals("-") ? "<stdin>" : file;
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String prefix = spec.qualifiedName() + ": ";
        Script script;
        try {
            script = ScriptParser.parse(source, read());
        } catch (ScriptError e) {
            err.println(prefix + e.describe(source));
            return RunResult.Status.SCRIPT_ERROR.exitCode();
        }
        List<String> present = Kernels.names();
        if (!present.contains(impl)) {
            throw usage("--impl " + impl + ": no kernel of that name on the class path"
                + (present.isEmpty() ? " (none is)" : "; present: " + String.join(", ", present)));
        }
        if (ramFile != null) {
            useRamFile();
        }
        Kernel kernel = Kernels.boot(impl, ScriptRunner.config(machine.ramBytes(), machine.nrCpus()));
        boolean keep = false;
        try {
            if (ramFile != null) {
                checkRamFile();
            }
            ScriptRunner runner = new ScriptRunner(kernel, line -> {
                out.println(line);
                out.flush();
            }, Duration.ofNanos((long) (timeoutSeconds * 1e9)));
            RunResult r = runner.run(script);
            out.flush();
            if (r.status() != RunResult.Status.RAN) {
                err.println(prefix + r.describe(source));
                if (r.cause() != null && System.getenv(KforkMain.STACKTRACE_ENV) != null) {
                    r.cause().printStackTrace(err);
                }
                err.flush();
            }
            int code = r.exitCode();
            for (List<String> words : views) {
                out.println("==> " + String.join(" ", words) + " <==");
                out.flush();
                int viewCode = view(kernel, words, out, err);
                code = code == 0 ? viewCode : code;
            }
            if (ramFile != null) {
                // The machine is not shut down: its memory, tasks and all, is what the file keeps.
                java.io.File f = ((OffHeapKernel) kernel).saveImage();
                keep = true;
                err.println(prefix + "the machine's memory is in " + f + " ('kfork inspect " + ramFile + " ps' reads it)");
                err.flush();
            }
            return code;
        } finally {
            if (!keep) {
                kernel.close();
            }
        }
    }

    /**
     * Asks for the RAM file before the RAM region is made: the memory facade maps it in its static
     * initialisation, which no command before this one has run in the launcher's JVM.
     */
    private void useRamFile() {
        if (!impl.equals("offheap")) {
            throw usage("--ram-file: only the offheap kernel keeps its memory in RAM (not --impl " + impl + ")");
        }
        String asked = System.getProperty("kfork.ram.file");
        if (asked == null || asked.isEmpty()) {
            System.setProperty("kfork.ram.file", ramFile.toString());
        }
    }

    private void checkRamFile() {
        java.io.File inUse = Mem.ramFile();
        if (inUse == null || !inUse.equals(ramFile.toFile().getAbsoluteFile())) {
            throw new IllegalStateException("--ram-file " + ramFile + ": this JVM's RAM region was made before the option"
                + " was read (" + (inUse == null ? "anonymous memory" : "in " + inUse) + "); start the JVM with -Dkfork.ram.file="
                + ramFile);
        }
    }

    /** The commands {@code --then} may run: those that print a view of a kernel (and layout). */
    static final List<String> VIEW_COMMANDS = List.of("ps", "pstree", "status", "maps", "meminfo", "slabinfo", "layout");

    /**
     * The --then commands, each as its words, checked before the kernel boots: each must be a view
     * command with arguments it accepts, and none may choose a kernel to boot (it reads the run's).
     */
    private List<List<String>> thenCommands() {
        List<List<String>> out = new ArrayList<>();
        for (String t : then) {
            for (String piece : t.split(";", -1)) {
                String trimmed = piece.trim();
                if (trimmed.isEmpty()) {
                    continue;
                }
                List<String> words = List.of(trimmed.split("\\s+"));
                if (!VIEW_COMMANDS.contains(words.get(0))) {
                    throw usage("--then '" + trimmed + "': " + words.get(0) + " is not a view command; one of "
                        + String.join(", ", VIEW_COMMANDS));
                }
                CommandLine check = new CommandLine(new KforkMain());
                ParseResult parsed;
                try {
                    parsed = check.parseArgs(words.toArray(new String[0])).subcommand();
                } catch (ParameterException e) {
                    throw usage("--then '" + trimmed + "': " + e.getMessage());
                }
                for (String o : ViewSource.BOOT_OPTIONS) {
                    if (parsed.hasMatchedOption(o)) {
                        throw usage("--then '" + trimmed + "': " + o + " chooses a kernel to boot; the views after a"
                            + " run read the run's kernel (give " + o + " to run itself)");
                    }
                }
                if (parsed.hasMatchedOption("--demo")) {
                    throw usage("--then '" + trimmed + "': --demo boots a machine of its own; after a run, slabinfo"
                        + " shows the run's kernel");
                }
                out.add(words);
            }
        }
        return out;
    }

    /** Runs one --then command on {@code kernel}, with kfork's conventions: its exit code. */
    private static int view(Kernel kernel, List<String> words, PrintWriter out, PrintWriter err) {
        CommandLine cmd = KforkMain.commandLine(out, err);
        Object command = cmd.getSubcommands().get(words.get(0)).getCommand();
        if (command instanceof ViewCommand v) {
            v.source.given(kernel);
        }
        return cmd.execute(words.toArray(new String[0]));
    }

    private String read() {
        try {
            if (file.equals("-")) {
                return new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
            }
            return Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw usage("no such file: " + file);
        } catch (IOException e) {
            throw usage("cannot read " + file + ": " + e.getMessage());
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
