package org.kfork.cli;

import picocli.CommandLine.Option;

/** {@code -h}/{@code --help}, mixed into every {@code kfork} command: its usage, on stdout, exit 0. */
final class HelpOption {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    private boolean help;
}
