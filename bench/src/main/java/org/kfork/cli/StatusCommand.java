package org.kfork.cli;

import org.kfork.api.KernelView;
import picocli.CommandLine.Command;

/** {@code kfork status PID}: /proc/PID/status, as fs/proc/array.c prints it. */
@Command(name = "status",
    description = "Print /proc/PID/status of task PID (a pid of the initial namespace), as fs/proc/array.c does.",
    defaultValueProvider = RunCommand.Defaults.class)
final class StatusCommand extends TaskFileCommand {
    @Override
    String read(KernelView view, int pid) {
        return view.procStatus(pid);
    }
}
