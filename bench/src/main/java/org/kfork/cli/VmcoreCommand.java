package org.kfork.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.kfork.kernel.crash.ElfCore;
import org.kfork.kernel.crash.ImageFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kfork vmcore IMAGE -o CORE}: the ELF64 core of a RAM image, for gdb and other readers of
 * kernel dumps (one PT_LOAD per run of populated pages at its kernel virtual address, and the
 * VMCOREINFO note). See docs/vmcore.md.
 */
@Command(name = "vmcore",
    description = {"Write the ELF64 core of a machine's RAM file (kfork run --ram-file): one PT_LOAD per populated",
        "range at its kernel virtual address, and a VMCOREINFO note. gdb reads it with the types of 'kfork layout --c'."},
    footer = {"", "Example:", "  kfork run --ram-file ram.img scenarios/vfork-and-exec.kfork", "  kfork vmcore ram.img -o vmcore.elf"})
final class VmcoreCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private HelpOption help;

    @Parameters(paramLabel = "IMAGE", description = "the RAM file")
    private Path image;

    @Option(names = {"-o", "--output"}, paramLabel = "CORE", required = true, description = "the ELF core to write")
    private Path output;

    @Override
    public Integer call() {
        try (ImageFile img = ImageFile.open(image)) {
            ElfCore.Written w = ElfCore.write(img, output);
            PrintWriter out = spec.commandLine().getOut();
            out.println(output + ": ELF64 core, " + w.loads() + " PT_LOAD segments holding " + w.bytesOfRam()
                + " bytes of RAM, and the VMCOREINFO note (" + w.fileBytes() + " bytes)");
            out.flush();
        }
        return ExitCode.OK;
    }
}
