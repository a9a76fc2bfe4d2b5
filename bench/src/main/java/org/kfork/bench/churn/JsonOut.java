package org.kfork.bench.churn;

import java.util.Locale;

/** A small JSON writer for the churn's results: one object at a time, members in call order. */
final class JsonOut {
    private final StringBuilder b = new StringBuilder();
    private boolean first = true;

    /** Starts the top-level object. */
    JsonOut() {
        b.append('{');
    }

    private JsonOut key(String k) {
        if (!first) {
            b.append(',');
        }
        first = false;
        b.append('"').append(k).append("\":");
        return this;
    }

    /** A number member (NaN and infinities as null). */
    JsonOut num(String k, double v) {
        key(k);
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            b.append("null");
        } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            b.append((long) v);
        } else {
            b.append(String.format(Locale.ROOT, "%.6g", v));
        }
        return this;
    }

    /** A string member. */
    JsonOut str(String k, String v) {
        key(k);
        if (v == null) {
            b.append("null");
            return this;
        }
        b.append('"');
        for (char c : v.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
        return this;
    }

    /** A boolean member. */
    JsonOut bool(String k, boolean v) {
        key(k).b.append(v);
        return this;
    }

    /** Opens an object member; close it with {@link #end()}. */
    JsonOut obj(String k) {
        key(k).b.append('{');
        first = true;
        return this;
    }

    /** Closes the innermost open object. */
    JsonOut end() {
        b.append('}');
        first = false;
        return this;
    }

    /** The text, the top-level object closed. */
    String text() {
        return b + "}\n";
    }
}
