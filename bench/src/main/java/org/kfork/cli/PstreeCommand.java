package org.kfork.cli;

import org.kfork.proc.PidNsView;
import org.kfork.proc.Pstree;
import picocli.CommandLine.Command;

/** {@code kfork pstree [--ns PID]}: the process tree, as {@code pstree -pnA} draws it. */
@Command(name = "pstree",
    description = {"Draw the process tree, as pstree -pnA does: comm(pid), threads as {comm}(tid), children in pid order.",
        "Pids are those of the initial pid namespace, or with --ns of the namespace task PID is in."},
    defaultValueProvider = RunCommand.Defaults.class)
final class PstreeCommand extends NsViewCommand {
    @Override
    String format(PidNsView view) {
        return Pstree.format(view);
    }
}
