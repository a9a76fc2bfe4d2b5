package org.kfork.cli;

import java.io.PrintWriter;
import org.kfork.api.KernelView;
import picocli.CommandLine.Command;

/** {@code kfork meminfo}: /proc/meminfo, as fs/proc/meminfo.c prints it. */
@Command(name = "meminfo",
    description = {"Print /proc/meminfo, as fs/proc/meminfo.c does, from the model's counters.",
        "Lines the model keeps no counter for print 0 (docs/proc.md)."},
    defaultValueProvider = RunCommand.Defaults.class)
final class MeminfoCommand extends ViewCommand {
    @Override
    void show(KernelView view, PrintWriter out) {
        out.print(view.meminfo());
    }
}
