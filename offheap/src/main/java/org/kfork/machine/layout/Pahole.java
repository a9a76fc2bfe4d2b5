package org.kfork.machine.layout;

import java.util.List;

/**
 * A pahole-like view of a layout: every member with its offset and size, the holes, the tail
 * padding, the cache-line boundaries, and the totals. Pure formatting; no I/O.
 *
 * <p>{@link #csv(StructLayout)} gives the machine-readable form the reference CSV uses:
 * {@code struct,field,offset,size} rows, ending with {@code STRUCT,__SIZEOF__,0,SIZE}.
 */
public final class Pahole {
    /** The cache line the boundary comments mark (L1_CACHE_BYTES). */
    public static final int CACHELINE = 64;

    /** The CSV header line. */
    public static final String CSV_HEADER = "struct,field,offset,size";

    private Pahole() {
    }

    /** The pahole-style listing of {@code layout}, ending with a newline. */
    public static String print(StructLayout layout) {
        StringBuilder out = new StringBuilder();
        out.append(layout.isTypedef() ? "typedef struct" : layout.name()).append(" {\n");
        long[] lastLine = new long[] {0};
        body(out, layout, 0, 1, lastLine);
        int members = 0;
        long sumMembers = 0;
        for (Member m : layout.members()) {
            if (m.name() != null || m.isAnonymousAggregate()) {
                members++;
                sumMembers += m.isBitfield() ? 0 : m.size();
            }
        }
        long holeBytes = 0;
        for (Hole h : layout.holes()) {
            holeBytes += h.size();
        }
        long lines = (layout.size() + CACHELINE - 1) / CACHELINE;
        out.append('\n');
        out.append("\t/* size: ").append(layout.size()).append(", align: ").append(layout.align())
                .append(", cachelines: ").append(lines).append(", members: ").append(members).append(" */\n");
        if (!layout.holes().isEmpty()) {
            out.append("\t/* sum members: ").append(sumMembers).append(", holes: ").append(layout.holes().size())
                    .append(", sum holes: ").append(holeBytes).append(" */\n");
        }
        if (layout.tailPadding() > 0) {
            out.append("\t/* padding: ").append(layout.tailPadding()).append(" */\n");
        }
        long last = layout.size() % CACHELINE;
        if (layout.size() > 0) {
            out.append("\t/* last cacheline: ").append(last == 0 ? CACHELINE : last).append(" bytes */\n");
        }
        out.append(layout.isTypedef() ? "} " + layout.tag() + ";" : "};");
        if (layout.alignAttr() > 0) {
            out.setLength(out.length() - 1);
            out.append(" __attribute__((__aligned__(").append(layout.alignAttr()).append(")));");
        }
        out.append('\n');
        return out.toString();
    }

    private static void body(StringBuilder out, StructLayout scope, long base, int depth, long[] lastLine) {
        String indent = "\t".repeat(depth);
        List<Member> members = scope.members();
        int holeIndex = 0;
        List<Hole> holes = scope.holes();
        for (Member m : members) {
            if (m.isBitfield() && m.name() == null && m.bitWidth() == 0) {
                continue;
            }
            long abs = base + m.offset();
            long line = abs / CACHELINE;
            if (line > lastLine[0]) {
                lastLine[0] = line;
                out.append(indent).append("/* --- cacheline ").append(line).append(" boundary (")
                        .append(line * CACHELINE).append(" bytes)");
                if (abs % CACHELINE != 0) {
                    out.append(" was ").append(abs % CACHELINE).append(" bytes ago");
                }
                out.append(" --- */\n");
            }
            CType t = m.type();
            String attr = m.alignAttr() > 0 ? " __attribute__((__aligned__(" + m.alignAttr() + ")))" : "";
            if (t instanceof StructLayout s && s.isAnonymous()) {
                out.append(indent).append(s.kind().keyword()).append(" {\n");
                body(out, s, abs, depth + 1, lastLine);
                String close = "}" + (m.name() == null ? "" : " " + m.name()) + attr + ";";
                out.append(indent).append(pad(close, 49 - 8 * (depth - 1))).append(comment(abs, m.size())).append('\n');
            } else {
                String typeName = t.name();
                String suffix = "";
                CType r = t;
                while (r instanceof ArrayType a) {
                    suffix = suffix + (a.flexible() ? "[]" : "[" + a.length() + "]");
                    r = a.element();
                }
                if (r != t) {
                    typeName = r.name();
                }
                String decl = (m.name() == null ? "" : m.name()) + suffix
                        + (m.isBitfield() ? ":" + m.bitWidth() : "") + attr + ";";
                String text = pad(pad(typeName, 26 - 8 * (depth - 1)) + " " + decl, 48 - 8 * (depth - 1));
                String cmt;
                if (m.isBitfield()) {
                    long unit = m.size();
                    long absBit = base * 8 + m.bitOffset();
                    long unitOff = absBit / (unit * 8) * unit;
                    cmt = String.format("/* %5d:%2d %4d */", unitOff, absBit - unitOff * 8, unit);
                } else {
                    cmt = comment(abs, m.size());
                }
                out.append(indent).append(text).append(' ').append(cmt).append('\n');
            }
            while (holeIndex < holes.size() && holes.get(holeIndex).after() == m) {
                out.append('\n').append(indent).append("/* XXX ").append(holes.get(holeIndex).size())
                        .append(holes.get(holeIndex).size() == 1 ? " byte" : " bytes").append(" hole, try to pack */\n\n");
                holeIndex++;
            }
        }
        if (depth > 1 && scope.tailPadding() > 0 && scope.kind() == StructLayout.Kind.STRUCT) {
            out.append(indent).append("/* XXX ").append(scope.tailPadding()).append(" bytes tail padding */\n");
        }
    }

    private static String comment(long offset, long size) {
        return String.format("/* %5d %5d */", offset, size);
    }

    private static String pad(String s, int width) {
        if (s.length() >= width) {
            return s;
        }
        return s + " ".repeat(width - s.length());
    }

    /**
     * The reference CSV rows for {@code layout} (no header): one per named field, plus container
     * rows for anonymous structs/unions, then {@code TAG,__SIZEOF__,0,SIZE}. A bitfield's row has
     * the byte that holds its first bit and an empty size, as in the reference.
     */
    public static String csv(StructLayout layout) {
        StringBuilder out = new StringBuilder();
        String tag = layout.tag();
        for (FlatField f : layout.flatten()) {
            out.append(tag).append(',').append(f.path()).append(',').append(f.offset()).append(',');
            if (!f.member().isBitfield()) {
                out.append(f.size());
            }
            out.append('\n');
        }
        out.append(tag).append(",__SIZEOF__,0,").append(layout.size()).append('\n');
        return out.toString();
    }
}
