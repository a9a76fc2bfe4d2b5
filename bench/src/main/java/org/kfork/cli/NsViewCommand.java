package org.kfork.cli;

import java.io.PrintWriter;
import java.util.List;
import org.kfork.api.KernelView;
import org.kfork.api.TaskView;
import org.kfork.proc.PidNsView;
import picocli.CommandLine.Option;

/** A view of the tasks as one pid namespace sees them: the initial one, or with --ns task PID's. */
abstract class NsViewCommand extends ViewCommand {
    @Option(names = "--ns", paramLabel = "PID",
        description = "show the tasks and pids of the pid namespace of task PID (a pid of the initial namespace)")
    Integer ns;

    @Override
    void check() {
        if (ns != null) {
            checkPid("--ns", ns);
        }
    }

    @Override
    void show(KernelView view, PrintWriter out) {
        List<TaskView> tasks = view.tasks();
        long inum = ns == null ? PidNsView.initNs(tasks) : PidNsView.nsOf(tasks, ns);
        if (inum < 0) {
            throw ns == null ? new IllegalStateException("the kernel has no task") : noSuchProcess(ns);
        }
        out.print(format(PidNsView.of(tasks, inum)));
    }

    /** The text of the view. */
    abstract String format(PidNsView view);
}
