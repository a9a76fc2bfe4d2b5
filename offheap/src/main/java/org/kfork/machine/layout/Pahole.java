package org.kfork.machine.layout;

import java.util.ArrayList;
import java.util.List;

/**
 * A pahole-like view of a layout: every member with its offset and size, the holes, the tail
 * padding, the cache-line boundaries, and the totals. Pure formatting; no I/O.
 *
 * <p>{@link #csv(StructLayout)} gives the machine-readable form the reference CSV uses:
 * {@code struct,field,offset,size} rows, ending with {@code STRUCT,__SIZEOF__,0,SIZE}.
 *
 * <p>{@link #picture(StructLayout)} gives the table each layout class of {@code org.kfork.kernel.struct}
 * carries in its Javadoc; a test compares every registered class's copy with it, so the comment
 * cannot drift from the layout.
 */
public final class Pahole {
    /** The cache line the boundary comments mark (L1_CACHE_BYTES). */
    public static final int CACHELINE = 64;

    /** The CSV header line. */
    public static final String CSV_HEADER = "struct,field,offset,size";

    /** The frame of {@link #picture}: a rule, and the column headings. */
    private static final String PICTURE_RULE = "+-------+------+" + "-".repeat(72) + "+";
    private static final String PICTURE_HEADING = "| off   | size | " + pad("member", 71) + "|";

    private Pahole() {
    }

    /**
     * The layout as the table the struct classes carry between {@code <pre>} tags, one string per
     * line (without the Javadoc's leading {@code " * "}): a row per flattened field ({@link
     * StructLayout#flatten()}, indented two spaces per level of nesting), a double rule before the
     * first field that starts in a new cache line, and the struct's sizeof and alignof last. A
     * bitfield's offset is {@code byte.bit} and its size {@code :width}.
     */
    public static List<String> picture(StructLayout layout) {
        List<String> out = new ArrayList<>();
        out.add(PICTURE_RULE);
        out.add(PICTURE_HEADING);
        out.add(PICTURE_RULE);
        long lastLine = 0;
        for (FlatField f : layout.flatten()) {
            long line = f.offset() / CACHELINE;
            if (line > lastLine) {
                lastLine = line;
                String label = "+=======+======+ cacheline " + line + " (" + line * CACHELINE + " bytes) ";
                out.add(label + "=".repeat(Math.max(0, PICTURE_RULE.length() - 1 - label.length())) + "+");
            }
            Member m = f.member();
            String off = m.isBitfield() ? f.offset() + "." + (f.bitOffset() - f.offset() * 8) : Long.toString(f.offset());
            String size = m.isBitfield() ? ":" + m.bitWidth() : Long.toString(f.size());
            String name = "  ".repeat(f.depth()) + (f.container() ? f.path() : m.name());
            out.add(String.format("| %5s | %4s | %s %s|", off, size, pad(name, 30), pad(m.type().name(), 40)));
        }
        out.add(PICTURE_RULE);
        out.add("  sizeof " + layout.size() + ", alignof " + layout.align());
        return out;
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
