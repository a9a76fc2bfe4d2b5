package org.kfork.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kfork run [--impl offheap|heap] [--cpus N] [--ram SIZE] [--timeout SECONDS] [FILE|-]}: runs
 * a fork script (docs/scripts.md) on a freshly booted kernel and prints its transcript, one line per
 * call in strace's form. The script is read whole and parsed before the kernel boots, so a mistake
 * in it is reported before anything runs.
 *
 * <p>Exit codes: 0 the script ran (failed calls are results, not errors); 1 an expectation failed
 * (the line is named), or the kernel threw (a bug); 2 a script error (line and column) or a usage
 * error. Never a stack trace, unless KFORK_STACKTRACE is set.
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
            if (ramFile != null) {
                // The machine is not shut down: its memory, tasks and all, is what the file keeps.
                java.io.File f = ((OffHeapKernel) kernel).saveImage();
                keep = true;
                err.println(prefix + "the machine's memory is in " + f + " ('kfork inspect " + ramFile + " ps' reads it)");
                err.flush();
            }
            return r.exitCode();
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
