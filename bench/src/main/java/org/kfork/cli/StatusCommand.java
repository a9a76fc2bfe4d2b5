package org.kfork.cli;

import java.io.PrintWriter;
import org.kfork.api.KernelView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code kfork status PID}: /proc/PID/status, as fs/proc/array.c prints it. */
@Command(name = "status",
    description = "Print /proc/PID/status of task PID (a pid of the initial namespace), as fs/proc/array.c does.",
    defaultValueProvider = RunCommand.Defaults.class)
final class StatusCommand extends ViewCommand {
    @Parameters(paramLabel = "PID", description = "the task, by its pid in the initial pid namespace")
    int pid;

    @Override
    void check() {
        checkPid("PID", pid);
    }

    @Override
    void show(KernelView view, PrintWriter out) {
        String text = view.procStatus(pid);
        if (text == null) {
            throw noSuchProcess(pid);
        }
        out.print(text);
    }
}
