package org.kfork.machine.layout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A struct or union laid out by the engine ({@link LayoutBuilder}): immutable, and itself a
 * {@link CType} so that it can be a member of another layout.
 *
 * <p>It knows its members with their offsets, its holes and tail padding, its size and alignment,
 * and finds members by (dotted) name: {@code offsetOf("shared.rb")}. Members of anonymous structs
 * and unions are found under their own names, as in C.
 */
public final class StructLayout implements CType {
    /** Whether the layout is a struct (members in sequence) or a union (members overlap). */
    public enum Kind {
        /** Members placed one after another. */
        STRUCT,
        /** Members all at offset 0. */
        UNION;

        /** The C keyword. */
        public String keyword() {
            return this == STRUCT ? "struct" : "union";
        }
    }

    private final String tag;
    private final boolean typedef;
    private final Kind kind;
    private final List<Member> members;
    private final long size;
    private final int align;
    private final int alignAttr;
    private final List<Hole> holes;
    private final long tailPadding;

    StructLayout(String tag, boolean typedef, Kind kind, List<Member> members, long size, int align, int alignAttr) {
        this.tag = tag;
        this.typedef = typedef;
        this.kind = kind;
        this.members = Collections.unmodifiableList(new ArrayList<>(members));
        this.size = size;
        this.align = align;
        this.alignAttr = alignAttr;
        List<Hole> found = new ArrayList<>();
        long end = 0;
        Member last = null;
        if (kind == Kind.STRUCT) {
            for (Member m : members) {
                if (m.isBitfield() && m.name() == null && m.bitWidth() == 0) {
                    continue; // `T :0` occupies nothing; the hole it forces shows before the next member
                }
                if (m.offset() > end && last != null) {
                    found.add(new Hole(end, m.offset() - end, last));
                }
                end = Math.max(end, m.end());
                last = m;
            }
        } else {
            for (Member m : members) {
                end = Math.max(end, m.end());
            }
        }
        this.holes = Collections.unmodifiableList(found);
        this.tailPadding = size - end;
    }

    /** The struct tag ({@code vm_area_struct}), a typedef name ({@code mm_context_t}), or null if anonymous. */
    public String tag() {
        return tag;
    }

    /** True for an anonymous struct or union. */
    public boolean isAnonymous() {
        return tag == null;
    }

    /** True when the layout is named by a typedef of an anonymous struct ({@code mm_context_t}). */
    public boolean isTypedef() {
        return typedef;
    }

    /** STRUCT or UNION. */
    public Kind kind() {
        return kind;
    }

    @Override
    public String name() {
        if (tag == null) {
            return kind.keyword() + " {anon}";
        }
        return typedef ? tag : kind.keyword() + " " + tag;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int align() {
        return align;
    }

    /** The explicit {@code __aligned(n)} on the type, or 0. */
    public int alignAttr() {
        return alignAttr;
    }

    /** The members in declaration order (anonymous aggregates and unnamed bitfields included). */
    public List<Member> members() {
        return members;
    }

    /** The holes between top-level members, in offset order (none in a union). */
    public List<Hole> holes() {
        return holes;
    }

    /** Bytes after the last member up to sizeof. */
    public long tailPadding() {
        return tailPadding;
    }

    /**
     * Finds a member by a dotted path, looking through anonymous structs and unions.
     *
     * @throws IllegalArgumentException naming the struct and the path when there is no such member
     */
    public FieldRef field(String path) {
        FieldRef ref = find(path);
        if (ref == null) {
            throw new IllegalArgumentException(name() + " has no member " + path);
        }
        return ref;
    }

    /** Finds a member by a dotted path, or returns null. */
    public FieldRef find(String path) {
        StructLayout scope = this;
        long base = 0;
        Member found = null;
        String[] parts = path.split("\\.", -1);
        for (int i = 0; i < parts.length; i++) {
            if (scope == null) {
                return null;
            }
            long[] where = new long[] {0};
            found = lookup(scope, parts[i], where);
            if (found == null) {
                return null;
            }
            base += where[0];
            if (i < parts.length - 1) {
                base += found.offset();
                scope = found.type().resolve() instanceof StructLayout s ? s : null;
            }
        }
        long bitBase = base * 8;
        return new FieldRef(path, found, base + found.offset(), bitBase + found.bitOffset());
    }

    /** Finds a named member in one scope, descending into anonymous aggregates; adds their offset to where[0]. */
    private static Member lookup(StructLayout scope, String name, long[] where) {
        for (Member m : scope.members) {
            if (name.equals(m.name())) {
                return m;
            }
            if (m.isAnonymousAggregate()) {
                long[] inner = new long[] {0};
                Member hit = lookup((StructLayout) m.type().resolve(), name, inner);
                if (hit != null) {
                    where[0] += m.offset() + inner[0];
                    return hit;
                }
            }
        }
        return null;
    }

    /** The byte offset of a member (for a bitfield: the byte holding its first bit). */
    public long offsetOf(String path) {
        return field(path).offset();
    }

    /** sizeof a member's type. */
    public long sizeOf(String path) {
        return field(path).size();
    }

    /** The bit offset of a member from the start of this struct. */
    public long bitOffsetOf(String path) {
        return field(path).bitOffset();
    }

    /** The width of a bitfield member. */
    public int bitWidthOf(String path) {
        FieldRef ref = field(path);
        if (!ref.member().isBitfield()) {
            throw new IllegalArgumentException(name() + "." + path + " is not a bitfield");
        }
        return ref.member().bitWidth();
    }

    /**
     * The flattened view the reference CSV uses: one row per named member, anonymous aggregates as
     * container rows followed by their members, named members of anonymous struct type followed
     * by their members dotted.
     */
    public List<FlatField> flatten() {
        List<FlatField> rows = new ArrayList<>();
        flatten(this, "", 0, 0, rows);
        return Collections.unmodifiableList(rows);
    }

    private static void flatten(StructLayout scope, String prefix, long base, int depth, List<FlatField> rows) {
        for (Member m : scope.members) {
            long off = base + m.offset();
            long bit = base * 8 + m.bitOffset();
            if (m.isAnonymousAggregate()) {
                StructLayout inner = (StructLayout) m.type().resolve();
                rows.add(new FlatField("{anon " + inner.kind.keyword() + " @" + off + "}", m, off, bit, true, depth));
                flatten(inner, prefix, off, depth + 1, rows);
            } else if (m.name() != null) {
                rows.add(new FlatField(prefix + m.name(), m, off, bit, false, depth));
                if (m.type() instanceof StructLayout s && s.isAnonymous()) {
                    flatten(s, prefix + m.name() + ".", off, depth + 1, rows);
                }
            }
        }
    }

    @Override
    public String toString() {
        return name() + " (size " + size + ", align " + align + ")";
    }
}
