package io.distillery.extract;

/**
 * Makes a reject message safe to store and print: control characters and non-ASCII are escaped and the text is cut,
 * so a message never carries a file's raw bytes (a decoder error may quote what it read).
 */
final class RejectMessages {
    static final int MAX_CHARS = 300;

    private RejectMessages() {}

    static String clean(String message) {
        if (message == null) {
            return "(no message)";
        }
        StringBuilder out = new StringBuilder(Math.min(message.length(), MAX_CHARS) + 16);
        for (int i = 0; i < message.length() && out.length() < MAX_CHARS; i++) {
            char c = message.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else {
                out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            }
        }
        if (out.length() >= MAX_CHARS && message.length() > MAX_CHARS) {
            out.setLength(MAX_CHARS);
            out.append("... (").append(message.length()).append(" chars)");
        }
        return out.toString();
    }
}
