package org.kfork.api;

import java.util.List;
import java.util.Objects;

/**
 * A named program image for the model's execve: what the ELF loader would map. The model has no
 * file system to read an ELF from, so the caller describes the mappings; execve builds the new mm
 * from them, adds a stack, and (for kfork run) the runner's scratch area.
 *
 * @param name     the image's name, which becomes the task's comm (truncated to 15 bytes)
 * @param mappings the mappings, in address order
 */
public record ExecImage(String name, List<Mapping> mappings) {
    /** One mapping of the image. */
    public record Mapping(long addr, long len, int prot, int flags, String path, long pgoff) {
        /** A mapping: {@code path} null for anonymous memory. */
        public Mapping {
            if (len <= 0) {
                throw new IllegalArgumentException("mapping length " + len);
            }
        }
    }

    /** An image. */
    public ExecImage {
        Objects.requireNonNull(name, "name");
        mappings = List.copyOf(mappings);
    }
}
