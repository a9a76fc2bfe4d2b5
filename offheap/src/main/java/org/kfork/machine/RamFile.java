package org.kfork.machine;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import net.openhft.chronicle.bytes.MappedBytesStore;
import net.openhft.chronicle.bytes.MappedFile;
import net.openhft.chronicle.core.io.ReferenceOwner;

/**
 * File-backed RAM: with {@code -Dkfork.ram.file=F} the JVM's RAM region is the shared, sparse
 * memory mapping of file F made by Chronicle Bytes ({@link MappedFile}), so that the machine's
 * memory outlives the JVM as a raw image (physical offset {@code p} of the region is byte {@code p}
 * of the file; see docs/vmcore.md). The OS writes only touched pages to disk.
 *
 * <p>This class is loaded only when the property is set, so the JVMs that do not ask for a RAM file
 * never load Chronicle Bytes. The mapping is made once, in {@link Mem}'s static initialisation, and
 * held for the life of the JVM: {@link Mem}'s translation stays one add of a constant either way.
 */
final class RamFile {
    /** The system property that names the file. */
    static final String PROPERTY = "kfork.ram.file";

    /** Held so that the mapping lives as long as the JVM. */
    private static MappedFile mapped;
    private static MappedBytesStore store;
    private static File file;

    private RamFile() {
    }

    /**
     * Maps {@code path}, emptied first and sized {@code bytes} (sparse), and returns the host
     * address of its first byte (page aligned, as every mapping is).
     */
    static synchronized long map(String path, long bytes) {
        if (mapped != null) {
            throw new IllegalStateException("the RAM file is mapped already: " + file);
        }
        final File f = new File(path).getAbsoluteFile();
        try {
            // A fresh run starts from an empty (all-holes) file, so that stale pages of an older image
            // never show through, and the image's populated pages are those this run touched.
            try (RandomAccessFile raf = new RandomAccessFile(f, "rw")) {
                raf.setLength(0);
                raf.setLength(bytes);
            }
            mapped = MappedFile.ofSingle(f, bytes, false);
            store = mapped.acquireByteStore(ReferenceOwner.INIT, 0);
            file = f;
            final long host = store.addressForWrite(0);
            if ((host & (Abi.PAGE_SIZE - 1)) != 0) {
                throw new IllegalStateException("the mapping of " + f + " is not page aligned: 0x" + Long.toHexString(host));
            }
            return host;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map the RAM file " + f + " (-D" + PROPERTY + ")", e);
        }
    }

    /** The mapped file, or null when RAM is anonymous memory. */
    static synchronized File file() {
        return file;
    }

    /** msync: writes every dirty page of the mapping to the file. */
    static synchronized void sync() {
        if (store != null) {
            store.syncUpTo(store.safeLimit());
        }
    }
}
