package io.distillery.checkpoint;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a safetensors header byte for byte as the official library does (serde_json's compact output):
 * {@code __metadata__} first, then the tensors in layout order, each as {@code {"dtype","shape","data_offsets"}},
 * no whitespace, strings escaped the serde_json way, padded with spaces to a multiple of 8 bytes so the data
 * area starts aligned. Jackson is not used because its escaping differs (e.g. upper-case {@code \u001F}).
 */
final class HeaderJson {

    private HeaderJson() {}

    static byte[] build(Map<String, String> metadata, List<TensorInfo> tensors) {
        StringBuilder sb = new StringBuilder(64 + 96 * tensors.size());
        sb.append('{');
        boolean first = true;
        if (!metadata.isEmpty()) {
            string(sb, SafetensorsHeader.METADATA_KEY).append(":{");
            boolean firstEntry = true;
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (!firstEntry) {
                    sb.append(',');
                }
                string(sb, e.getKey()).append(':');
                string(sb, e.getValue());
                firstEntry = false;
            }
            sb.append('}');
            first = false;
        }
        for (TensorInfo t : tensors) {
            if (!first) {
                sb.append(',');
            }
            string(sb, t.name()).append(":{\"dtype\":");
            string(sb, t.dtype().safetensorsName()).append(",\"shape\":[");
            long[] shape = t.shape();
            for (int i = 0; i < shape.length; i++) {
                sb.append(i == 0 ? "" : ",").append(shape[i]);
            }
            sb.append("],\"data_offsets\":[")
                    .append(t.begin())
                    .append(',')
                    .append(t.end())
                    .append("]}");
            first = false;
        }
        sb.append('}');
        // Pad the UTF-8 bytes, not the chars: non-ASCII names make the two lengths differ.
        byte[] json = Text.utf8(sb.toString(), "header");
        byte[] padded = Arrays.copyOf(json, json.length + (8 - json.length % 8) % 8);
        Arrays.fill(padded, json.length, padded.length, (byte) ' ');
        return padded;
    }

    /** Appends {@code s} as a JSON string escaped exactly like serde_json (only '"', '\\' and controls). */
    private static StringBuilder string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\b':
                    sb.append("\\b");
                    break;
                case '\f':
                    sb.append("\\f");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"');
    }
}
