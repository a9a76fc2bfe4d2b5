package org.kfork.cli;

import org.kfork.api.KernelView;
import picocli.CommandLine.Command;

/** {@code kfork maps PID}: /proc/PID/maps, as fs/proc/task_mmu.c prints it. */
@Command(name = "maps",
    description = {"Print /proc/PID/maps of task PID (a pid of the initial namespace), as fs/proc/task_mmu.c does.",
        "A task without an mm (a zombie) has an empty map."},
    defaultValueProvider = RunCommand.Defaults.class)
final class MapsCommand extends TaskFileCommand {
    @Override
    String read(KernelView view, int pid) {
        return view.procMaps(pid);
    }
}
