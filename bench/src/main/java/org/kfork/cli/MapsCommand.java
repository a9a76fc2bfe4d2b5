package org.kfork.cli;

import java.io.PrintWriter;
import org.kfork.api.KernelView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code kfork maps PID}: /proc/PID/maps, as fs/proc/task_mmu.c prints it. */
@Command(name = "maps",
    description = {"Print /proc/PID/maps of task PID (a pid of the initial namespace), as fs/proc/task_mmu.c does.",
        "A task without an mm (a zombie) has an empty map."},
    defaultValueProvider = RunCommand.Defaults.class)
final class MapsCommand extends ViewCommand {
    @Parameters(paramLabel = "PID", description = "the task, by its pid in the initial pid namespace")
    int pid;

    @Override
    void check() {
        checkPid("PID", pid);
    }

    @Override
    void show(KernelView view, PrintWriter out) {
        String text = view.procMaps(pid);
        if (text == null) {
            throw noSuchProcess(pid);
        }
        out.print(text);
    }
}
