package org.kfork.cli;

import java.util.List;
import org.kfork.api.Kernel;
import org.kfork.api.KernelConfig;
import org.kfork.api.KernelView;
import org.kfork.api.Kernels;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Where a view command ({@code ps}, {@code status}, {@code meminfo}...) reads its kernel from:
 * mixed into {@link ViewCommand}, whose {@link #open} yields a {@link KernelView}. Today that is
 * a live kernel, booted on the default machine with init only ({@code --impl}, and the machine
 * options), or the machine a {@code kfork run --then} script ran on ({@link #given}). A machine
 * image is another source of views: its option belongs here, and its reader returns its view from
 * {@link #open}, so that every command prints an image with the code that prints a live kernel.
 */
public final class ViewSource {
    /** Where a bad value is reported: the command this is mixed into. */
    @Spec(Spec.Target.MIXEE)
    private CommandSpec mixee;

    @Option(names = "--impl", paramLabel = "NAME", defaultValue = "offheap",
        description = "the kernel to boot: offheap or heap (default: ${DEFAULT-VALUE})")
    private String impl;

    /** A kernel that is already running (kfork run --then), read instead of booting one. */
    private KernelView given;

    /** The options of this source that choose a kernel to boot (run --then refuses them). */
    static final List<String> BOOT_OPTIONS = List.of("--impl", "--ram", "--cpus");

    /** Reads {@code view} instead of booting a kernel. */
    void given(KernelView view) {
        this.given = view;
    }

    /** An open view, and what to close once it has been read (nothing for a given one). */
    record Opened(KernelView view, Kernel owned) implements AutoCloseable {
        @Override
        public void close() {
            if (owned != null) {
                owned.close();
            }
        }
    }

    /** The view: the given kernel, or one booted on {@code machine} with init only. */
    Opened open(MachineOptions machine) {
        if (given != null) {
            return new Opened(given, null);
        }
        List<String> present = Kernels.names();
        if (!present.contains(impl)) {
            throw new ParameterException(mixee.commandLine(), "--impl " + impl
                + ": no kernel of that name on the class path"
                + (present.isEmpty() ? " (none is)" : "; present: " + String.join(", ", present)));
        }
        Kernel k;
        try {
            k = Kernels.boot(impl, KernelConfig.DEFAULT.withRam(machine.ramBytes()).withCpus(machine.nrCpus()));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw machine.tooSmall(e);
        }
        return new Opened(k, k);
    }
}
