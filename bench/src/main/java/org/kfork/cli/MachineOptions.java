package org.kfork.cli;

import org.kfork.machine.Abi;
import org.kfork.machine.Machine;
import org.kfork.machine.Ram;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The modeled machine a {@code kfork} command boots, with the same options, defaults and checks
 * in every command that takes one: {@code @Mixin MachineOptions machine;} then
 * {@link #boot()}.
 */
public final class MachineOptions {
    /** Where a bad value is reported: the command this is mixed into. */
    @Spec(Spec.Target.MIXEE)
    private CommandSpec mixee;

    private long ramBytes;
    private int nrCpus;

    /**
     * --ram SIZE. The whole machine must fit the JVM's RAM region ({@link Ram#CAPACITY}), which
     * is address space reserved once per JVM; past it the machine cannot be created at all.
     */
    @Option(names = "--ram", paramLabel = "SIZE", defaultValue = "256m", converter = SizeConverter.class,
        description = {"the machine's RAM, e.g. 64m or 1g (default: ${DEFAULT-VALUE}); at most the JVM's RAM region:",
            "4g of address space unless -Dkfork.ram.capacity=SIZE says otherwise"})
    void ram(long bytes) {
        if (bytes < Abi.PAGE_SIZE) {
            throw new ParameterException(mixee.commandLine(),
                "--ram " + SizeConverter.format(bytes) + " is less than one page (" + Abi.PAGE_SIZE + " bytes)");
        }
        if (bytes > Ram.CAPACITY) {
            String set = System.getProperty("kfork.ram.capacity");
            throw new ParameterException(mixee.commandLine(), "--ram " + SizeConverter.format(bytes)
                + " does not fit this JVM's RAM region: " + SizeConverter.format(Ram.CAPACITY) + " of address space"
                + (set == null ? " by default" : " (-Dkfork.ram.capacity=" + set + ")")
                + "; -Dkfork.ram.capacity=SIZE sets it (with scripts/kfork: JAVA_OPTS=-Dkfork.ram.capacity="
                + SizeConverter.asArgument(Abi.alignUp(bytes, Ram.WINDOW_ALIGN)) + " scripts/kfork ...)");
        }
        ramBytes = bytes;
    }

    /** --cpus N. */
    @Option(names = "--cpus", paramLabel = "N", defaultValue = "2",
        description = "modeled CPUs, 1 to " + Abi.NR_CPUS + " (default: ${DEFAULT-VALUE})")
    void cpus(int n) {
        if (n < 1 || n > Abi.NR_CPUS) {
            throw new ParameterException(mixee.commandLine(), "--cpus must be 1 to " + Abi.NR_CPUS + ", not " + n);
        }
        nrCpus = n;
    }

    /** The RAM asked for, in bytes. */
    public long ramBytes() {
        return ramBytes;
    }

    /** The CPUs asked for. */
    public int nrCpus() {
        return nrCpus;
    }

    /** Creates the machine (its RAM and CPUs were checked when the options were parsed). */
    public Machine boot() {
        return Machine.builder().ram(ramBytes).cpus(nrCpus).build();
    }

    /**
     * A failure to boot a subsystem (per-CPU areas, fork_init's caches) in this machine's RAM,
     * said with the RAM and the way out.
     */
    public IllegalStateException tooSmall(RuntimeException cause) {
        return new IllegalStateException("the machine could not boot in " + SizeConverter.format(ramBytes)
            + " of RAM (" + cause.getMessage() + "); a larger --ram gives it room", cause);
    }
}
