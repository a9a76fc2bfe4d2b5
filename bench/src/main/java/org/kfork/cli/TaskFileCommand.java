package org.kfork.cli;

import java.io.PrintWriter;
import org.kfork.api.KernelView;
import picocli.CommandLine.Parameters;

/** A file of /proc/PID: the task by its pid in the initial namespace; a pid no task has exits 1. */
abstract class TaskFileCommand extends ViewCommand {
    @Parameters(paramLabel = "PID", description = "the task, by its pid in the initial pid namespace")
    int pid;

    @Override
    void check() {
        checkPid("PID", pid);
    }

    @Override
    void show(KernelView view, PrintWriter out) {
        String text = read(view, pid);
        if (text == null) {
            throw noSuchProcess(pid);
        }
        out.print(text);
    }

    /** The file's text, or null when no task has that pid. */
    abstract String read(KernelView view, int pid);
}
