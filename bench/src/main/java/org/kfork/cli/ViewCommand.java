package org.kfork.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.kfork.api.KernelView;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A command that prints a /proc view of a kernel: its arguments are checked first, then its
 * {@link ViewSource} opens a view (a kernel booted for it, or the one a script ran on), and
 * {@link #show} prints from that view alone, so that the same code prints any source.
 */
abstract class ViewCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    private HelpOption help;

    @Mixin
    MachineOptions machine;

    @Mixin
    ViewSource source;

    @Override
    public Integer call() {
        check();
        try (ViewSource.Opened o = source.open(machine)) {
            PrintWriter out = spec.commandLine().getOut();
            show(o.view(), out);
            out.flush();
        }
        return ExitCode.OK;
    }

    /** Checks the arguments before any kernel is opened; throws a usage error. */
    void check() {
    }

    /**
     * Prints the view.
     *
     * @throws IllegalStateException for a failure while reading (a task that does not exist): exit 1
     */
    abstract void show(KernelView view, PrintWriter out);

    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** A pid argument must name a task: 1 or more. */
    void checkPid(String what, int pid) {
        if (pid < 1) {
            throw usage(what + " must be a pid, 1 or more, not " + pid);
        }
    }

    /** The failure for a pid no task has. */
    static IllegalStateException noSuchProcess(int pid) {
        return new IllegalStateException("no such process: " + pid);
    }
}
