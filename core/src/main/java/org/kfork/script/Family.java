package org.kfork.script;

/** A family of symbolic names of the uapi: which names an argument accepts. */
public enum Family {
    /** CLONE_*: clone, clone3 and unshare flags ({@link org.kfork.uapi.CloneFlags}). */
    CLONE("CLONE_*"),
    /** SIG*: signal numbers ({@link org.kfork.uapi.Signals}). */
    SIGNAL("SIG*"),
    /** SIG_DFL and SIG_IGN: the handlers that are not addresses. */
    HANDLER("SIG_DFL, SIG_IGN"),
    /** SA_*: sigaction flags. */
    SA("SA_*"),
    /** MAP_*: mmap flags ({@link org.kfork.mm.Mman}). */
    MAP("MAP_*"),
    /** PROT_*: protections. */
    PROT("PROT_*"),
    /** MADV_*: madvise advice. */
    MADV("MADV_*"),
    /** W* and __W*: wait4 and waitid options ({@link org.kfork.uapi.Wait}). */
    WAIT("W*, __W*"),
    /** P_*: waitid's idtype. */
    IDTYPE("P_*"),
    /** RLIMIT_*: resources ({@link org.kfork.uapi.Resource}). */
    RLIMIT("RLIMIT_*"),
    /** RLIM_INFINITY: a limit's value. */
    RLIM("RLIM_INFINITY"),
    /** CAP_*: capabilities ({@link org.kfork.uapi.Capabilities}). */
    CAP("CAP_*");

    private final String pattern;

    Family(String pattern) {
        this.pattern = pattern;
    }

    /** How the family's names look, for error messages: {@code "CLONE_*"}. */
    public String pattern() {
        return pattern;
    }
}
