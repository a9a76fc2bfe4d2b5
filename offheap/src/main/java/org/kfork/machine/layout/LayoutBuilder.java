package org.kfork.machine.layout;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The layout engine, behind a small fluent declaration API. Members are declared in C order;
 * {@link #build()} places them exactly as gcc does on x86_64 (System V psABI):
 *
 * <ul>
 *   <li>a plain member goes at the next offset that is a multiple of its alignment: its type's
 *       alignment, raised by an explicit {@code __aligned(n)} on the member;</li>
 *   <li>a bitfield of declared type T goes at the current bit if it fits inside the T-aligned unit
 *       holding that bit; otherwise it starts at the next T-aligned unit. It never straddles
 *       one. A named bitfield raises the struct's alignment to T's; an unnamed one does not;</li>
 *   <li>an unnamed zero-width bitfield {@code T :0} moves the next member to a T-aligned unit;</li>
 *   <li>a flexible array member goes at its element's alignment, adds nothing to sizeof, and must
 *       be last;</li>
 *   <li>in a union every member is at offset 0;</li>
 *   <li>the alignment is the largest member alignment (and the type's own {@code __aligned(n)});
 *       sizeof is the end of the last member rounded up to it: the tail padding.</li>
 * </ul>
 */
public final class LayoutBuilder {
    private record Decl(String name, CType type, int alignAttr, int bitWidth) {
    }

    private final String tag;
    private final boolean typedef;
    private final StructLayout.Kind kind;
    private final List<Decl> decls = new ArrayList<>();
    private int alignAttr;

    LayoutBuilder(String tag, boolean typedef, StructLayout.Kind kind) {
        this.tag = tag;
        this.typedef = typedef;
        this.kind = kind;
    }

    /** {@code TYPE name;} */
    public LayoutBuilder field(String name, CType type) {
        return add(requireName(name), type, 0, -1);
    }

    /** {@code TYPE name __aligned(alignAttr);} (also how {@code ____cacheline_aligned} is declared: 64). */
    public LayoutBuilder field(String name, CType type, int alignAttr) {
        checkAlign(alignAttr);
        return add(requireName(name), type, alignAttr, -1);
    }

    /** {@code TYPE name[length];} */
    public LayoutBuilder array(String name, CType element, long length) {
        return add(requireName(name), new ArrayType(element, length, false), 0, -1);
    }

    /** {@code TYPE name[];} a flexible array member; must be the last member of a struct. */
    public LayoutBuilder flexibleArray(String name, CType element) {
        return add(requireName(name), new ArrayType(element, 0, true), 0, -1);
    }

    /** {@code TYPE name : width;} a named bitfield, 1 to 8 * sizeof(TYPE) bits wide. */
    public LayoutBuilder bitfield(String name, CType type, int width) {
        checkBitfieldType(type, width);
        if (width == 0) {
            throw new IllegalArgumentException("a named bitfield cannot have width 0: " + name);
        }
        return add(requireName(name), type, 0, width);
    }

    /** {@code TYPE : width;} an unnamed bitfield: padding bits (width 0: align the next member to TYPE). */
    public LayoutBuilder unnamedBitfield(CType type, int width) {
        checkBitfieldType(type, width);
        return add(null, type, 0, width);
    }

    /** An anonymous struct or union member; its members are reached by their own names. */
    public LayoutBuilder anonymous(StructLayout aggregate) {
        if (!aggregate.isAnonymous()) {
            throw new IllegalArgumentException("only an anonymous struct/union can be an anonymous member: " + aggregate.name());
        }
        return add(null, aggregate, 0, -1);
    }

    /** Builds {@code inner} and adds it as an anonymous member. */
    public LayoutBuilder anonymous(LayoutBuilder inner) {
        return anonymous(inner.build());
    }

    /** The type attribute {@code __aligned(n)}: the layout's alignment is at least n. */
    public LayoutBuilder aligned(int n) {
        checkAlign(n);
        this.alignAttr = n;
        return this;
    }

    private LayoutBuilder add(String name, CType type, int alignAttr, int bitWidth) {
        if (type instanceof ArrayType a && a.flexible() && kind == StructLayout.Kind.UNION) {
            throw new IllegalArgumentException("a flexible array member cannot be in a union: " + name);
        }
        decls.add(new Decl(name, type, alignAttr, bitWidth));
        return this;
    }

    private static String requireName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("bad member name: " + name);
        }
        return name;
    }

    private static void checkAlign(int n) {
        if (n <= 0 || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two: " + n);
        }
    }

    private static void checkBitfieldType(CType type, int width) {
        if (!(type.resolve() instanceof Scalar)) {
            throw new IllegalArgumentException("a bitfield needs an integer type, not " + type.name());
        }
        if (width < 0 || width > type.size() * 8) {
            throw new IllegalArgumentException("bitfield width " + width + " does not fit " + type.name());
        }
    }

    /** Places the members and returns the immutable layout. */
    public StructLayout build() {
        List<Member> members = new ArrayList<>(decls.size());
        Set<String> names = new HashSet<>();
        long bit = 0;          // struct: the next free bit
        long unionBytes = 0;   // union: the largest member
        int maxAlign = Math.max(1, alignAttr);
        for (int i = 0; i < decls.size(); i++) {
            Decl d = decls.get(i);
            CType t = d.type();
            if (t instanceof ArrayType a && a.flexible() && i != decls.size() - 1) {
                throw new IllegalArgumentException("flexible array member " + d.name() + " must be last in " + describe());
            }
            collectNames(d.name(), t, names);
            Member m;
            if (d.bitWidth() >= 0) {
                long unitBits = t.size() * 8;
                long alignBits = (long) t.align() * 8;
                long at = kind == StructLayout.Kind.UNION ? 0 : bit;
                if (d.bitWidth() == 0) {
                    at = alignUp(at, alignBits);
                } else if (at / unitBits != (at + d.bitWidth() - 1) / unitBits) {
                    at = alignUp(at, alignBits); // would straddle its unit: start the next one
                }
                m = new Member(d.name(), t, at / 8, t.align(), 0, at, d.bitWidth());
                if (d.name() != null) {
                    maxAlign = Math.max(maxAlign, t.align());
                }
                if (kind == StructLayout.Kind.STRUCT) {
                    bit = at + d.bitWidth();
                } else {
                    unionBytes = Math.max(unionBytes, (d.bitWidth() + 7) / 8);
                }
            } else {
                int a = Math.max(t.align(), d.alignAttr());
                long off = kind == StructLayout.Kind.UNION ? 0 : alignUp((bit + 7) / 8, a);
                m = new Member(d.name(), t, off, a, d.alignAttr(), off * 8, -1);
                maxAlign = Math.max(maxAlign, a);
                if (kind == StructLayout.Kind.STRUCT) {
                    bit = (off + t.size()) * 8;
                } else {
                    unionBytes = Math.max(unionBytes, t.size());
                }
            }
            members.add(m);
        }
        long end = kind == StructLayout.Kind.STRUCT ? (bit + 7) / 8 : unionBytes;
        long size = alignUp(end, maxAlign);
        return new StructLayout(tag, typedef, kind, members, size, maxAlign, alignAttr);
    }

    private void collectNames(String name, CType type, Set<String> names) {
        if (name != null) {
            if (!names.add(name)) {
                throw new IllegalArgumentException("duplicate member " + name + " in " + describe());
            }
        } else if (type instanceof StructLayout s) {
            for (Member inner : s.members()) {
                collectNames(inner.name(), inner.type(), names);
            }
        }
    }

    private String describe() {
        return tag == null ? "anonymous " + kind.keyword() : kind.keyword() + " " + tag;
    }

    private static long alignUp(long value, long align) {
        return (value + align - 1) / align * align;
    }
}
