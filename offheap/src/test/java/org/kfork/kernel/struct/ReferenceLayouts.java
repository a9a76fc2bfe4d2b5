package org.kfork.kernel.struct;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * reference/layouts-5.12.csv (gcc's offsetof on the real 5.12 headers), read from the test
 * resources: {@code struct,field,ctype,offset,size,align,notes}.
 */
public final class ReferenceLayouts {
    /** Where the copy of the reference lives on the test class path. */
    public static final String RESOURCE = "/org/kfork/kernel/struct/layouts-5.12.csv";

    private static final Pattern BITFIELD =
            Pattern.compile("bitfield: bit (\\d+) of struct \\(byte (\\d+) bit (\\d+)\\), width (\\d+)");

    /**
     * One row of the reference.
     *
     * @param struct the struct (tag or typedef name)
     * @param field  the field name (dotted, or {@code {anon union @N}}, or {@code __SIZEOF__})
     * @param ctype  the C type as DWARF spells it
     * @param offset the byte offset (for a bitfield: the byte holding its first bit)
     * @param size   the size, or -1 when empty (bitfields)
     * @param align  the alignment, or -1 when empty
     * @param notes  the notes column
     */
    public record Row(String struct, String field, String ctype, long offset, long size, long align, String notes) {
        /** True for the {@code __SIZEOF__} row. */
        public boolean isSizeof() {
            return field.equals("__SIZEOF__");
        }

        /** True for an anonymous struct/union container row. */
        public boolean isContainer() {
            return field.startsWith("{anon ");
        }

        /** True for a bitfield row. */
        public boolean isBitfield() {
            return notes.contains("bitfield: bit ");
        }

        /** The bitfield's bit offset from the start of the struct. */
        public long bitOffset() {
            return Long.parseLong(bitMatch().group(1));
        }

        /** The bitfield's width. */
        public int bitWidth() {
            return Integer.parseInt(bitMatch().group(4));
        }

        private Matcher bitMatch() {
            Matcher m = BITFIELD.matcher(notes);
            if (!m.find()) {
                throw new IllegalStateException("not a bitfield row: " + this);
            }
            return m;
        }

        @Override
        public String toString() {
            return struct + "," + field + " (" + ctype + ") @" + offset + " size " + size + " align " + align;
        }
    }

    private static final List<Row> ROWS = load();

    private ReferenceLayouts() {
    }

    /** Every row, in file order. */
    public static List<Row> rows() {
        return ROWS;
    }

    /** The rows grouped by struct, in file order. */
    public static Map<String, List<Row>> byStruct() {
        Map<String, List<Row>> out = new LinkedHashMap<>();
        for (Row r : ROWS) {
            out.computeIfAbsent(r.struct(), k -> new ArrayList<>()).add(r);
        }
        return out;
    }

    private static List<Row> load() {
        try (InputStream in = ReferenceLayouts.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + RESOURCE);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<Row> rows = new ArrayList<>();
            String header = reader.readLine();
            if (!"struct,field,ctype,offset,size,align,notes".equals(header)) {
                throw new IllegalStateException("unexpected header " + header);
            }
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                List<String> c = splitCsv(line);
                rows.add(new Row(c.get(0), c.get(1), c.get(2), Long.parseLong(c.get(3)), num(c.get(4)), num(c.get(5)),
                        c.size() > 6 ? c.get(6) : ""));
            }
            return List.copyOf(rows);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long num(String s) {
        return s.isEmpty() ? -1 : Long.parseLong(s);
    }

    /** Splits one CSV line with double-quoted cells. */
    public static List<String> splitCsv(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cell.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        cells.add(cell.toString());
        return cells;
    }
}
