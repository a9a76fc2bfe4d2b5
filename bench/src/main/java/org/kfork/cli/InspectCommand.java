package org.kfork.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.kfork.api.TaskView;
import org.kfork.kernel.crash.ImageFile;
import org.kfork.kernel.crash.ImageView;
import org.kfork.proc.PidNsView;
import org.kfork.proc.Pstree;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kfork inspect IMAGE VIEW [ARGS]}: reads a machine image (a RAM file or an ELF core)
 * read-only, from its bytes and VMCOREINFO alone, and prints a /proc view of it or one struct.
 * Exit: 0 printed; 1 the image cannot be read as asked (the message names the address); 2 a usage
 * error.
 */
@Command(name = "inspect",
    description = {"Read a machine image (kfork run --ram-file, or kfork vmcore's ELF core) without re-running it.",
        "VIEW is one of: ps | pstree | status PID | maps PID | slabinfo | meminfo | vmcoreinfo | struct TYPE ADDR"},
    footer = {"", "Examples:", "  kfork inspect ram.img ps", "  kfork inspect vmcore.elf maps 1",
        "  kfork inspect ram.img struct task_struct ffff888000412000"})
final class InspectCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private HelpOption help;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "the RAM file or ELF core")
    private Path image;

    @Parameters(index = "1", paramLabel = "VIEW", description = "ps, pstree, status, maps, slabinfo, meminfo, vmcoreinfo or struct")
    private String view;

    @Parameters(index = "2..*", paramLabel = "ARG", description = "PID for status and maps; TYPE ADDR for struct")
    private List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        int want = switch (view) {
            case "ps", "pstree", "slabinfo", "meminfo", "vmcoreinfo" -> 0;
            case "status", "maps" -> 1;
            case "struct" -> 2;
            default -> throw usage("unknown VIEW '" + view + "' (ps, pstree, status PID, maps PID, slabinfo, meminfo,"
                + " vmcoreinfo, struct TYPE ADDR)");
        };
        if (args.size() != want) {
            throw usage(view + " takes " + (want == 0 ? "no argument" : want == 1 ? "a PID" : "TYPE ADDR"));
        }
        PrintWriter out = spec.commandLine().getOut();
        try (ImageFile img = ImageFile.open(image)) {
            ImageView v = new ImageView(img);
            switch (view) {
                case "ps" -> out.print(ps(v.tasksByAddress()));
                case "pstree" -> out.print(Pstree.format(PidNsView.of(v.tasks(), PidNsView.initNs(v.tasks()))));
                case "slabinfo" -> out.print(v.slabinfo());
                case "meminfo" -> out.print(v.meminfo());
                case "vmcoreinfo" -> out.print(img.vmcoreinfo());
                case "status", "maps" -> {
                    int pid = pid(args.get(0));
                    String text = view.equals("status") ? v.procStatus(pid) : v.procMaps(pid);
                    if (text == null) {
                        throw new IllegalStateException(image + ": no task " + pid + " in the image");
                    }
                    out.print(text);
                }
                default -> out.print(v.struct(args.get(0), address(args.get(1))));
            }
        }
        out.flush();
        return ExitCode.OK;
    }

    /** ps -eL, with crash's TASK column: each task's struct address, its process, its own pid, its parent, state, name. */
    static String ps(Map<Long, TaskView> tasks) {
        StringBuilder sb = new StringBuilder(String.format("%7s %7s %7s S %5s %7s %-16s %s%n", "PID", "LWP", "PPID", "NSLVL",
            "NSPID", "TASK", "COMMAND"));
        tasks.forEach((addr, t) -> sb.append(String.format("%7d %7d %7d %c %5d %7d %016x %s%n", t.tgid(), t.pid(), t.ppid(),
            t.state(), t.nsLevel(), t.nsPid(), addr, t.comm())));
        return sb.toString();
    }

    private int pid(String s) {
        try {
            int pid = Integer.parseInt(s);
            if (pid > 0) {
                return pid;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw usage("PID must be a positive number, not '" + s + "'");
    }

    private long address(String s) {
        String hex = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
        try {
            return Long.parseUnsignedLong(hex, 16);
        } catch (NumberFormatException e) {
            throw usage("ADDR must be a hexadecimal address such as ffff888000412000, not '" + s + "'");
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
